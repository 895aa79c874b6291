"""``--format text``: summary first, then one block per record (docs/audit.md).

Each record is a header line (verdict, name, location) and an indented two-column grid below it
(code or label | text), so names and ``file:line`` locations are never cut or wrapped mid-token
and long reasons wrap with a hanging indent at any terminal width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from celery2arq.model import ProjectScan
from celery2arq.report.common import SECTION_TITLES, call_site_counts, cron_text, location, target_name
from celery2arq.report.document import SECTIONS, build

STYLES = {"ready": "green", "review": "yellow", "celery": "red"}
VERDICT_WIDTH = max(len(v) for v in STYLES)
INDENT = 2 + VERDICT_WIDTH + 2  # details line up under the record's name

Title = Callable[[dict[str, Any]], str]


def _summary(console: Console, doc: dict[str, Any]) -> None:
    s = doc["summary"]
    console.print(
        Text(
            f"celery2arq {doc['version']} audit: {s['files_scanned']} files scanned, "
            f"{s['files_parsed']} parsed",
            style="bold",
        )
    )
    table = Table(box=box.SIMPLE_HEAD, title="Summary", title_justify="left")
    table.add_column("section", no_wrap=True)
    for verdict in ("ready", "review", "celery", "total"):
        table.add_column(verdict, justify="right", style=STYLES.get(verdict, ""), no_wrap=True)
    for section in SECTIONS:
        counts = s["by_section"][section]
        if counts["total"]:
            table.add_row(
                SECTION_TITLES[section], *(str(counts[k]) for k in ("ready", "review", "celery", "total"))
            )
    v = s["verdicts"]
    table.add_row("all", str(v["ready"]), str(v["review"]), str(v["celery"]), str(s["items"]), style="bold")
    console.print(table)
    console.print(
        f"{s['percent_ready']}% ready overall, {s['tasks_percent_ready']}% of tasks ready; "
        f"{s['undecided']} undecided, {s['suppressed']} suppressed, "
        f"{s['unused_suppressions']} unused suppressions, {s['errors']} files with errors"
    )
    console.print()
    console.print(Text("Applies to every task (not repeated below):", style="bold"))
    notes = Table.grid(padding=(0, 1))
    notes.add_column(no_wrap=True)
    notes.add_column(overflow="fold")
    for note in doc["project_notes"]:
        notes.add_row(f"  {note['topic']}", note["text"])
    console.print(notes)
    console.print()


def _heading(console: Console, title: str, count: int) -> None:
    console.print(Text(f"{title} ({count})", style="bold underline"))
    console.print()


def _header(verdict: str, title: str, where: str) -> Padding:
    """``  review  proj.tasks.add  proj/tasks.py:20``; a location that does not fit goes under the name."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, width=VERDICT_WIDTH)
    grid.add_column(overflow="fold")
    name = Text(title, style="bold")
    name.append("  ")
    name.append(where, style="")
    grid.add_row(Text(verdict, style=STYLES.get(verdict, "")), name)
    return Padding(grid, (0, 0, 0, 2))


def _details(rows: list[tuple[str, str]]) -> Padding:
    """Label | text rows under a header; the text wraps with a hanging indent."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for label, text in rows:
        grid.add_row(label, text)
    return Padding(grid, (0, 0, 0, INDENT))


def _reasons(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (reason["code"], reason["message"] + (" (suppressed)" if reason["suppressed"] else ""))
        for reason in record["reasons"]
    ]


def _block(record: dict[str, Any], title: str, facts: list[tuple[str, str]]) -> RenderableType:
    return Group(_header(record["verdict"], title, location(record)), _details(facts + _reasons(record)))


def _records(console: Console, title: str, rows: list[dict[str, Any]], name: Title) -> None:
    if not rows:
        return
    _heading(console, title, len(rows))
    for row in rows:
        console.print(_block(row, name(row), []))
        console.print()


def _beat_facts(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The Celery schedule, the ARQ cron(s) it becomes, and when it fires."""
    schedule = entry["schedule"]["source"] if entry["schedule"] else "? (not static)"
    if entry["cron_jobs"]:
        crons = "\n".join(cron_text(c) for c in entry["cron_jobs"])
    else:
        crons = "none: stays on Celery Beat" if entry["verdict"] == "celery" else "none"
    facts = [("Celery", schedule), ("ARQ", crons)]
    if entry["description"]:
        facts.append(("fires", entry["description"]))
    return facts


def _beat(console: Console, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    _heading(console, "Beat", len(rows))
    for row in rows:
        console.print(_block(row, f"{row['name']} -> {row['task'] or '?'}", _beat_facts(row)))
        console.print()


def _call_sites(console: Console, doc: dict[str, Any]) -> None:
    if not doc["call_sites"]:
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"Call sites ({len(doc['call_sites'])})", title_justify="left")
    for header in ("kind", "ready", "review", "celery"):
        table.add_column(header, justify="left" if header == "kind" else "right", no_wrap=True)
    for kind, ready, review, celery in call_site_counts(doc):
        table.add_row(kind, str(ready), str(review), str(celery))
    console.print(table)
    _records(
        console,
        "Call sites needing attention",
        [c for c in doc["call_sites"] if c["verdict"] != "ready"],
        lambda r: f"{r['target'] or '?'}.{r['kind']}",
    )


def _listing(console: Console, title: str, rows: list[tuple[str, ...]]) -> None:
    """Undecided findings and errors: code and ``file:line`` never wrapped, then the message."""
    if not rows:
        return
    _heading(console, title, len(rows))
    grid = Table.grid(padding=(0, 2))
    for _ in rows[0][:-1]:
        grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for row in rows:
        grid.add_row(*row)
    console.print(Padding(grid, (0, 0, 0, 2)))
    console.print()


def render_text(project: ProjectScan, *, color: bool = False, width: int = 110) -> str:
    doc = build(project)
    console = Console(
        record=True,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        file=_Null(),
        highlight=False,
        emoji=False,
        markup=False,
    )
    _summary(console, doc)
    _records(console, "Tasks", doc["tasks"], target_name)
    _beat(console, doc["beat"])
    _records(console, "Canvas", doc["canvas"], lambda r: f"{r['kind']} of {', '.join(r['tasks']) or '?'}")
    _call_sites(console, doc)
    _records(console, "Settings", doc["settings"], lambda r: r["spelled"] or r["name"])
    _records(console, "Task classes", doc["task_classes"], lambda r: r["path"])
    _records(console, "Signal handlers", doc["signals"], lambda r: f"{r['signal']} -> {r['function']}")
    _listing(
        console,
        "Undecided",
        [
            (u["code"], location(u), u["message"] + (" (suppressed)" if u["suppressed"] else ""))
            for u in doc["undecided"]
        ],
    )
    _listing(
        console,
        "Errors",
        [(e["file"] + (f":{e['line']}" if e["line"] else ""), e["message"]) for e in doc["errors"]],
    )
    text = console.export_text(styles=color)
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n") + "\n"


class _Null:
    """A sink: the console records, and the caller decides where the text goes."""

    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass
