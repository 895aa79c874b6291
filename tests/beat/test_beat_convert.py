"""Golden conversions: one per crontab string form, every interval class, every refusal."""

from __future__ import annotations

import pytest

from celery2arq.beat import apply_to_entry, convert, crontab_to_cron, fields_from_string
from celery2arq.model import BeatEntry, Schedule, Value

WEEKDAYS = {0, 1, 2, 3, 4}


def crontab(**fields: object) -> Schedule:
    return Schedule("crontab", "crontab(...)", {k: Value(True, v) for k, v in fields.items()})


GOLDEN = {
    "star": ({"minute": "*"}, {"second": {0}}, "every minute"),
    "number": ({"minute": "5", "hour": 3}, {"hour": {3}, "minute": {5}, "second": {0}}, "at 03:05"),
    "list": ({"minute": "0,30", "hour": "9"}, {"hour": {9}, "minute": {0, 30}, "second": {0}},
             "at 09:00 and 09:30"),
    "range": ({"minute": 0, "hour": "9-11"}, {"hour": {9, 10, 11}, "minute": {0}, "second": {0}},
              "at 09:00, 10:00 and 11:00"),
    "star-step": ({"minute": "*/15"}, {"minute": {0, 15, 30, 45}, "second": {0}}, "every 15 minutes"),
    "range-step": ({"minute": "10-50/20"}, {"minute": {10, 30, 50}, "second": {0}},
                   "at minutes 10, 30, 50 past every hour"),
    "hour-step": ({"minute": 0, "hour": "*/2"}, {"hour": set(range(0, 24, 2)), "minute": {0}, "second": {0}},
                  "at minute 0 past every 2nd hour"),
    "day-names": ({"minute": 0, "hour": 3, "day_of_week": "mon-fri"},
                  {"weekday": WEEKDAYS, "hour": {3}, "minute": {0}, "second": {0}}, "at 03:00 on weekdays"),
    "full-day-name": ({"minute": 0, "hour": 0, "day_of_week": "Sunday"},
                      {"weekday": {6}, "hour": {0}, "minute": {0}, "second": {0}}, "at 00:00 on Sunday"),
    "sunday-zero": ({"minute": 0, "hour": 0, "day_of_week": 0},
                    {"weekday": {6}, "hour": {0}, "minute": {0}, "second": {0}}, "at 00:00 on Sunday"),
    "wrap-around": ({"minute": 0, "hour": 0, "day_of_week": "fri-mon"},
                    {"weekday": {4, 5, 6, 0}, "hour": {0}, "minute": {0}, "second": {0}},
                    "at 00:00 on Monday, Friday, Saturday and Sunday"),
    "dow-star-step": ({"minute": 0, "hour": 0, "day_of_week": "*/2"},
                      {"weekday": {6, 1, 3, 5}, "hour": {0}, "minute": {0}, "second": {0}},
                      "at 00:00 on Tuesday, Thursday, Saturday and Sunday"),
    "month-names": ({"minute": 0, "hour": 7, "day_of_month": 1, "month_of_year": "jan,jul"},
                    {"month": {1, 7}, "day": {1}, "hour": {7}, "minute": {0}, "second": {0}},
                    "at 07:00 on day 1 of the month in January and July"),
    "month-step": ({"minute": 0, "hour": 0, "day_of_month": "1", "month_of_year": "*/3"},
                   {"month": {1, 4, 7, 10}, "day": {1}, "hour": {0}, "minute": {0}, "second": {0}},
                   "at 00:00 on day 1 of the month in January, April, July and October"),
    "dom-and-dow": ({"minute": 0, "hour": 9, "day_of_week": "mon", "day_of_month": "1-7"},
                    {"day": set(range(1, 8)), "weekday": {0}, "hour": {9}, "minute": {0}, "second": {0}},
                    "at 09:00 on days 1-7 of the month if it is Monday"),
    "int-set": ({"minute": {5, 20, 40}}, {"minute": {5, 20, 40}, "second": {0}},
                "at minutes 5, 20, 40 past every hour"),
    "int-list": ({"hour": [6, 18], "minute": 0}, {"hour": {6, 18}, "minute": {0}, "second": {0}},
                 "at 06:00 and 18:00"),
    "full-range-dropped": ({"minute": "0-59", "hour": "0-23", "day_of_week": "0-6"}, {"second": {0}},
                           "every minute"),
}  # fmt: skip


