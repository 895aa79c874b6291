"""English descriptions of cron specs ("at 03:00 on weekdays", "every 15 minutes").

Descriptions are for people reading the report; they are derived from the ARQ cron kwargs
(ARQ weekday numbering, 0 = Monday) so that what is described is what will run.
"""

from __future__ import annotations

from collections.abc import Iterable

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def join_words(words: list[str]) -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def compact(numbers: Iterable[int]) -> str:
    """``{1, 2, 3, 7}`` -> ``'1-3, 7'``: consecutive runs of three or more become ranges."""
    values = sorted(numbers)
    parts: list[str] = []
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and values[end + 1] == values[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{values[start]}-{values[end]}")
        else:
            parts.extend(str(v) for v in values[start : end + 1])
        start = end + 1
    return ", ".join(parts)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def step_of(values: set[int], size: int) -> int | None:
    """The step s when ``values`` is exactly ``range(0, size, s)`` with s dividing size, else None."""
    ordered = sorted(values)
    if len(ordered) < 2 or ordered[0] != 0:
        return None
    step = ordered[1]
    if size % step == 0 and ordered == list(range(0, size, step)):
        return step
    return None


def describe_time(hour: set[int] | None, minute: set[int] | None) -> str:
    if minute is None and hour is None:
        return "every minute"
    if minute is None:
        return f"every minute during {hour_phrase(hour or set())}"
    if hour is None:
        step = step_of(minute, 60)
        if step:
            return f"every {step} minutes"
        return f"at {_plural('minute', minute)} {compact(minute)} past every hour"
    if len(hour) * len(minute) <= 4:
        return "at " + join_words([f"{h:02d}:{m:02d}" for h in sorted(hour) for m in sorted(minute)])
    return f"at {_plural('minute', minute)} {compact(minute)} past {hour_phrase(hour)}"


def hour_phrase(hour: set[int]) -> str:
    step = step_of(hour, 24)
    if step:
        return f"every {ordinal(step)} hour"
    return f"{_plural('hour', hour)} {compact(hour)}"


def describe_days(day: set[int] | None, weekday: set[int] | None, month: set[int] | None) -> str:
    parts: list[str] = []
    if day is not None:
        parts.append(f"on {_plural('day', day)} {compact(day)} of the month")
    if weekday is not None:
        prefix = "if it is " if day is not None else "on "
        if weekday == {0, 1, 2, 3, 4}:
            parts.append(prefix + "a weekday" if day is not None else "on weekdays")
        elif weekday == {5, 6}:
            parts.append(prefix + "a weekend day" if day is not None else "on weekends")
        else:
            parts.append(prefix + join_words([WEEKDAY_NAMES[d] for d in sorted(weekday)]))
    if month is not None:
        parts.append("in " + join_words([MONTH_NAMES[m - 1] for m in sorted(month)]))
    return " ".join(parts)


def describe_cron(spec: dict) -> str:
    """One line for one ``arq.cron`` kwargs dict (``second`` is mentioned only when not 0)."""
    text = describe_time(spec.get("hour"), spec.get("minute"))
    second = spec.get("second", {0})
    if second is None:
        text = "every second" if text == "every minute" else f"every second of {text}"
    elif second != {0}:
        text += f" at {_plural('second', second)} {compact(second)}"
    days = describe_days(spec.get("day"), spec.get("weekday"), spec.get("month"))
    return f"{text} {days}".strip()


def duration(seconds: int) -> str:
    """``300`` -> ``'5 minutes'``, ``3600`` -> ``'1 hour'``: the largest whole unit."""
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return f"1 {unit}" if count == 1 else f"{count} {unit}s"
    return f"{seconds} seconds"


def describe_seconds(seconds: int) -> str:
    """``300`` -> ``'every 5 minutes'``, ``60`` -> ``'every minute'``."""
    text = duration(seconds)
    return "every " + (text[2:] if text.startswith("1 ") else text)


def _plural(word: str, values: set[int]) -> str:
    return word if len(values) == 1 else word + "s"
