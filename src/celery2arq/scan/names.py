"""Celery's qualified names: what counts as a task decorator, an app, a canvas primitive, a signal, a setting.

Kept as plain data so that the visitor, the project pass and the codemods agree on one vocabulary.
"""

from __future__ import annotations

from celery2arq.scan.celery_settings import CELERY_OLD_NAMES, CELERY_SETTING_NAMES

# Decorators (or factories) that turn a function into a task without naming an app.
SHARED_TASK_DECORATORS = frozenset(
    {
        "celery.shared_task",
        "celery.app.shared_task",
        "celery.app.base.shared_task",
        "celery.task",
        "celery.task.task",
        "celery.task.periodic_task",
        "celery.decorators.task",
        "celery.decorators.periodic_task",
        "celery.current_app.task",
        "celery.app.current_app.task",
    }
)

CELERY_APP_CLASSES = frozenset({"celery.Celery", "celery.app.Celery", "celery.app.base.Celery"})

TASK_BASE_CLASSES = frozenset(
    {"celery.Task", "celery.app.Task", "celery.app.task.Task", "celery.task.Task", "celery.task.base.Task"}
)

# Methods of celery.app.task.Task that a subclass may override (hooks first).
TASK_METHODS = frozenset(
    {
        "__call__",
        "Request",
        "Strategy",
        "run",
        "before_start",
        "on_success",
        "on_failure",
        "on_retry",
        "after_return",
        "on_replace",
        "on_bound",
        "shadow_name",
        "apply_async",
        "delay",
        "apply",
        "retry",
        "signature",
        "s",
        "si",
        "replace",
        "update_state",
        "send_event",
        "AsyncResult",
        "add_to_chord",
        "add_trail",
        "push_request",
        "pop_request",
        "subtask",
        "chunks",
        "map",
        "starmap",
        "bind",
        "annotate",
    }
)

# Decorator option names Celery documents (any other keyword is kept too).
TASK_OPTIONS = (
    "bind",
    "name",
    "queue",
    "max_retries",
    "default_retry_delay",
    "autoretry_for",
    "dont_autoretry_for",
    "retry_backoff",
    "retry_backoff_max",
    "retry_jitter",
    "retry_kwargs",
    "time_limit",
    "soft_time_limit",
    "ignore_result",
    "rate_limit",
    "acks_late",
    "reject_on_worker_lost",
    "base",
    "serializer",
    "expires",
    "priority",
    "track_started",
    "throws",
    "typing",
    "pydantic",
)

CANVAS_FUNCTIONS = {
    f"{prefix}.{name}": kind
    for prefix in ("celery", "celery.canvas")
    for name, kind in (
        ("chain", "chain"),
        ("group", "group"),
        ("chord", "chord"),
        ("chunks", "chunks"),
        ("xmap", "map"),
        ("xstarmap", "starmap"),
    )
}
SIGNATURE_FUNCTIONS = frozenset(
    {
        "celery.signature",
        "celery.canvas.signature",
        "celery.Signature",
        "celery.canvas.Signature",
        "celery.subtask",
        "celery.canvas.subtask",
    }
)
# Methods on a task that build signatures, and canvas methods on tasks/signatures.
SIGNATURE_METHODS = frozenset({"s", "si", "signature", "subtask"})
CANVAS_METHODS = {
    "chunks": "chunks",
    "map": "map",
    "starmap": "starmap",
    "link": "link",
    "link_error": "link_error",
    "on_error": "link_error",  # chord(...).on_error(sig)
}

SCHEDULE_FUNCTIONS = {
    "celery.schedules.crontab": "crontab",
    "celery.crontab": "crontab",
    "celery.schedules.schedule": "interval",
    "celery.schedules.solar": "solar",
    "datetime.timedelta": "interval",
    # after ``rewrite``: the shim's inert copies, so a rerun regenerates the same cron_jobs
    "celery2arq.shim.crontab": "crontab",
    "celery2arq.shim.schedule": "interval",
}
CRONTAB_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")

CELERY_SIGNALS = frozenset(
    {
        "after_setup_logger",
        "after_setup_task_logger",
        "after_task_publish",
        "beat_embedded_init",
        "beat_init",
        "before_task_publish",
        "celeryd_after_setup",
        "celeryd_init",
        "eventlet_pool_apply",
        "eventlet_pool_postshutdown",
        "eventlet_pool_preshutdown",
        "eventlet_pool_started",
        "heartbeat_sent",
        "import_modules",
        "setup_logging",
        "task_failure",
        "task_internal_error",
        "task_postrun",
        "task_prerun",
        "task_received",
        "task_rejected",
        "task_retry",
        "task_revoked",
        "task_sent",
        "task_success",
        "task_unknown",
        "user_preload_options",
        "worker_before_create_process",
        "worker_init",
        "worker_process_init",
        "worker_process_shutdown",
        "worker_ready",
        "worker_shutdown",
        "worker_shutting_down",
    }
)
# Signals that live on the app object (app.on_after_configure.connect).
APP_SIGNALS = frozenset({"on_configure", "on_after_configure", "on_after_finalize", "on_after_fork"})

# Names an app object usually has; `.task` on an unresolved import with such a name is undecided.
APP_LIKE_NAMES = frozenset({"app", "celery_app", "celery", "capp", "application", "celeryapp", "worker_app"})

# Blocking calls that stall an event loop when used in an async task body.
BLOCKING_CALLS = frozenset(
    {
        "time.sleep",
        "urllib.request.urlopen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "socket.create_connection",
        "smtplib.SMTP",
        "builtins.open",
        "builtins.input",
    }
)
BLOCKING_PREFIXES = (
    "requests.",
    "urllib3.",
    "httpx.Client",
    "psycopg2.",
    "pymysql.",
    "redis.Redis",
    "redis.StrictRedis",
)

