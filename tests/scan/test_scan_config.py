"""Beat entries (every origin and schedule kind), settings (every spelling), apps and signals."""

from __future__ import annotations

import textwrap

from celery2arq.scan import scan_paths, scan_source, scan_sources


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def test_beat_schedule_literal_on_conf_with_all_schedule_kinds():
    project = scan_source(
        src("""
        from datetime import timedelta
        from celery import Celery
        from celery.schedules import crontab, schedule, solar
        app = Celery("proj")
        NIGHTLY = crontab(minute=0, hour=3)
        app.conf.beat_schedule = {
            "nightly": {"task": "proj.cleanup", "schedule": NIGHTLY, "args": (1,), "kwargs": {"a": 2},
                        "options": {"queue": "low", "expires": 60}},
            "positional": {"task": "proj.x", "schedule": crontab("*/15", "9-17", "mon-fri")},
            "from-string": {"task": "proj.x", "schedule": crontab.from_string("5 4 * * sun")},
            "every-30s": {"task": "proj.x", "schedule": 30.0},
            "delta": {"task": "proj.x", "schedule": timedelta(hours=1, minutes=30), "relative": True},
            "sched": {"task": "proj.x", "schedule": schedule(run_every=timedelta(seconds=10))},
            "sun": {"task": "proj.x", "schedule": solar("sunset", -37.81, 144.96)},
            "custom": {"task": "proj.x", "schedule": MySchedule()},
            "unknown": {"task": "proj.x", "schedule": some_name},
        }
    """)
    )
    entries = {e.name: e for e in project.beat}
    assert all(e.origin == "conf.beat_schedule" and e.app == "mod.app" for e in project.beat)
    nightly = entries["nightly"]
    assert nightly.task == "proj.cleanup" and nightly.schedule.kind == "crontab"
    assert {k: v.value for k, v in nightly.schedule.fields.items()} == {
        "minute": 0,
        "hour": 3,
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
    }
    assert nightly.args.value == [1] and nightly.kwargs.value == {"a": 2}
    assert nightly.options["queue"].value == "low" and nightly.options["expires"].value == 60
    fields = entries["positional"].schedule.fields
    assert (fields["minute"].value, fields["hour"].value, fields["day_of_week"].value) == (
        "*/15",
        "9-17",
        "mon-fri",
    )
    fields = entries["from-string"].schedule.fields
    assert (fields["minute"].value, fields["hour"].value, fields["day_of_week"].value) == ("5", "4", "sun")
    assert (entries["every-30s"].schedule.kind, entries["every-30s"].schedule.seconds) == ("interval", 30.0)
    delta = entries["delta"].schedule
    assert (delta.kind, delta.seconds, delta.relative) == ("interval", 5400.0, True)
    assert entries["sched"].schedule.seconds == 10.0
    assert (
        entries["sun"].schedule.kind == "solar" and entries["sun"].schedule.fields["event"].value == "sunset"
    )
    assert entries["custom"].schedule.kind == "custom"
    assert entries["unknown"].schedule.kind == "unknown"
    assert [u.code for u in project.undecided] == ["C2A902"]


