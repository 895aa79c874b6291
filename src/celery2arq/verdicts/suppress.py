"""``# celery2arq: ignore[CODE]`` comments and ``ignore = [...]`` from the config.

A suppressed reason keeps ``suppressed=True`` (it stays in the report and is counted) but no
longer counts toward its record's verdict. A comment that silences nothing is itself reported
as C2A910, so stale suppressions do not pile up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from celery2arq.model import ProjectScan, Suppression, Undecided
from celery2arq.rules import RULES

RECORD_LISTS = ("tasks", "call_sites", "canvas", "beat", "settings", "task_classes", "signals")


def records_with_reasons(project: ProjectScan) -> Iterator[Any]:
    for attr in RECORD_LISTS:
        yield from getattr(project, attr)


def apply_suppressions(project: ProjectScan, ignore: Iterable[str] = ()) -> None:
    """Mark suppressed reasons and undecided records; add C2A910 for comments that silence nothing."""
    ignored = {code.upper() for code in ignore}
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for supp in project.suppressions:
        by_line.setdefault((supp.file, supp.line), []).append(supp)

    def silence(code: str, file: str, line: int) -> bool:
        hit = False
        for supp in by_line.get((file, line), ()):
            codes = [c.upper() for c in supp.codes]
            if not codes or code in codes:
                if code not in supp.used:
                    supp.used.append(code)
                hit = True
        return hit or code in ignored

    decorator_lines = _decorator_lines(project)
    for record in records_with_reasons(project):
        for reason in record.reasons:
            lines = [reason.line] if reason.line else decorator_lines.get(id(record), [record.line])
            if any([silence(reason.code, record.file, line) for line in lines]):
                reason.suppressed = True
    for item in project.undecided:
        if silence(item.code, item.file, item.line):
            item.suppressed = True
    project.undecided.extend(_unused(project.suppressions, ignored))
    project.undecided.sort(key=lambda u: (u.file, u.line, u.column, u.code))


def _decorator_lines(project: ProjectScan) -> dict[int, list[int]]:
    """For each task: its ``def`` line and the lines above it back to the previous record.

    A task's own reasons may be silenced on any of its decorator lines, where people write the
    comment (``@app.task(rate_limit="5/s")  # celery2arq: ignore[C2A107]``).
    """
    anchors: dict[str, list[int]] = {}
    for record in records_with_reasons(project):
        anchors.setdefault(record.file, []).append(getattr(record, "end_line", 0) or record.line)
    found: dict[int, list[int]] = {}
    for task in project.tasks:
        before = [line for line in anchors.get(task.file, []) if line < task.line]
        start = max(before, default=0) + 1
        found[id(task)] = list(range(max(start, task.line - 30), task.line + 1))
    return found


def _unused(suppressions: list[Suppression], ignored: set[str]) -> list[Undecided]:
    found = []
    for supp in suppressions:
        codes = [c.upper() for c in supp.codes]
        if not codes:
            if not supp.used:
                found.append(("`# celery2arq: ignore` silences nothing on this line", supp))
            continue
        for code in codes:
            if code not in RULES:
                found.append((f"ignore[{code}] names no rule: see `celery2arq rules`", supp))
            elif code not in supp.used:
                found.append((f"ignore[{code}] silences nothing on this line: remove it", supp))
    return [
        Undecided(
            file=s.file,
            line=s.line,
            column=s.column,
            code="C2A910",
            message=message,
            suppressed="C2A910" in ignored,
        )
        for message, s in found
    ]
