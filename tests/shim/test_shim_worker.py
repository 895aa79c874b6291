"""The shim against real ARQ workers: in-process burst, a worker thread and the plain ARQ Worker."""

from __future__ import annotations

import asyncio
import builtins
import datetime as dt
import decimal
import threading

import pytest
import redis
import shim_tasks
from arq.connections import RedisSettings, create_pool
from arq.constants import job_key_prefix
from arq.jobs import deserialize_job_raw
from arq.utils import timestamp_ms
from arq.worker import Worker
from shim_helpers import run_burst, thread_worker, wait_for

from celery2arq import shim
from celery2arq.shim import (
    AsyncResult,
    MaxRetriesExceededError,
    TaskRevokedError,
    configure,
    create_shim_worker,
    keys,
    worker_settings,
)

pytestmark = pytest.mark.integration


async def test_burst_worker_runs_celery_style_tasks_with_celery_retry_semantics(shim_redis: str) -> None:
    calls = {
        "add": shim_tasks.add.delay(2, 3),
        "mul": shim_tasks.mul.delay(4, 5),
        "retries_twice": shim_tasks.retries_twice.delay(),
        "with_exc": shim_tasks.always_retries_with_exc.delay(),
        "plain": shim_tasks.always_retries_plain.delay(),
        "autoretry": shim_tasks.autoretry_keyerror.delay(),
        "excluded": shim_tasks.autoretry_excluded.delay(),
        "arq_style": shim_tasks.arq_style.delay(4),
        "info": shim_tasks.request_info.delay(7),
        "thread": shim_tasks.which_thread.delay(),
    }
    assert calls["add"].state == shim.PENDING
    await run_burst(worker_settings())
    assert calls["add"].get(timeout=1) == 5
    assert calls["add"].state == shim.SUCCESS and calls["add"].ready() and calls["add"].successful()
    assert calls["mul"].get(timeout=1) == 20
    assert calls["retries_twice"].get(timeout=1) == 2
    with pytest.raises(ValueError, match="attempt 2"):  # original exception, not JobExecutionFailed
        calls["with_exc"].get(timeout=1)
    with pytest.raises(MaxRetriesExceededError):
        calls["plain"].get(timeout=1)
    assert calls["plain"].retries == 1
    with pytest.raises(KeyError, match="attempt 2"):
        calls["autoretry"].get(timeout=1)
    with pytest.raises(IndexError, match="attempt 0"):  # dont_autoretry_for wins
        calls["excluded"].get(timeout=1)
    assert calls["arq_style"].get(timeout=1) == {"value": 40, "job_try": 2, "same_task": True}
    info = calls["info"].get(timeout=1)
    assert info == {"id": calls["info"].id, "retries": 0, "args": [7], "kwargs": {}, "is_eager": False,
                    "called_directly": False, "name": "shim_tasks.request_info", "max_retries": 3}
    assert calls["thread"].get(timeout=1).startswith("celery2arq-task")  # sync body off the event loop
    failed = calls["autoretry"]
    assert failed.state == shim.FAILURE and failed.failed()
    assert isinstance(failed.result, KeyError)
    assert "raise KeyError" in failed.traceback


@pytest.mark.parametrize(("wake_wait", "due_in_ms"), [(0.5, 1), (0, None)])
async def test_wake_up_wait_ends_when_the_next_job_is_due_in_1_ms(shim_redis: str, wake_wait: float,
                                                                    due_in_ms: int | None) -> None:
    """BLPOP's timeout 0 blocks forever and Redis 6.2 reads 0.001 s as 0 ms (timeout * 1000, truncated): a
    wait cut to a retried job due 1 ms later (or ``wake_wait=0``) slept until the next enqueue, so a burst
    whose remaining jobs were all retries never ended."""
    pool = await create_pool(RedisSettings.from_dsn(shim_redis))  # no socket timeout, like the worker's
    worker = create_shim_worker(worker_settings(), wake_wait=wake_wait, redis_pool=pool, handle_signals=False)
    try:
        now = timestamp_ms()
        if due_in_ms is not None:
            await pool.zadd(worker.queue_name, {"retried": now + due_in_ms})
        timeout = await worker._wake_timeout(now, wake_wait)
        assert timeout > 0.001  # truncates to at least 1 ms on every Redis version
        wait = pool.blpop([keys.wake_key(worker.queue_name)], timeout=timeout)
        assert await asyncio.wait_for(wait, 30) is None  # 30 s: only a guard against blocking forever
    finally:
        await pool.aclose()


