"""``--format markdown``: the report as a migration checklist in GitHub-flavoured Markdown.

Written to be committed as ``MIGRATION.md``: a summary, a checklist of every record that is not
``ready``, then one heading per section. Reason codes link to their rule pages
(``docs/rules/C2A###.md``, relative). Free text is escaped so identifiers such as ``__call__`` or
``arq:<queue>`` render literally on GitHub.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from celery2arq.model import ProjectScan
from celery2arq.report.common import SECTION_TITLES, call_site_counts, cron_text, location
from celery2arq.report.document import SECTIONS, build

RULE_LINK = "docs/rules/{code}.md"
_SPECIAL = re.compile(r"([\\`*\[\]<>|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")  # intraword _ is literal

Label = Callable[[dict[str, Any]], str]


def text(value: Any) -> str:
    """Plain text with Markdown and HTML punctuation escaped (safe in a table cell too).

    An underscore between two letters or digits (``max_retries``) cannot start emphasis on GitHub
    and stays as it is, so the file also reads well as plain text.
    """
    return _SPECIAL.sub(r"\\\1", str(value))


def code(value: Any) -> str:
    """An inline code span; a ``|`` still needs escaping inside a GitHub table."""
    raw = str(value).replace("|", "\\|")
    fence = "``" if "`" in raw else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{raw}{pad}{fence}"


def rule(code_: str) -> str:
    return f"[{code_}]({RULE_LINK.format(code=code_)})"


def _reason(reason: dict[str, Any]) -> str:
    mark = " *(suppressed)*" if reason["suppressed"] else ""
    return f"{rule(reason['code'])} {text(reason['message'])}{mark}"


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c).replace("\n", "<br>") for c in row) + " |" for row in rows]
    return lines + [""]


def _section(title: str, rows: list[dict[str, Any]], extra: list[tuple[str, Label]]) -> list[str]:
    if not rows:
        return []
    headers = ["verdict", *(h for h, _ in extra), "location", "reasons"]
    body = [
        [
            f"**{r['verdict']}**",
            *(label(r) for _, label in extra),
            code(location(r)),
            "\n".join(_reason(reason) for reason in r["reasons"]),
        ]
        for r in rows
    ]
    return [f"## {title} ({len(rows)})", "", *_table(headers, body)]


def _summary(doc: dict[str, Any]) -> list[str]:
    s = doc["summary"]
    rows = [
        [SECTION_TITLES[sec], *(s["by_section"][sec][k] for k in ("ready", "review", "celery", "total"))]
        for sec in SECTIONS
        if s["by_section"][sec]["total"]
    ]
    rows.append(["**all**", *(f"**{s['verdicts'][k]}**" for k in ("ready", "review", "celery")), s["items"]])
    return [
        "## Summary",
        "",
        *_table(["section", "ready", "review", "celery", "total"], rows),
        f"**{s['percent_ready']}% ready** overall, {s['tasks_percent_ready']}% of tasks; "
        f"{s['undecided']} undecided, {s['suppressed']} suppressed, {s['unused_suppressions']} unused "
        f"suppressions, {s['errors']} files with errors.",
        "",
        "Verdicts: **ready** converts with the same behaviour; **review** converts, but behaviour differs "
        "as the reason states; **celery** needs Celery or a redesign.",
        "",
    ]


CHECKLIST_LABELS: dict[str, tuple[str, Label]] = {
    "tasks": ("task", lambda r: code(r["name"])),
    "beat": ("Beat entry", lambda r: code(r["name"])),
    "canvas": ("canvas", lambda r: f"{r['kind']} of " + (", ".join(code(t) for t in r["tasks"]) or "?")),
    "call_sites": ("call", lambda r: code(f"{r['target'] or '?'}.{r['kind']}")),
    "settings": ("setting", lambda r: code(r["spelled"] or r["name"])),
    "task_classes": ("task class", lambda r: code(r["path"])),
    "signals": ("signal handler", lambda r: f"{code(r['function'])} ({r['signal']})"),
}


def _checklist(doc: dict[str, Any]) -> list[str]:
    """One unchecked box per record that is not ready, worst first, with its codes."""
    items = []
    for verdict in ("celery", "review"):
        for section in SECTIONS:
            kind, label = CHECKLIST_LABELS[section]
            for r in doc[section]:
                if r["verdict"] != verdict:
                    continue
                codes = sorted(
                    {x["code"] for x in r["reasons"] if x["verdict"] == verdict and not x["suppressed"]}
                )
                items.append(
                    f"- [ ] **{verdict}** {kind} {label(r)} at {code(location(r))}: "
                    + ", ".join(rule(c) for c in codes)
                )
    items += [
        f"- [ ] **undecided** {rule(u['code'])} at {code(location(u))}: {text(u['message'])}"
        for u in doc["undecided"]
        if not u["suppressed"]
    ]
    items += [f"- [ ] **error** {code(e['file'])}: {text(e['message'])}" for e in doc["errors"]]
    if not items:
        return ["## Checklist", "", "Nothing to review: every record is ready.", ""]
    return [f"## Checklist ({len(items)})", "", *items, ""]


def _beat(rows: list[dict[str, Any]]) -> list[str]:
    """An overview table, then one sub-heading per entry: schedule, cron(s), timing, reasons."""
    if not rows:
        return []
    out = [f"## Beat ({len(rows)})", ""]
    out += _table(
        ["verdict", "entry", "task", "fires"],
        [
            [
                f"**{r['verdict']}**",
                code(r["name"]),
                code(r["task"]) if r["task"] else "?",
                text(r["description"] or "-"),
            ]
            for r in rows
        ],
    )
    for r in rows:
        crons = [code(cron_text(c)) for c in r["cron_jobs"]]
        out += [
            f"### {code(r['name'])} → {code(r['task']) if r['task'] else '?'}",
            "",
            f"- verdict: **{r['verdict']}**",
            f"- location: {code(location(r))}",
            f"- Celery schedule: {code(r['schedule']['source']) if r['schedule'] else '? (not static)'}",
            f"- ARQ: {', '.join(crons) if crons else 'no cron (stays on Celery Beat)'}",
        ]
        if r["description"]:
            out.append(f"- fires: {text(r['description'])}")
        out += ["- reasons:", *(f"  - {_reason(reason)}" for reason in r["reasons"]), ""]
    return out


def render_markdown(project: ProjectScan) -> str:
    doc = build(project)
    s = doc["summary"]
    out = [
        "# celery2arq audit",
        "",
        f"Migration checklist from Celery to ARQ, generated by celery2arq {doc['version']} "
        f"({s['files_scanned']} files scanned, {s['files_parsed']} parsed). "
        "Each code links to its rule page.",
        "",
    ]
    out += _summary(doc)
    out += _checklist(doc)
    out += ["## Applies to every task", ""]
    out += [f"- **{n['topic']}**: {text(n['text'])}" for n in doc["project_notes"]] + [""]
    out += _section("Tasks", doc["tasks"], [("task", lambda r: code(r["name"]))])
    out += _beat(doc["beat"])
    out += _section(
        "Canvas",
        doc["canvas"],
        [("kind", lambda r: r["kind"]), ("tasks", lambda r: ", ".join(code(t) for t in r["tasks"]) or "?")],
    )
    if doc["call_sites"]:
        out += [f"## Call sites ({len(doc['call_sites'])})", ""]
        out += _table(["kind", "ready", "review", "celery"], [list(row) for row in call_site_counts(doc)])
        out += _section(
            "Call sites needing attention",
            [c for c in doc["call_sites"] if c["verdict"] != "ready"],
            [("call", lambda r: code(f"{r['target'] or '?'}.{r['kind']}"))],
        )
    out += _section("Settings", doc["settings"], [("setting", lambda r: code(r["spelled"] or r["name"]))])
    out += _section("Task classes", doc["task_classes"], [("class", lambda r: code(r["path"]))])
    out += _section(
        "Signal handlers",
        doc["signals"],
        [("signal", lambda r: r["signal"]), ("handler", lambda r: code(r["function"]))],
    )
    if doc["undecided"]:
        out += [f"## Undecided ({len(doc['undecided'])})", ""]
        out += _table(
            ["code", "location", "message"],
            [
                [
                    rule(u["code"]),
                    code(location(u)),
                    text(u["message"]) + (" *(suppressed)*" if u["suppressed"] else ""),
                ]
                for u in doc["undecided"]
            ],
        )
    if doc["errors"]:
        out += [f"## Errors ({len(doc['errors'])})", ""]
        out += _table(
            ["file", "message"],
            [
                [code(e["file"] + (f":{e['line']}" if e["line"] else "")), text(e["message"])]
                for e in doc["errors"]
            ],
        )
    return "\n".join(out).rstrip("\n") + "\n"