@pytest.mark.parametrize("form", list(GOLDEN))
def test_crontab_golden(form: str) -> None:
    fields, cron, description = GOLDEN[form]
    conversion = convert(crontab(**fields), "UTC")
    assert conversion.cron_jobs == [cron]
    assert conversion.description == description
    assert conversion.verdict == "review"
    assert [r.code for r in conversion.reasons] == ["C2A501"]


def test_from_string_matches_keyword_form() -> None:
    assert crontab_to_cron(fields_from_string("30 9 * * mon-fri")) == {
        "weekday": WEEKDAYS, "hour": {9}, "minute": {30}, "second": {0},
    }  # fmt: skip


REFUSED_CRONTABS = {
    "sunday-seven": {"day_of_week": 7},
    "sunday-seven-str": {"day_of_week": "7"},
    "zero-step": {"minute": "*/0"},
    "empty-part": {"minute": "1,,2"},
    "out-of-range": {"hour": 24},
    "unknown-name": {"day_of_week": "funday"},
    "thirtieth-of-february": {"day_of_month": 30, "month_of_year": "feb"},
    "empty-list": {"minute": []},
}


@pytest.mark.parametrize("form", list(REFUSED_CRONTABS))
def test_invalid_crontab_refused(form: str) -> None:
    conversion = convert(crontab(**REFUSED_CRONTABS[form]), "UTC")
    assert (conversion.verdict, conversion.cron_jobs) == ("celery", [])
    assert [r.code for r in conversion.reasons] == ["C2A500"]


def test_non_literal_field_is_not_guessed() -> None:
    schedule = Schedule("crontab", "crontab(minute=M)", {"minute": Value(False, "M")})
    conversion = convert(schedule, "UTC")
    assert (conversion.verdict, conversion.cron_jobs, conversion.reasons[0].code) == ("review", [], "C2A902")


def test_dst_gap_is_stated_only_where_it_applies() -> None:
    at_0230 = crontab(minute=30, hour=2)
    assert "DST starts" in convert(at_0230, "Europe/Berlin").reasons[0].message
    assert "DST starts" not in convert(at_0230, "UTC").reasons[0].message
    assert "DST starts" not in convert(crontab(minute=30, hour=9), "Europe/Berlin").reasons[0].message
    # New York's gap is 02:00-03:00 too, but in March on a Sunday: a Monday-only 02:30 never hits it
    monday_0230 = crontab(minute=30, hour=2, day_of_week="mon")
    assert "DST starts" not in convert(monday_0230, "America/New_York").reasons[0].message


def interval(seconds: float, relative: bool = False) -> Schedule:
    return Schedule("interval", f"timedelta(seconds={seconds})", seconds=seconds, relative=relative)


MIDNIGHT = " (aligned to midnight UTC)"
INTERVALS = {
    "30s": (30, [{"second": {0, 30}}], "every 30 seconds (aligned to midnight UTC)"),
    "1s": (1, [{"second": None}], "every second (aligned to midnight UTC)"),
    "5min": (300, [{"minute": set(range(0, 60, 5)), "second": {0}}], "every 5 minutes" + MIDNIGHT),
    "2h": (7200, [{"hour": set(range(0, 24, 2)), "minute": {0}, "second": {0}}],
           "every 2 hours (aligned to midnight UTC)"),
    "45s": (45, [{"minute": set(range(0, 60, 3)), "second": {0, 45}},
                 {"minute": set(range(1, 60, 3)), "second": {30}},
                 {"minute": set(range(2, 60, 3)), "second": {15}}], "every 45 seconds" + MIDNIGHT),
    "90min": (5400, [{"hour": set(range(0, 24, 3)), "minute": {0}, "second": {0}},
                     {"hour": set(range(1, 24, 3)), "minute": {30}, "second": {0}}],
              "every 90 minutes (aligned to midnight UTC)"),
    "1day": (86400, [{"hour": {0}, "minute": {0}, "second": {0}}], "every day (aligned to midnight UTC)"),
    "7days": (604800, [{"weekday": {0}, "hour": {0}, "minute": {0}, "second": {0}}],
              "every week (aligned to Monday 00:00 UTC)"),
    "3.5days": (302400, [{"weekday": {0}, "hour": {0}, "minute": {0}, "second": {0}},
                         {"weekday": {3}, "hour": {12}, "minute": {0}, "second": {0}}],
                "every 84 hours (aligned to Monday 00:00 UTC)"),
}  # fmt: skip