async def test_results_from_a_bare_id_ignored_results_and_propagate(shim_redis: str) -> None:
    ok = shim_tasks.add.delay(1, 1)
    bad = shim_tasks.boom.delay("nope")
    ignored = shim_tasks.fire_and_forget.delay(3)
    await run_burst(worker_settings())
    assert AsyncResult(ok.id).get(timeout=1) == 2
    assert AsyncResult(ok.id).name == "shim_tasks.add"
    assert isinstance(AsyncResult(bad.id).get(timeout=1, propagate=False), KeyError)
    assert AsyncResult(ignored.id).get(timeout=1) is None  # Celery returns None for ignored results
    assert ignored.get() is None
    assert AsyncResult("never-enqueued").state == shim.PENDING


async def test_async_enqueue_and_wait(shim_redis: str) -> None:
    result = await shim_tasks.add.adelay(5, 5)
    other = await shim_tasks.mul.aapply_async((3, 3), countdown=0.05)
    await run_burst(worker_settings())
    assert await result.aget(timeout=1) == 10
    assert await other.aget(timeout=1) == 9


def test_get_waits_for_a_running_worker_and_times_out_cleanly(shim_redis: str) -> None:
    with thread_worker(worker_settings()):
        assert shim_tasks.add.delay(20, 22).get(timeout=10) == 42
        assert shim_tasks.retries_twice.delay().get(timeout=10) == 2
        assert shim_tasks.add.delay(1, 2).get(timeout=10) == 3
        nobody = shim_tasks.add.apply_async((1, 2), queue="nobody-listens")
        with pytest.raises(shim.TimeoutError) as caught:
            nobody.get(timeout=0.2)
        assert isinstance(caught.value, builtins.TimeoutError)


def test_update_state_is_visible_while_running(shim_redis: str) -> None:
    with thread_worker(worker_settings()):
        result = shim_tasks.progress.delay(1.0)
        wait_for(lambda: result.state == "PROGRESS")
        assert result.info == {"done": 1, "total": 2}
        assert result.get(timeout=10) == "finished"
        assert result.state == shim.SUCCESS


def test_revoke_before_start_and_terminate_running(shim_redis: str) -> None:
    later = shim_tasks.add.apply_async((1, 2), countdown=30)
    later.revoke()
    assert later.state == shim.REVOKED
    with pytest.raises(TaskRevokedError):
        later.get(timeout=1)
    with thread_worker(worker_settings()):
        running = shim_tasks.sleeper.delay(30)
        wait_for(lambda: running.state == shim.STARTED)
        running.revoke(terminate=True)
        with pytest.raises(TaskRevokedError):
            running.get(timeout=10)
        assert running.state == shim.REVOKED


async def test_plain_arq_worker_with_hand_written_functions(shim_redis: str) -> None:
    """`WorkerSettings.functions = [task_a, task_b]` on ARQ's own Worker class."""
    first = shim_tasks.add.delay(1, 2)
    second = shim_tasks.mul.delay(3, 4)
    worker = Worker(functions=[shim_tasks.add, shim_tasks.mul],
                    redis_settings=RedisSettings.from_dsn(shim_redis), burst=True, poll_delay=0.01,
                    handle_signals=False)
    await worker.async_run()
    await worker.close()
    assert (first.get(timeout=1), second.get(timeout=1)) == (3, 12)


