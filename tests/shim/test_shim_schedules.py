"""The shim's inert Beat values: a rewritten ``beat_schedule`` still builds, compares and prints."""

from __future__ import annotations

import datetime as dt
import logging

from celery2arq.shim import crontab, get_task_logger, schedule


def test_crontab_keeps_its_fields_and_compares_by_value():
    nightly = crontab(hour=3, minute=0, day_of_week="mon-fri")
    assert (nightly.minute, nightly.hour, nightly.day_of_week) == (0, 3, "mon-fri")
    assert nightly == crontab(minute=0, hour=3, day_of_week="mon-fri")
    assert nightly != crontab(minute=0, hour=4)
    assert repr(nightly) == "<crontab: 0 3 mon-fri * *>"


def test_schedule_takes_seconds_or_a_timedelta():
    assert schedule(30).run_every == dt.timedelta(seconds=30)
    assert schedule(dt.timedelta(minutes=5)) == schedule(300.0)


def test_get_task_logger_is_the_standard_named_logger():
    assert get_task_logger("proj.tasks") is logging.getLogger("proj.tasks")