@pytest.mark.parametrize("form", list(INTERVALS))
def test_interval_golden(form: str) -> None:
    seconds, crons, description = INTERVALS[form]
    conversion = convert(interval(seconds), None)
    assert conversion.cron_jobs == crons
    assert conversion.description == description
    assert (conversion.verdict, [r.code for r in conversion.reasons]) == ("review", ["C2A502"])
    assert "counted each interval from the previous run" in conversion.reasons[0].message


@pytest.mark.parametrize(
    "seconds, why, nearest",
    [
        (7, "needs 343 crons", "6 seconds or 8 seconds"),
        (420, "needs 49 crons", "400 seconds or 432 seconds"),
        (18000, "divides neither a day nor a week", "288 minutes or 6 hours"),
        (172800, "divides neither a day nor a week", "42 hours or 56 hours"),
        (1.5, "fractional", "1 second or 2 seconds"),
        (0, "not positive", ""),
    ],
    ids=["7s", "7min", "5h", "2days", "1.5s", "zero"],
)
def test_interval_refused_with_suggestion(seconds: float, why: str, nearest: str) -> None:
    conversion = convert(interval(seconds), "UTC")
    assert (conversion.verdict, conversion.cron_jobs, conversion.reasons[0].code) == ("celery", [], "C2A503")
    assert why in conversion.reasons[0].message
    assert "self-rescheduling job" in conversion.reasons[0].message
    assert nearest in conversion.reasons[0].message


def test_interval_in_dst_zone_states_the_irregular_days() -> None:
    assert "DST changes" in convert(interval(300), "Europe/Berlin").reasons[0].message
    assert "DST changes" not in convert(interval(300), "UTC").reasons[0].message


@pytest.mark.parametrize(
    "schedule, code",
    [
        (interval(900, relative=True), "C2A506"),
        (Schedule("solar", "solar('sunset', 52.5, 13.4)"), "C2A504"),
        (Schedule("custom", "MySchedule()"), "C2A505"),
    ],
    ids=["relative", "solar", "custom"],
)
def test_refused_schedule_kinds(schedule: Schedule, code: str) -> None:
    conversion = convert(schedule, "UTC")
    assert (conversion.verdict, conversion.cron_jobs) == ("celery", [])
    assert [r.code for r in conversion.reasons] == [code]


@pytest.mark.parametrize(
    "schedule", [Schedule("unknown", "get_schedule()"), Schedule("interval", "timedelta(minutes=N)")]
)
def test_schedules_not_static_are_left_for_a_human(schedule: Schedule) -> None:
    conversion = convert(schedule, "UTC")
    assert (conversion.verdict, conversion.cron_jobs, [r.code for r in conversion.reasons]) == (
        "review", [], ["C2A902"],
    )  # fmt: skip


def test_apply_to_entry_collects_args_and_options() -> None:
    entry = BeatEntry(
        file="proj/celery.py", line=3, name="nightly-report", task="reports.build",
        schedule=crontab(minute=0, hour=3), args=Value(True, ["daily"]), kwargs=Value(True, {"fmt": "pdf"}),
        options={"queue": Value(True, "reports"), "priority": Value(True, 5)},
    )  # fmt: skip
    apply_to_entry(entry, "UTC")
    assert entry.cron == {"hour": {3}, "minute": {0}, "second": {0}}
    assert entry.description == "at 03:00"
    assert [(r.code, r.verdict) for r in entry.reasons] == [
        ("C2A501", "review"), ("C2A508", "ready"), ("C2A509", "review"), ("C2A509", "ready"),
    ]  # fmt: skip
    assert entry.verdict == "review"


def test_crontab_app_argument_is_ignored() -> None:
    fields = {"minute": Value(True, 0), "app": Value(False, "app")}
    schedule = Schedule("crontab", "crontab(minute=0, app=app)", fields)
    assert convert(schedule, "UTC").cron_jobs == [{"minute": {0}, "second": {0}}]
