"""Workers as separate processes: `python -m celery2arq.shim.worker`, and crash re-queue semantics."""

from __future__ import annotations

import signal

import pytest
import redis
import shim_tasks
from shim_helpers import start_subprocess_worker, stop_subprocess, wait_for

pytestmark = pytest.mark.integration


def test_subprocess_shim_worker_serves_delay_get(shim_redis: str) -> None:
    proc = start_subprocess_worker(shim_redis, "shim_worker_settings.WorkerSettings")
    try:
        assert shim_tasks.add.delay(40, 2).get(timeout=20) == 42
        assert shim_tasks.arq_style.delay(1).get(timeout=10)["job_try"] == 2
        with pytest.raises(KeyError, match="from a subprocess"):
            shim_tasks.boom.delay("from a subprocess").get(timeout=10)
    finally:
        stop_subprocess(proc)
    assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""


def test_sigkill_mid_job_re_runs_the_job_with_job_try_2(shim_redis: str) -> None:
    """ARQ re-queues a job whose worker died once its in-progress key expires (timeout + 10 s, trap 6):
    at-least-once, and the crash consumes a try (trap 2)."""
    client = redis.Redis.from_url(shim_redis)
    result = shim_tasks.crash_probe.delay()
    first = start_subprocess_worker(shim_redis, "shim_worker_settings.CrashSettings")
    try:
        wait_for(lambda: client.lrange("shim-tests:crash-tries", 0, -1) == [b"1"], timeout=20)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop_subprocess(first)
    assert result.state == "STARTED"  # the in-progress key outlives the dead worker
    second = start_subprocess_worker(shim_redis, "shim_worker_settings.CrashSettings")
    try:
        assert result.get(timeout=25) == 2
    finally:
        stop_subprocess(second)
    assert client.lrange("shim-tests:crash-tries", 0, -1) == [b"1", b"2"]
