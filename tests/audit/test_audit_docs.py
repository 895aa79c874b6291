"""docs/audit.md shows a real excerpt of the text report: it must match what the command prints."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from celery2arq import __version__
from celery2arq.cli import main

REPO = Path(__file__).resolve().parents[2]
MARKER = "<!-- excerpt: plainapp, COLUMNS=100"


def _excerpt_chunks() -> list[str]:
    doc = (REPO / "docs" / "audit.md").read_text(encoding="utf-8")
    block = doc[doc.index(MARKER) :].split("```text\n", 1)[1].split("\n```", 1)[0]
    return [chunk.strip("\n") for chunk in block.split("\n...") if chunk.strip("\n")]


def test_audit_md_excerpt_is_the_real_plainapp_output() -> None:
    result = CliRunner().invoke(
        main, ["audit", str(REPO / "fixtures" / "projects" / "plainapp")], env={"COLUMNS": "100"}
    )
    assert result.exit_code == 0
    chunks = _excerpt_chunks()
    assert len(chunks) == 3  # summary, tasks, beat
    for chunk in chunks:
        chunk = re.sub(r"^celery2arq \S+ audit:", f"celery2arq {__version__} audit:", chunk)
        assert chunk in result.stdout, f"docs/audit.md excerpt is out of date:\n{chunk}"
