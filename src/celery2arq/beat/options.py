"""Beat entry ``options`` and the worker timezone: what carries over to an ARQ cron and how."""

from __future__ import annotations

from celery2arq.model import Reason, Value

OPTIONS_CODE = "C2A509"
# Beat option -> why it carries over: the generated wrapper passes these to ``aapply_async``
HONOURED_OPTIONS = {
    "queue": ("ready", "the generated wrapper enqueues the task into that queue"),
    "expires": (
        "review",
        "passed on as the job expiry; an expired ARQ job fails with 'job expired' instead of being revoked",
    ),
    "countdown": ("review", "passed on as a per-run delay (_defer_by) after each cron fire"),
}
DROPPED_OPTIONS = {
    "priority": "ARQ has no job priorities",
    "headers": "ARQ jobs carry no headers",
    "exchange": "ARQ has no exchanges; use queue",
    "routing_key": "ARQ has no routing keys; use queue",
    "serializer": "the ARQ worker's serializer applies to every job",
    "link": "callbacks need a canvas rewrite",
    "link_error": "error callbacks need a canvas rewrite",
}


def options_reasons(options: dict[str, Value]) -> list[Reason]:
    """One C2A509 reason per Beat ``options`` key: honoured (ready/review) or dropped (review)."""
    reasons: list[Reason] = []
    for key in sorted(options):
        value = options[key]
        shown = f"options[{key!r}]={value.value!r}" if value.literal else f"options[{key!r}]={value.value}"
        if key in HONOURED_OPTIONS:
            verdict, how = HONOURED_OPTIONS[key]
            if not value.literal:
                verdict, how = "review", how + " (the value is computed at run time: check it)"
            reasons.append(Reason(OPTIONS_CODE, f"{shown}: {how}", verdict))  # type: ignore[arg-type]
        else:
            why = DROPPED_OPTIONS.get(key, "not supported by ARQ cron jobs")
            reasons.append(Reason(OPTIONS_CODE, f"{shown} is dropped: {why}", "review"))
    return reasons


def worker_timezone(timezone_setting: str | None, enable_utc: bool | None) -> str:
    """The IANA zone the ARQ worker must use so crons fire when Celery's crontabs did.

    Celery evaluates crontabs in ``timezone``, else UTC, else (``enable_utc=False``) host local
    time. ARQ's default is the host's *fixed* UTC offset at start-up, which ignores DST, so the
    generated WorkerSettings always name a zone. ``"localtime"`` (the host's zone file,
    ``ZoneInfo("localtime")`` on Linux) is returned only for Celery's host-local case.
    """
    if timezone_setting:
        return timezone_setting
    if enable_utc is False:
        return "localtime"
    return "UTC"
