"""The report as one JSON-friendly document: the schema of ``--format json`` (docs/output-formats.md).

The Markdown and text renderers read the same document, so every format says the same thing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from celery2arq import __version__
from celery2arq.model import VERDICTS, ProjectScan, Reason, Value
from celery2arq.report.notes import PROJECT_NOTES

SCHEMA_VERSION = 1
SECTIONS = ("tasks", "beat", "canvas", "call_sites", "settings", "task_classes", "signals")


def _order(record: Any) -> tuple[Any, ...]:
    return (record.file, record.line, record.column)


def reason_json(reason: Reason, record_line: int) -> dict[str, Any]:
    return {
        "code": reason.code,
        "message": reason.message,
        "verdict": reason.verdict,
        "line": reason.line or record_line,
        "suppressed": reason.suppressed,
    }


def _value(value: Value | None) -> Any:
    return None if value is None else value.to_json()


def _common(record: Any) -> dict[str, Any]:
    return {
        "file": record.file,
        "line": record.line,
        "column": record.column,
        "verdict": record.verdict,
        "reasons": [reason_json(r, record.line) for r in record.reasons],
    }


def _task(task: Any) -> dict[str, Any]:
    return {
        "name": task.name,
        "function": task.function,
        "module": task.module,
        "kind": task.kind,
        "is_async": task.is_async,
        **_common(task),
    }


def _beat(entry: Any) -> dict[str, Any]:
    schedule = entry.schedule
    return {
        "name": entry.name,
        "task": entry.task,
        "schedule": None if schedule is None else {"kind": schedule.kind, "source": schedule.source},
        "cron_jobs": [_cron(job) for job in entry.cron_jobs],
        "description": entry.description,
        "origin": entry.origin,
        **_common(entry),
    }


def _cron(job: dict[str, Any]) -> dict[str, Any]:
    """``arq.cron`` keyword arguments with sets as sorted lists (JSON has no sets)."""
    return {k: sorted(v) if isinstance(v, (set, frozenset, list, tuple)) else v for k, v in job.items()}


def _canvas(use: Any) -> dict[str, Any]:
    return {"kind": use.kind, "tasks": list(use.tasks), **_common(use)}


def _call(call: Any) -> dict[str, Any]:
    return {
        "kind": call.kind,
        "target": call.target,
        "resolved": call.resolved,
        "in_task": call.in_task,
        "options": sorted(call.options),
        **_common(call),
    }


def _setting(setting: Any) -> dict[str, Any]:
    return {
        "name": setting.name,
        "spelled": setting.spelled,
        "value": _value(setting.value),
        "env": _env(setting.env),
        **_common(setting),
    }


def _env(env: dict[str, Any] | None) -> dict[str, Any] | None:
    if env is None:
        return None
    return {k: (v.to_json() if isinstance(v, Value) else v) for k, v in sorted(env.items())}


def _task_class(cls: Any) -> dict[str, Any]:
    return {
        "path": cls.path,
        "bases": list(cls.bases),
        "overrides": list(cls.overrides),
        "used_as": list(cls.used_as),
        **_common(cls),
    }


def _signal(handler: Any) -> dict[str, Any]:
    return {"signal": handler.signal, "function": handler.function, **_common(handler)}


BUILDERS = {
    "tasks": _task,
    "beat": _beat,
    "canvas": _canvas,
    "call_sites": _call,
    "settings": _setting,
    "task_classes": _task_class,
    "signals": _signal,
}


def summary(project: ProjectScan) -> dict[str, Any]:
    by_section: dict[str, dict[str, int]] = {}
    totals: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    suppressed = 0
    for section in SECTIONS:
        records = getattr(project, section)
        counts = Counter(r.verdict for r in records)
        by_section[section] = {v: counts[v] for v in VERDICTS} | {"total": len(records)}
        totals.update(counts)
        for record in records:
            for reason in record.reasons:
                if reason.suppressed:
                    suppressed += 1
                else:
                    fired[reason.code] += 1
    undecided = [u for u in project.undecided if u.code != "C2A910"]
    unused = [u for u in project.undecided if u.code == "C2A910" and not u.suppressed]
    for item in project.undecided:
        if item.suppressed:
            suppressed += 1
        else:
            fired[item.code] += 1
    total = sum(totals.values())
    tasks_total = by_section["tasks"]["total"]
    return {
        "files_scanned": project.files_scanned,
        "files_parsed": project.files_parsed,
        "items": total,
        "verdicts": {v: totals[v] for v in VERDICTS},
        "percent_ready": round(100 * totals["ready"] / total, 1) if total else 100.0,
        "tasks_percent_ready": (
            round(100 * by_section["tasks"]["ready"] / tasks_total, 1) if tasks_total else 100.0
        ),
        "by_section": by_section,
        "undecided": sum(not u.suppressed for u in undecided),
        "suppressed": suppressed,
        "unused_suppressions": len(unused),
        "errors": len(project.errors),
        "rules": dict(sorted(fired.items())),
    }


def build(project: ProjectScan) -> dict[str, Any]:
    """The whole report, deterministic: records sorted by location, no clock, relative paths."""
    doc: dict[str, Any] = {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "summary": summary(project),
        "project_notes": [{"topic": topic, "text": text} for topic, text in PROJECT_NOTES],
    }
    for section in SECTIONS:
        records = sorted(getattr(project, section), key=_order)
        doc[section] = [BUILDERS[section](r) for r in records]
    doc["undecided"] = [
        {
            "code": u.code,
            "message": u.message,
            "file": u.file,
            "line": u.line,
            "column": u.column,
            "suppressed": u.suppressed,
        }
        for u in sorted(project.undecided, key=lambda u: (u.file, u.line, u.column, u.code, u.message))
    ]
    doc["errors"] = [
        {"file": e.file, "line": e.line, "column": e.column, "message": e.message}
        for e in sorted(project.errors, key=lambda e: (e.file, e.line or 0, e.column or 0, e.message))
    ]
    return doc
