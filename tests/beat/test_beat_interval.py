"""Proof for intervals: the converted crons, run through ARQ's own next_cron, fire on the uniform grid."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from math import gcd

from beat_oracles import arq_union_fires
from hypothesis import given, settings
from hypothesis import strategies as st

from celery2arq.beat import convert, interval_to_crons
from celery2arq.beat.interval import DAY, MAX_CRONS, WEEK, IntervalError, cron_count, week_divisors
from celery2arq.model import Schedule

MONDAY = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())  # the grid anchor: a Monday 00:00
CONVERTIBLE = [n for n in week_divisors() if cron_count(n) <= MAX_CRONS]
STARTS = st.integers(MONDAY, MONDAY + 10 * 365 * DAY)


def test_every_common_interval_converts() -> None:
    for n in (1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300, 600, 900, 1800, 2400, 3600, 5400, 7200, 21600,
              43200, DAY, WEEK):  # fmt: skip
        assert n in CONVERTIBLE, n


@settings(max_examples=120, derandomize=True, deadline=None)
@given(n=st.sampled_from(CONVERTIBLE), start=STARTS, micro=st.sampled_from([0, 123_456, 999_999]))
def test_crons_fire_on_the_uniform_grid(n: int, start: int, micro: int) -> None:
    crons = convert(Schedule("interval", "x", seconds=n), "UTC").cron_jobs
    fires = arq_union_fires(crons, "UTC", start + micro / 1e6, 12)
    # next_cron looks from one second after its start, then fires at the grid point's microsecond 123456
    first_grid_point = start + 1 + (-(start + 1 - MONDAY)) % n
    assert fires == [first_grid_point + k * n for k in range(12)]


def test_every_interval_dividing_a_week_has_an_exact_form() -> None:
    """Not just the sampled ones: per period, each grid point is matched by exactly one cron and the
    crons match no more points than the grid has (so they match nothing else)."""
    for n in CONVERTIBLE:
        period = DAY if DAY % n == 0 else WEEK
        specs = interval_to_crons(n)
        matched = sum(_size(spec, "weekday", 7 if period == WEEK else 1) * _size(spec, "hour", 24)
                      * _size(spec, "minute", 60) * _size(spec, "second", 60) for spec in specs)  # fmt: skip
        assert matched == period // n, n
        for t in range(0, period, n):
            fields = {"weekday": t // DAY, "hour": t // 3600 % 24, "minute": t // 60 % 60, "second": t % 60}
            hits = [s for s in specs if all(s.get(k) is None or v in s[k] for k, v in fields.items())]
            assert len(hits) == 1, (n, t)


def _size(spec: dict, key: str, full: int) -> int:
    return full if spec.get(key) is None else len(spec[key])


def test_refused_intervals_really_have_no_cron_form() -> None:
    """Dates 313 and 574 weeks apart share month, day and weekday, so any cron set fires at both or at
    neither; a grid of N seconds contains both only if N divides both gaps, i.e. divides one week."""
    for first, weeks in ((date(2021, 1, 1), 313), (date(2021, 3, 1), 574)):
        second = first + timedelta(weeks=weeks)
        assert (second.month, second.day, second.weekday()) == (first.month, first.day, first.weekday())
    assert gcd(313 * WEEK, 574 * WEEK) == WEEK
    for n in (7 * 60 + 1, 5 * 3600, 2 * DAY, 13, 10 * DAY):
        assert WEEK % n
        try:
            interval_to_crons(n)
        except IntervalError as exc:
            assert "divides neither a day nor a week" in str(exc)
        else:
            raise AssertionError(f"{n} s converted")
