"""The shim's promises under stress: Redis refusing, pausing, restarting; forks; retry budgets; UTC; keys."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import redis
import shim_tasks
from arq.constants import default_queue_name, job_key_prefix, result_key_prefix
from redis_server import free_port, start_redis_server
from shim_helpers import HERE, run_burst, thread_worker, wait_for

from celery2arq import shim
from celery2arq.shim import (
    AsyncResult,
    BrokerUnavailable,
    DuplicateTaskId,
    TaskRevokedError,
    configure,
    connection,
    keys,
    running,
    worker_settings,
)

pytestmark = pytest.mark.integration


def test_closed_port_raises_broker_unavailable_naming_the_cause() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    configure(redis_url=url)
    refused = rf"cannot reach Redis at {url}: .*Connection refused"
    with pytest.raises(BrokerUnavailable, match=refused) as caught:
        shim_tasks.add.apply_async((1, 2), task_id="refused-id")
    assert caught.value.task_id == "refused-id"
    assert "refused-id was not confirmed" in str(caught.value)
    with pytest.raises(BrokerUnavailable, match="cannot reach Redis"):
        AsyncResult("refused-id").get(timeout=1)


async def test_closed_port_raises_broker_unavailable_from_async_code() -> None:
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(BrokerUnavailable, match="cannot reach Redis"):
        await shim_tasks.add.adelay(1, 2)
    with pytest.raises(BrokerUnavailable, match="cannot reach Redis"):
        await AsyncResult("some-id").aget(timeout=1)


def test_a_paused_redis_hits_the_read_timeout_and_resending_the_id_is_safe(shim_redis: str) -> None:
    """`CLIENT PAUSE` far longer than `socket_timeout`: the call raises instead of waiting for the pause
    to end, says the job may exist, and re-sending with the same id yields exactly one job."""
    configure(socket_timeout=0.3)
    admin = redis.Redis.from_url(shim_redis)
    shim_tasks.add.delay(0, 0)  # connection and script ready before the pause
    admin.execute_command("CLIENT", "PAUSE", 20_000, "WRITE")  # scripts wait; UNPAUSE still answers
    try:
        with pytest.raises(BrokerUnavailable, match="may or may not have been enqueued") as caught:
            shim_tasks.add.apply_async((1, 2), task_id="paused-id")
    finally:
        admin.execute_command("CLIENT", "UNPAUSE")
    assert caught.value.task_id == "paused-id"
    try:
        shim_tasks.add.apply_async((1, 2), task_id="paused-id")
    except DuplicateTaskId:
        pass  # the first attempt had landed after all
    assert admin.zscore(default_queue_name, "paused-id") is not None
    assert admin.exists(job_key_prefix + "paused-id") == 1


def test_redis_restart_and_stop_between_calls() -> None:
    """Pooled connections to a restarted server are replaced, not reported as an outage; a stopped server
    is an error at once."""
    server = start_redis_server()
    restarted: subprocess.Popen[bytes] | None = None
    try:
        configure(redis_url=server.url)
        assert shim_tasks.add.delay(1, 1).id
        server.process.terminate()
        server.process.wait(10)
        restarted = subprocess.Popen(
            [str(server.process.args[0]), "--port", str(server.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(server.url)
        wait_for(lambda: _answers(client))
        after = shim_tasks.add.delay(2, 2)
        assert client.zscore(default_queue_name, after.id) is not None
        restarted.terminate()
        restarted.wait(10)
        with pytest.raises(BrokerUnavailable, match="Connection refused"):
            shim_tasks.add.delay(3, 3)
    finally:
        if restarted is not None and restarted.poll() is None:
            restarted.kill()
            restarted.wait()
        server.stop()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_forked_child_gets_its_own_client_even_if_the_lock_was_held(shim_redis: str) -> None:
    """gunicorn --preload / Celery prefork: the child must not reuse the parent's socket, nor inherit a lock
    another thread held at fork time, nor wait on the parent's (absent) pool threads."""
    parent_client = connection.sync_client(shim_redis)
    shim_tasks.add.delay(0, 0)
    assert asyncio.run(running.in_thread(None, int, "7")) == 7  # the fallback pool now has an idle thread
    connection._lock.acquire()  # as if another thread were creating a client during the fork
    try:
        pid = os.fork()
        if pid == 0:  # child: only os._exit from here on
            code = 1
            try:
                child = shim_tasks.add.apply_async((1, 2), queue="forked")
                code = 0 if connection.sync_client(shim_redis) is not parent_client and child.id else 3
                if asyncio.run(running.in_thread(None, int, "8")) != 8:  # the parent's idle thread is gone
                    code = 4
            finally:
                os._exit(code)
    finally:
        connection._lock.release()
    deadline = time.monotonic() + 15
    status = 0
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child deadlocked on the inherited client lock")
    assert os.waitstatus_to_exitcode(status) == 0
    assert redis.Redis.from_url(shim_redis).zcard("arq:forked") == 1
    assert shim_tasks.add.delay(1, 1).id  # the parent's connection still works


