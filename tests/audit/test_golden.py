"""Golden JSON reports: for every project under fixtures/projects/, fixtures/golden/<name>.json.

Regenerate with ``CELERY2ARQ_UPDATE_GOLDEN=1 pytest tests/audit/test_golden.py`` and review the
diff by eye (``git diff fixtures/golden``) before accepting it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from celery2arq.audit import run_audit
from celery2arq.report import render

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())
GOLDEN = FIXTURES / "golden"


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_json_report_equals_golden(project: Path) -> None:
    report = render(run_audit([project], root=project), "json")
    golden = GOLDEN / f"{project.name}.json"
    if os.environ.get("CELERY2ARQ_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(report, encoding="utf-8")
    assert golden.is_file(), f"no golden report for {project.name}: run with CELERY2ARQ_UPDATE_GOLDEN=1"
    assert report == golden.read_text(encoding="utf-8")


def test_every_golden_report_has_a_project() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} <= {p.name for p in PROJECTS}


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_every_record_has_a_registered_reason(project: Path) -> None:
    import json

    from celery2arq.rules import RULES

    doc = json.loads((GOLDEN / f"{project.name}.json").read_text(encoding="utf-8"))
    for section in ("tasks", "beat", "canvas", "call_sites", "settings", "task_classes", "signals"):
        for record in doc[section]:
            assert record["reasons"], (section, record["file"], record["line"])
            assert {r["code"] for r in record["reasons"]} <= set(RULES)
    assert {u["code"] for u in doc["undecided"]} <= set(RULES)
