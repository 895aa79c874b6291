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
import datetime as dt
import inspect
import logging.config
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from arq.connections import RedisSettings
from arq.constants import (
    abort_jobs_ss,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.logs import default_log_config
from arq.utils import import_string, timestamp_ms, to_ms
from arq.worker import Worker

from . import keys
from .config import arq_queue_name, current_app, routed_queue
from .config import redis_url as resolve_redis_url
from .connection import block_timeout
from .running import EXECUTOR_CTX_KEY
from .serializers import current_pair
from .task import registry

Hook = Callable[[dict[str, Any]], Awaitable[None]]
SHIM_WORKER_CTX_KEY = "celery2arq_shim_worker"

# ARQ's claim (arq/worker.py start_jobs: WATCH in-progress, EXISTS, ZSCORE, MULTI/PSETEX/EXEC, four round
# trips) as one atomic script: skip a job that runs elsewhere, left the queue or is not due yet.
CLAIM_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not score) or tonumber(score) > tonumber(ARGV[2]) then return false end
redis.call('PSETEX', KEYS[1], ARGV[3], '1')
return score
"""

RECOMMENDED = {
    # Celery's concurrency is usually given on the command line (-c), out of the scan's sight; 10 (ARQ's
    # default) starved sync I/O bodies in benchmarks/worker_throughput.py, 50 matched Celery's threads pool.
    "max_jobs": 50,
    "job_timeout": 300,  # finite (trap 5); also the crash-recovery delay minus 10 s (trap 6)
    "keep_result": 86_400,  # Celery's result_expires
    "max_tries": 4,  # Celery's max_retries=3 + 1 (trap 1)
    "poll_delay": 0.05,  # plain `arq` CLI; ShimWorker blocks on the wake-up list instead
    "wake_wait": 0.5,  # ShimWorker: longest idle sleep between queue scans
    "job_completion_wait": 30,  # SIGTERM: finish running jobs first, like Celery's warm shutdown (trap 9)
    "allow_abort_jobs": True,  # revoke(terminate=True); also makes abort of deferred jobs safe (trap 22)
}


async def notify_done(ctx: dict[str, Any]) -> None:
    """``after_job_end``: wake ``AsyncResult.get()`` waiters of this job (the result is written by now).
    ``ShimWorker`` does it inside the job's final transaction instead."""
    if ctx.get(SHIM_WORKER_CTX_KEY):
        return
    done = keys.done_key(ctx["job_id"])
    async with ctx["redis"].pipeline(transaction=False) as pipe:
        pipe.lpush(done, keys.DONE_WITH_RESULT)
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


def _from_celery_conf(app: Any) -> dict[str, Any]:
    """Celery settings with a worker equivalent (mapping doc §5.5): result_expires, task_time_limit,
    worker_concurrency. Only keys the app's conf sets."""
    conf = getattr(app, "conf", None) or {}
    found: dict[str, Any] = {}
    if "result_expires" in conf:
        expires = conf.get("result_expires")
        if isinstance(expires, dt.timedelta):
            expires = expires.total_seconds()
        if expires:
            found["keep_result"] = expires
        else:
            found["keep_result_forever"] = True
    if conf.get("task_time_limit"):
        found["job_timeout"] = conf.get("task_time_limit")
    if conf.get("worker_concurrency"):
        found["max_jobs"] = int(conf.get("worker_concurrency"))
    return found


