"""Call sites (delay, apply_async, signatures, send_task, results, control) and canvas uses."""

from __future__ import annotations

import textwrap

from celery2arq.scan import scan_paths, scan_source, scan_sources


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


TASKS = src("""
    from celery import shared_task

    @shared_task
    def send_email(to): ...

    @shared_task
    def resize(path): ...
""")


def kinds(project) -> list[tuple]:
    return [(c.kind, c.target, c.resolved) for c in project.call_sites]


def test_delay_and_apply_async_resolved_across_modules():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/tasks.py": TASKS,
            "proj/views.py": src("""
            from proj import tasks
            from .tasks import resize
            from proj.tasks import send_email as mail

            def view():
                tasks.send_email.delay("a@b")
                mail.apply_async(("a@b",), countdown=10, queue="mail", eta=None, task_id="x",
                                 link_error=resize.s())
                resize.apply_async(args=("p",), priority=3, headers={"h": 1})
        """),
        }
    )
    sites = [c for c in project.call_sites if c.file == "proj/views.py"]
    assert [(c.kind, c.target, c.resolved, c.line) for c in sites] == [
        ("delay", "proj.tasks.send_email", True, 6),
        ("apply_async", "proj.tasks.send_email", True, 7),
        ("s", "proj.tasks.resize", True, 8),
        ("apply_async", "proj.tasks.resize", True, 9),
    ]
    options = sites[1].options
    assert options["countdown"].value == 10 and options["queue"].value == "mail"
    assert options["task_id"].value == "x" and options["eta"].value is None
    assert sites[3].options["priority"].value == 3 and sites[3].options["headers"].value == {"h": 1}
    (link,) = project.canvas
    assert (link.kind, link.tasks) == ("link_error", ["proj.tasks.resize"])


def test_unresolved_calls_only_recorded_in_celery_files():
    plain = scan_source(
        src("""
        def f(obj, d):
            obj.delay(1)
            d.get("x")
            obj.s(1)
    """)
    )
    assert plain.call_sites == []
    celery_file = scan_source(
        src("""
        import celery

        def f(obj, d):
            obj.delay(1)
            d.get("x")
    """)
    )
    assert kinds(celery_file) == [("delay", "obj", False)]


def test_unresolved_delay_on_project_import_is_recorded():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/views.py": "from proj.jobs import missing\n\ndef f():\n    missing.delay()\n",
        }
    )
    assert kinds(project) == [("delay", "missing", False)]


def test_get_only_on_results():
    project = scan_source(
        TASKS
        + src("""
        from celery.result import AsyncResult

        def f(d, task_id):
            r = send_email.delay("x")
            r.get(timeout=5)
            send_email.apply_async(("y",)).get()
            d.get("key")
            AsyncResult(task_id).get(propagate=False)
            res = send_email.AsyncResult(task_id)
            res.revoke(terminate=True)
    """)
    )
    assert [(c.kind, c.line) for c in project.call_sites] == [
        ("delay", 11),
        ("get", 12),
        ("get", 13),
        ("apply_async", 13),
        ("get", 15),
        ("AsyncResult", 15),
        ("AsyncResult", 16),
        ("revoke", 17),
    ]
    get_call = project.call_sites[1]
    assert get_call.options["timeout"].value == 5
    assert (get_call.target, get_call.resolved) == ("mod.send_email", True)  # r = send_email.delay(...)
    assert project.call_sites[2].target == "mod.send_email" and project.call_sites[2].resolved
    assert project.call_sites[6].target == "mod.send_email"
    assert project.call_sites[7].options["terminate"].value is True


def test_send_task_signature_control_and_in_task():
    project = scan_source(
        TASKS
        + src("""
        from celery import Celery, signature
        app = Celery()

        @app.task
        def parent():
            app.send_task("mod.send_email", args=["x"], countdown=3)
            signature("mod.resize", args=("p",))
            app.control.revoke("id")
            app.control.inspect().active()

        def dyn(tasks, name):
            getattr(tasks, name).delay()
            app.send_task(name)
    """)
    )
    sites = [(c.kind, c.target, c.resolved, c.in_task) for c in project.call_sites]
    assert sites == [
        ("send_task", "mod.send_email", True, "mod.parent"),
        ("signature", "mod.resize", True, "mod.parent"),
        ("revoke", "app.control", False, "mod.parent"),
        ("control", "app.control.inspect", False, "mod.parent"),
        ("delay", "getattr(tasks, name)", False, None),
        ("send_task", "name", False, None),
    ]
    assert project.call_sites[0].options["countdown"].value == 3
    assert [u.code for u in project.undecided] == ["C2A905", "C2A905"]