async def test_retry_budget_from_retry_kwargs_and_a_capped_retry_override(shim_redis: str) -> None:
    """Traps 1-3: `retry_kwargs={'max_retries': 5}` gets six attempts (ARQ's max_tries follows it);
    `retry(max_retries=10)` above what ARQ allows ends in its last attempt with the real exception,
    never ARQ's `JobExecutionFailed('max N retries exceeded')`."""
    five = shim_tasks.autoretry_five_times.delay()
    capped = shim_tasks.asks_for_more_retries.delay()
    await run_burst(worker_settings([shim_tasks.autoretry_five_times, shim_tasks.asks_for_more_retries]))
    assert five.get(timeout=1) == 5
    assert shim_tasks.autoretry_five_times.max_tries == 6
    with pytest.raises(ValueError, match="attempt 1"):
        capped.get(timeout=1)
    assert capped.retries == 1


def test_naive_eta_expires_and_retry_eta_are_utc_in_a_berlin_process(shim_redis: str) -> None:
    """Trap 14, in a process whose local zone is Europe/Berlin (UTC+1 in January)."""
    code = """
import datetime as dt, json, sys
sys.path.insert(0, sys.argv[1])
import redis, shim_tasks
from celery2arq.shim import configure
from celery2arq.shim.retrying import retry_delay
configure(redis_url=sys.argv[2])
client = redis.Redis.from_url(sys.argv[2])
naive = dt.datetime.utcnow().replace(microsecond=0) + dt.timedelta(hours=1)
by_dt = shim_tasks.add.apply_async((1, 2), eta=naive, expires=naive + dt.timedelta(hours=1))
by_iso = shim_tasks.add.apply_async((1, 2), eta=naive.isoformat())
expected = naive.replace(tzinfo=dt.timezone.utc).timestamp() * 1000
print(json.dumps({"offset": dt.datetime(2031, 1, 15).astimezone().utcoffset().total_seconds(),
                  "eta": client.zscore("arq:queue", by_dt.id) - expected,
                  "iso": client.zscore("arq:queue", by_iso.id) - expected,
                  "ttl_s": client.pttl("arq:job:" + by_dt.id) / 1000,
                  "retry_s": retry_delay(naive, None, 180)}))
"""
    out = subprocess.run([sys.executable, "-c", code, str(HERE), shim_redis], capture_output=True, text=True,
                         check=True, env={**os.environ, "TZ": "Europe/Berlin"}, timeout=60)
    seen = json.loads(out.stdout)
    assert seen["offset"] == 3600  # the zone really is Berlin in that process
    assert seen["eta"] == seen["iso"] == 0
    assert 2 * 3600 - 60 < seen["ttl_s"] <= 2 * 3600
    assert 3600 - 60 < seen["retry_s"] <= 3600


