"""WorkerSettings for subprocess workers in the shim tests (Redis URL from CELERY2ARQ_REDIS_URL)."""

from __future__ import annotations

import shim_tasks  # noqa: F401  (registers the tasks)

from celery2arq.shim import worker_settings

WorkerSettings = worker_settings(job_timeout=5)
CrashSettings = worker_settings(queue="crash", job_timeout=1, job_completion_wait=0)
