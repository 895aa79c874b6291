"""``convert(schedule, timezone)``: one Beat schedule -> exact ARQ cron kwargs, or a refusal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from celery2arq.beat.cronspec import FIELDS, CronSpecError
from celery2arq.beat.crontab import crontab_to_cron
from celery2arq.beat.describe import describe_cron, describe_seconds, duration
from celery2arq.beat.interval import DAY, IntervalError, interval_to_crons, nearest_expressible
from celery2arq.beat.options import options_reasons
from celery2arq.beat.zones import first_gap_fire, spring_forward_gaps
from celery2arq.model import BeatEntry, Reason, Schedule, Value, Verdict, worst

CRONTAB_CONVERTS = "C2A501"
INTERVAL_CONVERTS = "C2A502"
INTERVAL_REFUSED = "C2A503"
SOLAR = "C2A504"
CUSTOM_SCHEDULE = "C2A505"
RELATIVE = "C2A506"
INVALID_CRONTAB = "C2A500"
ARGS_WRAPPER = "C2A508"
NOT_STATIC = "C2A902"
FIXED_ZONES = {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu", "Universal", "Etc/Universal"}


@dataclass
class Conversion:
    """The outcome for one schedule: a verdict with reasons, and the cron kwargs when it converts."""

    verdict: Verdict
    reasons: list[Reason] = field(default_factory=list)
    cron_jobs: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""


def convert(schedule: Schedule, timezone: str | None) -> Conversion:
    """Convert one Beat schedule; ``timezone`` is the app's (see ``worker_timezone``), None = UTC."""
    zone = timezone or "UTC"
    if schedule.kind == "crontab":
        return _convert_crontab(schedule, zone)
    if schedule.kind == "interval":
        return _convert_interval(schedule, zone)
    if schedule.kind == "solar":
        return _refuse(SOLAR, "solar schedules (sunrise, sunset, ...) have no ARQ equivalent; "
                       "keep Celery beat for it or compute the times in a self-rescheduling job")  # fmt: skip
    if schedule.kind == "custom":
        return _refuse(CUSTOM_SCHEDULE, f"custom schedule {schedule.source} cannot be translated statically; "
                       "rewrite it as crontab/interval or keep Celery beat for it")  # fmt: skip
    return _refuse(NOT_STATIC, f"schedule {schedule.source} is not static; convert it by hand", "review")


def _convert_crontab(schedule: Schedule, zone: str) -> Conversion:
    fields: dict[str, Any] = {}
    for name, value in schedule.fields.items():
        if name == "app":  # crontab(app=...) does not change fire times
            continue
        if not value.literal:
            return _refuse(NOT_STATIC, f"crontab {name}={value.value} is computed at run time; "
                           "convert it by hand", "review")  # fmt: skip
        fields[name] = value.value
    try:
        spec = crontab_to_cron(fields)
    except CronSpecError as exc:
        return _refuse(INVALID_CRONTAB, f"invalid crontab: {exc} (Celery refuses it too); fix the schedule")
    description = describe_cron(spec)
    message = (
        f"crontab converts to one ARQ cron ({description}) with identical fire times when the worker "
        f"timezone is ZoneInfo({zone!r}){_dst_note(spec, zone)}; differs in: no catch-up of runs missed "
        "while no worker runs (Beat fires a missed run once on restart), and a cron job itself has "
        "max_tries=1, keep_result=0 (the generated wrapper enqueues the real task to keep its settings)"
    )
    return Conversion("review", [Reason(CRONTAB_CONVERTS, message, "review")], [spec], description)


def _dst_note(spec: dict[str, Any], zone: str) -> str:
    """The exception to "identical": fire times inside a DST gap (see celery2arq.beat.zones)."""
    if zone in FIXED_ZONES:
        return ""
    if spring_forward_gaps(zone) is None:
        return f" (zone {zone!r} is unknown here, so DST effects were not checked)"
    gap = first_gap_fire(spec, zone)
    if gap is None:
        return ""
    return (
        f", except for times the clock skips when DST starts (such as {gap:%H:%M} that day): ARQ runs each "
        "of them when the clock jumps forward, Celery runs only the first, one gap-length later"
    )


