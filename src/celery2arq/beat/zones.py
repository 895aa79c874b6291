"""Where a zone's wall clock jumps forward (DST gaps), found with the standard library's zoneinfo.

ARQ's scheduler loop compares wall-clock times (``next_run < now + 1 s`` on datetimes sharing
one tzinfo), so a cron time inside a skipped interval runs when the clock jumps, and every such
time runs; Celery adds its delta to the previous run and converts to UTC, so it runs only the
first one, shifted by the size of the gap. The converter states that difference when a
schedule has fire times inside a gap.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIRST_YEAR, LAST_YEAR = 2000, 2045


@lru_cache(maxsize=64)
def spring_forward_gaps(zone: str) -> tuple[tuple[datetime, datetime], ...] | None:
    """Skipped wall-clock intervals ``[start, end)`` (naive local times), or None if the zone is unknown."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    gaps: list[tuple[datetime, datetime]] = []
    day = datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc)
    end = datetime(LAST_YEAR + 1, 1, 1, tzinfo=timezone.utc)
    previous = _offset(day, tz)
    while day < end:
        following = day + timedelta(days=1)
        offset = _offset(following, tz)
        if offset > previous:
            instant = _change_instant(day, following, tz)
            naive = instant.replace(tzinfo=None)
            gaps.append((naive + previous, naive + offset))
        previous, day = offset, following
    return tuple(gaps)


def _offset(moment: datetime, tz: ZoneInfo) -> timedelta:
    return moment.astimezone(tz).utcoffset() or timedelta(0)


def _change_instant(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The first instant (to the second) in ``(low, high]`` with ``high``'s offset."""
    target = _offset(high, tz)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _offset(middle, tz) == target:
            high = middle
        else:
            low = middle
    return high


@lru_cache(maxsize=64)
def gap_minutes(zone: str) -> tuple[datetime, ...] | None:
    """Every skipped wall-clock minute of the zone in the covered years (naive local times)."""
    gaps = spring_forward_gaps(zone)
    if gaps is None:
        return None
    minutes: list[datetime] = []
    for start, stop in gaps:
        moment = start.replace(second=0, microsecond=0)
        if moment < start:
            moment += timedelta(minutes=1)
        while moment < stop:
            minutes.append(moment)
            moment += timedelta(minutes=1)
    return tuple(minutes)


def first_gap_fire(spec: dict, zone: str) -> datetime | None:
    """The first skipped wall-clock minute at which ``arq.cron(**spec)`` would fire, if any."""
    for moment in gap_minutes(zone) or ():
        if _matches(spec, moment.date(), moment.hour, moment.minute):
            return moment
    return None


def _matches(spec: dict, day: date, hour: int, minute: int) -> bool:
    checks = (
        ("month", day.month),
        ("day", day.day),
        ("weekday", day.weekday()),
        ("hour", hour),
        ("minute", minute),
    )
    return all(spec.get(key) is None or value in spec[key] for key, value in checks)
