"""One path for every call (``delay``, ``apply_async``, ``send_task``, signatures): check arguments, pick
the route (ARQ, Celery or eager), translate options, write the job, return the result handle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import arq_queue_name, redis_url, routed_queue, settings
from .enqueue import Job, build_job, check_options, enqueue_async, enqueue_sync, unsupported
from .errors import NotRegistered
from .result import AsyncResult
from .routing import route_for, send_to_celery
from .serializers import current_pair

if TYPE_CHECKING:
    from .task import Task

UNSUPPORTED_CALL_OPTIONS = {
    "link": "no callbacks in ARQ (a chain needs Celery or an explicit enqueue in the task)",
    "link_error": "no error callbacks in ARQ",
    "ignore_result": "keep_result is per task in ARQ: set ignore_result on the decorator",
    "time_limit": "timeouts are per task in ARQ: set time_limit on the decorator",
    "soft_time_limit": "no soft time limits in ARQ",
    "priority": "ARQ queues have no priorities", "routing_key": "no AMQP routing on ARQ",
    "exchange": "no AMQP exchanges on ARQ", "exchange_type": "no AMQP exchanges on ARQ",
    "delivery_mode": "no AMQP delivery modes on ARQ", "mandatory": "AMQP only", "immediate": "AMQP only",
    "headers": "ARQ jobs carry no headers", "serializer": "the serializer is per worker: configure()",
    "compression": "ARQ does not compress payloads",
}


def _prepare(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], task: Task | None,
             task_id: str | None, options: dict[str, Any]) -> tuple[Job, str, bool]:
    options = dict(options)
    timing = {key: options.pop(key, None) for key in ("countdown", "eta", "expires")}
    queue = options.pop("queue", None)
    for option, why in UNSUPPORTED_CALL_OPTIONS.items():
        if options.pop(option, None) not in (None, False, (), []):
            unsupported(option, why)
    check_options(options)
    app = task.app if task is not None else None
    if task is not None:
        queue = queue or task.queue
        if timing["expires"] is None:
            timing["expires"] = task.expires
    queue = queue or routed_queue(name, app)
    ignored = bool(task is not None and task.ignore_result)
    job = build_job(name, args, kwargs, queue_name=arq_queue_name(queue, app), task_id=task_id,
                    ignore_result=ignored, serializer=current_pair()[0], **timing)
    return job, redis_url(app), ignored


def _handle(job: Job, url: str, ignored: bool) -> AsyncResult:
    return AsyncResult(job.job_id, queue_name=job.queue_name, ignored=ignored, url=url,
                       task_name=job.function)


Planned = tuple[Any, Job | None, str, bool]


def _plan(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], task: Task | None, task_id: str | None,
          options: dict[str, Any] | None, check: bool, eager_ok: bool) -> Planned:
    """Everything but the write: ``(early, None, "", False)`` when the call is answered without ARQ (eager
    run, Celery route), else ``(None, job, url, ignored)`` for the sync or async writer."""
    options = options or {}
    if task is None and settings.check_registry:
        raise NotRegistered(f"no shim task is named {name!r}")
    if task is not None and check:
        task.check_arguments(args, kwargs)
    if task is not None and eager_ok and task.eager():  # tests stay inline whatever the route
        return task.apply(args, kwargs, task_id=task_id), None, "", False
    if route_for(name, task) == "celery":
        return send_to_celery(name, args, kwargs, task_id, options), None, "", False
    return (None, *_prepare(name, args, kwargs, task, task_id, options))


def dispatch(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], *, task: Task | None = None,
             task_id: str | None = None, options: dict[str, Any] | None = None, check: bool = True,
             eager_ok: bool = True) -> Any:
    """Sync enqueue: one Redis round trip; returns once Redis accepted the job."""
    early, job, url, ignored = _plan(name, args, kwargs, task, task_id, options, check, eager_ok)
    if job is None:
        return early
    enqueue_sync(job, url)
    return _handle(job, url, ignored)


async def adispatch(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], *, task: Task | None = None,
                    task_id: str | None = None, options: dict[str, Any] | None = None, check: bool = True,
                    eager_ok: bool = True) -> Any:
    """Async enqueue through an ``ArqRedis`` of the running loop (same payload and script)."""
    early, job, url, ignored = _plan(name, args, kwargs, task, task_id, options, check, eager_ok)
    if job is None:
        return early
    await enqueue_async(job, url)
    return _handle(job, url, ignored)
