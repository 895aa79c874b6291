"""Verdicts for Celery settings (mapping §5.5) and signal handlers."""

from __future__ import annotations

from celery2arq.model import Reason, Setting, SignalHandler, Value
from celery2arq.rules import get

REDIS_SCHEMES = ("redis://", "rediss://")
EXACT_SETTINGS = {
    "task_default_queue": "becomes queue_name (prefixed, e.g. arq:celery, never the bare Celery list name)",
    "task_routes": "becomes the shim's routing table (-> _queue_name); one worker per queue",
    "task_queues": "each queue becomes one ARQ worker (queue_name); exchanges are not used",
    "timezone": "becomes Worker.timezone = ZoneInfo(...)",
    "enable_utc": "decides Worker.timezone (UTC when no timezone is set)",
    "result_expires": "becomes keep_result (Celery's default 1 day, not ARQ's 1 h)",
    "task_ignore_result": "becomes keep_result=0",
    "task_acks_late": "ARQ's native behaviour (an unfinished job is re-run)",
    "task_reject_on_worker_lost": "ARQ's native behaviour",
    "task_retry_on_worker_lost": "ARQ's native behaviour (a crash re-run counts a try)",
    "task_track_started": "always available (ARQ's in-progress key)",
    "result_extended": "always available from ARQ's result record",
    "imports": "the worker imports the modules that define its functions",
    "include": "the worker imports the modules that define its functions",
    "beat_schedule": "becomes cron_jobs (see the Beat section)",
    "task_create_missing_queues": "queues need no declaration in Redis",
}
SERIALIZER_SETTINGS = ("task_serializer", "result_serializer", "accept_content", "result_accept_content")
OTHER_SETTINGS = {
    "task_time_limit": ("C2A512", "becomes job_timeout: cooperative, finite, and the crash-recovery delay"),
    "task_soft_time_limit": ("C2A512", "has no ARQ equivalent: SoftTimeLimitExceeded is never raised"),
    "worker_concurrency": (
        "C2A513",
        "becomes max_jobs: coroutines in one process; run several workers for CPU",
    ),
    "worker_prefetch_multiplier": ("C2A513", "becomes queue_read_limit"),
    "task_always_eager": (
        "C2A515",
        "becomes the shim's eager mode (arguments still round-trip the serializer)",
    ),
    "task_eager_propagates": ("C2A515", "becomes the shim's eager mode option"),
    "task_default_rate_limit": ("C2A516", "has no ARQ equivalent"),
    "task_annotations": ("C2A517", "fold the annotated options into each func(...) by hand"),
    "worker_max_tasks_per_child": ("C2A518", "has no ARQ equivalent: ARQ never recycles its worker process"),
    "worker_max_memory_per_child": ("C2A518", "has no ARQ equivalent: ARQ never recycles its worker process"),
    "beat_cron_starting_deadline": ("C2A520", "ARQ crons never catch up a missed run"),
    "task_default_priority": ("C2A521", "ARQ queues have no priorities; dropped"),
}


def _text(value: Value | None) -> str | None:
    if value is not None and value.literal and isinstance(value.value, str):
        return value.value
    return None


def _effective_text(setting: Setting) -> tuple[str | None, str]:
    """The literal value (or the env default), and how it was found, for messages."""
    literal = _text(setting.value)
    if literal is not None:
        return literal, ""
    if setting.env:
        default = setting.env.get("default")
        text = (
            _text(default) if isinstance(default, Value) else (default if isinstance(default, str) else None)
        )
        return text, f" (from ${setting.env.get('var')})"
    return None, ""


def setting_reasons(setting: Setting, broker_url: str | None) -> list[Reason]:
    name = setting.name
    if name == "broker_url":
        return [_broker_reason(setting)]
    if name == "result_backend":
        return [_backend_reason(setting, broker_url)]
    if name in SERIALIZER_SETTINGS:
        return [_serializer_reason(setting)]
    if name == "beat_scheduler":
        text = _text(setting.value) or str(setting.value.value if setting.value else "")
        if "DatabaseScheduler" in text or "django_celery_beat" in text or "redbeat" in text.lower():
            return [
                get("C2A507").reason(
                    f"beat_scheduler {text}: schedules edited at run time have no ARQ "
                    "form; keep Beat on Celery or freeze the schedule into code"
                )
            ]
        if "PersistentScheduler" in text:
            return [get("C2A519").reason("beat_scheduler PersistentScheduler: crons need no state file")]
        return [get("C2A505").reason(f"beat_scheduler {text}: a custom scheduler has no ARQ equivalent")]
    if name in EXACT_SETTINGS:
        return [get("C2A519").reason(f"{setting.spelled or name} {EXACT_SETTINGS[name]}")]
    if name in OTHER_SETTINGS:
        code, message = OTHER_SETTINGS[name]
        return [get(code).reason(f"{setting.spelled or name} {message}")]
    return [
        get("C2A529").reason(
            f"{setting.spelled or name}: no ARQ equivalent known; check by hand whether the ARQ side needs it"
        )
    ]


