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


def invoke(*args: str, env: dict[str, str] | None = None):
    """The full click result: exit code, stdout and stderr apart."""
    return CliRunner().invoke(main, ["audit", *args], env=env)


def one_error_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_folder_without_python_files_warns_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("no code here\n")
    result = invoke(str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    assert "no Python files to scan in" in one_error_line(result.stderr)
    assert str(tmp_path) in result.stderr
    assert json.loads(result.stdout)["summary"]["files_scanned"] == 0


def test_everything_excluded_says_so(project: Path) -> None:
    result = invoke(str(project), "--exclude", "*.py", "--format", "json")
    assert result.exit_code == 0
    assert "after --include/--exclude" in one_error_line(result.stderr)


def test_a_single_file_is_audited(project: Path) -> None:
    result = invoke(str(project / "tasks.py"), "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert [t["file"] for t in json.loads(result.stdout)["tasks"]] == ["tasks.py", "tasks.py"]


def test_stdin_dash_is_refused_in_one_line() -> None:
    result = invoke("-")
    assert result.exit_code == 2
    assert "stdin ('-') is not supported" in one_error_line(result.output)


@pytest.mark.parametrize(("option", "value"), [("--format", "xml"), ("--fail-on", "bogus"), ("-j", "0")])
def test_bad_option_value_is_a_usage_error(project: Path, option: str, value: str) -> None:
    result = invoke(str(project), option, value)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.stderr or f"/ '{option}'" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_output_to_a_folder_is_refused(project: Path) -> None:
    result = invoke(str(project), "-o", str(project))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_explain_unknown_code_is_one_line_exit_2() -> None:
    result = invoke("--explain", "C2A999")
    assert result.exit_code == 2
    assert "unknown rule code 'C2A999'" in one_error_line(result.output)


def test_explain_accepts_lower_case() -> None:
    result = invoke("--explain", "c2a107")
    assert result.exit_code == 0
    assert result.stdout.startswith("# C2A107 ")


def test_invalid_toml_names_the_file_and_position(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('format = "json"\nbroken line\n')
    result = invoke(str(project), "--config", str(config))
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert str(config) in line and "invalid TOML" in line and "line" in line


def test_missing_config_file_is_one_line_exit_2(project: Path, tmp_path: Path) -> None:
    result = invoke(str(project), "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert "nope.toml" in one_error_line(result.output)


def test_unknown_key_in_explicit_pyproject(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.celery2arq]\nformatt = "json"\n')
    result = invoke(str(project), "--config", str(config))
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert "unknown key 'formatt'" in line and str(config) in line


@pytest.mark.parametrize(("fail_on", "expected"), [(None, 0), ("ready", 1), ("review", 1), ("celery", 1)])
def test_fail_on_with_a_celery_finding(project: Path, fail_on: str | None, expected: int) -> None:
    (project / "limited.py").write_text(
        "from celery import shared_task\n@shared_task(rate_limit='1/s')\ndef slow(): pass\n"
    )
    args = ["--fail-on", fail_on] if fail_on else []
    result = invoke(str(project), "--format", "json", *args)
    assert result.exit_code == expected
    assert json.loads(result.stdout)["summary"]["verdicts"]["celery"] == 1  # the report is still written


def test_fail_on_ready_trips_on_an_all_ready_project(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("from celery import shared_task\n@shared_task\ndef plain(x): return x\n")
    assert invoke(str(tmp_path), "--fail-on", "review").exit_code == 0
    assert invoke(str(tmp_path), "--fail-on", "ready").exit_code == 1


def _raise(exc: BaseException):
    def scan(*args: object, **kwargs: object) -> None:
        raise exc

    return scan


def test_internal_error_is_one_line_without_verbose(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("celery2arq.audit.run_audit", _raise(RuntimeError("boom in the scan")))
    result = invoke(str(project))
    assert result.exit_code == 2  # docs/exit-codes.md: internal errors are 2, 1 is --fail-on
    line = one_error_line(result.output)
    assert line == "Error: internal error: RuntimeError: boom in the scan (run with -v for details)"


def test_verbose_shows_the_traceback(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("celery2arq.audit.run_audit", _raise(RuntimeError("boom in the scan")))
    result = invoke(str(project), "-v")
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert "raise exc\nRuntimeError: boom in the scan\n" in result.stderr
    assert result.stderr.rstrip().endswith("Error: internal error: RuntimeError: boom in the scan")
    assert result.stdout == ""


def test_ctrl_c_exits_130_without_traceback(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("celery2arq.audit.run_audit", _raise(KeyboardInterrupt()))
    result = invoke(str(project))
    assert result.exit_code == 130
    assert one_error_line(result.stderr) == "Interrupted."
    assert result.stdout == ""


def test_no_progress_bar_and_no_colour_off_a_terminal(project: Path) -> None:
    result = invoke(str(project))
    assert result.exit_code == 0
    assert result.stderr == ""  # the progress bar is drawn on stderr only when it is a terminal
    assert "\x1b[" not in result.stdout


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_columns_sets_the_text_width(project: Path, columns: int) -> None:
    result = invoke(str(project), env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "tasks.retried  tasks.py:6" in result.stdout


def test_text_width_without_columns_is_fixed(project: Path) -> None:
    first = invoke(str(project), env={"COLUMNS": ""}).stdout
    assert max(len(line) for line in first.splitlines()) <= 110
    assert invoke(str(project), env={"COLUMNS": ""}).stdout == first


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_output_file_holds_exactly_what_stdout_shows(project: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    env = {"COLUMNS": ""}
    written = invoke(str(project), "--format", fmt, "-o", str(target), env=env)
    assert written.exit_code == 0 and written.output == ""
    assert target.read_text(encoding="utf-8") == invoke(str(project), "--format", fmt, env=env).stdout


def test_output_under_a_file_is_one_line_exit_2(project: Path) -> None:
    result = invoke(str(project), "-o", str(project / "tasks.py" / "report.txt"))
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert line.startswith("Error: cannot write ") and "tasks.py/report.txt" in line


def test_one_missing_path_among_several_is_named(project: Path) -> None:
    result = invoke(str(project), str(project / "gone"))
    assert result.exit_code == 2
    assert one_error_line(result.output) == f"Error: path does not exist: {project / 'gone'}"


def test_invalid_nearest_pyproject_is_one_line_exit_2(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.celery2arq]\nformat = "json\n')
    result = invoke(str(project))
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert str(pyproject) in line and "invalid TOML" in line and "line 2" in line


@pytest.mark.parametrize(
    ("columns", "width"), [(None, 110), ("", 110), ("abc", 110), ("30", 60), ("132", 132)]
)
def test_text_width_off_a_terminal(monkeypatch: pytest.MonkeyPatch, columns: str | None, width: int) -> None:
    from celery2arq.cli_audit import text_width

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert text_width(terminal=False) == width
