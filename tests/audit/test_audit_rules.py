"""The rule registry and its pages: one page per code in docs/rules/, equal to what the package prints."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from celery2arq.cli import main
from celery2arq.model import VERDICTS
from celery2arq.rules import RULES, get, render_page

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"
SECTIONS = (
    "What it does",
    "Why it matters for ARQ",
    "Example",
    "Use instead",
    "What rewrite does",
    "References",
)


def test_codes_names_and_verdicts_are_well_formed() -> None:
    names = [rule.name for rule in RULES.values()]
    assert len(names) == len(set(names))
    for code, rule in RULES.items():
        assert re.fullmatch(r"C2A[1-6,9]\d\d", code), code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.verdict in VERDICTS
        assert rule.summary.endswith("."), code
        assert "\n" not in rule.summary


def test_brief_codes_are_registered() -> None:
    for code in (
        "C2A100",
        *(f"C2A50{i}" for i in range(1, 10)),
        *(f"C2A90{i}" for i in range(1, 6)),
        "C2A910",
    ):
        assert code in RULES


@pytest.mark.parametrize("code", sorted(RULES))
def test_page_has_every_section_in_order(code: str) -> None:
    page = render_page(code)
    positions = [page.index(f"\n## {title}\n") for title in SECTIONS]
    assert positions == sorted(positions)
    assert page.startswith(f"# {code} {get(code).name}\n")


def test_docs_rules_equal_the_pages_the_package_prints() -> None:
    """Regenerate with CELERY2ARQ_UPDATE_DOCS=1 after editing src/celery2arq/rule_pages/."""
    if os.environ.get("CELERY2ARQ_UPDATE_DOCS"):
        for stale in DOCS.glob("C2A*.md"):
            stale.unlink()
        for code in RULES:
            (DOCS / f"{code}.md").write_text(render_page(code), encoding="utf-8")
    on_disk = {p.stem: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert set(on_disk) == set(RULES), "docs/rules must hold exactly one page per rule code"
    for code in RULES:
        assert on_disk[code] == render_page(code), code


def test_rules_command_lists_every_code() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == list(RULES)


def test_rules_code_prints_the_page() -> None:
    result = CliRunner().invoke(main, ["rules", "c2a107"])
    assert result.exit_code == 0
    assert result.output == render_page("C2A107")


def test_explain_prints_the_page_without_paths() -> None:
    result = CliRunner().invoke(main, ["audit", "--explain", "C2A306"])
    assert result.exit_code == 0
    assert result.output == (DOCS / "C2A306.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["rules", "C2A999"], ["audit", "--explain", "NOPE"]])
def test_unknown_code_is_a_usage_error(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "unknown rule code" in result.output
    assert "Traceback" not in result.output