def _convert_interval(schedule: Schedule, zone: str) -> Conversion:
    seconds = schedule.seconds
    if seconds is None:
        return _refuse(NOT_STATIC, f"interval {schedule.source} is computed at run time; convert it by hand",
                       "review")  # fmt: skip
    if schedule.relative:
        message = (f"relative=True rounds each run of {schedule.source} to the interval's unit counted "
                   "from the previous run; no cron repeats that, use a self-rescheduling job")  # fmt: skip
        return _refuse(RELATIVE, message)
    try:
        crons = interval_to_crons(seconds)
    except IntervalError as exc:
        return _refuse(INTERVAL_REFUSED, f"{_interval_text(seconds)} has no exact cron: {exc}; "
                       f"use a self-rescheduling job (_defer_by), or {_nearest_text(seconds)}")  # fmt: skip
    n = int(seconds)
    aligned = f"aligned to midnight {zone}" if DAY % n == 0 else f"aligned to Monday 00:00 {zone}"
    description = f"{describe_seconds(n)} ({aligned})"
    message = (
        f"{_interval_text(seconds)} converts to {len(crons)} clock-aligned ARQ cron"
        f"{'s' if len(crons) > 1 else ''} ({aligned}): Celery counted each interval from the previous run "
        "(first run one interval after beat starts, phase drifts with latency), ARQ fires at fixed "
        "wall-clock times and never catches up missed runs"
    )
    gaps = None if zone in FIXED_ZONES else spring_forward_gaps(zone)
    if gaps is None and zone not in FIXED_ZONES:
        message += f"; zone {zone!r} is unknown here, so DST effects were not checked"
    elif gaps:
        message += f"; in {zone} the DST changes break the uniform spacing (UTC keeps it exact)"
    return Conversion("review", [Reason(INTERVAL_CONVERTS, message, "review")], crons, description)


def _interval_text(seconds: float) -> str:
    if seconds > 0 and seconds == int(seconds):
        return f"{describe_seconds(int(seconds))} ({int(seconds)} s)"
    return f"every {seconds:g} s"


def _nearest_text(seconds: float) -> str:
    options = [duration(c) for c in nearest_expressible(seconds)]
    if not options:
        return "an interval that divides 24 h"
    return "the nearest expressible interval: " + " or ".join(options)


def _refuse(code: str, message: str, verdict: Verdict = "celery") -> Conversion:
    return Conversion(verdict, [Reason(code, message, verdict)])


def args_reasons(args: Value | None, kwargs: Value | None) -> list[Reason]:
    """C2A508 when the entry has arguments: they are baked into the generated wrapper coroutine."""
    pairs = (("args", args), ("kwargs", kwargs))
    given = [name for name, value in pairs if value is not None and value.value]
    if not given:
        return []
    static = all(value is None or value.literal for value in (args, kwargs))
    verdict: Verdict = "ready" if static else "review"
    note = "" if static else " (computed at run time: check they evaluate the same inside the worker)"
    message = (f"ARQ cron jobs take no arguments: the entry's {' and '.join(given)} are baked into a "
               f"generated wrapper coroutine that enqueues the task{note}")  # fmt: skip
    return [Reason(ARGS_WRAPPER, message, verdict)]


def apply_to_entry(entry: BeatEntry, timezone: str | None) -> None:
    """Fill ``cron_jobs``, ``cron``, ``description``, ``reasons`` and ``verdict`` of one Beat entry."""
    if entry.schedule is None:
        conversion = _refuse(NOT_STATIC, "the schedule is not static; convert it by hand", "review")
    else:
        conversion = convert(entry.schedule, timezone)
    entry.cron_jobs = conversion.cron_jobs
    entry.cron = conversion.cron_jobs[0] if len(conversion.cron_jobs) == 1 else None
    entry.description = conversion.description
    entry.reasons.extend(conversion.reasons)
    if conversion.cron_jobs:
        entry.reasons.extend(args_reasons(entry.args, entry.kwargs))
        entry.reasons.extend(options_reasons(entry.options))
    entry.verdict = worst([r.verdict for r in entry.reasons if not r.suppressed])


__all__ = ["FIELDS", "Conversion", "apply_to_entry", "args_reasons", "convert"]
