"""Celery's crontab field parser, reimplemented without importing Celery.

The audit must run where Celery is not installed, yet a converted schedule has to fire exactly
when Celery's would. So this module mirrors ``celery.schedules.crontab_parser`` and
``crontab._expand_cronspec`` (Celery 5.6/5.7) rule for rule, quirks included: patterns are
matched at the start of a part only (``'1-5!'`` is the range 1-5), numbers go through ``int()``
(so ``' 7'`` and ``'1_0'`` are numbers), and names are matched on their first three letters in
every field, months before weekdays. ``tests/beat`` checks it against Celery on generated input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

DAYNAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
WEEKDAYS = {name: i for i, name in enumerate(DAYNAMES)}
MONTHNAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
YEARMONTHS = {name: i for i, name in enumerate(MONTHNAMES, start=1)}

# (field name, max_, min_) exactly as crontab.__init__ passes them to _expand_cronspec
FIELD_RANGES: dict[str, tuple[int, int]] = {
    "minute": (60, 0),
    "hour": (24, 0),
    "day_of_week": (7, 0),
    "day_of_month": (31, 1),
    "month_of_year": (12, 1),
}
FIELDS: tuple[str, ...] = tuple(FIELD_RANGES)

_RANGE = r"(\w+?)-(\w+)"
_STEPS = r"/(\w+)?"
_STAR = r"\*"


class CronSpecError(ValueError):
    """A crontab field Celery would refuse (it raises ValueError, TypeError or ParseException)."""


class CrontabParser:
    """``celery.schedules.crontab_parser``: a crontab field string -> set of ints."""

    def __init__(self, max_: int = 60, min_: int = 0) -> None:
        self.max_ = max_
        self.min_ = min_
        self.pats: tuple[tuple[re.Pattern[str], Callable[[Sequence[Any]], list[int]]], ...] = (
            (re.compile(_RANGE + _STEPS), self._range_steps),
            (re.compile(_RANGE), self._expand_range),
            (re.compile(_STAR + _STEPS), self._star_steps),
            (re.compile("^" + _STAR + "$"), self._expand_star),
        )

    def parse(self, spec: str) -> set[int]:
        acc: set[int] = set()
        for part in spec.split(","):
            if not part:
                raise CronSpecError("empty part")
            acc |= set(self._parse_part(part))
        return acc

    def _parse_part(self, part: str) -> list[int]:
        for regex, handler in self.pats:
            m = regex.match(part)
            if m:
                return handler(m.groups())
        return self._expand_range((part,))

    def _expand_range(self, toks: Sequence[str]) -> list[int]:
        fr = self._expand_number(toks[0])
        if len(toks) > 1:
            to = self._expand_number(toks[1])
            if to < fr:  # wraps around max_, like Celery
                return list(range(fr, self.min_ + self.max_)) + list(range(self.min_, to + 1))
            return list(range(fr, to + 1))
        return [fr]

    def _range_steps(self, toks: Sequence[str]) -> list[int]:
        if len(toks) != 3 or not toks[2]:
            raise CronSpecError("empty filter")
        return self._expand_range(toks[:2])[:: _step(toks[2])]

    def _star_steps(self, toks: Sequence[str]) -> list[int]:
        if not toks or not toks[0]:
            raise CronSpecError("empty filter")
        return self._expand_star()[:: _step(toks[0])]

    def _expand_star(self, *args: Any) -> list[int]:
        return list(range(self.min_, self.max_ + self.min_))

    def _expand_number(self, s: str) -> int:
        if s[0] == "-":
            raise CronSpecError("negative numbers not supported")
        try:
            i = int(s)
        except ValueError:
            i = _name_number(s)
        max_val = self.min_ + self.max_ - 1
        if i > max_val:
            raise CronSpecError(f"invalid end range: {i} > {max_val}")
        if i < self.min_:
            raise CronSpecError(f"invalid beginning range: {i} < {self.min_}")
        return i


def _step(text: str) -> int:
    try:
        step = int(text)
    except ValueError:
        raise CronSpecError(f"invalid step {text!r}") from None
    if step == 0:
        raise CronSpecError("step cannot be zero")
    return step


def _name_number(s: str) -> int:
    """Month name first, then weekday name, on the first three letters (Celery's order)."""
    abbreviation = s[0:3].lower()
    if abbreviation in YEARMONTHS:
        return YEARMONTHS[abbreviation]
    if abbreviation in WEEKDAYS:
        return WEEKDAYS[abbreviation]
    raise CronSpecError(f"invalid weekday literal {s!r}")


def expand_field(field: str, spec: Any) -> set[int]:
    """``crontab._expand_cronspec`` for one named field; ``None`` means ``'*'`` (Celery's cronfield)."""
    max_, min_ = FIELD_RANGES[field]
    if spec is None:
        spec = "*"
    if isinstance(spec, int):
        result = {int(spec)}
    elif isinstance(spec, str):
        result = CrontabParser(max_, min_).parse(spec)
    elif isinstance(spec, Iterable):
        result = set(spec)
    else:
        kind = type(spec).__name__
        raise CronSpecError(f"a crontab field must be an int, a str or an iterable, not {kind}")
    for number in result:
        if isinstance(number, bool) or not isinstance(number, int):
            # Celery keeps such members (and then fails or never matches at run time)
            raise CronSpecError(f"{number!r} is not an integer")
        if number >= max_ + min_ or number < min_:
            raise CronSpecError(f"valid range is {min_}-{max_ - 1 + min_}, {number!r} was found")
    return result