def test_queue_named_celery_never_touches_celerys_list(shim_redis: str) -> None:
    """Trap 19: Celery's default queue is the list `celery`; the shim writes `arq:celery` next to it. (DB 1:
    the session's Celery worker consumes `celery` in DB 0.)"""
    url = shim_redis.rsplit("/", 1)[0] + "/1"
    configure(redis_url=url)
    client = redis.Redis.from_url(url)
    client.rpush("celery", b"a celery message")
    result = shim_tasks.add.apply_async((1, 2), queue="celery")
    assert client.type("celery") == b"list" and client.lrange("celery", 0, -1) == [b"a celery message"]
    assert client.zscore("arq:celery", result.id) is not None


async def test_bare_id_forget_and_re_enqueue_under_the_same_id(shim_redis: str) -> None:
    """Trap 11: a finished id is taken until forget(); then it runs again, and nothing of the old run
    (result, queue marker, wake-up token) is left to confuse the new one."""
    client = redis.Redis.from_url(shim_redis)
    shim_tasks.add.apply_async((1, 2), task_id="reused")
    await run_burst(worker_settings())
    assert AsyncResult("reused").get(timeout=1) == 3 and AsyncResult("reused").state == shim.SUCCESS
    with pytest.raises(DuplicateTaskId):
        shim_tasks.add.apply_async((5, 5), task_id="reused")
    AsyncResult("reused").forget()
    assert client.keys("*reused*") == []
    again = shim_tasks.add.apply_async((5, 5), task_id="reused")
    assert again.state == shim.PENDING
    await run_burst(worker_settings())
    assert AsyncResult("reused").get(timeout=1) == 10


async def test_sync_delay_inside_a_running_loop(shim_redis: str) -> None:
    result = shim_tasks.add.delay(2, 3)  # blocks the loop for one round trip, as documented
    await run_burst(worker_settings())
    assert await result.aget(timeout=1) == 5


@pytest.mark.parametrize("terminate", [False, True])
async def test_revoked_deferred_job_never_runs(shim_redis: str, terminate: bool) -> None:
    """Trap 22: even with terminate=True on a worker without allow_abort_jobs, a deferred job that is
    revoked is deleted, not started early."""
    client = redis.Redis.from_url(shim_redis)
    result = shim_tasks.records_run.apply_async(countdown=0.2)
    result.revoke(terminate=terminate)
    time.sleep(0.3)  # past the due time
    await run_burst(worker_settings([shim_tasks.records_run], allow_abort_jobs=False))
    assert client.lrange("shim-tests:ran", 0, -1) == []
    assert result.state == shim.REVOKED
    with pytest.raises(TaskRevokedError):
        await result.aget(timeout=1)
    assert client.exists(result_key_prefix + result.id) == 1


def test_states_pending_retry_success(shim_redis: str) -> None:
    """§5.2: a job that retries once after 1 s reads PENDING, then RETRY while deferred, then SUCCESS."""
    result = shim_tasks.retries_once_after_a_second.delay()
    assert result.state == shim.PENDING
    with thread_worker(worker_settings()):
        wait_for(lambda: result.state == shim.RETRY)
        assert result.get(timeout=10) == "second try"
    assert result.state == shim.SUCCESS and result.retries == 1


def test_threads_share_one_client_per_url(shim_redis: str) -> None:
    seen: set[int] = set()

    def grab() -> None:
        seen.add(id(connection.sync_client(shim_redis)))

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 1


def test_a_queue_key_of_another_type_is_refused_before_anything_is_written(shim_redis: str) -> None:
    """Lua scripts do not roll back: a WRONGTYPE queue must fail before the job key takes the id."""
    client = redis.Redis.from_url(shim_redis)
    client.rpush("arq:legacy", b"not an arq queue")
    with pytest.raises(redis.ResponseError, match="arq:legacy is a list"):
        shim_tasks.add.apply_async((1, 2), queue="legacy", task_id="wrong-type")
    assert client.keys("*wrong-type*") == []
    assert shim_tasks.add.apply_async((1, 2), task_id="wrong-type").id == "wrong-type"


