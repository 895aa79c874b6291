"""Drive the shop fixture's unchanged call sites against a real worker; print results as JSON.

Run as ``python e2e_driver.py celery|arq`` with the project root on ``sys.path`` and
``SHOP_REDIS_URL`` (and, for arq, ``CELERY2ARQ_REDIS_URL``) pointing at the private Redis. The
worker runs in this process (Celery's solo ``start_worker`` thread, or an ARQ burst worker), so
the tasks' attempt counters are readable here.
"""

from __future__ import annotations

import json
import sys


def outcome(result) -> list:
    try:
        return ["ok", repr(result.get(timeout=30))]
    except Exception as exc:  # the comparison is about which exception, so catch them all
        return ["error", type(exc).__name__, str(exc)]


def main(kind: str) -> None:
    from shop import tasks, views

    if kind == "celery":
        from celery.contrib.testing.worker import start_worker
        from shop.celery import app

        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            pending = views.enqueue_all()
            results = {label: outcome(result) for label, result in pending}
    else:
        from arq.worker import create_worker
        from shop.arq_worker import WorkerSettings

        pending = views.enqueue_all()
        worker = create_worker(WorkerSettings, burst=True, poll_delay=0.05)
        worker.run()
        results = {label: outcome(result) for label, result in pending}
    json.dump({"results": results, "attempts": dict(tasks.ATTEMPTS)}, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
