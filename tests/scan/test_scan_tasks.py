"""Task definitions: every decorator form, aliases, relative imports, helpers, class-based tasks, names."""

from __future__ import annotations

import textwrap

from celery2arq.scan import scan_source, scan_sources


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def names(project) -> list[str]:
    return [t.name for t in project.tasks]


def test_shared_task_alias_and_module_attribute():
    project = scan_source(
        src("""
        import celery
        from celery import shared_task as st

        @st
        def a(): ...

        @celery.shared_task(queue="q")
        def b(x, y=1, *args, z, **kw): ...
    """),
        file="proj/tasks.py",
        module="proj.tasks",
    )
    a, b = project.tasks
    assert (a.name, a.line, a.column, a.decorator, a.app) == (
        "proj.tasks.a",
        5,
        1,
        "celery.shared_task",
        None,
    )
    assert b.params == ["x", "y", "args", "z", "kw"]
    assert b.options["queue"].value == "q" and b.options["queue"].literal
    assert b.end_line == 8


def test_app_task_local_app_and_options():
    project = scan_source(
        src("""
        from celery import Celery
        app = Celery("proj")

        @app.task(bind=True, max_retries=5, autoretry_for=(IOError,), retry_backoff=True, rate_limit="10/m",
                  time_limit=30, acks_late=True, custom_option="x")
        def fetch(self, url):
            pass
    """)
    )
    (task,) = project.tasks
    assert task.app == "mod.app" and task.decorator == "mod.app.task"
    assert task.bind and task.params == ["url"]
    assert task.options["max_retries"].value == 5
    assert not task.options["autoretry_for"].literal and task.options["autoretry_for"].value == "(IOError,)"
    assert task.options["custom_option"].value == "x"
    assert task.options["rate_limit"].value == "10/m"
    assert project.apps[0].path == "mod.app" and project.apps[0].main == "proj"


def test_old_celery_task_decorators():
    project = scan_source(
        src("""
        from celery.task import task
        from celery.decorators import periodic_task

        @task
        def a(): ...

        @periodic_task(run_every=10)
        def b(): ...
    """)
    )
    assert names(project) == ["mod.a", "mod.b"]


def test_current_app_task():
    project = scan_source(
        src("""
        from celery import current_app

        @current_app.task
        def a(): ...
    """)
    )
    assert names(project) == ["mod.a"]


def test_app_imported_by_relative_and_absolute_import():
    project = scan_sources(
        {
            "proj/__init__.py": "from .celery import app as celery_app\n",
            "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n",
            "proj/tasks.py": src("""
            from .celery import app

            @app.task
            def one(): ...
        """),
            "proj/other.py": src("""
            from proj import celery_app

            @celery_app.task(name="custom.two")
            def two(): ...
        """),
            "proj/sub/__init__.py": "",
            "proj/sub/deep.py": src("""
            from ..celery import app as my_app

            @my_app.task
            def three(): ...
        """),
        }
    )
    assert sorted(names(project)) == ["custom.two", "proj.sub.deep.three", "proj.tasks.one"]
    assert {t.app for t in project.tasks} == {"proj.celery.app"}


