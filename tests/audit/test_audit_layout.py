"""How the human formats read: text blocks that never cut a name, Markdown that renders on GitHub."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from audit_helpers import judge
from markdown_it import MarkdownIt

from celery2arq.audit import run_audit
from celery2arq.model import ProjectScan
from celery2arq.report import render
from celery2arq.report.markdown import RULE_LINK

REPO = Path(__file__).resolve().parents[2]
FIXTURES = sorted(p for p in (REPO / "fixtures" / "projects").iterdir() if p.is_dir())
WIDTHS = (80, 100, 160)

BODY = (
    "app.conf.beat_schedule = {\n"
    "    'a-rather-long-nightly-report-entry-name': {\n"
    "        'task': 'mod.add', 'schedule': crontab(hour=3, minute=0)},\n"
    "    'odd': {'task': 'mod.add', 'schedule': 7},\n"
    "}\n"
    "class Wrapped(Task):\n"
    "    def __call__(self, *args, **kwargs):\n"
    "        return super().__call__(*args, **kwargs)\n"
    "@shared_task(bind=True, base=Wrapped, rate_limit='1/s')\n"
    "def add(self, x, y):\n"
    "    return self.request.id\n"
    "@shared_task\n"
    "def plain(x):\n"
    "    return x\n"
)


@pytest.fixture(scope="module")
def project() -> ProjectScan:
    return judge(BODY)


@pytest.fixture(scope="module", params=FIXTURES, ids=[p.name for p in FIXTURES])
def fixture_project(request: pytest.FixtureRequest) -> ProjectScan:
    return run_audit([request.param], root=request.param)


def _tokens(project: ProjectScan) -> set[str]:
    """Names and ``file:line`` locations a reader greps for: each must stay on one line, whole."""
    tokens = {t.name for t in project.tasks}
    tokens |= {
        f"{r.file}:{r.line}" for section in ("tasks", "beat", "settings") for r in getattr(project, section)
    }
    tokens |= {b.name for b in project.beat}
    return {t for t in tokens if " " not in t}


@pytest.mark.parametrize("width", WIDTHS)
def test_text_never_cuts_a_name_or_location(fixture_project: ProjectScan, width: int) -> None:
    text = render(fixture_project, "text", width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "…" not in text  # nothing truncated
    words = {word for line in lines for word in line.split()}
    for token in _tokens(fixture_project):
        assert token in words, f"{token!r} is cut or wrapped at width {width}"


def test_text_beat_is_one_block_per_entry(project: ProjectScan) -> None:
    text = render(project, "text", width=80)
    assert "  review  a-rather-long-nightly-report-entry-name -> mod.add  mod.py:8" in text
    block = text[text.index("a-rather-long-nightly") :]
    assert re.search(r"^ {10}Celery  crontab\(hour=3, minute=0\)$", block, re.M)
    assert re.search(r"^ {10}ARQ     cron\(hour=\{3\}, minute=\{0\}, second=\{0\}\)$", block, re.M)
    assert re.search(r"^ {10}fires   at 03:00$", block, re.M)
    assert re.search(r"^ {10}C2A501  crontab converts", block, re.M)
    odd = text[text.index("  celery  odd -> mod.add") :]
    assert re.search(r"^ {10}ARQ     none: stays on Celery Beat$", odd, re.M)
    assert re.search(r"^ {10}C2A503  every 7 seconds", odd, re.M)


def test_text_reasons_wrap_under_their_message(project: ProjectScan) -> None:
    """A long reason continues under its own text (hanging indent), never under the code column."""
    lines = render(project, "text", width=60).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("          C2A501  "))
    assert lines[start + 1].startswith(" " * 18) and lines[start + 1][18] != " "


def test_text_sections_follow_the_summary(project: ProjectScan) -> None:
    text = render(project, "text")
    order = [text.index(title) for title in ("Summary", "Applies to every task", "Tasks (", "Beat (")]
    assert order == sorted(order)
    s = json.loads(render(project, "json"))["summary"]
    totals = f"{s['verdicts']['ready']} +{s['verdicts']['review']} +{s['verdicts']['celery']} +{s['items']}"
    assert re.search(rf"^  all +{totals}$", text, re.M)


def test_text_colour_only_when_asked(project: ProjectScan) -> None:
    assert "\x1b[" not in render(project, "text")
    coloured = render(project, "text", color=True)
    assert "\x1b[31mcelery" in coloured and "\x1b[32mready" in coloured


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_markdown_renders_tables_with_their_columns(fixture_project: ProjectScan) -> None:
    md = render(fixture_project, "markdown")
    html = _html(md)
    assert "<h1>celery2arq audit</h1>" in html
    for table in re.findall(r"<table>.*?</table>", html, re.S):
        header = len(re.findall(r"<th>", table.split("</thead>")[0]))
        for row in re.findall(r"<tr>.*?</tr>", table.split("</thead>")[1], re.S):
            assert len(re.findall(r"<td>", row)) == header  # no stray | split a cell
    table_lines = [line for line in md.splitlines() if line.startswith("|")]
    assert len(re.findall(r"<tr>", html)) == len(table_lines) - html.count("<table>")  # every row parsed


def test_markdown_has_a_heading_per_section_and_links_rule_pages(fixture_project: ProjectScan) -> None:
    md = render(fixture_project, "markdown")
    for title, records in (("Tasks", fixture_project.tasks), ("Beat", fixture_project.beat)):
        if records:
            assert f"\n## {title} ({len(records)})\n" in md
    links = set(re.findall(r"\]\((docs/rules/C2A\d{3}\.md)\)", md))
    assert links
    assert all((REPO / link).is_file() for link in links)
    assert RULE_LINK == "docs/rules/{code}.md"


def test_markdown_checklist_has_a_box_per_record_to_review(fixture_project: ProjectScan) -> None:
    md = render(fixture_project, "markdown")
    records = [
        r
        for section in ("tasks", "beat", "canvas", "call_sites", "settings", "task_classes", "signals")
        for r in getattr(fixture_project, section)
        if r.verdict != "ready"
    ]
    boxes = [line for line in md.splitlines() if line.startswith("- [ ] **")]
    undecided = [u for u in fixture_project.undecided if not u.suppressed]
    assert len(boxes) == len(records) + len(undecided) + len(fixture_project.errors)
    assert md.index("## Checklist") < md.index("## Tasks")


def test_markdown_beat_entry_has_its_own_heading(project: ProjectScan) -> None:
    md = render(project, "markdown")
    assert "### `a-rather-long-nightly-report-entry-name` → `mod.add`\n" in md
    section = md[md.index("### `a-rather-long-nightly") :]
    assert "- Celery schedule: `crontab(hour=3, minute=0)`\n" in section
    assert "- ARQ: `cron(hour={3}, minute={0}, second={0})`\n" in section
    assert "- fires: at 03:00\n" in section
    assert "- ARQ: no cron (stays on Celery Beat)\n" in md[md.index("### `odd`") :]


def test_markdown_free_text_renders_literally(project: ProjectScan) -> None:
    html = _html(render(project, "markdown"))
    assert "arq:&lt;queue&gt;" in html  # not swallowed as an HTML tag
    assert "__call__" in html and "<strong>call</strong>" not in html
    assert '<a href="docs/rules/C2A107.md">C2A107</a>' in html


def test_markdown_all_ready_says_so() -> None:
    md = render(judge("@shared_task\ndef plain(x):\n    return x\n"), "markdown")
    assert "## Checklist\n\nNothing to review: every record is ready.\n" in md


def test_text_prints_brackets_literally() -> None:
    """Messages are not rich markup: ``ignore[C2A303]`` must not vanish as a style tag."""
    project = judge("x = 1  # celery2arq: ignore[C2A303]\n")
    assert any(u.code == "C2A910" for u in project.undecided)
    assert "ignore[C2A303]" in render(project, "text")
    assert "ignore\\[C2A303\\]" in render(project, "markdown")
