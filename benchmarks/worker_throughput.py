"""Worker throughput: jobs/s of the same task bodies under Celery workers and under the shim's ARQ worker.

Run ``python benchmarks/worker_throughput.py [--jobs N] [--cpu-jobs M] [--concurrency C]``. One run, one
private redis-server (``tests/redis_server.py``, never 127.0.0.1:6379), every worker a subprocess started
after its jobs were enqueued, one worker at a time:

* Celery 5 worker (Redis broker and result backend, ``-O fair``), prefork ``-c 2`` and threads ``-c 50``:
  an I/O-bound sync body (``time.sleep(0.02)``) and a CPU-bound body (a fixed ~5 ms loop);
* the rewritten tasks (``@arq_task``) under a generated-style ``WorkerSettings = worker_settings([...],
  max_jobs=C)`` run by ``python -m celery2arq.shim.worker``: the sync I/O body (shim thread pool), an async
  I/O body (``await asyncio.sleep(0.02)``) and the CPU body; the async body under the plain ``arq`` CLI
  (what the generated ``arq_worker.py`` header suggests; polls every 50 ms); one shim worker process per
  core (``max_jobs=C/cores`` each); and the shim's default ``max_jobs=10`` (what the generator emits when
  the Celery app sets no literal ``worker_concurrency``);
* native ARQ for reference: ``async def`` body, ``max_jobs=C`` with ARQ's default 0.5 s ``poll_delay``,
  ARQ's defaults altogether (``max_jobs=10``, poll 0.5 s) and ``max_jobs=10`` with a 0.05 s poll.

jobs/s is the steady state: read back every job's finish time from its stored result (Celery's
``date_done``, ARQ's ``finish_time``), skip the first 10 % of completions (worker start-up, prefetch,
thread-pool growth) and divide the remaining completions by the time they took. The end-to-end figure
(N / (worker start .. last result seen), interpreter start-up included) is printed too. Enqueue time is
never counted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from redis_server import start_redis_server  # noqa: E402

IO_SECONDS = 0.02
CPU_LOOPS = 100_000  # ~5 ms of CPU time (time.process_time) per job on this 2-core machine
POLL_CHUNK, POLL_SECONDS = 250, 0.05
WARM_UP_SHARE = 0.1  # completions skipped before the steady-state window starts
CELERY_PREFORK, CELERY_THREADS = 2, 50
CORES = os.cpu_count() or 1
TARGETS = ("Target 1 (a rewritten sync-body task at least matches Celery's threads pool)",
           "Target 2 (an async body beats Celery prefork by 10x on I/O-bound work)")

BODIES = f'''
"""Task bodies shared by every worker of the benchmark."""
import time

IO_SECONDS = {IO_SECONDS}
CPU_LOOPS = {CPU_LOOPS}


def io_body():
    time.sleep(IO_SECONDS)


def cpu_body():
    total = 0
    for i in range(CPU_LOOPS):
        total += i * i % 7
    return total
'''

CELERY_APP = '''
"""The Celery side: `celery -A wt_celery:app worker ...`."""
import os

from celery import Celery

import wt_bodies

URL = os.environ["CELERY2ARQ_REDIS_URL"]
app = Celery("wt", broker=URL, backend=URL)
app.conf.update(worker_hijack_root_logger=False, broker_connection_retry_on_startup=True,
                task_serializer="json", result_serializer="json", accept_content=["json"])


@app.task(name="wt.celery.io")
def io():
    wt_bodies.io_body()


@app.task(name="wt.celery.cpu")
def cpu():
    wt_bodies.cpu_body()
'''

SHIM_TASKS = '''
"""The rewritten tasks, as `celery2arq rewrite` writes them (`@arq_task`, ctx first)."""
import asyncio

from celery2arq.shim import arq_task

import wt_bodies


@arq_task(name="wt.shim.io_sync")
def io_sync(ctx):
    wt_bodies.io_body()


@arq_task(name="wt.shim.io_async")
async def io_async(ctx):
    await asyncio.sleep(wt_bodies.IO_SECONDS)


@arq_task(name="wt.shim.cpu")
def cpu(ctx):
    wt_bodies.cpu_body()
'''

# Shaped like a generated arq_worker.py (docs/rewrite.md): max_jobs is Celery's worker_concurrency.
SHIM_WORKER = '''
"""Generated-style ARQ worker module for the rewritten tasks."""
import os

from celery2arq.shim import worker_settings

import wt_shim_tasks

REDIS_URL = os.environ["CELERY2ARQ_REDIS_URL"]

WorkerSettings = worker_settings(
    [
        wt_shim_tasks.io_async,
        wt_shim_tasks.io_sync,
        wt_shim_tasks.cpu,
    ],
    redis_url=REDIS_URL,
    max_jobs={max_jobs},
)

# One worker process per core, the concurrency split between them (ARQ workers share a queue safely).
PerCoreSettings = worker_settings(
    [wt_shim_tasks.io_async, wt_shim_tasks.io_sync, wt_shim_tasks.cpu], redis_url=REDIS_URL,
    max_jobs={per_core_jobs})

# What the generator writes when the Celery app sets no literal worker_concurrency: the shim's default.
DefaultConcurrencySettings = worker_settings(
    [wt_shim_tasks.io_async, wt_shim_tasks.io_sync, wt_shim_tasks.cpu], redis_url=REDIS_URL)
'''

NATIVE = '''
"""Plain ARQ, no shim: `arq wt_native.NativeSettings`."""
import asyncio
import os

from arq.connections import RedisSettings

import wt_bodies


async def native_io(ctx):
    await asyncio.sleep(wt_bodies.IO_SECONDS)


REDIS = RedisSettings.from_dsn(os.environ["CELERY2ARQ_REDIS_URL"])


class NativeSettings:  # ARQ defaults (poll_delay 0.5 s) except max_jobs
    functions = [native_io]
    redis_settings = REDIS
    max_jobs = {max_jobs}


class ArqDefaultSettings:  # ARQ defaults altogether: max_jobs 10, poll_delay 0.5 s
    functions = [native_io]
    redis_settings = REDIS


class ArqFastPollSettings:  # the same with the shim's poll_delay: is the poll delay the cap?
    functions = [native_io]
    redis_settings = REDIS
    poll_delay = 0.05
'''


@dataclass
class Row:
    label: str
    body: str  # "io-sync", "io-async", "cpu"
    command: list[str]
    enqueue: Callable[[int], list[str]]  # returns the job ids
    result_key: Callable[[str], str]
    finished_at: Callable[[bytes], float]  # stored result -> finish time (epoch seconds)
    jobs: int
    processes: int = 1  # identical worker processes started together


@dataclass
class Measure:
    row: Row
    done: int
    steady: float | None  # jobs/s, None when too few jobs finished
    end_to_end: float
    seconds: float
    worker_cpu_ms: float | None  # CPU per job in the window after warm-up, all worker processes together
    redis_cpu_ms: float | None


def write_modules(folder: Path, max_jobs: int) -> None:
    sources = {"wt_bodies": BODIES, "wt_celery": CELERY_APP, "wt_shim_tasks": SHIM_TASKS,
               "wt_shim_worker": SHIM_WORKER.format(max_jobs=max_jobs,
                                                    per_core_jobs=max(1, max_jobs // CORES)),
               "wt_native": NATIVE.format(max_jobs=max_jobs)}
    for name, source in sources.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source).lstrip())


def celery_finish(raw: bytes) -> float:
    return dt.datetime.fromisoformat(json.loads(raw)["date_done"]).timestamp()


def arq_finish(raw: bytes) -> float:
    from arq.jobs import deserialize_result

    return deserialize_result(raw).finish_time.timestamp()


def make_rows(python: str, jobs: int, cpu_jobs: int, concurrency: int) -> list[Row]:
    import wt_celery
    import wt_shim_tasks
    from arq.connections import ArqRedis

    def delays(task: object) -> Callable[[int], list[str]]:
        """``task.delay()`` n times: Celery's for Celery tasks, the shim's for shim tasks."""
        return lambda n: [task.delay().id for _ in range(n)]  # type: ignore[attr-defined]

    def native_enqueue(n: int) -> list[str]:
        async def enqueue() -> list[str]:
            pool = ArqRedis.from_url(os.environ["CELERY2ARQ_REDIS_URL"])
            try:
                return [(await pool.enqueue_job("native_io")).job_id for _ in range(n)]  # type: ignore[union-attr]
            finally:
                await pool.aclose()

        return asyncio.run(enqueue())

    def celery_cmd(pool: str, c: int) -> list[str]:
        return [python, "-m", "celery", "-A", "wt_celery:app", "worker", f"--pool={pool}", "-c", str(c),
                "-O", "fair", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]

    celery_key, arq_key = "celery-task-meta-{}".format, "arq:result:{}".format
    shim_worker = [python, "-m", "celery2arq.shim.worker", "wt_shim_worker.WorkerSettings"]
    arq_cli = [python, "-m", "arq"]
    io_prefork_jobs = max(100, jobs // 4)  # ~100 jobs/s at best: keep the run short
    cpu = wt_celery.cpu
    return [
        Row(f"Celery prefork -c {CELERY_PREFORK}", "io-sync", celery_cmd("prefork", CELERY_PREFORK),
            delays(wt_celery.io), celery_key, celery_finish, io_prefork_jobs),
        Row(f"Celery threads -c {CELERY_THREADS}", "io-sync", celery_cmd("threads", CELERY_THREADS),
            delays(wt_celery.io), celery_key, celery_finish, jobs),
        Row(f"shim worker, max_jobs={concurrency}", "io-sync", shim_worker,
            delays(wt_shim_tasks.io_sync), arq_key, arq_finish, jobs),
        Row(f"shim worker, max_jobs={concurrency}", "io-async", shim_worker,
            delays(wt_shim_tasks.io_async), arq_key, arq_finish, jobs),
        Row(f"arq CLI + shim settings, max_jobs={concurrency}", "io-async",
            [*arq_cli, "wt_shim_worker.WorkerSettings"],
            delays(wt_shim_tasks.io_async), arq_key, arq_finish, jobs),
        Row(f"native ARQ, max_jobs={concurrency}, poll 0.5 s", "io-async",
            [*arq_cli, "wt_native.NativeSettings"], native_enqueue, arq_key, arq_finish, jobs),
        Row("native ARQ defaults, max_jobs=10, poll 0.5 s", "io-async",
            [*arq_cli, "wt_native.ArqDefaultSettings"], native_enqueue, arq_key, arq_finish,
            max(50, jobs // 10)),
        Row(f"{CORES} shim worker processes, max_jobs={concurrency // CORES} each", "io-sync",
            [*shim_worker[:-1], "wt_shim_worker.PerCoreSettings"], delays(wt_shim_tasks.io_sync),
            arq_key, arq_finish, jobs, CORES),
        Row(f"{CORES} shim worker processes, max_jobs={concurrency // CORES} each", "io-async",
            [*shim_worker[:-1], "wt_shim_worker.PerCoreSettings"], delays(wt_shim_tasks.io_async),
            arq_key, arq_finish, jobs, CORES),
        Row("native ARQ, max_jobs=10, poll 0.05 s", "io-async",
            [*arq_cli, "wt_native.ArqFastPollSettings"], native_enqueue, arq_key, arq_finish,
            max(100, jobs // 4)),
        Row("shim worker, shim default max_jobs=10", "io-sync",
            [*shim_worker[:-1], "wt_shim_worker.DefaultConcurrencySettings"],
            delays(wt_shim_tasks.io_sync), arq_key, arq_finish, max(100, jobs // 2)),
        Row("shim worker, shim default max_jobs=10", "io-async",
            [*shim_worker[:-1], "wt_shim_worker.DefaultConcurrencySettings"],
            delays(wt_shim_tasks.io_async), arq_key, arq_finish, max(100, jobs // 2)),
        Row(f"Celery prefork -c {CELERY_PREFORK}", "cpu", celery_cmd("prefork", CELERY_PREFORK),
            delays(cpu), celery_key, celery_finish, cpu_jobs),
        Row(f"Celery threads -c {CELERY_THREADS}", "cpu", celery_cmd("threads", CELERY_THREADS),
            delays(cpu), celery_key, celery_finish, cpu_jobs),
        Row(f"shim worker, max_jobs={concurrency}", "cpu", shim_worker,
            delays(wt_shim_tasks.cpu), arq_key, arq_finish, cpu_jobs),
    ]


def cpu_seconds(pids: Collection[int] = (), pgids: Collection[int] = ()) -> float:
    """user+system CPU of the given processes and process groups, from /proc (Linux); 0 elsewhere."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid_text, _, rest = stat.read_text().partition(" (")
            fields = rest.rpartition(") ")[2].split()
        except OSError:
            continue
        if int(pid_text) in pids or int(fields[2]) in pgids:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def workers(command: list[str], count: int, folder: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Workers in their own process groups, so that prefork children and thread pools all go at the end."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}
    log = (folder / "worker.log").open("ab")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            procs.append(subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log,
                                          start_new_session=True))
        yield procs
    finally:
        for proc in procs:
            stop_group(proc)
        log.close()


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group (prefork children)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        return


def wait_for_results(client, ids: list[str], key: Callable[[str], str],  # type: ignore[no-untyped-def]
                     timeout: float, on_warm: Callable[[int], None] = lambda done: None,
                     alive: Callable[[], bool] = lambda: True) -> tuple[list[bytes], float]:
    """Poll until every result key exists; returns the stored results and when the last one was seen.

    Jobs finish roughly in enqueue order, so each poll checks only the oldest ``POLL_CHUNK`` pending ids:
    a few thousand cheap commands per second at most, so the poller does not steal CPU from the worker
    (the steady-state rate comes from the stored finish times, not from when the poller saw them).
    ``on_warm(done)`` is called once when the warm-up share of the jobs is seen done; the wait ends early
    when ``alive()`` turns false (every worker exited, e.g. on an import error)."""
    pending = list(ids)
    warm_at, warm = int(len(ids) * WARM_UP_SHARE), False
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline and alive():
        head = pending[:POLL_CHUNK]
        pipe = client.pipeline(transaction=False)
        for job_id in head:
            pipe.exists(key(job_id))
        still = [job_id for job_id, found in zip(head, pipe.execute(), strict=True) if not found]
        pending[:POLL_CHUNK] = still
        if not warm and len(ids) - len(pending) >= warm_at:
            warm = True
            on_warm(len(ids) - len(pending))
        if still or not pending:
            time.sleep(POLL_SECONDS)
    seen = time.monotonic()
    raws = [raw for raw in client.mget([key(job_id) for job_id in ids]) if raw is not None]
    return raws, seen


def steady_rate(finish_times: list[float]) -> float | None:
    ordered = sorted(finish_times)
    first = int(len(ordered) * WARM_UP_SHARE)
    span = ordered[-1] - ordered[first] if ordered else 0.0
    if len(ordered) - first < 10 or span <= 0:
        return None
    return (len(ordered) - 1 - first) / span


def measure(row: Row, client, folder: Path, timeout: float, redis_pid: int) -> Measure:  # type: ignore[no-untyped-def]
    client.flushall()
    ids = row.enqueue(row.jobs)
    started = time.monotonic()
    with workers(row.command, row.processes, folder) as procs:
        groups = {proc.pid for proc in procs}
        at_warm: list[tuple[int, float, float]] = []

        def on_warm(done: int) -> None:
            at_warm.append((done, cpu_seconds(pgids=groups), cpu_seconds(pids={redis_pid})))

        raws, seen = wait_for_results(client, ids, row.result_key, timeout, on_warm,
                                      alive=lambda: any(proc.poll() is None for proc in procs))
        worker_cpu, redis_cpu = cpu_seconds(pgids=groups), cpu_seconds(pids={redis_pid})
    worker_ms = redis_ms = None
    if at_warm and len(raws) > at_warm[0][0]:
        jobs = len(raws) - at_warm[0][0]
        worker_ms, redis_ms = ((worker_cpu - at_warm[0][1]) * 1000 / jobs,
                               (redis_cpu - at_warm[0][2]) * 1000 / jobs)
    finish_times = [row.finished_at(raw) for raw in raws]
    return Measure(row, len(raws), steady_rate(finish_times), len(raws) / (seen - started), seen - started,
                   worker_ms, redis_ms)


def fmt_ms(ms: float | None) -> str:
    return f"{ms:.2f}" if ms is not None else "n/a"


def fmt_rate(rate: float | None) -> str:
    return f"{rate:9.0f}" if rate is not None else "      n/a"


def find(results: list[Measure], body: str, label_start: str) -> float | None:
    for m in results:
        if m.row.body == body and m.row.label.startswith(label_start):
            return m.steady
    return None


def ratio_line(name: str, num: float | None, den: float | None, target: float | None) -> str:
    if not num or not den:
        return f"  {name:<60} n/a"
    value = num / den
    verdict = "" if target is None else f"  target >= {target:g}x: {'MET' if value >= target else 'MISSED'}"
    return f"  {name:<60} {value:6.2f}x{verdict}"


def report(results: list[Measure], concurrency: int) -> None:
    print(f"\n{'worker':<46} {'body':<9} {'jobs':>5} {'steady/s':>9} {'e2e/s':>7} {'wall s':>7} "
          f"{'cpu ms/job':>10} {'redis ms/job':>12}")
    for m in results:
        missing = f"  ({m.row.jobs - m.done} missing)" if m.done < m.row.jobs else ""
        print(f"{m.row.label:<46} {m.row.body:<9} {m.row.jobs:5d} {fmt_rate(m.steady)} "
              f"{m.end_to_end:7.0f} {m.seconds:7.1f} {fmt_ms(m.worker_cpu_ms):>10} "
              f"{fmt_ms(m.redis_cpu_ms):>12}{missing}")
    prefork, threads = f"Celery prefork -c {CELERY_PREFORK}", f"Celery threads -c {CELERY_THREADS}"
    shim = f"shim worker, max_jobs={concurrency}"
    sync_io, async_io = find(results, "io-sync", shim), find(results, "io-async", shim)
    cpu = find(results, "cpu", shim)
    per_core = f"{CORES} shim worker processes"
    print("\nRatios (steady-state jobs/s):")
    lines = [
        ("rewritten sync I/O / Celery threads I/O", sync_io, find(results, "io-sync", threads), 1.0),
        ("rewritten async I/O / Celery prefork I/O", async_io, find(results, "io-sync", prefork), 10.0),
        ("rewritten CPU / Celery prefork CPU", cpu, find(results, "cpu", prefork), None),
        ("rewritten CPU / Celery threads CPU", cpu, find(results, "cpu", threads), None),
        ("rewritten async I/O / Celery threads I/O", async_io, find(results, "io-sync", threads), None),
        ("rewritten sync I/O / rewritten async I/O", sync_io, async_io, None),
        (f"rewritten async I/O / native ARQ max_jobs={concurrency} poll 0.5 s", async_io,
         find(results, "io-async", f"native ARQ, max_jobs={concurrency}, poll 0.5 s"), None),
        (f"{CORES} shim processes async I/O / Celery prefork I/O",
         find(results, "io-async", per_core), find(results, "io-sync", prefork), None),
        (f"{CORES} shim processes sync I/O / Celery threads I/O",
         find(results, "io-sync", per_core), find(results, "io-sync", threads), None),
        ("shim default max_jobs=10 sync I/O / Celery threads I/O",
         find(results, "io-sync", "shim worker, shim default"), find(results, "io-sync", threads), None),
        ("native ARQ (ARQ defaults) / Celery prefork I/O", find(results, "io-async", "native ARQ defaults"),
         find(results, "io-sync", prefork), None),
    ]
    for name, num, den, target in lines:
        print(ratio_line(name, num, den, target))
    print()
    for (_name, num, den, target), text in zip(lines[:2], TARGETS, strict=True):
        verdict = "not measured" if not num or not den else ("met" if num >= target * den else "NOT met")
        print(f"{text}: {verdict}.")


def run(options: argparse.Namespace, redis_pid: int) -> int:
    import redis

    with tempfile.TemporaryDirectory(prefix="c2a-throughput-") as tmp:
        folder = Path(tmp)
        write_modules(folder, options.concurrency)
        sys.path.insert(0, str(folder))
        rows = make_rows(sys.executable, options.jobs, options.cpu_jobs, options.concurrency)
        if options.only:
            rows = [r for r in rows if any(word in f"{r.label} {r.body}" for word in options.only)]
        client = redis.Redis.from_url(os.environ["CELERY2ARQ_REDIS_URL"])
        print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"I/O body {IO_SECONDS * 1000:.0f} ms, CPU body {CPU_LOOPS} loops; steady state after the "
              f"first {WARM_UP_SHARE:.0%} of completions", flush=True)
        results = []
        for row in rows:
            m = measure(row, client, folder, options.timeout, redis_pid)
            results.append(m)
            print(f"  {row.label:<46} {row.body:<9} {row.jobs:5d} jobs  {fmt_rate(m.steady)} jobs/s steady",
                  flush=True)
        report(results, options.concurrency)
        print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if any(m.done < m.row.jobs for m in results):
            hint = "" if options.keep_log else "; rerun with --keep-log to see the workers' log"
            print(f"some jobs did not finish within {options.timeout:.0f}s or a worker exited{hint}",
                  file=sys.stderr)
            if options.keep_log:
                print((folder / "worker.log").read_text()[-4000:], file=sys.stderr)
            return 1
    return 0


def raise_on_term(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000, help="jobs per I/O-bound row (prefork: a quarter)")
    parser.add_argument("--cpu-jobs", type=int, default=600, help="jobs per CPU-bound row")
    parser.add_argument("--concurrency", type=int, default=100,
                        help="max_jobs of the generated-style shim worker and of the native ARQ reference")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per row before giving up")
    parser.add_argument("--only", nargs="*", help="run only rows whose label or body contains one of these")
    parser.add_argument("--keep-log", action="store_true", help="print the workers' log tail on failure")
    options = parser.parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a shell's `&` starts us with it ignored
        signal.signal(sig, raise_on_term)
    try:
        server = start_redis_server()
    except RuntimeError as exc:
        print(f"worker_throughput: {exc}", file=sys.stderr)
        return 2
    os.environ["CELERY2ARQ_REDIS_URL"] = server.url
    try:
        return run(options, server.process.pid)
    except KeyboardInterrupt:
        print("interrupted: workers and redis-server stopped", file=sys.stderr)
        return 130
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