async def test_json_serializer_end_to_end(shim_redis: str) -> None:
    configure(serializer="json")
    result = shim_tasks.echo.delay((1, 2), at=dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc),
                                   amount=decimal.Decimal("1.5"))
    failure = shim_tasks.boom.delay("json-key")
    settings = worker_settings()
    assert settings.job_serializer is not None
    await run_burst(settings)
    assert result.get(timeout=1) == [[[1, 2]], {"at": dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc),
                                                 "amount": decimal.Decimal("1.5")}]
    with pytest.raises(KeyError, match="json-key"):
        failure.get(timeout=1)
    raw = redis.Redis.from_url(shim_redis).get(f"arq:result:{failure.id}")
    assert raw.startswith(b"{")  # no pickle anywhere


def test_worker_settings_is_flat_and_recommended(shim_redis: str) -> None:
    settings = worker_settings(queue="emails", functions=[shim_tasks.add], max_jobs=3)
    attrs = vars(settings)
    assert attrs["queue_name"] == "arq:emails" and attrs["max_jobs"] == 3
    assert attrs["keep_result"] == 86_400 and attrs["allow_abort_jobs"] is True
    assert attrs["job_timeout"] == 300 and attrs["job_completion_wait"] > 0
    assert str(attrs["timezone"]) == "UTC"
    assert attrs["redis_settings"].port == int(shim_redis.rsplit(":", 1)[1].split("/")[0])
    all_default = worker_settings()
    names = {f.name for f in vars(all_default)["functions"]}
    assert "shim_tasks.add" in names and "shim_tasks.crash_probe" not in names


def test_sync_enqueue_from_many_threads(shim_redis: str) -> None:
    """Django runs views in threads sharing one client: 8 x 200 `.delay()`, each job there exactly once."""
    ids: list[str] = []
    lock = threading.Lock()

    def produce(thread: int) -> None:
        for i in range(200):
            result = shim_tasks.add.delay(thread, i)
            with lock:
                ids.append(result.id)

    threads = [threading.Thread(target=produce, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client = redis.Redis.from_url(shim_redis)
    assert len(ids) == len(set(ids)) == 1600
    assert {m.decode() for m in client.zrange("arq:queue", 0, -1)} == set(ids)
    payloads = {deserialize_job_raw(client.get(job_key_prefix + i))[1] for i in ids}
    assert payloads == {(t, i) for t in range(8) for i in range(200)}


def command_calls(client: redis.Redis, command: str) -> int:
    stats = client.info("commandstats")
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


def test_waiting_does_not_busy_loop(shim_redis: str) -> None:
    """get() across a 1 s retry delay and an idle ShimWorker block in Redis instead of spinning."""
    client = redis.Redis.from_url(shim_redis)
    with thread_worker(worker_settings()):
        client.config_resetstat()
        assert shim_tasks.retries_once_after_a_second.delay().get(timeout=10) == "second try"
        blpops = command_calls(client, "blpop")
        scans = command_calls(client, "zrangebyscore")
    assert blpops < 40, blpops  # a spin would make thousands
    assert scans < 40, scans


async def test_aget_waits_for_a_running_worker(shim_redis: str) -> None:
    with thread_worker(worker_settings()):
        result = await shim_tasks.mul.adelay(6, 7)
        assert await result.aget(timeout=10) == 42
        retried = await shim_tasks.retries_twice.aapply_async()
        assert await AsyncResult(retried.id).aget(timeout=10) == 2
        with pytest.raises(shim.TimeoutError):
            await (await shim_tasks.add.aapply_async((1, 2), queue="nobody")).aget(timeout=0.2)


def test_worker_settings_reads_celery_settings_of_the_app(shim_redis: str) -> None:
    app = shim.App("proj", timezone="Europe/Berlin", result_expires=600, task_time_limit=42,
                   worker_concurrency=3)
    attrs = vars(worker_settings([shim_tasks.add], app=app))
    assert (str(attrs["timezone"]), attrs["keep_result"], attrs["job_timeout"], attrs["max_jobs"]) == (
        "Europe/Berlin", 600, 42, 3)
    assert vars(worker_settings([shim_tasks.add], app=app, max_jobs=5))["max_jobs"] == 5  # overrides win
