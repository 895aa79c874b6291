"""Verdicts for Beat entries: engineer C's pure converter (``celery2arq.beat``) does the schedule,
its args and options; this module adds what needs the whole project (timezone, task name)."""

from __future__ import annotations

from celery2arq.model import BeatEntry, ProjectScan, Reason, Setting
from celery2arq.rules import get

# Codes an older converter used for things the registry numbers differently (see rules.py).
_LEGACY_CODES = {"C2A510": "C2A902"}


def _literal(settings: list[Setting], name: str) -> object:
    for setting in settings:
        if setting.name == name and setting.value is not None and setting.value.literal:
            return setting.value.value
    return None


def project_timezone(settings: list[Setting]) -> str:
    """The zone Celery evaluated crontabs in (``timezone``, else UTC, else host local time)."""
    from celery2arq.beat import worker_timezone

    zone = _literal(settings, "timezone")
    enable_utc = _literal(settings, "enable_utc")
    return worker_timezone(
        zone if isinstance(zone, str) else None, enable_utc if isinstance(enable_utc, bool) else None
    )


def _normalise(reason: Reason) -> Reason:
    if reason.code == "C2A507" and reason.message.startswith("invalid crontab"):
        reason.code = "C2A500"
    reason.code = _LEGACY_CODES.get(reason.code, reason.code)
    return reason


def beat_reasons(entry: BeatEntry, project: ProjectScan) -> list[Reason]:
    from celery2arq.beat import apply_to_entry

    entry.reasons = []
    apply_to_entry(entry, project_timezone(project.settings))
    reasons = [_normalise(r) for r in entry.reasons]
    if entry.task is None:
        reasons.insert(
            0, get("C2A902").reason("the entry's task name is not static: name the task explicitly")
        )
    return reasons
