"""Fire-time oracles: Celery's own crontab and ARQ's own next_cron, as instants (UTC epoch seconds).

Celery: the next run after ``last_run_at`` is ``now + crontab.remaining_estimate(last_run_at)``
with ``nowfun`` returning ``last_run_at`` and an app whose ``timezone`` is the zone under test
(beat stores ``last_run_at`` as ``app.now()``, an aware datetime in that zone).
ARQ: ``CronJob.calculate_next`` is ``next_cron(previous_next_run, **kwargs)`` in the worker
timezone, first from ``datetime.now(tz)``; a run is enqueued for ``next_run.timestamp()``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from arq.cron import next_cron
from celery import Celery
from celery.schedules import crontab


@cache
def celery_app(zone: str) -> Celery:
    return Celery("beat-oracle", timezone=zone, set_as_current=False)


def celery_fires(fields: dict[str, Any], zone: str, start: float, count: int) -> tuple[list[int], bool]:
    """The next ``count`` fire instants of ``crontab(**fields)`` after ``start``, per Celery.

    Returns ``(fires, stalled)``. ``stalled`` is Celery's own DST defect: with ``last_run_at``
    in the repeated hour after the clock falls back (``fold=1``, as ``app.now()`` makes it),
    ``ffwd`` drops the fold, the next run lands an hour in the past and beat finds the entry
    due on every tick. The fires before that point are returned.
    """
    tz = ZoneInfo(zone)
    holder: dict[str, datetime] = {}
    schedule = crontab(**fields, app=celery_app(zone), nowfun=lambda: holder["now"])
    last = datetime.fromtimestamp(start, tz)
    fires: list[int] = []
    for _ in range(count):
        holder["now"] = last
        nxt = last.astimezone(timezone.utc) + schedule.remaining_estimate(last)
        if nxt <= last:
            return fires, True
        fires.append(round(nxt.timestamp()))
        last = nxt.astimezone(tz)
    return fires, False


def arq_fires(spec: dict[str, Any], zone: str, start: float, until: float) -> list[int]:
    """When ARQ's worker runs ``arq.cron(**spec)`` after ``start``, up to ``until`` (whole seconds).

    ``next_cron`` gives wall-clock datetimes; ``Worker.run_cron`` enqueues one when
    ``next_run < now + 1 s`` on datetimes sharing the worker tzinfo, a wall-clock comparison,
    and defers it to ``next_run.timestamp()`` only while that wall time is still ahead. So a
    run happens at the first instant, not before the previous run, whose wall clock has
    reached ``next_run``'s (poll granularity ignored).
    """
    tz = ZoneInfo(zone)
    previous = datetime.fromtimestamp(start, tz)
    at = start
    fires: list[int] = []
    while True:
        previous = next_cron(previous, **spec)
        at = first_instant_reaching(previous.replace(microsecond=0, tzinfo=None), at, tz)
        if at > until:
            return fires
        fires.append(round(at))


def first_instant_reaching(wall: datetime, not_before: float, tz: ZoneInfo) -> float:
    """The first instant >= ``not_before`` at which the wall clock in ``tz`` shows ``wall`` or later."""
    if datetime.fromtimestamp(not_before, tz).replace(tzinfo=None) >= wall:
        return not_before
    candidates = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=tz, fold=fold).timestamp()
        shows = datetime.fromtimestamp(instant, tz).replace(tzinfo=None) == wall
        if shows and instant >= not_before:
            candidates.append(instant)
    for change in transitions(tz.key):
        if change >= not_before and datetime.fromtimestamp(change, tz).replace(tzinfo=None) >= wall:
            candidates.append(change)
            break
    return min(candidates)


@cache
def transitions(zone: str) -> tuple[int, ...]:
    """Every UTC-offset change of ``zone`` from 2019 to 2041, found hour by hour."""
    tz = ZoneInfo(zone)
    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    found, previous = [], start.astimezone(tz).utcoffset()
    for hour in range(1, 22 * 366 * 24):
        moment = start + timedelta(hours=hour)
        offset = moment.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(int(moment.timestamp()))
            previous = offset
    return tuple(found)


def arq_union_fires(specs: list[dict[str, Any]], zone: str, start: float, count: int) -> list[int]:
    """Fires of several crons together (one interval converted to several crons)."""
    previous = [datetime.fromtimestamp(start, ZoneInfo(zone))] * len(specs)
    upcoming = [next_cron(p, **s) for p, s in zip(previous, specs, strict=True)]
    fires: list[int] = []
    for _ in range(count):
        i = min(range(len(specs)), key=lambda k: upcoming[k].timestamp())
        fires.append(int(upcoming[i].replace(microsecond=0).timestamp()))
        upcoming[i] = next_cron(upcoming[i], **specs[i])
    return fires
