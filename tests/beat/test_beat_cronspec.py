"""The reimplemented parser agrees with Celery's own: same sets for valid specs, same refusals for junk."""

from __future__ import annotations

import pytest
from beat_strategies import crontab_fields, junk_spec
from celery.schedules import crontab
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celery2arq.beat.cronspec import FIELD_RANGES, FIELDS, CronSpecError, expand_field

SETTINGS = settings(max_examples=800, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def celery_expand(field: str, spec: object) -> set[int] | None:
    """Celery's expansion of one field, or None when Celery raises."""
    max_, min_ = FIELD_RANGES[field]
    try:
        return crontab._expand_cronspec("*" if spec is None else spec, max_, min_)
    except Exception:  # ValueError, ParseException, TypeError: all mean "refused"
        return None


def ours(field: str, spec: object) -> set[int] | None:
    try:
        return expand_field(field, spec)
    except CronSpecError:
        return None


@SETTINGS
@given(fields=crontab_fields())
def test_valid_specs_expand_like_celery(fields: dict[str, object]) -> None:
    expected = crontab(**fields)
    for field in FIELDS:
        assert expand_field(field, fields.get(field)) == getattr(expected, field)


@SETTINGS
@given(field=st.sampled_from(FIELDS), text=junk_spec())
def test_junk_strings_refused_exactly_when_celery_refuses(field: str, text: str) -> None:
    assert ours(field, text) == celery_expand(field, text)


@pytest.mark.parametrize(
    "field, spec",
    [
        ("day_of_week", 7),
        ("day_of_week", "7"),
        ("day_of_week", "sun-7"),
        ("minute", 60),
        ("minute", "*/0"),
        ("minute", "*/"),
        ("minute", "1-5/"),
        ("minute", "-1"),
        ("minute", ""),
        ("minute", "1,,2"),
        ("hour", [1, 24]),
        ("day_of_month", 0),
        ("month_of_year", "13"),
        ("month_of_year", "foo"),
        ("minute", 1.5),
        ("minute", ["1"]),
    ],
    ids=lambda v: repr(v),
)
def test_refused_like_celery(field: str, spec: object) -> None:
    assert celery_expand(field, spec) is None
    with pytest.raises(CronSpecError):
        expand_field(field, spec)


@pytest.mark.parametrize(
    "field, spec",
    [("minute", "1-5!"), ("minute", " 7"), ("minute", "1_0"), ("day_of_week", "MONDAY"),
     ("day_of_week", "mar"), ("month_of_year", "March"), ("minute", "jan-mar"), ("hour", "0-23/25")],
    ids=lambda v: repr(v),
)  # fmt: skip
def test_celery_quirks_kept(field: str, spec: object) -> None:
    """Celery accepts these oddities (prefix-only regex match, int(), names in every field)."""
    assert expand_field(field, spec) == celery_expand(field, spec) != None  # noqa: E711
