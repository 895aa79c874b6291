"""``call_through=``: the body runs inside the Task class's own ``__call__``, as Celery runs every task.

The Flask documentation's ``celery_init_app`` is the case that matters: its ``FlaskTask.__call__`` pushes
the app context, and a task body using ``flask.current_app`` fails without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import celery
import pytest
from celery import _state
from celery._state import get_current_app
from flask import Flask, current_app
from shim_helpers import run_burst

from celery2arq.shim import App, arq_task, worker_settings
from celery2arq.shim.call_through import CallThroughError

pytestmark = pytest.mark.integration


@pytest.fixture
def celery_current_app() -> Iterator[None]:
    """Tests make their own Celery app the default (as ``celery_init_app`` does); put the previous back."""
    default, current = _state.default_app, get_current_app()
    yield
    _state.set_default_app(default)
    current.set_current()


def celery_init_app(app: Flask, celery_class: Any = celery.Celery) -> Any:
    """From Flask's "Background Tasks with Celery" (``celery_class=App`` once rewrite converted the app)."""

    class FlaskTask(celery.Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = celery_class(app.name, task_cls=FlaskTask)
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


@arq_task(name="call_through.flask_app_name", call_through="app")
def flask_app_name(ctx: dict[str, Any], suffix: str) -> str:
    return current_app.name + suffix


@arq_task(name="call_through.flask_app_name_async", call_through="app")
async def flask_app_name_async(ctx: dict[str, Any]) -> str:
    await asyncio.sleep(0)  # the context the wrapper opened is still open after a suspension
    return current_app.name


async def test_flask_app_context_wraps_worker_jobs_and_direct_calls(shim_redis, celery_current_app) -> None:
    celery_init_app(Flask("flaskshop"))
    sync_job = flask_app_name.delay("!")
    async_job = flask_app_name_async.delay()
    await run_burst(worker_settings([flask_app_name, flask_app_name_async]))
    assert sync_job.get(timeout=1) == "flaskshop!"
    assert async_job.get(timeout=1) == "flaskshop"
    assert flask_app_name("?") == "flaskshop?"  # a direct call goes through __call__ too, as in Celery
    assert flask_app_name.apply(("=",)).get() == "flaskshop="


async def test_without_the_app_in_the_worker_process_the_job_fails_saying_so(
    shim_redis, celery_current_app
) -> None:
    celery.Celery("plain").set_default()  # no project task class: celery_init_app never ran here
    job = flask_app_name.delay("!")
    await run_burst(worker_settings([flask_app_name]))
    with pytest.raises(CallThroughError, match=r"create the app in the worker too"):
        job.get(timeout=1)
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        flask_app_name.__wrapped__({}, "!")  # what the body alone would have done


def test_after_a_full_rewrite_the_factory_made_shim_app_is_current_and_its_task_cls_wraps() -> None:
    App("made_first")  # set_default() must still make the factory's app the current one
    celery_init_app(Flask("converted"), celery_class=App)
    assert flask_app_name("!") == "converted!"


def test_a_shim_apps_task_cls_and_an_explicit_class_wrap_the_body() -> None:
    seen: list[str] = []

    class Recording(celery.Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            seen.append(f"{self.name} {args}")
            return super().__call__(*args, **kwargs)  # Celery's own __call__ (request stack) runs too

    app = App("svc", task_cls=Recording)

    @app.arq_task(name="call_through.via_app", call_through="app")
    def via_app(ctx: dict[str, Any], x: int) -> int:
        return x * 2

    @arq_task(name="call_through.explicit", call_through=Recording)
    def explicit(ctx: dict[str, Any], x: int) -> int:
        return x + 1

    assert (via_app(4), explicit(4)) == (8, 5)
    assert seen == ["call_through.via_app (4,)", "call_through.explicit (4,)"]