# new name -> (old name, Django namespace name)
SETTINGS: dict[str, tuple[str, str]] = {
    "broker_url": ("BROKER_URL", "CELERY_BROKER_URL"),
    "result_backend": ("CELERY_RESULT_BACKEND", "CELERY_RESULT_BACKEND"),
    "task_serializer": ("CELERY_TASK_SERIALIZER", "CELERY_TASK_SERIALIZER"),
    "result_serializer": ("CELERY_RESULT_SERIALIZER", "CELERY_RESULT_SERIALIZER"),
    "accept_content": ("CELERY_ACCEPT_CONTENT", "CELERY_ACCEPT_CONTENT"),
    "task_time_limit": ("CELERYD_TASK_TIME_LIMIT", "CELERY_TASK_TIME_LIMIT"),
    "task_soft_time_limit": ("CELERYD_TASK_SOFT_TIME_LIMIT", "CELERY_TASK_SOFT_TIME_LIMIT"),
    "worker_concurrency": ("CELERYD_CONCURRENCY", "CELERY_WORKER_CONCURRENCY"),
    "worker_prefetch_multiplier": ("CELERYD_PREFETCH_MULTIPLIER", "CELERY_WORKER_PREFETCH_MULTIPLIER"),
    "task_acks_late": ("CELERY_ACKS_LATE", "CELERY_TASK_ACKS_LATE"),
    "task_reject_on_worker_lost": ("CELERY_REJECT_ON_WORKER_LOST", "CELERY_TASK_REJECT_ON_WORKER_LOST"),
    "task_default_queue": ("CELERY_DEFAULT_QUEUE", "CELERY_TASK_DEFAULT_QUEUE"),
    "task_routes": ("CELERY_ROUTES", "CELERY_TASK_ROUTES"),
    "task_queues": ("CELERY_QUEUES", "CELERY_TASK_QUEUES"),
    "timezone": ("CELERY_TIMEZONE", "CELERY_TIMEZONE"),
    "enable_utc": ("ENABLE_UTC", "CELERY_ENABLE_UTC"),
    "beat_schedule": ("CELERYBEAT_SCHEDULE", "CELERY_BEAT_SCHEDULE"),
    "beat_scheduler": ("CELERYBEAT_SCHEDULER", "CELERY_BEAT_SCHEDULER"),
    "beat_cron_starting_deadline": (
        "CELERYBEAT_CRON_STARTING_DEADLINE",
        "CELERY_BEAT_CRON_STARTING_DEADLINE",
    ),
    "result_expires": ("CELERY_TASK_RESULT_EXPIRES", "CELERY_RESULT_EXPIRES"),
    "result_extended": ("CELERY_RESULT_EXTENDED", "CELERY_RESULT_EXTENDED"),
    "task_always_eager": ("CELERY_ALWAYS_EAGER", "CELERY_TASK_ALWAYS_EAGER"),
    "task_eager_propagates": ("CELERY_EAGER_PROPAGATES_EXCEPTIONS", "CELERY_TASK_EAGER_PROPAGATES"),
    "task_ignore_result": ("CELERY_IGNORE_RESULT", "CELERY_TASK_IGNORE_RESULT"),
    "task_track_started": ("CELERY_TRACK_STARTED", "CELERY_TASK_TRACK_STARTED"),
    "task_default_rate_limit": ("CELERY_DEFAULT_RATE_LIMIT", "CELERY_TASK_DEFAULT_RATE_LIMIT"),
    "task_default_priority": ("CELERY_DEFAULT_PRIORITY", "CELERY_TASK_DEFAULT_PRIORITY"),
    "task_annotations": ("CELERY_ANNOTATIONS", "CELERY_TASK_ANNOTATIONS"),
    "task_retry_on_worker_lost": ("CELERY_RETRY_ON_WORKER_LOST", "CELERY_TASK_RETRY_ON_WORKER_LOST"),
    "broker_transport_options": ("BROKER_TRANSPORT_OPTIONS", "CELERY_BROKER_TRANSPORT_OPTIONS"),
    "imports": ("CELERY_IMPORTS", "CELERY_IMPORTS"),
    "include": ("CELERY_INCLUDE", "CELERY_INCLUDE"),
}

# Every accepted spelling -> the new lowercase name.
SETTING_SPELLINGS: dict[str, str] = {}
for _new, (_old, _django) in SETTINGS.items():
    SETTING_SPELLINGS[_new] = _new
    SETTING_SPELLINGS[_old] = _new
    SETTING_SPELLINGS[_django] = _new
# Every other setting Celery knows, so that an unmapped one is reported (C2A529) instead of dropped.
for _new in CELERY_SETTING_NAMES:
    SETTING_SPELLINGS.setdefault(_new, _new)
    SETTING_SPELLINGS.setdefault("CELERY_" + _new.upper(), _new)
for _old, _new in CELERY_OLD_NAMES.items():
    SETTING_SPELLINGS.setdefault(_old, _new)
# Celery(...) constructor keywords that are settings.
CONSTRUCTOR_SETTINGS = {"broker": "broker_url", "backend": "result_backend", "include": "include"}
# Settings whose value is worth an Undecided when it comes from an unknown function.
ENV_SENSITIVE_SETTINGS = frozenset({"broker_url", "result_backend"})
BEAT_SCHEDULE_SPELLINGS = frozenset({"beat_schedule", "CELERYBEAT_SCHEDULE", "CELERY_BEAT_SCHEDULE"})
DATABASE_SCHEDULERS = ("django_celery_beat", "DatabaseScheduler", "redbeat", "RedBeatScheduler")

ENV_FUNCTIONS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
