"""Worker side: ``worker_settings()`` (a flat WorkerSettings class, trap 21) and ``ShimWorker``, an ARQ
``Worker`` that sleeps on a Redis wake-up list instead of polling every ``poll_delay``.

Run ``python -m celery2arq.shim.worker module.WorkerSettings`` for the low-latency worker; plain
``arq module.WorkerSettings`` works too and then polls every ``poll_delay`` (0.05 s).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import inspect
import logging.config
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from arq.connections import RedisSettings
from arq.logs import default_log_config
from arq.utils import import_string, timestamp_ms
from arq.worker import Worker

from . import keys
from .config import arq_queue_name, current_app
from .config import redis_url as resolve_redis_url
from .running import EXECUTOR_CTX_KEY
from .serializers import current_pair
from .task import registry

Hook = Callable[[dict[str, Any]], Awaitable[None]]

RECOMMENDED = {
    "max_jobs": 10,
    "job_timeout": 300,  # finite (trap 5); also the crash-recovery delay minus 10 s (trap 6)
    "keep_result": 86_400,  # Celery's result_expires
    "max_tries": 4,  # Celery's max_retries=3 + 1 (trap 1)
    "poll_delay": 0.05,  # plain `arq` CLI; ShimWorker blocks on the wake-up list instead
    "wake_wait": 0.5,  # ShimWorker: longest idle sleep between queue scans
    "job_completion_wait": 30,  # SIGTERM: finish running jobs first, like Celery's warm shutdown (trap 9)
    "allow_abort_jobs": True,  # revoke(terminate=True); also makes abort of deferred jobs safe (trap 22)
}


async def notify_done(ctx: dict[str, Any]) -> None:
    """``after_job_end``: wake ``AsyncResult.get()`` waiters of this job (the result is written by now)."""
    done = keys.done_key(ctx["job_id"])
    async with ctx["redis"].pipeline(transaction=False) as pipe:
        pipe.lpush(done, b"1")
        pipe.pexpire(done, keys.DONE_TTL_MS)
        await pipe.execute()


def _chain(first: Hook, then: Hook | None) -> Hook:
    async def hook(ctx: dict[str, Any]) -> None:
        await first(ctx)
        if then is not None:
            await then(ctx)

    hook.__qualname__ = f"celery2arq:{first.__name__}"
    return hook


def _startup(queue_name: str, max_jobs: int) -> Hook:
    async def start_pool(ctx: dict[str, Any]) -> None:
        ctx[EXECUTOR_CTX_KEY] = concurrent.futures.ThreadPoolExecutor(max_jobs, "celery2arq-task")
        ctx["celery2arq_queue"] = queue_name

    return start_pool


async def stop_pool(ctx: dict[str, Any]) -> None:
    executor = ctx.pop(EXECUTOR_CTX_KEY, None)
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)


def _timezone(app: Any) -> ZoneInfo:
    conf = getattr(app, "conf", None) or {}
    return ZoneInfo(conf.get("timezone") or "UTC")


def worker_settings(functions: Iterable[Any] | None = None, *, queue: str | None = None,
                    redis_url: str | None = None, cron_jobs: Iterable[Any] = (), app: Any = None,
                    **overrides: Any) -> type:
    """A flat ``WorkerSettings`` class for one queue with settings that restore Celery's behaviour.

    ``functions=None`` takes every registered shim task whose queue maps to ``queue``. ``overrides`` win
    over the recommended values; ``on_startup``/``on_shutdown``/``after_job_end`` given there are chained
    after the shim's own hooks.
    """
    queue_name = arq_queue_name(queue)
    if functions is None:
        functions = [t for t in registry().values() if arq_queue_name(t.queue) == queue_name]
    functions = list(functions)
    cron_jobs = list(cron_jobs)
    if not functions and not cron_jobs:
        raise ValueError(f"no tasks for queue {queue_name!r}: import the task modules first")
    app = app or current_app()
    job_serializer, job_deserializer = current_pair()
    attrs: dict[str, Any] = {
        **RECOMMENDED,
        "functions": functions,
        "cron_jobs": cron_jobs,
        "queue_name": queue_name,
        "redis_settings": RedisSettings.from_dsn(redis_url or resolve_redis_url(app)),
        "timezone": _timezone(app),
        "job_serializer": job_serializer,
        "job_deserializer": job_deserializer,
    }
    hooks = {key: overrides.pop(key, None) for key in ("on_startup", "on_shutdown", "after_job_end")}
    attrs.update(overrides)
    attrs["on_startup"] = _chain(_startup(queue_name, int(attrs["max_jobs"])), hooks["on_startup"])
    attrs["on_shutdown"] = _chain(stop_pool, hooks["on_shutdown"])
    attrs["after_job_end"] = _chain(notify_done, hooks["after_job_end"])
    return type("WorkerSettings", (), attrs)


class ShimWorker(Worker):
    """An ARQ worker that waits for work on ``celery2arq:wake:<queue>`` (pushed by every shim enqueue)
    with BLPOP, bounded by ``wake_wait`` and by the next deferred job's due time: no 0.5 s pickup delay,
    no busy loop while idle."""

    def __init__(self, *args: Any, wake_wait: float = 0.5, **kwargs: Any) -> None:
        kwargs["poll_delay"] = 0  # the wait happens in _wait_for_work
        super().__init__(*args, **kwargs)
        self.wake_wait = wake_wait
        self._slot_freed = asyncio.Event()
        self._wake_key = keys.wake_key(self.queue_name)

    async def _poll_iteration(self) -> None:
        await super()._poll_iteration()
        await self._wait_for_work()

    def _release_sem_dec_counter_on_complete(self) -> None:
        super()._release_sem_dec_counter_on_complete()
        self._slot_freed.set()

    async def finish_failed_job(self, job_id: str, result_data: bytes | None) -> None:
        """Early failures (expired, function not found, max tries) skip ``after_job_end``: notify here."""
        await super().finish_failed_job(job_id, result_data)
        await notify_done({"job_id": job_id, "redis": self.pool})

    async def _wait_for_work(self) -> None:
        timeout = min(self.wake_wait, 0.05) if self.burst else self.wake_wait
        if not self.allow_pick_jobs:
            await asyncio.sleep(timeout)
            return
        if self.job_counter >= self.max_jobs:
            self._slot_freed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._slot_freed.wait(), timeout)
            return
        now = timestamp_ms()
        due = await self.pool.zrangebyscore(self.queue_name, min=f"({now}", max="+inf", start=0, num=1,
                                            withscores=True)
        if due:
            timeout = max(0.001, min(timeout, (due[0][1] - now) / 1000))
        await self.pool.blpop([self._wake_key], timeout=timeout)


def create_shim_worker(settings_cls: Any, **kwargs: Any) -> ShimWorker:
    """``arq.worker.create_worker`` (reads ``settings_cls.__dict__`` only) building a ``ShimWorker``."""
    accepted = set(inspect.signature(Worker).parameters) | {"wake_wait"}
    source = settings_cls if isinstance(settings_cls, dict) else settings_cls.__dict__
    return ShimWorker(**{**{k: v for k, v in source.items() if k in accepted}, **kwargs})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m celery2arq.shim.worker",
                                     description="Run an ARQ worker with celery2arq's low-latency pickup.")
    parser.add_argument("settings", help="dotted path of a WorkerSettings class (proj.worker.WorkerSettings)")
    parser.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)
    logging.config.dictConfig(default_log_config(options.verbose))
    sys.path.insert(0, ".")
    try:
        settings_cls = import_string(options.settings)
    except ImportError as exc:
        parser.error(f"cannot import {options.settings!r}: {exc}")
    create_shim_worker(settings_cls, burst=options.burst).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