def test_beat_in_django_settings_and_conf_update_and_subscript():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/settings.py": src("""
            from celery.schedules import crontab
            CELERY_BEAT_SCHEDULE = {"a": {"task": "t.a", "schedule": crontab(hour=1)}}
            CELERYBEAT_SCHEDULE = {"b": {"task": "t.b", "schedule": 60}}
        """),
            "proj/celery.py": src("""
            from celery import Celery
            app = Celery()
            app.conf.update(beat_schedule={"c": {"task": "t.c", "schedule": 5}}, timezone="Europe/Paris")
            app.conf["beat_schedule"] = {"d": dict(task="t.d", schedule=7)}
        """),
        }
    )
    assert [(e.name, e.task, e.origin, e.app) for e in project.beat] == [
        ("c", "t.c", "conf.update", "proj.celery.app"),
        ("d", "t.d", "conf[]", "proj.celery.app"),
        ("a", "t.a", "CELERY_BEAT_SCHEDULE", None),
        ("b", "t.b", "CELERYBEAT_SCHEDULE", None),
    ]


def test_add_periodic_task_resolves_the_signature():
    project = scan_source(
        src("""
        from celery import Celery
        from celery.schedules import crontab
        app = Celery()

        @app.on_after_configure.connect
        def setup_periodic_tasks(sender, **kwargs):
            sender.add_periodic_task(10.0, ping.s("hello"), name="ping every 10")
            sender.add_periodic_task(crontab(hour=7, minute=30), ping.s(word="x"), expires=10)

        @app.task
        def ping(word): ...
    """)
    )
    first, second = project.beat
    assert (first.name, first.task, first.schedule.seconds, first.args.value) == (
        "ping every 10",
        "mod.ping",
        10.0,
        ["hello"],
    )
    assert first.origin == "add_periodic_task"
    assert second.task == "mod.ping" and second.kwargs.value == {"word": "x"}
    assert second.options["expires"].value == 10 and second.schedule.kind == "crontab"
    assert [(s.signal, s.function) for s in project.signals] == [
        ("on_after_configure", "setup_periodic_tasks")
    ]


def test_database_scheduler_is_a_setting_and_undecided():
    project = scan_source(
        'CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"\n',
        file="proj/settings.py",
        module="proj.settings",
    )
    (setting,) = project.settings
    assert (setting.name, setting.spelled) == ("beat_scheduler", "CELERY_BEAT_SCHEDULER")
    assert [u.code for u in project.undecided] == ["C2A902"]


def test_settings_in_every_spelling_with_environment_lookups():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/settings.py": src("""
            import os
            import environ
            env = environ.Env()
            REDIS = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
            CELERY_BROKER_URL = REDIS
            CELERY_RESULT_BACKEND = env("RESULT_URL", default="redis://r")
            CELERY_TASK_ACKS_LATE = True
            CELERY_TIMEZONE = "Europe/Paris"
            CELERY_TASK_ROUTES = {"a.*": {"queue": "a"}}
            CELERY_WORKER_PREFETCH_MULTIPLIER = 1
            SECRET_KEY = "x"
            DEBUG = True
        """),
            "proj/celeryconfig.py": src("""
            import os
            broker_url = os.environ["BROKER"]
            result_backend = os.getenv("BACKEND")
            task_time_limit = 30
            timezone = "UTC"
        """),
            "proj/oldconfig.py": src("""
            # old celery names
            BROKER_URL = "amqp://"
            CELERYD_CONCURRENCY = 4
            CELERY_ALWAYS_EAGER = True
        """),
            "proj/celery.py": src("""
            from celery import Celery
            app = Celery("proj", broker=get_url(), backend="redis://b")
            app.config_from_object("django.conf:settings", namespace="CELERY")
            app.conf.task_soft_time_limit = 20
            app.conf.update({"worker_concurrency": 2}, task_serializer="json")
            app.autodiscover_tasks()
        """),
        }
    )
    got = {(s.file.split("/")[1], s.spelled): s for s in project.settings}
    assert got[("settings.py", "CELERY_BROKER_URL")].env == {
        "var": "REDIS_URL",
        "default": got[("settings.py", "CELERY_BROKER_URL")].env["default"],
    }
    assert got[("settings.py", "CELERY_BROKER_URL")].env["default"].value == "redis://localhost:6379/0"
    assert got[("settings.py", "CELERY_RESULT_BACKEND")].env["var"] == "RESULT_URL"
    assert got[("settings.py", "CELERY_TASK_ACKS_LATE")].name == "task_acks_late"
    assert got[("settings.py", "CELERY_TASK_ROUTES")].value.value == {"a.*": {"queue": "a"}}
    assert ("settings.py", "SECRET_KEY") not in got and ("settings.py", "DEBUG") not in got
    # a lowercase config module is only a Celery config when its name says so or something loads it
    assert got[("celeryconfig.py", "broker_url")].env == {"var": "BROKER", "default": None}
    assert got[("celeryconfig.py", "result_backend")].env == {"var": "BACKEND", "default": None}
    assert got[("celeryconfig.py", "timezone")].value.value == "UTC"
    assert got[("oldconfig.py", "BROKER_URL")].name == "broker_url"
    assert got[("oldconfig.py", "CELERYD_CONCURRENCY")].name == "worker_concurrency"
    assert got[("oldconfig.py", "CELERY_ALWAYS_EAGER")].name == "task_always_eager"
    assert (
        got[("celery.py", "broker")].name == "broker_url"
        and got[("celery.py", "broker")].app == "proj.celery.app"
    )
    assert got[("celery.py", "backend")].value.value == "redis://b"
    assert got[("celery.py", "task_soft_time_limit")].app == "proj.celery.app"
    assert got[("celery.py", "worker_concurrency")].value.value == 2
    assert got[("celery.py", "task_serializer")].name == "task_serializer"
    assert [(u.code, u.file) for u in project.undecided] == [("C2A903", "proj/celery.py")]
    (app,) = project.apps
    assert (app.config_from_object, app.namespace, app.autodiscover) == (
        "django.conf:settings",
        "CELERY",
        True,
    )


def test_lowercase_names_in_unrelated_modules_are_not_settings():
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/utils.py": 'timezone = "UTC"\nimports = []\n',
            "proj/config.py": 'timezone = "UTC"\n',
            "proj/main.py": (
                "from celery import Celery\napp = Celery()\napp.config_from_object('proj.config')\n"
            ),
        }
    )
    assert [(s.file, s.name) for s in project.settings] == [("proj/config.py", "timezone")]


def test_signal_handlers():
    project = scan_source(
        src("""
        from celery import signals
        from celery.signals import task_prerun, task_failure as failed

        @task_prerun.connect
        def before(sender=None, **kw): ...

        @signals.worker_ready.connect(weak=False)
        def ready(**kw): ...

        def on_fail(**kw): ...

        failed.connect(on_fail)
        my_signal.connect(on_fail)
    """)
    )
    assert [(s.signal, s.function, s.line) for s in project.signals] == [
        ("task_prerun", "before", 5),
        ("worker_ready", "ready", 8),
        ("task_failure", "on_fail", 12),
    ]


def test_broker_url_from_unresolvable_name_is_undecided_but_literals_and_env_are_not():
    project = scan_source(
        src("""
        import os
        _URL, _OTHER = parse_urls()
        CELERY_BROKER_URL = _URL
        CELERY_RESULT_BACKEND = None
        CELERY_WORKER_PREFETCH_MULTIPLIER = int(os.environ.get("PREFETCH", "4"))
        BROKER_URL = f"redis://{os.environ['HOST']}"
    """),
        file="proj/settings.py",
        module="proj.settings",
    )
    assert [(u.code, u.line) for u in project.undecided] == [("C2A903", 3)]
    prefetch = next(s for s in project.settings if s.name == "worker_prefetch_multiplier")
    assert prefetch.env["var"] == "PREFETCH" and prefetch.env["default"].value == "4"


def test_flask_factory_app_and_celery_mapping():
    project = scan_sources(
        {
            "webapp/__init__.py": src("""
            from celery.schedules import crontab
            from flask import Flask

            def create_app():
                app = Flask(__name__)
                app.config.from_mapping(
                    SECRET_KEY="dev",
                    CELERY=dict(
                        broker_url="redis://localhost:6379/0",
                        beat_schedule={"nightly": {"task": "webapp.tasks.x", "schedule": crontab(hour=1)}},
                    ),
                )
                app.config["CELERY"] = {"task_ignore_result": True}
                return app
        """),
            "webapp/celery_setup.py": src("""
            from celery import Celery, Task

            def celery_init_app(app):
                class FlaskTask(Task):
                    def __call__(self, *args, **kwargs):
                        with app.app_context():
                            return self.run(*args, **kwargs)

                celery_app = Celery(app.name, task_cls=FlaskTask)
                celery_app.config_from_object(app.config["CELERY"])
                return celery_app
        """),
        }
    )
    (app,) = project.apps
    assert app.path == "webapp.celery_setup.celery_init_app.<locals>.celery_app"
    assert app.config_from_object == 'app.config["CELERY"]'
    (cls,) = project.task_classes
    assert cls.path == "webapp.celery_setup.celery_init_app.<locals>.FlaskTask"
    assert (cls.overrides, cls.used_as) == (["__call__"], ["task_cls"])
    assert [(s.name, s.value.value) for s in project.settings if s.name != "beat_schedule"] == [
        ("broker_url", "redis://localhost:6379/0"),
        ("task_ignore_result", True),
    ]
    assert [(b.name, b.origin) for b in project.beat] == [("nightly", "flask_config")]


def test_beat_entries_added_by_item_assignment():
    project = scan_source(
        src("""
        import os
        from celery import Celery
        app = Celery()
        CELERY_BEAT_SCHEDULE = {"a": {"task": "t.a", "schedule": 5}}
        if os.environ.get("EXTRA"):
            CELERY_BEAT_SCHEDULE["b"] = {"task": "t.b", "schedule": 10}
        app.conf.beat_schedule["c"] = {"task": "t.c", "schedule": 15}
    """),
        file="proj/settings.py",
        module="proj.settings",
    )
    assert [(b.name, b.task, b.origin, b.app) for b in project.beat] == [
        ("a", "t.a", "CELERY_BEAT_SCHEDULE", None),
        ("b", "t.b", "CELERY_BEAT_SCHEDULE", None),
        ("c", "t.c", "beat_schedule", "proj.settings.app"),
    ]


def test_lowercase_task_routes_in_a_config_module_is_a_setting():
    """task_routes in a celeryconfig-style module is collected like broker_url next to it."""
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n"
            "app.config_from_object('proj.routing')\n",
            "proj/celeryconfig.py": 'broker_url = "redis://r"\n'
            'task_routes = {"proj.tasks.*": {"queue": "slow"}}\n',
            "proj/routing.py": 'task_routes = [{"proj.mail.*": "mail"}]\n',
            "proj/other.py": 'task_routes = {"x": "y"}\n',
        }
    )
    got = {(s.file, s.name): s.value.value for s in project.settings}
    assert got == {
        ("proj/celeryconfig.py", "broker_url"): "redis://r",
        ("proj/celeryconfig.py", "task_routes"): {"proj.tasks.*": {"queue": "slow"}},
        ("proj/routing.py", "task_routes"): [{"proj.mail.*": "mail"}],
    }


def test_config_module_that_never_names_celery_is_scanned(tmp_path):
    """The prefilter keeps the module ``config_from_object("proj.conf")`` loads, so its settings count."""
    files = {
        "proj/__init__.py": "",
        "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n"
        "app.config_from_object('proj.conf')\n",
        "proj/conf.py": 'broker_url = "redis://r"\ntask_routes = {"proj.tasks.*": {"queue": "slow"}}\n',
        "proj/unloaded.py": 'broker_url = "redis://other"\n',
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    project = scan_paths([tmp_path], jobs=1)
    assert [(s.file, s.name) for s in project.settings] == [
        ("proj/conf.py", "broker_url"),
        ("proj/conf.py", "task_routes"),
    ]


def test_class_based_config_attributes_are_settings_only_when_loaded():
    """``config_from_object(Config)`` / ``("mod:Config")`` / ``("mod.Config")``: the class body is read."""
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/conf.py": src("""
            import os

            class Config:
                broker_url = os.environ.get("BROKER")
                task_routes = {"proj.tasks.*": {"queue": "slow"}}
                beat_schedule = {"tick": {"task": "proj.tasks.tick", "schedule": 30.0}}

            class Unused:
                broker_url = make_url()
                timezone = "UTC"
                beat_schedule = {"never": {"task": "proj.tasks.never", "schedule": 5.0}}
        """),
            "proj/routing.py": 'class Routes:\n    timezone = "Europe/Paris"\n',
            "proj/dotted.py": 'class Dotted:\n    task_default_queue = "d"\n',
            "proj/other.py": 'class Config:\n    timezone = "UTC"\n',  # same name, not the one loaded
            "proj/celery.py": src("""
            from celery import Celery
            from proj.conf import Config

            class DjangoStyle:
                CELERY_TASK_ACKS_LATE = True
                DEBUG = True

            app = Celery("proj")
            app.config_from_object(Config)
            django = Celery("django")
            django.config_from_object(DjangoStyle, namespace="CELERY")
            routed = Celery("routed")
            routed.config_from_object("proj.routing:Routes")
            dotted = Celery("dotted")
            dotted.config_from_object("proj.dotted.Dotted")
        """),
        }
    )
    got = {(s.file, s.spelled): s for s in project.settings}
    assert sorted(got) == [
        ("proj/celery.py", "CELERY_TASK_ACKS_LATE"),
        ("proj/conf.py", "beat_schedule"),
        ("proj/conf.py", "broker_url"),
        ("proj/conf.py", "task_routes"),
        ("proj/dotted.py", "task_default_queue"),
        ("proj/routing.py", "timezone"),
    ]
    assert got[("proj/conf.py", "broker_url")].env == {"var": "BROKER", "default": None}
    assert got[("proj/conf.py", "task_routes")].value.value == {"proj.tasks.*": {"queue": "slow"}}
    assert got[("proj/celery.py", "CELERY_TASK_ACKS_LATE")].name == "task_acks_late"
    assert got[("proj/routing.py", "timezone")].value.value == "Europe/Paris"
    assert [(b.name, b.task) for b in project.beat] == [("tick", "proj.tasks.tick")]
    assert project.undecided == []  # Unused.broker_url = make_url() is no setting: no C2A903


def test_config_class_in_a_file_that_never_names_celery_is_scanned(tmp_path):
    """The prefilter keeps the file defining the class ``config_from_object`` loads, body included."""
    files = {
        "proj/__init__.py": "",
        "proj/celery.py": src("""
            from celery import Celery
            from proj.settings import Config
            app = Celery("proj")
            app.config_from_object(Config)
            other = Celery("other")
            other.config_from_object("proj.conf:Conf")
        """),
        "proj/settings.py": src("""
            class Config:
                broker_url = "redis://r"

                def helper(self):
                    return 1
        """),
        "proj/conf.py": 'class Conf:\n    task_routes = {"proj.tasks.*": {"queue": "slow"}}\n',
        "proj/unloaded.py": 'class Other:\n    broker_url = "redis://other"\n',
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    project = scan_paths([tmp_path], jobs=1)
    assert [(s.file, s.name, s.value.value) for s in project.settings] == [
        ("proj/conf.py", "task_routes", {"proj.tasks.*": {"queue": "slow"}}),
        ("proj/settings.py", "broker_url", "redis://r"),
    ]


def test_celery_settings_without_a_mapping_are_collected_in_every_spelling():
    """A setting Celery knows is reported even when celery2arq has no mapping for it; other names are not."""
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/settings.py": src("""
            CELERY_WORKER_MAX_TASKS_PER_CHILD = 50
            CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = False
            ADMINS = [("ops", "ops@example.com")]
            S3_BUCKET = "media"
            CELERY_MY_OWN_FLAG = True
        """),
            "proj/oldconfig.py": "CELERYD_MAX_TASKS_PER_CHILD = 10\nBROKER_POOL_LIMIT = 5\n",
            "proj/celeryconfig.py": src("""
            worker_max_tasks_per_child = 100
            task_acks_on_failure_or_timeout = False
            worker_count = 3
        """),
            "proj/celery.py": src("""
            from celery import Celery
            app = Celery("proj")
            app.conf.worker_hijack_root_logger = False
            app.conf.my_custom = 1
            app.conf.update(broker_connection_retry_on_startup=True, other=2)
        """),
        }
    )
    got = sorted((s.file.split("/")[1], s.spelled, s.name) for s in project.settings)
    assert got == [
        ("celery.py", "broker_connection_retry_on_startup", "broker_connection_retry_on_startup"),
        ("celery.py", "worker_hijack_root_logger", "worker_hijack_root_logger"),
        ("celeryconfig.py", "task_acks_on_failure_or_timeout", "task_acks_on_failure_or_timeout"),
        ("celeryconfig.py", "worker_max_tasks_per_child", "worker_max_tasks_per_child"),
        ("oldconfig.py", "BROKER_POOL_LIMIT", "broker_pool_limit"),
        ("oldconfig.py", "CELERYD_MAX_TASKS_PER_CHILD", "worker_max_tasks_per_child"),
        ("settings.py", "CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT", "task_acks_on_failure_or_timeout"),
        ("settings.py", "CELERY_WORKER_MAX_TASKS_PER_CHILD", "worker_max_tasks_per_child"),
    ]
