"""Attach ``ready`` / ``review`` / ``celery`` verdicts and reasons to a scanned project.

``assign(project, config)`` is the only entry point: it fills every record's ``reasons``
(stable rule codes from :mod:`celery2arq.rules`), applies suppressions, then sets each
record's ``verdict`` to the worst reason that is not suppressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from celery2arq.model import ProjectScan, worst
from celery2arq.rules import get
from celery2arq.verdicts.beat_entries import beat_reasons
from celery2arq.verdicts.calls import call_reasons, canvas_reasons, workflow_tasks
from celery2arq.verdicts.settings import setting_reasons, signal_reasons
from celery2arq.verdicts.suppress import apply_suppressions, records_with_reasons
from celery2arq.verdicts.task_classes import task_class_reasons
from celery2arq.verdicts.tasks import task_reasons

if TYPE_CHECKING:
    from celery2arq.config import Config

__all__ = ["assign"]


def assign(project: ProjectScan, config: Config | None = None) -> None:
    """Fill verdicts and reasons of every record (idempotent only on a fresh scan)."""
    classes = {cls.path: cls for cls in project.task_classes}
    in_workflow = workflow_tasks(project)
    app_task_cls = {app.path: app.task_cls for app in project.apps if app.task_cls}
    # shared_task binds to the current app: with one app in the project, its task_cls is their base too
    shared_task_cls = project.apps[0].task_cls if len(project.apps) == 1 else None
    for task in project.tasks:
        task_cls = app_task_cls.get(task.app) if task.app else shared_task_cls
        task.reasons = task_reasons(task, classes, task_cls)
        if task.name in in_workflow:
            what, file, line = in_workflow[task.name]
            task.reasons.append(
                get("C2A306").reason(
                    f"used in {what} at {file}:{line}: its result and failures drive other tasks"
                )
            )
            task.reasons = [r for r in task.reasons if r.code != "C2A100"]
    for call in project.call_sites:
        call.reasons = call_reasons(call, project)
    for use in project.canvas:
        use.reasons = canvas_reasons(use)
    broker = _broker_url(project)
    for setting in project.settings:
        setting.reasons = setting_reasons(setting, broker)
    for entry in project.beat:
        entry.reasons = beat_reasons(entry, project)
    for cls in project.task_classes:
        cls.reasons = task_class_reasons(cls, classes)
    for handler in project.signals:
        handler.reasons = signal_reasons(handler)
    apply_suppressions(project, config.ignore if config is not None else ())
    for record in records_with_reasons(project):
        record.verdict = worst([r.verdict for r in record.reasons if not r.suppressed])


def _broker_url(project: ProjectScan) -> str | None:
    for setting in project.settings:
        if setting.name == "broker_url" and setting.value is not None and setting.value.literal:
            return str(setting.value.value)
    return None
