"""Proof: converted crontabs fire exactly when Celery's own crontab does, per ARQ's own next_cron.

Random valid specs in every form (ints, lists, sets, strings with names, ranges, steps, wrap-
around) and random start instants, in UTC and in two DST zones around their transitions.
Two stated exceptions, both from DST (docs/beat.md): times the clock skips when DST starts (ARQ runs
them all when the clock jumps, Celery only the first, later), and Celery's own stall in the repeated
hour after fall-back (its next run lands in the past; see beat_oracles.celery_fires).
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from beat_oracles import arq_fires, celery_fires, transitions
from beat_strategies import crontab_fields
from celery.schedules import crontab
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st

from celery2arq.beat import convert
from celery2arq.model import Schedule, Value

FIRES = 5
SETTINGS = settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
UTC_STARTS = st.integers(
    int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp()),
    int(datetime(2035, 1, 1, tzinfo=timezone.utc).timestamp()),
)
MICROSECONDS = st.sampled_from([0, 0, 123_456, 500_000, 999_999])


def near_transition(zone: str) -> st.SearchStrategy[int]:
    """A start instant from two days before to one day after one of the zone's DST changes (2024-2031)."""
    changes = [t for t in transitions(zone) if 2024 <= datetime.fromtimestamp(t, timezone.utc).year <= 2031]
    return st.tuples(st.sampled_from(changes), st.integers(-2 * 86400, 86400)).map(sum)


def converted(fields: dict[str, object], zone: str) -> tuple[dict, str]:
    schedule = Schedule("crontab", "crontab(...)", {k: Value(True, v) for k, v in fields.items()})
    conversion = convert(schedule, zone)
    if not conversion.cron_jobs:  # only specs that never fire are refused (test_beat_convert.py)
        assert conversion.reasons[0].code == "C2A500"
        reject()
    assert conversion.verdict == "review"
    assert len(conversion.cron_jobs) == 1
    return conversion.cron_jobs[0], conversion.reasons[0].message


def in_spring_forward_hour(instant: int, zone: str) -> bool:
    """Within the hour after the clock jumped forward (where ARQ and Celery may differ)."""
    tz = ZoneInfo(zone)
    for change in transitions(zone):
        before = datetime.fromtimestamp(change - 1, tz).utcoffset()
        if datetime.fromtimestamp(change, tz).utcoffset() > before and change <= instant < change + 3600:
            return True
    return False


def check_same_fires(fields: dict[str, object], zone: str, start: float) -> None:
    spec, message = converted(fields, zone)
    crontab(**fields)  # Celery accepts the generated spec too
    expected, stalled = celery_fires(fields, zone, start, FIRES)
    event(f"celery stalled: {stalled}")
    if stalled:  # Celery's defect in the repeated hour after fall-back (see beat_oracles.celery_fires)
        stall_at = expected[-1] if expected else start
        assert datetime.fromtimestamp(stall_at, ZoneInfo(zone)).fold == 1
        if not expected:
            return
    assert expected == sorted(set(expected)), "Celery's own fires are strictly increasing"
    actual = arq_fires(spec, zone, start, expected[-1])
    event(f"identical: {actual == expected}")
    if actual != expected:
        # the one stated exception: times the clock skips when DST starts
        assert "when DST starts" in message
        def outside(fires: list[int]) -> list[int]:
            return [t for t in fires if not in_spring_forward_hour(t, zone)]

        assert outside(actual) == outside(expected)


@SETTINGS
@given(fields=crontab_fields(), start=UTC_STARTS, micro=MICROSECONDS)
def test_same_fire_times_in_utc(fields: dict[str, object], start: int, micro: int) -> None:
    check_same_fires(fields, "UTC", start + micro / 1e6)


@SETTINGS
@given(fields=crontab_fields(), start=near_transition("Europe/Berlin"), micro=MICROSECONDS)
def test_same_fire_times_across_dst_in_berlin(fields: dict[str, object], start: int, micro: int) -> None:
    check_same_fires(fields, "Europe/Berlin", start + micro / 1e6)


@SETTINGS
@given(fields=crontab_fields(), start=near_transition("America/New_York"), micro=MICROSECONDS)
def test_same_fire_times_across_dst_in_new_york(fields: dict[str, object], start: int, micro: int) -> None:
    check_same_fires(fields, "America/New_York", start + micro / 1e6)


def berlin(*args: int, fold: int = 0) -> float:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"), fold=fold).timestamp()


def test_the_stated_spring_forward_difference() -> None:
    """Daily 02:30 in Berlin on 2026-03-29 (02:00 -> 03:00): Celery runs at 03:30, ARQ at 03:00."""
    fields = {"minute": 30, "hour": 2}
    spec, message = converted(fields, "Europe/Berlin")
    assert "when DST starts (such as 02:30 that day)" in message
    start = berlin(2026, 3, 28, 12, 0)
    expected, _ = celery_fires(fields, "Europe/Berlin", start, 2)
    assert expected == [berlin(2026, 3, 29, 3, 30), berlin(2026, 3, 30, 2, 30)]
    assert arq_fires(spec, "Europe/Berlin", start, expected[-1]) == [berlin(2026, 3, 29, 3, 0), expected[1]]


def test_every_skipped_minute_runs_under_arq_but_only_the_first_under_celery() -> None:
    fields = {"hour": 2}  # every minute of 02:xx
    spec, _ = converted(fields, "Europe/Berlin")
    start = berlin(2026, 3, 29, 1, 59)
    expected, _ = celery_fires(fields, "Europe/Berlin", start, 2)
    assert expected == [berlin(2026, 3, 29, 3, 0), berlin(2026, 3, 30, 2, 0)]
    actual = arq_fires(spec, "Europe/Berlin", start, expected[-1])
    assert actual == [berlin(2026, 3, 29, 3, 0)] * 60 + [expected[1]]


def test_celery_stalls_in_the_repeated_hour_and_arq_does_not() -> None:
    """2026-10-25 02:10 CET, the second 02:10 of the night: Celery's next run is in the past."""
    fields = {"minute": "*/15"}
    spec, message = converted(fields, "Europe/Berlin")
    start = berlin(2026, 10, 25, 2, 10, fold=1)
    assert celery_fires(fields, "Europe/Berlin", start, 3) == ([], True)
    second_pass = [berlin(2026, 10, 25, 2, minute, fold=1) for minute in (15, 30, 45)]
    assert arq_fires(spec, "Europe/Berlin", start, second_pass[-1]) == second_pass
