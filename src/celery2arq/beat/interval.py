"""Interval schedules (``timedelta``, numbers, ``schedule(run_every=...)``) -> clock-aligned crons.

An ARQ cron fires at wall-clock instants chosen by (month, day, weekday, hour, minute, second).
A grid of instants k*N can be written as such a set only if the grid looks the same on any two
dates that share month, day and weekday; such dates are always a whole number of weeks apart,
and some pairs are 313 and 574 weeks apart (coprime), so N must divide one week (604 800 s).
Conversely every N dividing a week works: the grid repeats every week, so it is a union of
``weekday x hour x minute x second`` products (no weekday needed when N also divides a day).
The fire times of one period are grouped into such products; each is one ``arq.cron`` kwargs
dict. Anchor: Monday 00:00 (for N dividing a day: every midnight).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

DAY = 86_400
WEEK = 7 * DAY
# Past this many crons for one entry the exact form is refused as impractical (the reason says
# so and gives the count): 7 s needs 343 weekday-specific crons, 7 min 49.
MAX_CRONS = 24


class IntervalError(ValueError):
    """No cron expresses this interval; the message says why."""


def interval_to_crons(seconds: float) -> list[dict[str, Any]]:
    """The cron kwargs dicts whose union fires every ``seconds`` seconds, clock-aligned."""
    if seconds <= 0:
        raise IntervalError(f"an interval of {seconds:g} s is not positive")
    if seconds != int(seconds):
        raise IntervalError(f"an interval of {seconds:g} s is fractional; ARQ crons fire on whole seconds")
    n = int(seconds)
    if WEEK % n:
        raise IntervalError(
            f"{n} s divides neither a day nor a week, so no set of crons repeats it exactly "
            "(cron fire times repeat at most weekly)"
        )
    crons = _pattern(n, DAY if DAY % n == 0 else WEEK)
    if len(crons) > MAX_CRONS:
        raise IntervalError(
            f"the exact form of {n} s needs {len(crons)} crons, over the {MAX_CRONS} this tool generates"
        )
    return crons


@lru_cache(maxsize=512)
def cron_count(n: int) -> int:
    """How many crons the exact form of an interval dividing a week takes."""
    return len(_pattern(n, DAY if DAY % n == 0 else WEEK))


def _pattern(n: int, period: int) -> list[dict[str, Any]]:
    """Group the fire times of one period (day or week) into weekday/hour/minute/second products."""
    seconds_at: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    for t in range(0, period, n):
        seconds_at[(t // DAY, t // 3600 % 24, t // 60 % 60)].add(t % 60)
    crons: list[dict[str, Any]] = []
    for secs, minute_keys in _group(seconds_at).items():
        minutes_at: dict[tuple[int, int], set[int]] = defaultdict(set)
        for weekday, hour, minute in minute_keys:
            minutes_at[(weekday, hour)].add(minute)
        for minutes, hour_keys in _group(minutes_at).items():
            hours_at: dict[int, set[int]] = defaultdict(set)
            for weekday, hour in hour_keys:
                hours_at[weekday].add(hour)
            for hours, weekdays in _group(hours_at).items():
                spec: dict[str, Any] = {}
                if period == WEEK and len(weekdays) < 7:
                    spec["weekday"] = set(weekdays)
                if len(hours) < 24:
                    spec["hour"] = set(hours)
                if len(minutes) < 60:
                    spec["minute"] = set(minutes)
                spec["second"] = None if len(secs) == 60 else set(secs)  # ARQ's default is 0, not any
                crons.append(spec)
    return sorted(crons, key=_first_fire)


def _group(values_at: dict[Any, set[int]]) -> dict[frozenset[int], list[Any]]:
    """Invert ``key -> value set`` into ``value set -> keys`` (keys in sorted order)."""
    grouped: dict[frozenset[int], list[Any]] = defaultdict(list)
    for key in sorted(values_at):
        grouped[frozenset(values_at[key])].append(key)
    return grouped


def _first_fire(spec: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        min(spec.get("weekday") or {0}),
        min(spec.get("hour") or {0}),
        min(spec.get("minute") or {0}),
        min(spec["second"] or {0}),
    )


@lru_cache(maxsize=1)
def week_divisors() -> tuple[int, ...]:
    return tuple(d for d in range(1, WEEK + 1) if WEEK % d == 0)


def nearest_expressible(seconds: float) -> list[int]:
    """The closest intervals below and above ``seconds`` that this tool converts exactly."""
    divisors = week_divisors()
    below = next((d for d in reversed(divisors) if d < seconds and cron_count(d) <= MAX_CRONS), None)
    above = next((d for d in divisors if d > seconds and cron_count(d) <= MAX_CRONS), None)
    return [d for d in (below, above) if d is not None]
