"""The audit's tasks, per file for the codemod, and the tally: every task converted or left with a reason.

The scan (not the decorator's spelling) decides what is a task, so ``from celery import shared_task
as st`` and ``shared = c.shared_task`` tasks reach the codemod, and a task the codemod cannot reach
(a ``Task`` subclass, a helper-made or ``app.task(fn)``-registered task) is reported, never skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery2arq.model import ProjectScan, TaskClass, TaskDef
from celery2arq.rewrite.engine import FileOutcome
from celery2arq.verdicts.task_classes import overrides

CUSTOM_BASE = "C2A108"
# Why rewrite does not reach a task of this kind (the codemod converts decorated module-level functions).
_UNREACHED = {
    "class": ("C2A114", "a Task subclass with run(): not rewritten; port it by hand or keep it on Celery"),
    "helper": ("C2A115", "made by a project helper: convert the helper by hand, then rerun"),
    "call": ("C2A112", "registered by a call (`app.task(fn)`), not a decorator: convert it by hand"),
}


def _absolute(project: ProjectScan, file: str) -> Path:
    return Path(project.root, file).resolve()


def _task_class(project: ProjectScan, task: TaskDef) -> tuple[str, TaskClass | None]:
    """The short name and scan entry of the task's custom Task class (``base=`` or the app's ``task_cls``)."""
    base = task.options.get("base")
    if base is not None:
        spelled = str(base.value)
    else:
        # shared_task binds to the current app: with one app, the audit applies its task_cls too
        apps = project.apps if task.app is None and len(project.apps) == 1 else []
        app = next((a for a in project.apps if a.path == task.app), None) or next(iter(apps), None)
        spelled = (app.task_cls if app else None) or ""
    dotted = spelled.replace(":", ".")  # ``task_cls="proj.tasks:MyTask"`` is Celery's symbol-by-name form
    short = dotted.rpartition(".")[2]
    cls = next((c for c in project.task_classes if c.path == dotted), None) or next(
        (c for c in project.task_classes if short and c.path.endswith(f".{short}")), None
    )
    return short, cls


def _carry(project: ProjectScan, task: TaskDef) -> str | None:
    """``Class.__call__/on_failure`` for a task whose custom Task class (``base=`` or ``task_cls``) the
    audit says must be carried into the ARQ job by hand (C2A108), else None."""
    if not any(r.code == CUSTOM_BASE and not r.suppressed for r in task.reasons):
        return None
    short, cls = _task_class(project, task)
    hooks = "/".join(cls.overrides) if cls and cls.overrides else "__call__/hooks"
    return f"{short or 'the custom Task class'}.{hooks}"


def _call_through(project: ProjectScan, task: TaskDef) -> str | None:
    """``"app"`` when all there is to carry is the app's ``task_cls.__call__`` (the Flask docs' ``FlaskTask``
    pushing the app context): the shim runs that ``__call__`` around the body (``call_through="app"``)."""
    if task.options.get("base") is not None or len(project.apps) != 1 or _carry(project, task) is None:
        return None  # with several apps, which one is current when the task runs is not static
    _, cls = _task_class(project, task)
    if cls is None:
        return None
    classes = {c.path: c for c in project.task_classes}
    return "app" if set(overrides(cls, classes)) == {"__call__"} else None


def tasks_by_file(project: ProjectScan) -> dict[Path, dict[str, dict[str, Any]]]:
    """``{absolute file: {function: {"name", "kind", "app", "decorator", "carry", "call_through"}}}``
    (codemod scratch)."""
    found: dict[Path, dict[str, dict[str, Any]]] = {}
    for task in project.tasks:
        found.setdefault(_absolute(project, task.file), {})[task.function] = {
            "name": task.name,
            "kind": task.kind,
            "app": task.app,
            "decorator": task.decorator,
            "carry": _carry(project, task),
            "call_through": _call_through(project, task),
        }
    return found


def _celery_reason(task: TaskDef) -> tuple[str, str]:
    reason = next((r for r in task.reasons if r.verdict == "celery" and not r.suppressed), None)
    return (reason.code, reason.message) if reason else ("", "audit verdict celery")


def left_on_celery(outcomes: list[FileOutcome], project: ProjectScan | None) -> list[dict[str, Any]]:
    """Every task that stays on Celery, with a rule code and a reason, sorted by file and function.

    ``by`` says who decided: ``codemod`` (its body; the codemod also warned), ``audit`` (verdict
    ``celery``) or ``rewrite`` (a kind of task the codemod does not reach).
    """
    left: list[dict[str, Any]] = []
    seen: set[tuple[Path, str]] = set()
    for outcome in outcomes:
        path = Path(outcome.path).resolve()
        seen.update((path, entry["function"]) for entry in outcome.converted)
        for entry in outcome.left:
            seen.add((path, entry.get("function", "")))
            left.append({"file": outcome.path, **entry, "by": "codemod"})
    if project is not None:
        display = {Path(o.path).resolve(): o.path for o in outcomes}
        for task in project.tasks:
            path = _absolute(project, task.file)
            if (path, task.function) in seen:
                continue
            if task.verdict == "celery":
                code, message = _celery_reason(task)
            elif "<locals>" in task.function:
                code, message = "", "defined inside a function: ARQ imports module-level functions only"
            elif task.kind in _UNREACHED:
                code, message = _UNREACHED[task.kind]
            else:
                code, message = "", "not reached by the codemod (its file was not rewritten)"
            left.append(
                {
                    "file": display.get(path, task.file),
                    "name": task.name,
                    "function": task.function,
                    "code": code,
                    "message": message,
                    "by": "audit" if task.verdict == "celery" else "rewrite",
                }
            )
    return sorted(left, key=lambda e: (e["file"], e["function"], e["name"] or ""))
