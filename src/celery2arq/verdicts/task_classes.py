"""Custom Task classes (``base=``, ``task_cls=``): which Celery machinery they override (mapping §3).

Hooks (``on_failure``, ``after_return``...) can be called by the shim wrapper: ``review``.
Overriding ``__call__``, ``Request``, ``Strategy`` or ``apply_async`` changes how Celery runs or
sends the task itself: ``celery``. Overrides are collected through the project's own base
classes, so a subclass of an instrumented base inherits its verdict.
"""

from __future__ import annotations

from celery2arq.model import Reason, TaskClass, Value
from celery2arq.rules import get

CELERY_ONLY_OVERRIDES = {"__call__", "Request", "Strategy", "apply_async"}


def find_class(name: str, classes: dict[str, TaskClass]) -> TaskClass | None:
    """A project Task class by dotted path (``mod:Class`` accepted) or, failing that, by class name."""
    path = name.replace(":", ".")
    return classes.get(path) or next(
        (c for p, c in sorted(classes.items()) if p.rsplit(".", 1)[-1] == path), None
    )


def overrides(cls: TaskClass, classes: dict[str, TaskClass]) -> dict[str, str]:
    """Member name -> the project class that defines it, nearest class first."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    todo = [cls]
    while todo:
        current = todo.pop(0)
        if current.path in seen:
            continue
        seen.add(current.path)
        for member in current.overrides:
            found.setdefault(member, current.path)
        todo += [base for name in current.bases if (base := find_class(name, classes)) is not None]
    return found


def _describe(cls: TaskClass, classes: dict[str, TaskClass]) -> tuple[list[str], str]:
    members = overrides(cls, classes)
    special = sorted(set(members) & CELERY_ONLY_OVERRIDES)
    inherited = sorted({members[m] for m in special} - {cls.path})
    note = f" (inherited from {', '.join(inherited)})" if inherited else ""
    return special, note if special else ", ".join(sorted(members)) or "no hooks"


def base_reason(base: Value, classes: dict[str, TaskClass], option: str = "base") -> Reason:
    """The reason for a task whose base class is ``base`` (given as ``base=`` or the app's ``task_cls=``)."""
    label = f"{option}={base.value}"
    cls = find_class(str(base.value), classes)
    if cls is None:
        return get("C2A108").reason(
            f"{label} is not a Task class of this project: check which hooks it overrides"
        )
    special, note = _describe(cls, classes)
    if special:
        return get("C2A108").reason(
            f"{label} overrides {', '.join(special)}{note}: no ARQ wrapper can reproduce it; keep on Celery",
            verdict="celery",
        )
    return get("C2A108").reason(f"{label} ({note}): the shim wrapper calls the hooks around each job")


def task_class_reasons(cls: TaskClass, classes: dict[str, TaskClass]) -> list[Reason]:
    special, note = _describe(cls, classes)
    if special:
        message = (
            f"{cls.path} overrides {', '.join(special)}{note}: no ARQ wrapper reproduces it; keep its tasks "
        )
        return [get("C2A108").reason(message + "on Celery", verdict="celery")]
    return [
        get("C2A108").reason(
            f"{cls.path} ({note}): the shim wrapper calls its hooks around each job, in the worker's "
            "event loop or thread"
        )
    ]
