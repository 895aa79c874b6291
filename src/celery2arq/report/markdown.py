"""``--format markdown``: the same content as the text report, as GitHub-flavoured Markdown."""

from __future__ import annotations

from typing import Any

from celery2arq.model import ProjectScan
from celery2arq.report.common import SECTION_TITLES, beat_cron, call_site_counts, location, reason_lines
from celery2arq.report.document import SECTIONS, build


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _section(title: str, rows: list[dict[str, Any]], extra: list[tuple[str, Any]]) -> list[str]:
    if not rows:
        return []
    headers = ["verdict", *(h for h, _ in extra), "location", "reasons"]
    body = [
        [r["verdict"], *(get(r) for _, get in extra), f"`{location(r)}`", "\n".join(reason_lines(r))]
        for r in rows
    ]
    return [f"## {title} ({len(rows)})", "", *_table(headers, body)]


def render_markdown(project: ProjectScan) -> str:
    doc = build(project)
    s = doc["summary"]
    out = [
        "# celery2arq audit",
        "",
        f"celery2arq {doc['version']}: {s['files_scanned']} files scanned, {s['files_parsed']} parsed.",
        "",
        "## Summary",
        "",
    ]
    rows = [
        [SECTION_TITLES[sec], *(s["by_section"][sec][k] for k in ("ready", "review", "celery", "total"))]
        for sec in SECTIONS
        if s["by_section"][sec]["total"]
    ]
    rows.append(["**all**", *(s["verdicts"][k] for k in ("ready", "review", "celery")), s["items"]])
    out += _table(["section", "ready", "review", "celery", "total"], rows)
    out += [
        f"**{s['percent_ready']}% ready** overall, {s['tasks_percent_ready']}% of tasks; "
        f"{s['undecided']} undecided, {s['suppressed']} suppressed, {s['unused_suppressions']} unused "
        f"suppressions, {s['errors']} files with errors.",
        "",
        "### Applies to every task",
        "",
    ]
    out += [f"- **{n['topic']}**: {n['text']}" for n in doc["project_notes"]] + [""]
    out += _section("Tasks", doc["tasks"], [("task", lambda r: f"`{r['name']}`")])
    out += _section(
        "Beat",
        doc["beat"],
        [
            ("entry", lambda r: r["name"]),
            ("task", lambda r: f"`{r['task']}`" if r["task"] else "?"),
            ("Celery schedule", lambda r: f"`{r['schedule']['source']}`" if r["schedule"] else "?"),
            ("ARQ cron", beat_cron),
            ("fires", lambda r: r["description"] or "-"),
        ],
    )
    out += _section(
        "Canvas",
        doc["canvas"],
        [("kind", lambda r: r["kind"]), ("tasks", lambda r: ", ".join(r["tasks"]) or "?")],
    )
    if doc["call_sites"]:
        out += [f"## Call sites ({len(doc['call_sites'])})", ""]
        out += _table(["kind", "ready", "review", "celery"], [list(row) for row in call_site_counts(doc)])
        out += _section(
            "Call sites needing attention",
            [c for c in doc["call_sites"] if c["verdict"] != "ready"],
            [("call", lambda r: f"`{r['target'] or '?'}.{r['kind']}`")],
        )
    out += _section("Settings", doc["settings"], [("setting", lambda r: f"`{r['spelled'] or r['name']}`")])
    out += _section("Task classes", doc["task_classes"], [("class", lambda r: f"`{r['path']}`")])
    out += _section(
        "Signal handlers",
        doc["signals"],
        [("signal", lambda r: r["signal"]), ("handler", lambda r: f"`{r['function']}`")],
    )
    if doc["undecided"]:
        out += [f"## Undecided ({len(doc['undecided'])})", ""]
        out += _table(
            ["code", "location", "message"],
            [
                [u["code"], f"`{location(u)}`", u["message"] + (" (suppressed)" if u["suppressed"] else "")]
                for u in doc["undecided"]
            ],
        )
    if doc["errors"]:
        out += [f"## Errors ({len(doc['errors'])})", ""]
        out += _table(["file", "message"], [[f"`{e['file']}`", e["message"]] for e in doc["errors"]])
    return "\n".join(out).rstrip("\n") + "\n"
