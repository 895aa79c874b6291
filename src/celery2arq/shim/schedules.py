"""Inert ``crontab`` and ``schedule`` so a rewritten app module imports without Celery.

``celery2arq rewrite`` turns each convertible Beat entry into an ARQ ``cron()`` in the generated
``arq_worker.py``; the app's ``beat_schedule`` stays as the readable source it is regenerated from.
These classes only keep their arguments: nothing here schedules anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class crontab:  # noqa: N801 - Celery's name, so the beat_schedule source reads unchanged
    """Celery's ``crontab(minute, hour, day_of_week, day_of_month, month_of_year)`` as plain data."""

    def __init__(self, minute: Any = "*", hour: Any = "*", day_of_week: Any = "*",
                 day_of_month: Any = "*", month_of_year: Any = "*", **kwargs: Any) -> None:
        self.minute, self.hour, self.day_of_week = minute, hour, day_of_week
        self.day_of_month, self.month_of_year = day_of_month, month_of_year
        self.options = kwargs

    def _fields(self) -> tuple[Any, ...]:
        return (self.minute, self.hour, self.day_of_week, self.day_of_month, self.month_of_year)

    def __repr__(self) -> str:
        return "<crontab: {} {} {} {} {}>".format(*self._fields())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, crontab) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: like Celery's


class schedule:  # noqa: N801 - Celery's name
    """Celery's interval ``schedule(run_every)`` as plain data (seconds or a ``timedelta``)."""

    def __init__(self, run_every: float | dt.timedelta, **kwargs: Any) -> None:
        self.run_every = run_every if isinstance(run_every, dt.timedelta) else dt.timedelta(seconds=run_every)
        self.options = kwargs

    def __repr__(self) -> str:
        return f"<freq: {self.run_every}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, schedule) and self.run_every == other.run_every

    __hash__ = None  # type: ignore[assignment]
