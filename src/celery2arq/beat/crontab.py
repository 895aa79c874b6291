"""Celery ``crontab(...)`` fields -> one exact ``arq.cron`` kwargs dict.

Celery ANDs month, day of month and day of week (``celery/schedules.py`` ``remaining_delta`` and
``_delta_to_next``), and so does ARQ's ``next_cron``; the only translation left is the weekday
numbering (Celery 0 = Sunday, ARQ 0 = Monday) and leaving full-range fields out.
"""

from __future__ import annotations

from typing import Any

from celery2arq.beat.cronspec import FIELD_RANGES, FIELDS, CronSpecError, expand_field

# Celery field -> arq.cron keyword
ARQ_FIELD = {
    "month_of_year": "month",
    "day_of_month": "day",
    "day_of_week": "weekday",
    "hour": "hour",
    "minute": "minute",
}
# longest month lengths; 29 February exists in leap years, which both libraries reach
DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def celery_weekday_to_arq(day: int) -> int:
    """Celery 0 = Sunday ... 6 = Saturday -> ARQ/Python 0 = Monday ... 6 = Sunday."""
    return (day - 1) % 7


def expand_crontab(fields: dict[str, Any]) -> dict[str, set[int]]:
    """Every Celery field expanded as Celery would; missing fields are ``'*'``.

    Raises CronSpecError, naming the field, for what Celery rejects, and for specs that
    never fire (which Celery accepts but fails on when computing the next run).
    """
    unknown = sorted(set(fields) - set(FIELDS) - {"app"})  # app= does not change fire times
    if unknown:
        raise CronSpecError(f"crontab() got an unexpected keyword argument {unknown[0]!r}")
    expanded: dict[str, set[int]] = {}
    for name in FIELDS:
        spec = fields.get(name)
        try:
            expanded[name] = expand_field(name, spec)
        except CronSpecError as exc:
            raise CronSpecError(f"{name}={spec!r}: {exc}") from None
        if not expanded[name]:
            raise CronSpecError(f"{name}={spec!r} is empty, so the schedule never fires")
    if not any(day <= DAYS_IN_MONTH[month] for month in expanded["month_of_year"]
               for day in expanded["day_of_month"]):  # fmt: skip
        raise CronSpecError(
            f"day_of_month={fields.get('day_of_month')!r} never occurs in "
            f"month_of_year={fields.get('month_of_year')!r}, so the schedule never fires"
        )
    return expanded


def crontab_to_cron(fields: dict[str, Any]) -> dict[str, Any]:
    """The ``arq.cron`` kwargs with the same fire times (full-range fields left out, ``second={0}``)."""
    expanded = expand_crontab(fields)
    spec: dict[str, Any] = {}
    for name in ("month_of_year", "day_of_month", "day_of_week", "hour", "minute"):
        values = expanded[name]
        max_, min_ = FIELD_RANGES[name]
        if values == set(range(min_, min_ + max_)):
            continue
        if name == "day_of_week":
            values = {celery_weekday_to_arq(d) for d in values}
        spec[ARQ_FIELD[name]] = values
    spec["second"] = {0}
    return spec


def fields_from_string(text: str) -> dict[str, str]:
    """``crontab.from_string('m h dom mon dow')``: split on single spaces, exactly five fields."""
    parts = text.split(" ")
    if len(parts) != 5:
        raise CronSpecError(f"crontab.from_string({text!r}) needs exactly 5 space-separated fields")
    minute, hour, day_of_month, month_of_year, day_of_week = parts
    return {
        "minute": minute,
        "hour": hour,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "month_of_year": month_of_year,
    }
