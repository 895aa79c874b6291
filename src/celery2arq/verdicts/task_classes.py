"""Custom Task classes (``base=``, ``task_cls=``): which Celery machinery they override (mapping §3).

Project-wide base classes wrap every task in real projects (app context, DB routing, request
injection), so refusing them would leave whole code bases on Celery: hooks (``on_failure``,
``after_return``...) and a wrapping ``__call__`` are ``review``: the task converts and the
behaviour must be carried by hand into the ARQ job (rewrite leaves a ``# celery2arq: C2A108``
TODO; ARQ's ``on_job_start``/``on_job_end`` hooks or a decorator on the body can carry it).
Overriding ``Request``, ``Strategy`` or ``apply_async`` changes how Celery delivers or sends the
task itself: ``celery``. Overrides are collected through the project's own base classes, so a
subclass of an instrumented base inherits its verdict.
"""

from __future__ import annotations

from celery2arq.model import Reason, TaskClass, Value
from celery2arq.rules import get

CELERY_ONLY_OVERRIDES = {"Request", "Strategy", "apply_async"}
# Members that wrap or hook every run: the task converts, the behaviour is carried by hand.
WRAPPING_OVERRIDES = {"__call__"}


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
    """The Celery-only members it overrides, and a note: where they come from, or its hooks."""
    members = overrides(cls, classes)
    special = sorted(set(members) & CELERY_ONLY_OVERRIDES)
    inherited = sorted({members[m] for m in special} - {cls.path})
    note = f" (inherited from {', '.join(inherited)})" if inherited else ""
    return special, note if special else ", ".join(sorted(members)) or "no hooks"


def _carry_note(cls: TaskClass, classes: dict[str, TaskClass], app_class: bool = False) -> str:
    """What the user must carry into the ARQ job by hand (``app_class``: it is the app's ``task_cls``)."""
    members = overrides(cls, classes)
    if app_class and set(members) == WRAPPING_OVERRIDES:
        return (
            'its __call__ wraps every run: rewrite runs it around the ARQ job body (call_through="app"); '
            "the ARQ worker process must create the app too"
        )
    if WRAPPING_OVERRIDES & set(members):
        where = members["__call__"]
        origin = f" (inherited from {where})" if where != cls.path else ""
        return (
            f"its __call__{origin} wraps every run: carry that wrapper into the ARQ job by hand "
            "(a decorator on the body or on_job_start/on_job_end hooks); rewrite leaves a TODO"
        )
    if members:
        return (
            "the shim does not call Task hooks: move them into the body or ARQ job hooks; "
            "rewrite leaves a TODO"
        )
    return "no hooks to carry"


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
    return get("C2A108").reason(f"{label} ({note}): {_carry_note(cls, classes, option == 'task_cls')}")


def task_class_reasons(cls: TaskClass, classes: dict[str, TaskClass]) -> list[Reason]:
    special, note = _describe(cls, classes)
    if special:
        message = (
            f"{cls.path} overrides {', '.join(special)}{note}: no ARQ wrapper reproduces it; keep its tasks "
        )
        return [get("C2A108").reason(message + "on Celery", verdict="celery")]
    app_class = set(cls.used_as) == {"task_cls"}
    return [get("C2A108").reason(f"{cls.path} ({note}): {_carry_note(cls, classes, app_class)}")]