def test_canvas_primitives():
    project = scan_source(
        TASKS
        + src("""
        from celery import chain, group, chord
        from celery.canvas import chunks

        def f(items):
            chain(send_email.s("a"), resize.s()).delay()
            group(resize.s(p) for p in items)()
            chord([resize.s(1), resize.s(2)])(send_email.si("done"))
            (send_email.s("x") | resize.s() | resize.s())()
            resize.chunks(items, 10).delay()
            resize.map(items)
            send_email.starmap(items)
            sig = resize.s(1)
            sig.link(send_email.s("ok"))
            resize.s(2).link_error(send_email.si("fail"))
            [1, 2].map if False else None
    """)
    )
    uses = [(c.kind, c.tasks, c.line) for c in project.canvas]
    assert uses == [
        ("chain", ["mod.send_email", "mod.resize"], 12),
        ("group", ["mod.resize"], 13),
        ("chord", ["mod.resize", "mod.resize", "mod.send_email"], 14),
        ("pipe", ["mod.send_email", "mod.resize", "mod.resize"], 15),
        ("chunks", ["mod.resize"], 16),
        ("map", ["mod.resize"], 17),
        ("starmap", ["mod.send_email"], 18),
        ("link", ["mod.send_email"], 20),
        ("link_error", ["mod.resize", "mod.send_email"], 21),
    ]


def test_map_on_non_task_is_not_canvas():
    project = scan_source("import pandas\n\ndef f(df):\n    df.map(str)\n")
    assert project.canvas == []


def test_signature_variables_and_canvas_receivers():
    project = scan_source(
        TASKS
        + src("""
        from celery import chord, group

        def f(paths):
            sig = resize.s("p")
            sig.apply_async(countdown=1)
            chord(
                header=[resize.s(p) for p in paths],
                body=send_email.si("done"),
            ).on_error(send_email.s("failed")).apply_async()
    """)
    )
    sites = [(c.kind, c.target, c.resolved) for c in project.call_sites if c.kind == "apply_async"]
    assert sites == [("apply_async", "mod.resize", True), ("apply_async", "chord(...).on_error(...)", False)]
    assert [(c.kind, c.tasks) for c in project.canvas] == [
        ("link_error", ["mod.resize", "mod.send_email", "mod.send_email"]),
        ("chord", ["mod.resize", "mod.send_email"]),
    ]


def test_canvas_of_signature_variables():
    project = scan_source(
        TASKS
        + src("""
        from celery import chain

        def f():
            first = send_email.s("a")
            second = resize.si("p")
            chain(first, second).delay()
    """)
    )
    assert [(c.kind, c.tasks) for c in project.canvas] == [("chain", ["mod.send_email", "mod.resize"])]


def test_get_on_an_eager_apply_result_is_not_a_result_call():
    """``task.apply()`` returns an EagerResult computed inline: its ``.get()`` reads no result key."""
    project = scan_source(
        TASKS
        + src("""
        def f():
            r = send_email.apply(("x",))
            r.get()
            resize.apply(("p",)).get(timeout=1)
            again = send_email.delay("y")
            again = send_email.apply(("z",))
            again.get()
            r.revoke()
            real = resize.delay("q")
            real.get()
    """)
    )
    assert [(c.kind, c.line) for c in project.call_sites] == [
        ("apply", 9),
        ("apply", 11),
        ("delay", 12),
        ("apply", 13),
        ("delay", 16),
        ("get", 17),
    ]
    assert project.call_sites[-1].target == "mod.resize"


def test_apply_is_a_call_site_only_when_its_receiver_is_a_task():
    """``task.apply()`` (Celery's eager run) is recorded with its options; ``df.apply(f)`` is not."""
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/tasks.py": TASKS,
            "proj/tests.py": src("""
            from proj.tasks import send_email, resize

            def test_it(df):
                send_email.apply(("a@b",))
                resize.apply(args=("p",), throw=True, countdown=5)
                sig = resize.s("q")
                sig.apply()
                send_email.apply(("x",), {}, None, None, "fixed-id")
                df.apply(len)
                send_email.delay("y")
        """),
        }
    )
    sites = [c for c in project.call_sites if c.file == "proj/tests.py"]
    assert [(c.kind, c.target, c.resolved, c.line) for c in sites] == [
        ("apply", "proj.tasks.send_email", True, 4),
        ("apply", "proj.tasks.resize", True, 5),
        ("s", "proj.tasks.resize", True, 6),
        ("apply", "proj.tasks.resize", True, 7),
        ("apply", "proj.tasks.send_email", True, 8),
        ("delay", "proj.tasks.send_email", True, 10),
    ]
    assert set(sites[1].options) == {"args", "throw", "countdown"} and sites[1].options["throw"].value is True
    assert sites[0].options == {}
    assert sites[4].options["task_id"].value == "fixed-id"  # apply(args, kwargs, link, link_error, task_id)
    assert set(sites[4].options) == {"link", "link_error", "task_id"}


def test_apply_in_a_file_that_never_names_celery_is_scanned(tmp_path):
    """The prefilter keeps a test module whose only Celery use is ``task.apply()``."""
    files = {
        "proj/__init__.py": "",
        "proj/tasks.py": TASKS,
        "proj/test_tasks.py": "from proj.tasks import resize\n\n\ndef test_resize():\n"
        "    assert resize.apply(('p',)).get() is None\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    project = scan_paths([tmp_path], jobs=1)
    assert [(c.kind, c.target, c.file, c.line) for c in project.call_sites if c.kind == "apply"] == [
        ("apply", "proj.tasks.resize", "proj/test_tasks.py", 5)
    ]