async def test_waiting_longer_than_socket_timeout_is_not_an_outage(shim_redis: str) -> None:
    """get()/aget() block in BLPOP; with a short socket_timeout that wait must not read as Redis down."""
    configure(socket_timeout=0.4)
    nobody = shim_tasks.add.apply_async((1, 2), queue="nobody-listens")
    with pytest.raises(shim.TimeoutError):
        await nobody.aget(timeout=0.6)
    with pytest.raises(shim.TimeoutError):
        nobody.get(timeout=0.6)


def test_get_with_under_a_millisecond_left_times_out_instead_of_blocking(shim_redis: str) -> None:
    """The last BLPOP of ``get(timeout=...)`` is cut to the time left; 0.001 s is read as 0 ms (= forever)
    by Redis 6.2, so a wait ending within 1 ms of its deadline hung until ``socket_timeout``."""
    nobody = shim_tasks.add.apply_async((1, 2), queue="nobody-listens")
    chunk = nobody._next_wait(deadline=100.0005, now=100.0, timeout=1)
    assert chunk > 0.001  # truncates to at least 1 ms on every Redis version
    assert connection.sync_client(shim_redis).blpop([keys.done_key(nobody.id)], timeout=chunk) is None


def test_backoff_formula_is_celerys() -> None:
    """Same draws as celery.utils.time.get_exponential_backoff_interval, jitter included."""
    import random

    from celery.utils.time import get_exponential_backoff_interval

    from celery2arq.shim.retrying import exponential_backoff

    for retries in range(12):
        for jitter in (False, True):
            random.seed(retries)
            ours = exponential_backoff(3, retries, 600, jitter)
            random.seed(retries)
            assert ours == get_exponential_backoff_interval(3, retries, 600, jitter)


def test_retry_delays_default_180_s_and_backoff_countdown(shim_redis: str) -> None:
    """Trap 4: `self.retry()` without countdown waits 180 s; `retry_backoff=2` waits 2·2^0 s first."""
    client = redis.Redis.from_url(shim_redis)
    default = shim_tasks.retries_with_the_default_delay.delay()
    backoff = shim_tasks.backs_off.delay()
    with thread_worker(worker_settings()):
        wait_for(lambda: default.state == shim.RETRY and backoff.state == shim.RETRY)
        now_ms = time.time() * 1000
        default_in = (client.zscore(default_queue_name, default.id) - now_ms) / 1000
        backoff_in = (client.zscore(default_queue_name, backoff.id) - now_ms) / 1000
    assert 170 < default_in <= 180
    assert 0 < backoff_in <= 2


async def test_worker_keep_result_0_makes_get_return_none_not_hang(shim_redis: str) -> None:
    """A worker that stores no results (keep_result=0): `get()`/`aget()` return None once the job ended,
    as Celery's ignored results do, instead of waiting out their timeout."""
    first = shim_tasks.add.delay(1, 2)
    second = shim_tasks.add.delay(3, 4)
    await run_burst(worker_settings([shim_tasks.add], keep_result=0))
    assert redis.Redis.from_url(shim_redis).exists(result_key_prefix + first.id) == 0
    assert first.get(timeout=5) is None
    assert await second.aget(timeout=5) is None
    assert await AsyncResult(first.id).aget(timeout=5) is None  # a second waiter on the same id


def test_countdown_wins_over_eta_as_in_celery(shim_redis: str) -> None:
    """Celery's as_task_v2 turns a non-zero countdown into the eta, replacing a given eta; retry() too."""
    import datetime as dt

    from celery2arq.shim.retrying import retry_delay

    in_an_hour = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    result = shim_tasks.add.apply_async((1, 2), countdown=60, eta=in_an_hour)
    due_in = redis.Redis.from_url(shim_redis).zscore(default_queue_name, result.id) / 1000 - time.time()
    assert 55 < due_in <= 60
    assert retry_delay(in_an_hour, 5, 180) == 5
    assert 3590 < retry_delay(in_an_hour, 0, 180) <= 3600  # countdown=0 is "not given" for Celery
