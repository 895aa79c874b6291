"""Hypothesis strategies: crontab field specs in every form Celery accepts, and junk strings."""

from __future__ import annotations

from hypothesis import strategies as st

from celery2arq.beat.cronspec import FIELD_RANGES

DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
DAY_FULL = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTH_FULL = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december"]  # fmt: skip


def _spelled(field: str, value: int) -> st.SearchStrategy[str]:
    """A number as Celery reads it: digits, or a (possibly full, any-case) name for that field."""
    options = [st.just(str(value))]
    if field == "day_of_week":
        options += [st.sampled_from([DAY_NAMES[value], DAY_FULL[value], DAY_NAMES[value].upper(),
                                     DAY_NAMES[value].title()])]  # fmt: skip
    if field == "month_of_year":
        name = MONTH_NAMES[value - 1]
        options += [st.sampled_from([name, MONTH_FULL[value - 1], name.upper()])]
    return st.one_of(options)


@st.composite
def part(draw: st.DrawFn, field: str) -> str:
    """One comma-separated part: ``*``, ``N``, ``a-b`` (wrapping too), ``*/s``, ``a-b/s``."""
    max_, min_ = FIELD_RANGES[field]
    number = st.integers(min_, min_ + max_ - 1)
    form = draw(st.sampled_from(["star", "number", "range", "star_step", "range_step"]))
    if form == "star":
        return "*"
    if form == "number":
        return draw(number.flatmap(lambda v: _spelled(field, v)))
    step = draw(st.integers(1, max_))
    if form == "star_step":
        return f"*/{step}"
    low, high = draw(number), draw(number)
    text = f"{draw(_spelled(field, low))}-{draw(_spelled(field, high))}"
    return text if form == "range" else f"{text}/{step}"


@st.composite
def field_spec(draw: st.DrawFn, field: str) -> object:
    """A valid value for one crontab field: an int, a list/set of ints, or a string of parts."""
    max_, min_ = FIELD_RANGES[field]
    number = st.integers(min_, min_ + max_ - 1)
    kind = draw(st.sampled_from(["str", "str", "str", "int", "list", "set"]))
    if kind == "int":
        return draw(number)
    if kind == "list":
        return draw(st.lists(number, min_size=1, max_size=5))
    if kind == "set":
        return draw(st.sets(number, min_size=1, max_size=5))
    return ",".join(draw(st.lists(part(field), min_size=1, max_size=3)))


@st.composite
def crontab_fields(draw: st.DrawFn) -> dict[str, object]:
    """A crontab's keyword arguments; each field is left out (``'*'``) half of the time."""
    fields: dict[str, object] = {}
    for field in FIELD_RANGES:
        if draw(st.booleans()):
            fields[field] = draw(field_spec(field))
    return fields


JUNK_ALPHABET = st.sampled_from(list("0123456789*/-,abcdefjmnorstuwy _AMS+.\t") + ["٣", "ß"])


@st.composite
def junk_spec(draw: st.DrawFn) -> str:
    """Strings near the crontab grammar: mostly-valid parts mutated with stray characters."""
    if draw(st.booleans()):
        return draw(st.text(JUNK_ALPHABET, min_size=0, max_size=10))
    field = draw(st.sampled_from(list(FIELD_RANGES)))
    text = ",".join(draw(st.lists(part(field), min_size=1, max_size=3)))
    position = draw(st.integers(0, len(text)))
    return text[:position] + draw(st.text(JUNK_ALPHABET, max_size=3)) + text[position:]
