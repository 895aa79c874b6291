"""Differences that apply to every task (mapping §5.7): stated once in the report header."""

from __future__ import annotations

PROJECT_NOTES: tuple[tuple[str, str], ...] = (
    (
        "at-least-once",
        "ARQ re-runs a job whose worker crashed or was stopped; Celery's default acknowledges first, so a "
        "crashed task was lost, not repeated. Make tasks idempotent.",
    ),
    (
        "sigterm",
        "SIGTERM cancels running jobs and re-queues them (one try used) unless job_completion_wait is set; "
        "the generated WorkerSettings sets it. Celery's warm shutdown waited.",
    ),
    (
        "latency",
        "ARQ workers poll the queue (every 0.5 s by default) and Job.result() polls too; Celery's Redis "
        "transport blocks on BRPOP. Run the generated settings with python -m celery2arq.shim.worker (woken "
        "on enqueue, .get() notified on completion) to keep Celery's round-trip latency.",
    ),
    (
        "event-loop",
        "One process per worker runs jobs as coroutines (max_jobs); sync task bodies run in threads, so a "
        "timeout abandons the thread instead of stopping it. Run several workers for CPU-bound work.",
    ),
    (
        "serializer",
        "ARQ pickles jobs and results by default, and so do the shim and the generated settings: "
        "anyone who can write to Redis can run code. Call configure(serializer=\"json\") (kombu-compatible "
        "JSON, Celery's default) in every process that enqueues, reads results or runs a worker.",
    ),
    (
        "job-expiry",
        "Every ARQ job expires 1 day after its scheduled time if no worker started it (expires_extra_ms); "
        "Celery messages never expire unless expires is set.",
    ),
    (
        "result-ttl",
        "ARQ keeps results 1 h by default and cron results not at all; the generated settings keep Celery's "
        "result_expires (1 day by default).",
    ),
    (
        "queues",
        "ARQ queues are sorted sets named arq:<queue>; never reuse a Celery queue name in the same Redis DB. "
        "A worker serves one queue.",
    ),
    (
        "timezone",
        "Crons run in Worker.timezone: the generated settings set ZoneInfo(<Celery timezone or UTC>), never "
        "ARQ's fixed-offset default.",
    ),
)
