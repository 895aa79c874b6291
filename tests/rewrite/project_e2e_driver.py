"""Run one fixture project's scenario against a real worker and print the outcomes as JSON.

``python project_e2e_driver.py SCENARIO celery|arq REDIS_URL [WORKER_SETTINGS ...]``, run from the
project copy's root (on ``sys.path``). The scenario module (``tests/rewrite/e2e_scenarios/``) drives the
project's own, unchanged call sites; this driver only supplies the worker:

- ``celery``: the project's real Celery app pointed at the private Redis, served by Celery's own
  ``start_worker`` (solo pool) on every queue the scenario names;
- ``arq``: the rewritten project's generated ``WorkerSettings`` classes (dotted paths as the rewrite
  printed them), each served by a real ``ShimWorker`` in a background thread; with ``MIXED = True``
  in the scenario also the Celery worker above, for the tasks the rewrite left on Celery.

Attempts are counted per task id from each worker's own hook (Celery's ``task_prerun`` signal, ARQ's
``on_job_start``), so retry counts compare without touching the project's code.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STARTS: Counter[str] = Counter()
REFUSED: list[str] = []  # connections to the default Redis port that the guard refused


def guard_default_redis(redis_url: str) -> None:
    """Nothing may reach a Redis on the default port 6379 (someone else's data, on this machine the
    shared server): record and refuse every such connection, unless the private server is on 6379."""
    from urllib.parse import urlsplit

    if urlsplit(redis_url).port == 6379:
        return

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect" and isinstance(args[1], tuple) and args[1][1:2] == (6379,):
            REFUSED.append(repr(args[1]))
            raise ConnectionRefusedError(f"e2e driver refuses {args[1]!r}")

    sys.addaudithook(hook)


def load_scenario(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("e2e_scenario", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_dotted(path: str) -> Any:
    module, _, attr = path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module), attr)


def outcome(value: Any, timeout: float) -> list[str]:
    """``["ok", repr(result)]`` or ``["error", exception type, message]`` for a handle or a callable."""
    try:
        result = value.get(timeout=timeout) if hasattr(value, "get") else value()
        return ["ok", repr(result)]
    except Exception as exc:  # the comparison is about which exception: catch them all
        return ["error", type(exc).__name__, str(exc)]


@contextlib.contextmanager
def celery_worker(scenario: Any, redis_url: str) -> Iterator[None]:
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_prerun

    app = import_dotted(scenario.CELERY_APP)
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    app.conf.task_always_eager = False

    @task_prerun.connect(weak=False)
    def count(task_id: str | None = None, **_: Any) -> None:
        STARTS[task_id or "?"] += 1

    queues = list(getattr(scenario, "QUEUES", ["celery"]))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=queues):
        yield


class ArqWorkerThread(threading.Thread):
    """A ``ShimWorker`` on its own event loop, so the scenario may block on ``.get()`` meanwhile."""

    def __init__(self, settings: type) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.ready = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        from arq.worker import get_kwargs

        from celery2arq.shim.shim_worker import ShimWorker

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        kwargs = get_kwargs(self.settings)
        previous = kwargs.get("on_job_start")

        async def on_job_start(ctx: dict[str, Any]) -> None:
            STARTS[ctx["job_id"]] += 1
            if previous:
                await previous(ctx)

        kwargs["on_job_start"] = on_job_start
        self.loop = loop
        self.worker = ShimWorker(**kwargs, handle_signals=False)
        self.ready.set()
        try:
            loop.run_until_complete(self.worker.async_run())
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # reported by the driver, not lost in a thread
            self.failure = exc
        finally:
            loop.run_until_complete(self.worker.close())
            loop.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.worker.main_task.cancel)
        self.join(timeout=30)


@contextlib.contextmanager
def arq_workers(settings_paths: list[str]) -> Iterator[None]:
    threads = [ArqWorkerThread(import_dotted(path)) for path in settings_paths]
    for thread in threads:
        thread.start()
        thread.ready.wait(10)
    try:
        yield
    finally:
        for thread in threads:
            thread.stop()
        failures = [t.failure for t in threads if t.failure]
        if failures:
            raise failures[0]


def main(scenario_path: str, kind: str, redis_url: str, *settings_paths: str) -> None:
    out = sys.stdout
    guard_default_redis(redis_url)
    with contextlib.redirect_stdout(sys.stderr):  # task bodies that print() must not corrupt the JSON
        scenario = load_scenario(scenario_path)
        if hasattr(scenario, "prepare"):
            scenario.prepare()
        timeout = float(getattr(scenario, "TIMEOUT", 30))
        with contextlib.ExitStack() as workers:
            if kind == "celery" or getattr(scenario, "MIXED", False):
                # MIXED: the rewritten project keeps its Celery app for the tasks left on Celery, so
                # its ARQ side runs a Celery worker on the same queues next to the ARQ workers.
                workers.enter_context(celery_worker(scenario, redis_url))
            if kind == "arq":
                workers.enter_context(arq_workers(list(settings_paths)))
            pending = scenario.drive()
            results = {label: outcome(value, timeout) for label, value in pending.items()}
            ids = {label: getattr(value, "id", None) for label, value in pending.items()}
    attempts = {label: STARTS[task_id] for label, task_id in ids.items() if task_id and STARTS[task_id] > 1}
    json.dump({"results": results, "attempts": attempts, "refused_6379": REFUSED}, out, sort_keys=True)


def run_in_subprocess(scenario: Path, kind: str, root: Path, redis_url: str, settings: list[str],
                      env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run this driver on ``scenario`` in a fresh interpreter from ``root`` (the tests' entry point)."""
    import subprocess

    full_env = {**os.environ, "PYTHONPATH": str(root), "CELERY2ARQ_REDIS_URL": redis_url, **(env or {})}
    full_env.pop("CELERY2ARQ_EAGER", None)
    done = subprocess.run(
        [sys.executable, __file__, str(scenario), kind, redis_url, *settings],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


if __name__ == "__main__":
    sys.path.insert(0, str(Path.cwd()))
    main(*sys.argv[1:])