def worker_settings(functions: Iterable[Any] | None = None, *, queue: str | None = None,
                    redis_url: str | None = None, cron_jobs: Iterable[Any] = (), app: Any = None,
                    **overrides: Any) -> type:
    """A flat ``WorkerSettings`` class for one queue with settings that restore Celery's behaviour.

    ``functions=None`` takes every registered shim task whose queue maps to ``queue``. ``overrides`` win
    over the recommended values; ``on_startup``/``on_shutdown``/``after_job_end`` given there are chained
    after the shim's own hooks.
    """
    app = app or current_app()
    queue_name = arq_queue_name(queue, app)
    if functions is None:
        functions = [t for t in registry().values()
                     if arq_queue_name(t.queue or routed_queue(t.name, t.app), t.app) == queue_name]
    functions = list(functions)
    cron_jobs = list(cron_jobs)
    if not functions and not cron_jobs:
        raise ValueError(f"no tasks for queue {queue_name!r}: import the task modules first")
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
        **_from_celery_conf(app),
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
        self.ctx[SHIM_WORKER_CTX_KEY] = True
        self._slot_freed = asyncio.Event()
        self._wake_key = keys.wake_key(self.queue_name)
        self._woken_id: bytes | None = None

    async def _poll_iteration(self) -> None:
        woken, self._woken_id = self._woken_id, None
        if woken and self.allow_pick_jobs and self.job_counter < self.max_jobs:
            await self.start_jobs([woken])  # the wake-up names its job: claim it before scanning
        await super()._poll_iteration()
        await self._wait_for_work()

    async def finish_job(self, job_id: str, finish: bool, result_data: bytes | None,
                         result_timeout_s: float | None, keep_result_forever: bool, incr_score: int | None,
                         keep_in_progress: float | None) -> None:
        """ARQ's ``finish_job`` (arq 0.28) plus the ``get()`` wake-up in the same transaction; the token says
        whether a result was stored, so ``get()`` returns ``None`` at once under ``keep_result=0``."""
        if not finish:
            await super().finish_job(job_id, finish, result_data, result_timeout_s, keep_result_forever,
                                     incr_score, keep_in_progress)
            return
        async with self.pool.pipeline(transaction=True) as tr:
            delete_keys = [retry_key_prefix + job_id, job_key_prefix + job_id]
            if keep_in_progress is None:
                delete_keys.append(in_progress_key_prefix + job_id)
            else:
                tr.pexpire(in_progress_key_prefix + job_id, to_ms(keep_in_progress))
            if result_data:
                expire = None if keep_result_forever else result_timeout_s
                tr.set(result_key_prefix + job_id, result_data, px=to_ms(expire))
            tr.zrem(abort_jobs_ss, job_id)
            tr.zrem(self.queue_name, job_id)
            tr.delete(*delete_keys)
            tr.lpush(keys.done_key(job_id), keys.DONE_WITH_RESULT if result_data else keys.DONE_NO_RESULT)
            tr.pexpire(keys.done_key(job_id), keys.DONE_TTL_MS)
            await tr.execute()

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """ARQ's ``start_jobs`` with the claim done by one script (one round trip instead of four)."""
        claim = self.__dict__.get("_claim")
        if claim is None:
            claim = self._claim = self.pool.register_script(CLAIM_LUA)
        for job_id_b in job_ids:
            await self.sem.acquire()
            if self.job_counter >= self.max_jobs:
                self.sem.release()
                return
            self.job_counter += 1
            job_id = job_id_b.decode()
            score = await claim(keys=[in_progress_key_prefix + job_id, self.queue_name],
                                args=[job_id, timestamp_ms(), int(self.in_progress_timeout_s * 1000)])
            if not score:  # running elsewhere, finished, or re-deferred by another worker
                self.job_counter -= 1
                self.sem.release()
                continue
            task = self.loop.create_task(self.run_job(job_id, int(float(score))))
            task.add_done_callback(lambda _: self._release_sem_dec_counter_on_complete())
            self.tasks[job_id] = task

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
        timeout = await self._wake_timeout(timestamp_ms(), timeout)
        popped = await self.pool.blpop([self._wake_key], timeout=timeout)
        self._woken_id = popped[1] if popped else None

    async def _wake_timeout(self, now: int, longest: float) -> float:
        """The BLPOP timeout at ``now`` (ms): ``longest``, cut to the next deferred job's due time, never one
        Redis reads as "forever" (a job due 1 ms later gave 0.001 s, which Redis 6.2 reads as 0: the worker
        slept until the next enqueue and a burst never ended)."""
        due = await self.pool.zrangebyscore(self.queue_name, min=f"({now}", max="+inf", start=0, num=1,
                                            withscores=True)
        if due:
            longest = min(longest, (due[0][1] - now) / 1000)
        return block_timeout(longest)


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
