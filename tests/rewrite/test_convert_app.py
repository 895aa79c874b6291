from __future__ import annotations

from rewrite_codemod_tools import check_noop, check_transformed

from celery2arq_codemods import APP_PIPELINE, KEEP_APP_PIPELINE
from celery2arq_codemods.keep_app import NOTE


def test_celery_app_becomes_shim_app():
    check_transformed(
        """\
        import os

        from celery import Celery

        app = Celery("proj", broker=os.environ.get("BROKER", "redis://localhost:6379/0"))
        app.config_from_object("django.conf:settings", namespace="CELERY")
        """,
        """\
        import os

        from celery2arq.shim import App

        app = App("proj", broker=os.environ.get("BROKER", "redis://localhost:6379/0"))
        app.config_from_object("django.conf:settings", namespace="CELERY")
        """,
        commands=APP_PIPELINE,
    )


def test_app_import_spelled_otherwise_falls_back_to_import_edits():
    check_transformed(
        """\
        import celery

        app = celery.Celery("proj")
        """,
        """\
        from celery2arq.shim import App

        app = App("proj")
        """,
        commands=APP_PIPELINE,
    )


def test_celery_in_annotations_is_renamed_with_the_import():
    check_transformed(
        """\
        from celery import Celery

        app: Celery = Celery("proj")
        """,
        """\
        from celery2arq.shim import App

        app: App = App("proj")
        """,
        commands=APP_PIPELINE,
    )


def test_other_calls_are_not_touched():
    check_noop('from kombu import Queue\n\nq = Queue("celery")\n', commands=APP_PIPELINE)


def test_call_site_imports_move_to_the_shim():
    outcome = check_transformed(
        """\
        from celery import chain, shared_task
        from celery.result import AsyncResult
        from celery.exceptions import MaxRetriesExceededError as Exhausted


        def status(task_id):
            return AsyncResult(task_id).state
        """,
        """\
        from celery import chain, shared_task
        from celery2arq.shim import AsyncResult
        from celery2arq.shim import MaxRetriesExceededError as Exhausted


        def status(task_id):
            return AsyncResult(task_id).state
        """,
        commands=APP_PIPELINE,
    )
    assert any("`from celery import chain` has no shim equivalent" in w for w in outcome.warnings)


def test_app_module_and_task_module_imports_need_no_celery_afterwards():
    """Beat's crontab/schedule, get_task_logger and the exceptions bodies catch all have shim names,
    so a rewritten project imports with Celery uninstalled."""
    check_transformed(
        """\
        from celery.exceptions import Retry, SoftTimeLimitExceeded, TimeoutError
        from celery.schedules import crontab, schedule
        from celery.utils.log import get_task_logger

        logger = get_task_logger(__name__)
        BEAT = {"nightly": {"task": "t", "schedule": crontab(hour=3, minute=0)}}
        """,
        """\
        from celery2arq.shim import TaskRetry as Retry, SoftTimeLimitExceeded, TimeoutError
        from celery2arq.shim import crontab, schedule
        from celery2arq.shim import get_task_logger

        logger = get_task_logger(__name__)
        BEAT = {"nightly": {"task": "t", "schedule": crontab(hour=3, minute=0)}}
        """,
        commands=APP_PIPELINE,
    )


def test_group_import_moves_to_the_shims_fan_out():
    """With every task converted, a call site's ``group`` holds shim signatures: the shim's fan-out."""
    check_transformed(
        """\
        from celery import group

        from proj.tasks import notify


        def fan_out(ids):
            return group(notify.s(i) for i in ids).apply_async()
        """,
        """\
        from celery2arq.shim import group

        from proj.tasks import notify


        def fan_out(ids):
            return group(notify.s(i) for i in ids).apply_async()
        """,
        commands=APP_PIPELINE,
    )


def test_kept_app_built_in_a_factory_configures_the_shim_there():
    """Flask's ``celery_init_app``: the app exists only inside the factory, so the call goes there."""
    check_transformed(
        """\
        from celery import Celery


        def celery_init_app(flask_app):
            celery_app = Celery(flask_app.name)
            celery_app.set_default()
            return celery_app
        """,
        f"""\
        from celery import Celery
        from celery2arq.shim import configure


        def celery_init_app(flask_app):
            celery_app = Celery(flask_app.name)
            configure(celery_app=celery_app)  # {NOTE}
            celery_app.set_default()
            return celery_app
        """,
        commands=KEEP_APP_PIPELINE,
    )


def test_kept_app_next_to_a_users_own_configure_uses_an_alias():
    outcome = check_transformed(
        """\
        from celery import Celery


        def configure(app):
            app.conf.update(timezone="UTC")


        app = Celery("proj")
        init_celery(celery_app=app)
        """,
        f"""\
        from celery import Celery
        from celery2arq.shim import configure as celery2arq_configure


        def configure(app):
            app.conf.update(timezone="UTC")


        app = Celery("proj")
        celery2arq_configure(celery_app=app)  # {NOTE}
        init_celery(celery_app=app)
        """,
        commands=KEEP_APP_PIPELINE,
    )
    assert check_noop(outcome.new.decode(), commands=KEEP_APP_PIPELINE)  # a second run adds nothing