def test_unresolved_app_like_receiver_is_undecided_not_guessed():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/tasks.py": src("""
            from proj.worker import app

            @app.task
            def one(): ...
        """),
            "proj/worker.py": "app = make_app()\n",
        }
    )
    assert project.tasks == []
    (undecided,) = project.undecided
    assert undecided.code == "C2A904" and undecided.file == "proj/tasks.py" and undecided.line == 4


def test_task_attribute_on_non_app_is_ignored():
    project = scan_source(
        src("""
        from scheduler import runner

        @runner.task
        def a(): ...
    """)
    )
    assert project.tasks == [] and project.undecided == []


def test_task_defined_by_call():
    project = scan_source(
        src("""
        from celery import Celery, shared_task
        app = Celery()

        def send_email(to): ...
        async def ping(): ...

        send = app.task(send_email, name="mail.send")
        app.task(bind=True)(ping)
        shared_task(send_email)
    """)
    )
    kinds = [(t.kind, t.name, t.function) for t in project.tasks]
    assert kinds == [
        ("call", "mail.send", "send_email"),
        ("call", "mod.ping", "ping"),
        ("call", "mod.send_email", "send_email"),
    ]
    assert project.tasks[0].params == ["to"]
    assert project.tasks[1].is_async


def test_helper_decorator_users_are_tasks():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n",
            "proj/utils.py": src("""
            import functools
            from celery import shared_task

            def instrumented_task(*args, **kwargs):
                def decorator(fn):
                    @functools.wraps(fn)
                    def wrapper(*a, **kw):
                        return fn(*a, **kw)
                    return shared_task(*args, **kwargs)(wrapper)
                return decorator
        """),
            "proj/appdeco.py": src("""
            from .celery import app

            def queued_task(**options):
                return app.task(queue="special", **options)
        """),
            "proj/tasks.py": src("""
            from proj.utils import instrumented_task
            from .appdeco import queued_task

            @instrumented_task(name="x.y", bind=True)
            def a(self): ...

            @queued_task()
            def b(): ...

            def not_a_task(): ...
        """),
        }
    )
    tasks = {t.name: t for t in project.tasks}
    assert set(tasks) == {"x.y", "proj.tasks.b"}
    assert tasks["x.y"].kind == "helper" and tasks["x.y"].decorator == "proj.utils.instrumented_task"
    assert tasks["proj.tasks.b"].kind == "helper"


def test_non_literal_name_is_undecided():
    project = scan_source(
        src("""
        from celery import shared_task
        PREFIX = "x"

        @shared_task(name=PREFIX + ".a")
        def a(): ...
    """)
    )
    (task,) = project.tasks
    assert task.name_static is False
    assert [u.code for u in project.undecided] == ["C2A901"]


def test_main_module_name_uses_app_main():
    project = scan_source(
        src("""
        from celery import Celery
        app = Celery("myapp")

        @app.task
        def a(): ...
    """),
        file="__main__.py",
        module="__main__",
    )
    assert names(project) == ["myapp.a"]


def test_async_task_blocking_calls_and_self_uses():
    project = scan_source(
        src("""
        import time, subprocess
        import requests
        from urllib.request import urlopen
        from celery import shared_task

        @shared_task(bind=True)
        async def a(self, x):
            time.sleep(1)
            requests.get("http://x")
            urlopen("http://x")
            subprocess.run(["ls"])
            task_id = self.request.id
            n = self.request.retries
            self.update_state(state="PROGRESS", meta={"n": 1})
            raise self.retry(exc=ValueError(), countdown=5, max_retries=3)

        @shared_task
        def b():
            time.sleep(1)
    """)
    )
    a, b = project.tasks
    assert a.is_async and a.params == ["x"]
    assert [c.line for c in a.blocking_calls] == [8, 9, 10, 11]
    assert [(u.attr, u.line) for u in a.self_uses] == [
        ("request.id", 12),
        ("request.retries", 13),
        ("update_state", 14),
        ("retry", 15),
    ]
    retry = a.self_uses[-1]
    assert retry.call_args["countdown"].value == 5 and retry.call_args["exc"].value == "ValueError()"
    assert b.blocking_calls == [] and b.self_uses == []


def test_class_based_task_and_custom_base():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/base.py": src("""
            import celery

            class LoggedTask(celery.Task):
                def on_failure(self, exc, task_id, args, kwargs, einfo): ...
                def __call__(self, *args, **kwargs):
                    return super().__call__(*args, **kwargs)
        """),
            "proj/tasks.py": src("""
            from celery import Celery, shared_task
            from proj.base import LoggedTask
            app = Celery("proj", task_cls="proj.base:LoggedTask")

            class Export(LoggedTask):
                name = "export.run"
                max_retries = 2
                def run(self, path):
                    self.request.id

            class Other(LoggedTask):
                pass

            app.register_task(Other())

            @shared_task(base=LoggedTask)
            def c(): ...
        """),
        }
    )
    tasks = {t.name: t for t in project.tasks}
    assert set(tasks) == {"export.run", "proj.tasks.Other", "proj.tasks.c"}
    export = tasks["export.run"]
    assert export.kind == "class" and export.line == 5 and export.params == ["path"]
    assert export.options["max_retries"].value == 2
    assert [u.attr for u in export.self_uses] == ["request.id"]
    (cls,) = project.task_classes
    assert cls.path == "proj.base.LoggedTask" and cls.bases == ["celery.Task"]
    assert cls.overrides == ["__call__", "on_failure"]
    assert cls.used_as == ["base=", "task_cls"]


def test_app_task_attribute_as_base_and_app_task_assignment():
    project = scan_source(
        src("""
        from celery import Celery
        app = Celery()

        class Base(app.Task):
            def before_start(self, task_id, args, kwargs): ...

        app.Task = Base
    """)
    )
    (cls,) = project.task_classes
    assert cls.path == "mod.Base" and cls.overrides == ["before_start"] and cls.used_as == ["app.Task"]


def test_records_are_sorted_and_located():
    project = scan_sources(
        {
            "b.py": "from celery import shared_task\n@shared_task\ndef x(): ...\n",
            "a.py": "from celery import shared_task\n\n\n@shared_task\ndef y(): ...\n",
        }
    )
    assert [(t.file, t.line) for t in project.tasks] == [("a.py", 5), ("b.py", 3)]


def test_decorator_bound_to_a_module_variable_and_lambda_tasks():
    project = scan_source(
        src("""
        import celery as c
        from celery import Celery
        app = Celery()
        shared = c.shared_task
        task = app.task

        @shared
        def via_variable(): ...

        @task(bind=True)
        def via_app_attribute(self): ...

        mul = app.task(lambda x, y: x * y, name="pkg.mul")
    """)
    )
    got = [(t.name, t.kind, t.app, t.params) for t in project.tasks]
    assert got == [
        ("mod.via_variable", "decorator", None, []),
        ("mod.via_app_attribute", "decorator", "mod.app", []),
        ("pkg.mul", "call", "mod.app", ["x", "y"]),
    ]


def test_helper_positional_arguments_follow_the_helper_signature():
    project = scan_sources(
        {
            "pkg/__init__.py": "",
            "pkg/utils.py": src("""
            from celery import shared_task

            def instrumented_task(name, queue="default", **options):
                return shared_task(name=name, queue=queue, **options)
        """),
            "pkg/jobs.py": src("""
            from pkg.utils import instrumented_task

            @instrumented_task("jobs.send_sms", "sms", time_limit=30)
            def send_sms(number): ...
        """),
        }
    )
    (task,) = project.tasks
    assert (task.name, task.kind, task.options["queue"].value) == ("jobs.send_sms", "helper", "sms")
    assert task.options["time_limit"].value == 30


def test_legacy_periodic_task_is_a_beat_entry_keyed_by_task_name():
    project = scan_source(
        src("""
        from celery.task import periodic_task
        from celery.schedules import crontab

        @periodic_task(run_every=crontab(minute=0, hour="*/6"))
        def sweep(): ...
    """)
    )
    (entry,) = project.beat
    assert (entry.name, entry.task, entry.origin, entry.schedule.kind) == (
        "mod.sweep",
        "mod.sweep",
        "periodic_task",
        "crontab",
    )
    assert entry.schedule.fields["hour"].value == "*/6"
