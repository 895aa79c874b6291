"""Mixed projects: the kept Celery app reaches the converted tasks and reads their results.

While some tasks stay on Celery, ``celery2arq rewrite`` keeps the real Celery app (and configures the
shim with it). Call sites such as a status endpoint's ``celery_app.AsyncResult(job_id)`` then read only
Celery's result backend, where a converted task's job never appears: it stayed ``PENDING`` forever and
``get()`` timed out. ``configure(celery_app=app)`` therefore gives the app an ``AsyncResult`` that returns
the shim's handle for ids the shim enqueued (their queue marker exists: one ``EXISTS`` per call) and
Celery's own result for every other id, so the same call site serves both kinds of jobs. Only while the
app is the configured one (tests reset the settings), and when Redis cannot be reached Celery's result
answers, as before: building a result never fails where Celery's did not.

Lookups by name go the other way: ``app.send_task("proj.tasks.resize")``, ``signature("...")`` and
``app.tasks[...]`` name a task that is no longer a Celery task. ``app.send_task`` hands the names of
ARQ-style shim tasks (what the rewrite emits) to the shim, and each ARQ-style task gets a Celery
*forwarder* task whose ``apply_async`` enqueues the shim task, so signatures by name reach ARQ too.
"""

from __future__ import annotations

import contextvars
from typing import Any

from redis.exceptions import RedisError

from . import keys
from .config import redis_url, settings
from .connection import CONNECTION_ERRORS, sync_client
from .result import AsyncResult
from .routing import route_for

BRIDGED = "_celery2arq_bridged"
# Set while Celery's own ``send_task`` publishes: the result it builds is Celery's (no Redis lookup, and
# nothing of the shim can fail a publish that already happened).
_celery_publishing: contextvars.ContextVar[bool] = contextvars.ContextVar("celery_publishing", default=False)
# Options Celery's machinery passes to ``apply_async`` that mean nothing to the shim (Beat's producer).
_CELERY_INTERNAL_OPTIONS = ("producer",)


def bridge_async_result(app: Any) -> None:
    """Replace ``app.AsyncResult`` (Celery's result class for the app) by a function that picks the reader."""
    celery_result = getattr(app, "AsyncResult", None)
    if celery_result is None or getattr(celery_result, BRIDGED, False):
        return

    def async_result(task_id: Any, *args: Any, **kwargs: Any) -> Any:
        if (settings.celery_app is app and not _celery_publishing.get() and isinstance(task_id, str)
                and _enqueued_by_shim(task_id)):
            return AsyncResult(task_id)
        return celery_result(task_id, *args, **kwargs)

    setattr(async_result, BRIDGED, True)
    app.AsyncResult = async_result


def bridge_send_task(app: Any) -> None:
    """Replace ``app.send_task`` by one that enqueues shim tasks routed to ARQ through the shim."""
    celery_send = getattr(app, "send_task", None)
    if celery_send is None or getattr(celery_send, BRIDGED, False):
        return

    def send_task(name: str, args: Any = None, kwargs: Any = None, *more: Any, **options: Any) -> Any:
        from .api import send_task as shim_send_task
        from .task import registry

        task = registry().get(name)
        # ARQ-style tasks routed to ARQ only: a Celery-style shim task also exists as a real Celery task
        # (Celery's own ``Task.apply_async`` publishes through here), and a task routed to Celery must
        # reach Celery (the shim's ``send_to_celery`` calls this very function)
        if (settings.celery_app is app and not more and task is not None and task.style != "celery"
                and route_for(name, task) == "arq"):
            return shim_send_task(name, args, kwargs, **options)  # as Celery's: never eager, no arg check
        token = _celery_publishing.set(True)
        try:
            return celery_send(name, args, kwargs, *more, **options)
        finally:
            _celery_publishing.reset(token)

    setattr(send_task, BRIDGED, True)
    app.send_task = send_task


def register_forwarder(app: Any, task: Any) -> None:
    """A Celery task named like ``task`` whose calls go to the shim task (enqueue on ARQ, or run inline)."""
    from celery import Task as CeleryTask

    class Forwarder(CeleryTask):  # type: ignore[misc]
        def apply_async(self, args: Any = None, kwargs: Any = None, task_id: str | None = None,
                        **options: Any) -> Any:
            for key in _CELERY_INTERNAL_OPTIONS:
                options.pop(key, None)
            return task.apply_async(args, kwargs, task_id=task_id, **options)

    def run(*args: Any, **kwargs: Any) -> Any:
        return task(*args, **kwargs)

    app.task(name=task.name, base=Forwarder, shared=False)(run)


def _enqueued_by_shim(task_id: str) -> bool:
    try:
        return bool(sync_client(redis_url()).exists(keys.queue_marker(task_id)))
    except (*CONNECTION_ERRORS, RedisError):  # Celery's reader answers, as before the bridge
        return False
