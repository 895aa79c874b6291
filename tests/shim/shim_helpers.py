"""Helpers for the shim tests: real ARQ workers in a thread, in this loop, or as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery2arq.shim import create_shim_worker

HERE = Path(__file__).resolve().parent


@contextmanager
def thread_worker(settings: Any, **kwargs: Any) -> Iterator[Any]:
    """A real ShimWorker running in a background thread with its own event loop."""
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def target() -> None:
        async def main() -> None:
            worker = create_shim_worker(settings, handle_signals=False, **kwargs)
            holder["worker"], holder["loop"] = worker, asyncio.get_running_loop()
            ready.set()
            try:
                await worker.async_run()
            except asyncio.CancelledError:
                pass
            finally:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.close()

        asyncio.run(main())

    thread = threading.Thread(target=target, name="arq-worker", daemon=True)
    thread.start()
    assert ready.wait(10), "worker thread did not start"
    try:
        yield holder["worker"]
    finally:
        holder["loop"].call_soon_threadsafe(holder["worker"].handle_sig, signal.SIGINT)
        thread.join(10)


async def run_burst(settings: Any, *, limit: float = 60, **kwargs: Any) -> Any:
    """Run a real ShimWorker in this loop until its queue is empty (at most ``limit`` seconds: a burst
    that never ends fails with what is still queued, instead of hanging the test session)."""
    worker = create_shim_worker(settings, burst=True, handle_signals=False, **kwargs)
    try:
        await asyncio.wait_for(worker.async_run(), limit)
    except asyncio.TimeoutError:
        queued = await worker.pool.zrange(worker.queue_name, 0, -1, withscores=True)
        in_progress = await worker.pool.keys("arq:in-progress:*")
        raise AssertionError(
            f"burst worker still busy after {limit} s: queued {queued}, in progress {in_progress}, "
            f"running {sorted(worker.tasks)}"
        ) from None
    finally:
        await worker.close()
    return worker


def start_subprocess_worker(redis_url: str, settings: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CELERY2ARQ_REDIS_URL": redis_url,
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", "celery2arq.shim.worker", settings], cwd=HERE, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_subprocess(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(predicate: Any, timeout: float = 10.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
