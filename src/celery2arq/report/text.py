"""``--format text``: rich tables, summary first, then each section (docs/audit.md)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from celery2arq.model import ProjectScan
from celery2arq.report.common import (
    SECTION_TITLES,
    beat_cron,
    call_site_counts,
    location,
    reason_lines,
    target_name,
)
from celery2arq.report.document import SECTIONS, build

STYLES = {"ready": "green", "review": "yellow", "celery": "red"}


def _verdict(verdict: str) -> Text:
    return Text(verdict, style=STYLES.get(verdict, ""))


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
    table.add_column("section")
    for verdict in ("ready", "review", "celery", "total"):
        table.add_column(verdict, justify="right", style=STYLES.get(verdict, ""))
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
    notes.add_column()
    for note in doc["project_notes"]:
        notes.add_row(f"  {note['topic']}", note["text"])
    console.print(notes)
    console.print()


def _records(console: Console, title: str, rows: list[dict[str, Any]], extra: list[tuple[str, Any]]) -> None:
    if not rows:
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"{title} ({len(rows)})", title_justify="left", show_lines=False)
    table.add_column("verdict")
    for index, (header, _) in enumerate(extra):
        table.add_column(header, no_wrap=index == 0)  # names stay greppable: never wrapped
    table.add_column("location", no_wrap=True)
    table.add_column("reasons", ratio=1)
    for row in rows:
        table.add_row(
            _verdict(row["verdict"]),
            *(str(get(row)) for _, get in extra),
            location(row),
            "\n".join(reason_lines(row)),
        )
    console.print(table)


def _beat(console: Console, rows: list[dict[str, Any]]) -> None:
    """Beat entries: schedule, cron and timing in a table, then each entry's reasons (they are long)."""
    if not rows:
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"Beat ({len(rows)})", title_justify="left")
    for header in ("verdict", "entry", "task", "Celery schedule", "ARQ cron", "fires", "location"):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(
            _verdict(row["verdict"]),
            row["name"],
            row["task"] or "?",
            row["schedule"]["source"] if row["schedule"] else "?",
            beat_cron(row),
            row["description"] or "-",
            location(row),
        )
    console.print(table)
    details = Table.grid(padding=(0, 1))
    details.add_column(no_wrap=True)
    details.add_column()
    for row in rows:
        details.add_row(f"  {row['name']}", "\n".join(reason_lines(row)))
    console.print(details)
    console.print()


def _call_sites(console: Console, doc: dict[str, Any]) -> None:
    if not doc["call_sites"]:
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"Call sites ({len(doc['call_sites'])})", title_justify="left")
    for header in ("kind", "ready", "review", "celery"):
        table.add_column(header, justify="left" if header == "kind" else "right")
    for kind, ready, review, celery in call_site_counts(doc):
        table.add_row(kind, str(ready), str(review), str(celery))
    console.print(table)
    _records(
        console,
        "Call sites needing attention",
        [c for c in doc["call_sites"] if c["verdict"] != "ready"],
        [("call", lambda r: f"{r['target'] or '?'}.{r['kind']}")],
    )


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
    )
    _summary(console, doc)
    _records(console, "Tasks", doc["tasks"], [("task", target_name)])
    _beat(console, doc["beat"])
    _records(
        console,
        "Canvas",
        doc["canvas"],
        [("kind", lambda r: r["kind"]), ("tasks", lambda r: ", ".join(r["tasks"]) or "?")],
    )
    _call_sites(console, doc)
    _records(console, "Settings", doc["settings"], [("setting", lambda r: r["spelled"] or r["name"])])
    _records(console, "Task classes", doc["task_classes"], [("class", lambda r: r["path"])])
    _records(
        console,
        "Signal handlers",
        doc["signals"],
        [("signal", lambda r: r["signal"]), ("handler", lambda r: r["function"])],
    )
    if doc["undecided"]:
        table = Table(box=box.SIMPLE_HEAD, title=f"Undecided ({len(doc['undecided'])})", title_justify="left")
        for header in ("code", "location", "message"):
            table.add_column(header)
        for item in doc["undecided"]:
            mark = " (suppressed)" if item["suppressed"] else ""
            table.add_row(item["code"], location(item), item["message"] + mark)
        console.print(table)
    if doc["errors"]:
        table = Table(box=box.SIMPLE_HEAD, title=f"Errors ({len(doc['errors'])})", title_justify="left")
        table.add_column("file")
        table.add_column("message")
        for error in doc["errors"]:
            where = error["file"] + (f":{error['line']}" if error["line"] else "")
            table.add_row(where, error["message"])
        console.print(table)
    text = console.export_text(styles=color)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


class _Null:
    """A sink: the console records, and the caller decides where the text goes."""

    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass
