"""``add_periodic_task``: every signature spelling resolves to its task, args, kwargs and Celery's key."""

from __future__ import annotations

import textwrap

from celery import Celery

from celery2arq.scan import scan_source, scan_sources


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


APP = src("""
    from celery import Celery, signature
    from celery.schedules import crontab
    from proj.tasks import rollup

    app = Celery("proj")

    @app.on_after_configure.connect
    def setup(sender, **kwargs):
        sender.add_periodic_task(60.0, sender.signature("proj.tasks.heartbeat"))
        sender.add_periodic_task(60.0, app.signature("proj.tasks.digest", args=("weekly",), kwargs={"n": 2}))
        sender.add_periodic_task(60.0, signature("proj.tasks.digest", ("daily", (1, 2))), name="daily")
        sender.add_periodic_task(crontab(minute=0), rollup.s(1, 2), args=(0,), kwargs={"k": "v"})
        sender.add_periodic_task(30, rollup.si(3), args=(0,))
        sender.add_periodic_task(30, rollup.signature((4,), {"x": None}, queue="low"), expires=5)
        sender.add_periodic_task(30, rollup)
        sender.add_periodic_task(30, unknown_thing.s())
""")
TASKS = src("""
    from proj.celery import app

    @app.task
    def rollup(*args, **kwargs): ...
""")


def _entries():
    project = scan_sources({"proj/celery.py": APP, "proj/tasks.py": TASKS, "proj/__init__.py": ""})
    return project, [
        (e.name, e.task, e.args and e.args.value, e.kwargs and e.kwargs.value) for e in project.beat
    ]


def test_every_signature_spelling_resolves_task_args_and_kwargs():
    project, entries = _entries()
    assert entries == [
        ("proj.tasks.heartbeat()", "proj.tasks.heartbeat", None, None),
        ("proj.tasks.digest('weekly', n=2)", "proj.tasks.digest", ["weekly"], {"n": 2}),
        ("daily", "proj.tasks.digest", ["daily", [1, 2]], None),
        # Celery's clone(): the call's args come first, kwargs are merged
        ("proj.tasks.rollup(0, 1, 2, k='v')", "proj.tasks.rollup", [0, 1, 2], {"k": "v"}),
        # an immutable signature ignores the call's args
        ("proj.tasks.rollup(3)", "proj.tasks.rollup", [3], None),
        ("proj.tasks.rollup(4, x=None)", "proj.tasks.rollup", [4], {"x": None}),
        ("proj.tasks.rollup()", "proj.tasks.rollup", None, None),
        ("unknown_thing.s()", None, None, None),
    ]
    options = [{k: v.value for k, v in e.options.items()} for e in project.beat]
    assert options[5] == {"expires": 5, "queue": "low"}
    # only the signature whose task is unknown is undecided; no signature call is a call site of its own
    assert [(u.code, u.line) for u in project.undecided] == [("C2A902", 16)]
    assert [c.kind for c in project.call_sites] == []


def test_keys_without_name_are_celerys_own():
    """The key is ``repr(sig)``: compare with what Celery itself builds for the same calls."""
    app = Celery("proj", set_as_current=False)
    app.add_periodic_task(60.0, app.signature("proj.tasks.heartbeat"))
    app.add_periodic_task(60.0, app.signature("proj.tasks.digest", args=("weekly",), kwargs={"n": 2}))
    app.add_periodic_task(60.0, app.signature("proj.tasks.rollup", (1, 2)), args=(0,), kwargs={"k": "v"})
    app.add_periodic_task(60.0, app.signature("proj.tasks.rollup", (3,), immutable=True), args=(0,))
    app.add_periodic_task(60.0, app.signature("proj.tasks.rollup", (4,), {"x": None}))
    celery_keys = [key for (key, _), _ in list(app._pending_periodic_tasks)]
    _, entries = _entries()
    names = [name for name, *_ in entries]
    assert celery_keys == [names[0], names[1], names[3], names[4], names[5]]


def test_signature_from_a_variable_and_the_unresolved_bare_name():
    project = scan_source(
        src("""
        from celery import Celery
        app = Celery()

        @app.task
        def ping(): ...

        @app.on_after_configure.connect
        def setup(sender, **kwargs):
            sig = ping.s()
            sender.add_periodic_task(10, sig, name="from-variable")
            sender.add_periodic_task(10, make_signature())
        """)
    )
    first, second = project.beat
    assert (first.name, first.task) == ("from-variable", "mod.ping")
    # the arguments live in the variable: kept as an expression, not guessed
    assert (first.args.literal, first.args.value, first.kwargs.value) == (False, "sig.args", "sig.kwargs")
    assert second.task is None
    assert [u.message for u in project.undecided] == [
        "add_periodic_task signature cannot be read statically: make_signature()"
    ]


def test_beat_values_imported_from_other_modules_are_resolved():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/schedules.py": src("""
                from celery.schedules import crontab
                from .custom import EveryOtherDay
                NIGHTLY = crontab(minute=0, hour=3)
                every_other_day = EveryOtherDay()
                EVERY = 45
                REPORT_TASK = "proj.tasks.report"
                REPORT_ARGS = ("pdf", 2)
            """),
            "proj/aliases.py": "from proj.schedules import NIGHTLY as nightly_again\n",
            "proj/settings.py": src("""
                from celery.schedules import crontab
                from proj import schedules
                from proj.aliases import nightly_again
                from .schedules import EVERY, REPORT_ARGS, REPORT_TASK, every_other_day
                from elsewhere import not_in_project

                CELERY_BEAT_SCHEDULE = {
                    "nightly": {"task": "proj.tasks.a", "schedule": nightly_again},
                    "custom": {"task": "proj.tasks.b", "schedule": every_other_day},
                    "every": {"task": "proj.tasks.c", "schedule": EVERY},
                    "module-attribute": {"task": "proj.tasks.d", "schedule": schedules.NIGHTLY},
                    "report": {"task": REPORT_TASK, "schedule": 10, "args": REPORT_ARGS},
                    "outside": {"task": "proj.tasks.e", "schedule": not_in_project},
                }
            """),
            "proj/celery.py": src("""
                from celery import Celery
                from proj.schedules import NIGHTLY
                app = Celery("proj")

                @app.on_after_configure.connect
                def setup(sender, **kwargs):
                    sender.add_periodic_task(NIGHTLY, sender.signature("proj.tasks.f"), name="periodic")
            """),
        }
    )
    entries = {e.name: e for e in project.beat}
    nightly = entries["nightly"].schedule
    assert (nightly.kind, nightly.source) == ("crontab", "nightly_again")
    assert {k: v.value for k, v in nightly.fields.items() if v.value != "*"} == {"minute": 0, "hour": 3}
    assert entries["module-attribute"].schedule.kind == "crontab"
    assert entries["custom"].schedule.kind == "custom"
    assert (entries["every"].schedule.kind, entries["every"].schedule.seconds) == ("interval", 45.0)
    report = entries["report"]
    assert (report.task, report.args.value) == ("proj.tasks.report", ["pdf", 2])
    assert entries["outside"].schedule.kind == "unknown"
    assert (entries["periodic"].schedule.kind, entries["periodic"].schedule.source) == ("crontab", "NIGHTLY")
    assert [(u.file, u.code, u.line) for u in project.undecided] == [("proj/settings.py", "C2A902", 13)]
