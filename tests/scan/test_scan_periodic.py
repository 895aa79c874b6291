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
    return project, [(e.name, e.task, e.args and e.args.value, e.kwargs and e.kwargs.value) for e in project.beat]


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
    assert second.task is None
    assert [u.message for u in project.undecided] == [
        "add_periodic_task signature cannot be read statically: make_signature()"
    ]