def _broker_reason(setting: Setting) -> Reason:
    rule = get("C2A510")
    url, origin = _effective_text(setting)
    if url is None:
        if setting.env:
            return rule.reason(
                f"broker URL read from ${setting.env.get('var')} at run time: ARQ needs a Redis URL there",
                verdict="review",
            )
        return get("C2A903").reason(
            "the broker URL comes from code the scan cannot evaluate: ARQ needs Redis"
        )
    if url.startswith(REDIS_SCHEMES):
        verdict = "review" if origin else "ready"
        return rule.reason(
            f"Redis broker{origin} becomes RedisSettings.from_dsn(); query options other than db are dropped",
            verdict=verdict,
        )
    if url.startswith("sentinel://"):
        return rule.reason(
            f"Redis Sentinel broker{origin} becomes RedisSettings(sentinel=True, ...)", verdict="review"
        )
    if url.startswith("memory://"):
        return rule.reason(
            f"in-memory test broker{origin}: tests use the shim's eager mode or a private Redis instead",
            verdict="review",
        )
    scheme = url.split("://", 1)[0] or url
    return rule.reason(
        f"{scheme} broker{origin}: ARQ runs on Redis only; move the queue to Redis", verdict="celery"
    )


def _backend_reason(setting: Setting, broker_url: str | None) -> Reason:
    rule = get("C2A511")
    url, origin = _effective_text(setting)
    if url is not None and broker_url is not None and url == broker_url:
        return rule.reason(
            "result backend is the broker's Redis: results live next to the queue", verdict="ready"
        )
    if url is not None and url.startswith(REDIS_SCHEMES):
        return rule.reason(
            f"Redis result backend{origin} other than the broker: ARQ keeps results in the queue's Redis"
        )
    what = url.split("://", 1)[0] if url else "computed"
    return rule.reason(
        f"{what} result backend{origin}: results move into the queue's Redis; readers must use "
        "the shim's AsyncResult"
    )


def _serializer_reason(setting: Setting) -> Reason:
    rule = get("C2A514")
    value = setting.value
    raw = value.value if value is not None and value.literal else None
    names = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    if not names:
        return rule.reason(
            f"{setting.spelled or setting.name} is computed: choose the ARQ serializer by hand",
            verdict="review",
        )
    if any("pickle" in str(n) for n in names):
        return rule.reason(
            f"{setting.spelled or setting.name} allows pickle: ARQ's default pickle lets anyone "
            "who can write to Redis run code",
            verdict="review",
        )
    if all(str(n) in ("json", "application/json") for n in names):
        return rule.reason(
            f"{setting.spelled or setting.name} json: ARQ and the shim pickle by default; call "
            "configure(serializer=\"json\") in every producer and worker (kombu-json keeps Celery's types)",
            verdict="review",
        )
    return rule.reason(
        f"{setting.spelled or setting.name} {', '.join(map(str, names))}: write an ARQ "
        "serializer pair for it",
        verdict="review",
    )


WORKER_SIGNALS = {"worker_init", "worker_ready", "worker_process_init", "celeryd_init", "celeryd_after_setup"}
SHUTDOWN_SIGNALS = {"worker_shutdown", "worker_process_shutdown", "worker_shutting_down"}
TASK_SIGNALS = {
    "task_prerun",
    "task_postrun",
    "task_success",
    "task_failure",
    "task_retry",
    "task_revoked",
    "task_internal_error",
    "task_unknown",
    "task_rejected",
    "task_received",
}
PUBLISH_SIGNALS = {"before_task_publish", "after_task_publish"}
APP_SIGNALS = {"on_after_configure", "on_after_finalize", "import_modules", "on_configure"}


def signal_reasons(handler: SignalHandler) -> list[Reason]:
    rule = get("C2A120")
    sig = handler.signal
    if sig in WORKER_SIGNALS:
        return [rule.reason(f"{sig} handler becomes part of WorkerSettings.on_startup")]
    if sig in SHUTDOWN_SIGNALS:
        return [rule.reason(f"{sig} handler becomes part of WorkerSettings.on_shutdown")]
    if sig in TASK_SIGNALS:
        return [rule.reason(f"{sig} handler: call it from the shim wrapper (on_job_start/on_job_end hooks)")]
    if sig in APP_SIGNALS:
        return [
            rule.reason(
                f"{sig} handler: the periodic tasks it adds are converted from their Beat entries; "
                "move any other set-up into WorkerSettings.on_startup"
            )
        ]
    if sig in PUBLISH_SIGNALS:
        return [rule.reason(f"{sig} handler: call it from the shim's enqueue path")]
    return [
        rule.reason(
            f"{sig} handler: ARQ never sends this signal; the handler stops running", verdict="celery"
        )
    ]
