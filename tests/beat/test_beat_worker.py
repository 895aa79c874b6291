"""The converted cron_jobs run under a real ARQ worker (private redis-server from tests/conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from arq.connections import RedisSettings
from arq.cron import cron
from arq.worker import Worker

from celery2arq.beat import convert, cron_names, worker_timezone, wrapper_name, wrapper_source
from celery2arq.model import Schedule


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")  # inside arq 0.28
async def test_converted_interval_fires_repeatedly_under_a_real_worker(redis_url: str) -> None:
    conversion = convert(Schedule("interval", "timedelta(seconds=2)", seconds=2), "Europe/Berlin")
    assert conversion.cron_jobs == [{"second": set(range(0, 60, 2))}]
    runs: list[int] = []

    async def beat__tick(ctx: dict) -> None:
        runs.append(ctx["job_try"])

    names = cron_names("tick", len(conversion.cron_jobs))
    jobs = [cron(beat__tick, name=n, **spec) for n, spec in zip(names, conversion.cron_jobs, strict=True)]
    worker = Worker(
        functions=[],
        cron_jobs=jobs,
        redis_settings=RedisSettings.from_dsn(redis_url),
        burst=False,
        poll_delay=0.1,
        handle_signals=False,
        timezone=ZoneInfo(worker_timezone("Europe/Berlin", None)),
    )
    task = asyncio.create_task(worker.async_run())
    try:
        for _ in range(100):  # up to 10 s; a 2 s cron fires two or three times in 5 s
            if len(runs) >= 2:
                break
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        with contextlib.suppress(asyncio.CancelledError):  # a job caught mid-finish by the cancel
            await worker.close()
    assert len(runs) >= 2
    assert runs[:2] == [1, 1]  # each fire is its own job (unique id per fire time), first try


@pytest.fixture
def shim_on_private_redis(redis_url: str) -> Iterator[str]:
    """The shim configured for the private server; its global settings restored afterwards."""
    from celery2arq.shim import config, configure, connection

    configure(redis_url=redis_url)
    yield redis_url
    config.reset()
    connection.reset_clients()


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")  # inside arq 0.28
async def test_generated_wrapper_enqueues_the_real_task(shim_on_private_redis: str) -> None:
    """The full chain the rewrite emits: cron -> generated wrapper -> shim task with the Beat args."""
    from celery2arq.shim import shared_task
    from celery2arq.shim.task import registry
    from celery2arq.shim.worker import create_shim_worker, worker_settings

    seen: list[tuple[str, int]] = []

    @shared_task(name="beat_tests.record")
    async def record(label: str, *, n: int) -> None:
        seen.append((label, n))

    try:
        namespace: dict = {"record": record}
        exec(wrapper_source("tick-2s", "record", '("tick",)', '{"n": 7}'), namespace)
        conversion = convert(Schedule("interval", "2.0", seconds=2.0), "UTC")
        names = cron_names("tick-2s", len(conversion.cron_jobs))
        wrapper = namespace[wrapper_name("tick-2s")]
        jobs = [cron(wrapper, name=n, **spec) for n, spec in zip(names, conversion.cron_jobs, strict=True)]
        settings = worker_settings([record], redis_url=shim_on_private_redis, cron_jobs=jobs, poll_delay=0.1,
                                   timezone=ZoneInfo(worker_timezone(None, None)))  # fmt: skip
        worker = create_shim_worker(settings, burst=False, handle_signals=False)
        task = asyncio.create_task(worker.async_run())
        try:
            for _ in range(100):
                if len(seen) >= 2:
                    break
                await asyncio.sleep(0.1)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            # a job caught mid-finish by the cancel re-raises CancelledError from close(): the outcome
            # under test (``seen``) is already recorded, so the shutdown race is not a failure
            with contextlib.suppress(asyncio.CancelledError):
                await worker.close()
    finally:
        registry().pop("beat_tests.record", None)
    assert seen[:2] == [("tick", 7), ("tick", 7)]
