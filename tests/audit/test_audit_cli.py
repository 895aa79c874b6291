"""``celery2arq audit`` end to end with click's CliRunner: formats, exit codes, config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from celery2arq.cli import main

TASKS = (
    "from celery import shared_task\n"
    "@shared_task\n"
    "def plain(x):\n"
    "    return x\n"
    "@shared_task(max_retries=2)\n"
    "def retried(x):\n"
    "    return x\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tasks.py").write_text(TASKS)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", *args])
    return result.exit_code, result.output


def test_json_report_to_stdout(project: Path) -> None:
    code, out = run(str(project), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert {t["name"]: t["verdict"] for t in doc["tasks"]} == {
        "tasks.plain": "ready",
        "tasks.retried": "review",
    }
    assert doc["tasks"][0]["file"] == "tasks.py"


def test_output_file(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    code, out = run(str(project), "--format", "sarif", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(("fail_on", "expected"), [("celery", 0), ("review", 1), ("ready", 1)])
def test_fail_on(project: Path, fail_on: str, expected: int) -> None:
    code, _ = run(str(project), "--format", "json", "--fail-on", fail_on)
    assert code == expected


def test_missing_path_is_one_line_exit_2(tmp_path: Path) -> None:
    code, out = run(str(tmp_path / "nope"))
    assert code == 2
    assert "path does not exist" in out
    assert len(out.strip().splitlines()) == 1
    assert "Traceback" not in out


def test_no_path_is_usage_error() -> None:
    code, out = run()
    assert code == 2
    assert "PATH" in out


def test_parse_error_is_listed_and_exit_0(project: Path) -> None:
    (project / "broken.py").write_text("from celery import shared_task\ndef broken(:\n")
    code, out = run(str(project), "--format", "json")
    assert code == 0
    errors = json.loads(out)["errors"]
    assert [e["file"] for e in errors] == ["broken.py"]


def test_pyproject_config_sets_defaults(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.celery2arq]\nformat = "json"\nfail-on = "review"\n')
    code, out = run(str(project))
    assert code == 1
    assert json.loads(out)["summary"]["by_section"]["tasks"]["total"] == 2


def test_cli_option_overrides_config(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.celery2arq]\nformat = "json"\nfail-on = "review"\n')
    code, out = run(str(project), "--fail-on", "celery", "--format", "markdown")
    assert code == 0
    assert out.startswith("# celery2arq audit")


def test_unknown_config_key_is_refused_with_key_and_file(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.celery2arq]\nfail_on = "review"\n')
    code, out = run(str(project))
    assert code == 2
    assert "'fail_on'" in out and str(pyproject) in out
    assert len(out.strip().splitlines()) == 1
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('format = "xml"', "format must be one of"),
        ("jobs = 0", "jobs must be a positive integer"),
        ('ignore = ["C2A000"]', "unknown rule code C2A000"),
    ],
)
def test_bad_config_values(project: Path, table: str, message: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.celery2arq]\n{table}\n")
    code, out = run(str(project))
    assert code == 2 and message in out


def test_explicit_config_file_and_exclude(project: Path, tmp_path: Path) -> None:
    (project / "skip_me.py").write_text("from celery import shared_task\n@shared_task\ndef s(): pass\n")
    config = tmp_path / "c2a.toml"
    config.write_text('format = "json"\nexclude = ["skip_me.py"]\nignore = ["C2A103"]\n')
    code, out = run(str(project), "--config", str(config))
    assert code == 0
    doc = json.loads(out)
    assert sorted(t["name"] for t in doc["tasks"]) == ["tasks.plain", "tasks.retried"]
    assert {t["name"]: t["verdict"] for t in doc["tasks"]}["tasks.retried"] == "ready"


def test_text_format_is_default(project: Path) -> None:
    code, out = run(str(project))
    assert code == 0
    assert "Summary" in out and "tasks.retried" in out


def test_unwritable_output_is_one_line_exit_2(project: Path) -> None:
    code, out = run(str(project), "-o", str(project / "no-such-dir" / "report.txt"))
    assert code == 2
    assert "cannot write" in out and len(out.strip().splitlines()) == 1
