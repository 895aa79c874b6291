"""Shim benchmark: enqueue cost and ``.delay().get()`` round trip, shim vs Celery vs native ARQ.

Run ``python benchmarks/shim_bench.py`` (starts its own private redis-server and worker subprocesses).
Prints per-job enqueue cost of the shim's sync ``.delay()``, native ``await ArqRedis.enqueue_job`` and
Celery's ``.delay()`` (Redis broker) on the same Redis, and round-trip latency p50/p99 of
``.delay().get()`` with the shim's recommended worker against a real Celery worker (solo pool).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests")]

from celery2arq.shim import configure, shared_task, worker_settings  # noqa: E402

REDIS_URL = os.environ.get("CELERY2ARQ_REDIS_URL", "redis://127.0.0.1:1/0")
configure(redis_url=REDIS_URL)


@shared_task(name="bench.add")
def add(x: int, y: int) -> int:
    return x + y


WorkerSettings = worker_settings([add], redis_url=REDIS_URL)
# The same tasks on the plain `arq` CLI and on ARQ's defaults (poll 0.5 s), for comparison.
PlainArqSettings = worker_settings([add], redis_url=REDIS_URL)
ArqDefaultSettings = type("ArqDefaultSettings", (), {
    k: v for k, v in WorkerSettings.__dict__.items() if k not in ("poll_delay", "__dict__", "__weakref__")})


def make_celery_app():  # type: ignore[no-untyped-def]
    from celery import Celery

    app = Celery("bench", broker=REDIS_URL, backend=REDIS_URL)
    app.conf.update(worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)
    app.task(name="bench.add")(add.body)
    return app


celery_app = make_celery_app()  # `celery -A shim_bench:celery_app worker` runs it


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_enqueue(n: int, rounds: int = 10) -> dict[str, float]:
    """Median per-job cost over ``rounds`` alternating rounds (machine load hits every method alike)."""
    import redis
    from arq.connections import ArqRedis

    client = redis.Redis.from_url(REDIS_URL)
    loop = asyncio.new_event_loop()
    pool = ArqRedis.from_url(REDIS_URL)
    celery_add = celery_app.tasks["bench.add"]

    def shim(k: int) -> None:
        for i in range(k):
            add.delay(i, 1)

    async def native_jobs(k: int) -> None:
        for i in range(k):
            await pool.enqueue_job("bench.add", i, 1)

    def native(k: int) -> None:
        loop.run_until_complete(native_jobs(k))

    def celery(k: int) -> None:
        for i in range(k):
            celery_add.delay(i, 1)

    methods = {"shim .delay() (sync)": shim, "native await enqueue_job": native, "celery .delay()": celery}
    per_round = max(1, n // rounds)
    samples: dict[str, list[float]] = {label: [] for label in methods}
    for fn in methods.values():
        fn(50)  # warm-up: connections, scripts, imports
    for _ in range(rounds):
        for label, fn in methods.items():
            start_t = time.perf_counter()
            fn(per_round)
            samples[label].append((time.perf_counter() - start_t) / per_round * 1e6)
    loop.run_until_complete(pool.aclose())
    loop.close()
    client.flushall()
    return {label: statistics.median(values) for label, values in samples.items()}


def start(cmd: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CELERY2ARQ_REDIS_URL": REDIS_URL, "PYTHONPATH": str(HERE)}
    return subprocess.Popen(cmd, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def one_trip(delay, i: int) -> float:  # type: ignore[no-untyped-def]
    start_t = time.perf_counter()
    assert delay(i, 1).get(timeout=10) == i + 1
    return (time.perf_counter() - start_t) * 1000


def round_trips(delays: dict[str, object], n: int) -> dict[str, list[float]]:
    """Samples alternate between the callers, so machine load affects them alike."""
    for delay in delays.values():
        for _ in range(20):  # warm-up, also waits for the worker to be up
            assert delay(1, 2).get(timeout=30) == 3  # type: ignore[attr-defined]
    samples: dict[str, list[float]] = {label: [] for label in delays}
    for i in range(n):
        for label, delay in delays.items():
            samples[label].append(one_trip(delay, i))
    return samples


def bench_round_trip(n: int, with_arq_defaults: bool) -> dict[str, list[float]]:
    py = sys.executable
    shim_label, celery_label = "shim + ShimWorker (recommended)", "celery + celery worker (solo)"
    celery_cmd = [py, "-m", "celery", "-A", "shim_bench:celery_app", "worker", "-P", "solo", "-c", "1",
                  "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]
    procs = [start([py, "-m", "celery2arq.shim.worker", "shim_bench.WorkerSettings"]), start(celery_cmd)]
    try:
        out = round_trips({shim_label: add.delay, celery_label: celery_app.tasks["bench.add"].delay}, n)
    finally:
        for proc in procs:
            stop(proc)
    others = [("shim + plain `arq` CLI (poll 0.05 s)", "shim_bench.PlainArqSettings", max(20, n // 5))]
    if with_arq_defaults:
        others.append(("shim + `arq` CLI, ARQ default poll 0.5 s", "shim_bench.ArqDefaultSettings", 10))
    for label, settings, count in others:
        proc = start([py, "-m", "arq", settings])
        try:
            out.update(round_trips({label: add.delay}, count))
        finally:
            stop(proc)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="jobs for the enqueue benchmark")
    parser.add_argument("--round-trips", type=int, default=300)
    parser.add_argument("--arq-defaults", action="store_true", help="also time ARQ's 0.5 s defaults")
    options = parser.parse_args()
    if "CELERY2ARQ_REDIS_URL" not in os.environ:
        from redis_server import start_redis_server

        server = start_redis_server()
        os.environ["CELERY2ARQ_REDIS_URL"] = server.url
        try:
            return subprocess.call([sys.executable, __file__, *sys.argv[1:]])
        finally:
            server.stop()

    enqueue = bench_enqueue(options.n)
    base = enqueue["native await enqueue_job"]
    print(f"Enqueue cost per job ({options.n} jobs per method in 10 alternating rounds, same Redis):")
    for label, us in enqueue.items():
        print(f"  {label:<30} {us:8.1f} us   x{us / base:5.2f} of native ARQ")
    shim = enqueue["shim .delay() (sync)"]
    print(f"  celery .delay() / shim .delay() = {enqueue['celery .delay()'] / shim:.1f}x")

    trips = bench_round_trip(options.round_trips, options.arq_defaults)
    print("Round trip .delay().get() latency (ms):")
    celery_p50 = statistics.median(trips["celery + celery worker (solo)"])
    for label, samples in trips.items():
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"  {label:<38} n={len(samples):4d}  p50 {p50:7.2f}  p99 {p99:7.2f}  "
              f"p50 x{p50 / celery_p50:5.2f} of celery")
    return 0


if __name__ == "__main__":
    sys.exit(main())
