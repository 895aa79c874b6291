"""Each output format, SARIF against the official 2.1.0 schema, and byte-identical determinism."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from audit_helpers import HEADER, judge

from celery2arq.audit import run_audit
from celery2arq.report import render
from celery2arq.rules import RULES

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

BODY = (
    "app.conf.broker_url = 'redis://localhost:6379/0'\n"
    "app.conf.beat_schedule = {'nightly': {'task': 'mod.add', 'schedule': crontab(hour=3, minute=0)},\n"
    "                          'odd': {'task': 'mod.add', 'schedule': 420}}\n"
    "@shared_task(bind=True, rate_limit='1/s')\n"
    "def add(self, x, y):\n"
    "    return self.request.id\n"
    "@shared_task\n"
    "def plain(x):\n"
    "    return x\n"
    "chain(add.s(1, 2), plain.s()).delay()\n"
    "plain.delay(1)  # celery2arq: ignore[C2A200]\n"
)


@pytest.fixture(scope="module")
def project():
    return judge(BODY)


def test_json_has_the_documented_keys(project) -> None:
    doc = json.loads(render(project, "json"))
    assert {"version", "summary", "tasks", "beat", "canvas", "call_sites", "settings", "errors"} <= set(doc)
    task = next(t for t in doc["tasks"] if t["name"] == "mod.add")
    assert {"name", "file", "line", "verdict", "reasons"} <= set(task)
    assert task["verdict"] == "celery"
    assert {"code", "message"} <= set(task["reasons"][0])
    beat = {b["name"]: b for b in doc["beat"]}
    assert beat["nightly"]["cron_jobs"] == [{"hour": [3], "minute": [0], "second": [0]}]
    assert beat["nightly"]["description"] == "at 03:00"
    assert beat["odd"]["verdict"] == "celery" and beat["odd"]["cron_jobs"] == []
    assert [c["kind"] for c in doc["canvas"]] == ["chain"]
    assert doc["summary"]["verdicts"]["celery"] >= 2
    assert doc["summary"]["suppressed"] == 1


def test_summary_counts_add_up(project) -> None:
    s = json.loads(render(project, "json"))["summary"]
    assert sum(s["verdicts"].values()) == s["items"]
    assert s["items"] == sum(sec["total"] for sec in s["by_section"].values())
    assert s["percent_ready"] == round(100 * s["verdicts"]["ready"] / s["items"], 1)


def test_text_report_starts_with_summary_and_shows_beat_cron(project) -> None:
    text = render(project, "text")
    assert text.index("Summary") < text.index("Tasks (")
    assert "cron(hour={3}, minute={0}," in text
    assert "at 03:00" in text
    assert "at-least-once" in text  # project-wide notes, once
    assert text.count("at-least-once") == 1


def test_markdown_report_has_tables(project) -> None:
    md = render(project, "markdown")
    assert md.startswith("# celery2arq audit\n")
    assert "| verdict | task | location | reasons |" in md
    assert "`mod.add`" in md


def test_sarif_is_valid_against_the_official_schema(project) -> None:
    sarif = json.loads(render(project, "sarif"))
    jsonschema.validate(sarif, SCHEMA)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    fired = {r["ruleId"] for r in run["results"]}
    assert set(rule_ids) == fired  # only the rules that fired
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["helpUri"].endswith(f"{rule['id']}.md")
        assert "## What it does" in rule["fullDescription"]["text"]
    result = next(r for r in run["results"] if r["ruleId"] == "C2A107")
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "mod.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == HEADER.count("\n") + 5  # the def line
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["C2A200"]


def test_sarif_carries_parse_errors_as_notifications() -> None:
    project = judge("def broken(:\n")
    sarif = json.loads(render(project, "sarif"))
    jsonschema.validate(sarif, SCHEMA)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes and notes[0]["level"] == "error"


def _write_project(root: Path) -> None:
    (root / "proj").mkdir()
    (root / "proj" / "__init__.py").write_text("")
    (root / "proj" / "tasks.py").write_text(HEADER + BODY)
    (root / "proj" / "more.py").write_text(
        "from celery import shared_task\n@shared_task(max_retries=2)\ndef other():\n    pass\n"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_two_runs_are_byte_identical(tmp_path: Path, fmt: str) -> None:
    _write_project(tmp_path)
    first = render(run_audit([tmp_path], root=tmp_path), fmt)
    second = render(run_audit([tmp_path], root=tmp_path, config=None), fmt)
    assert first == second
    assert str(tmp_path) not in first  # relative paths only


def test_every_reason_code_in_a_report_is_registered(project) -> None:
    doc = json.loads(render(project, "json"))
    codes = {
        r["code"]
        for section in ("tasks", "beat", "canvas", "call_sites", "settings")
        for item in doc[section]
        for r in item["reasons"]
    }
    assert codes <= set(RULES)


def test_parallel_scan_gives_the_same_report(tmp_path: Path) -> None:
    """Enough files for the process pool: -j 2 and -j 1 must agree byte for byte."""
    from celery2arq.config import Config

    pkg = tmp_path / "many"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for i in range(30):
        (pkg / f"t{i:02}.py").write_text(
            "from celery import shared_task\n"
            f"@shared_task(max_retries={i % 4})\ndef job{i}(x):\n    return x\n"
        )
    serial = render(run_audit([tmp_path], Config(jobs=1), root=tmp_path), "json")
    parallel = render(run_audit([tmp_path], Config(jobs=2), root=tmp_path), "json")
    assert serial == parallel
    assert json.loads(serial)["summary"]["by_section"]["tasks"]["total"] == 30


def test_sarif_reports_an_undecided_point_once() -> None:
    project = judge("PREFIX = 'x'\n@shared_task(name=f'{PREFIX}.charge')\ndef charge(i): pass\n")
    assert any(u.code == "C2A901" for u in project.undecided)
    results = json.loads(render(project, "sarif"))["runs"][0]["results"]
    assert [r["ruleId"] for r in results].count("C2A901") == 1


FIXTURE_PROJECTS = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "fixtures" / "projects").iterdir() if p.is_dir()
)


@pytest.mark.parametrize("root", FIXTURE_PROJECTS, ids=[p.name for p in FIXTURE_PROJECTS])
def test_fixture_projects_render_in_every_format(root: Path) -> None:
    project = run_audit([root], root=root)
    jsonschema.validate(json.loads(render(project, "sarif")), SCHEMA)
    text = render(project, "text")
    markdown = render(project, "markdown")
    for task in project.tasks:
        assert task.name in text
        assert f"`{task.name}`" in markdown
    for error in project.errors:
        assert error.file in text and error.file in markdown
