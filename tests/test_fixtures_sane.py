"""The audit fixture projects are valid test data: they parse, and only the intended files are broken.

The fixtures are read as text and parsed; they are never imported (they import Django, FastAPI...).
"""

from __future__ import annotations

import json
from pathlib import Path

import libcst
import pytest

PROJECTS = Path(__file__).resolve().parent.parent / "fixtures" / "projects"

# Deliberately unparsable files (relative to PROJECTS).
BROKEN = {
    "hardcases/pkg/jobs/broken.py",  # syntax error
    "hardcases/pkg/jobs/latin1_legacy.py",  # Latin-1 bytes, no coding cookie
}
# Valid only on Python >= 3.12 (PEP 695); LibCST parses them, older hosts cannot compile them.
PY312_ONLY = {"hardcases/pkg/jobs/modern.py"}

PROJECT_NAMES = sorted(p.parent.name for p in PROJECTS.glob("*/expected.json"))
ALL_FILES = sorted(p.relative_to(PROJECTS).as_posix() for p in PROJECTS.rglob("*.py"))


def test_fixture_projects_exist() -> None:
    names = {p.name for p in PROJECTS.iterdir() if p.is_dir()}
    assert {"plainapp", "djangoproj", "fastapisvc", "hardcases", "flaskfactory"} <= names
    assert set(PROJECT_NAMES) == names  # every project documents what a scan must find
    assert BROKEN | PY312_ONLY <= set(ALL_FILES)


@pytest.mark.parametrize("rel", [f for f in ALL_FILES if f not in BROKEN])
def test_fixture_parses(rel: str) -> None:
    source = (PROJECTS / rel).read_bytes()
    module = libcst.parse_module(source)
    assert module.bytes == source  # LibCST round-trips it exactly
    if rel not in PY312_ONLY:
        compile(source, rel, "exec", dont_inherit=True)


@pytest.mark.parametrize("rel", sorted(BROKEN))
def test_broken_fixture_is_really_broken(rel: str) -> None:
    source = (PROJECTS / rel).read_bytes()
    with pytest.raises(Exception):  # noqa: B017 - ParserSyntaxError or UnicodeDecodeError
        libcst.parse_module(source)
    with pytest.raises((SyntaxError, UnicodeDecodeError)):
        compile(source, rel, "exec", dont_inherit=True)


def test_latin1_fixture_is_not_utf8_but_is_latin1() -> None:
    source = (PROJECTS / "hardcases/pkg/jobs/latin1_legacy.py").read_bytes()
    assert not source.startswith(b"# -*- coding")
    with pytest.raises(UnicodeDecodeError):
        source.decode("utf-8")
    assert "shared_task" in source.decode("latin-1")


@pytest.mark.parametrize("project", PROJECT_NAMES)
def test_expected_json_matches_sources(project: str) -> None:
    """Every expected task's function name appears in its module's source (guards against typos)."""
    root = PROJECTS / project
    expected = json.loads((root / "expected.json").read_text())
    assert expected["tasks"] and expected["apps"]
    for task in expected["tasks"]:
        module_file = root / (task["module"].replace(".", "/") + ".py")
        assert module_file.is_file(), task
        text = module_file.read_bytes().decode("utf-8")
        if task["function"] != "<lambda>":
            assert f" {task['function']}" in text, task
    for rel in expected["error_files"]:
        assert f"{project}/{rel}" in BROKEN


def _task_key(name: str | None, name_static: bool, module: str, function: str) -> str:
    return name if name_static and name else f"<dynamic> {module}.{function}"


def _scanned(project: str) -> dict[str, list]:
    from celery2arq.scan import scan_paths

    root = PROJECTS / project
    scan = scan_paths([root], root=root, jobs=1)
    expected_beat = {b for b in json.loads((root / "expected.json").read_text())["beat"] if b}
    return {
        "apps": sorted(a.path for a in scan.apps),
        "tasks": sorted(_task_key(t.name, t.name_static, t.module, t.function) for t in scan.tasks),
        # entries without a static name (add_periodic_task without name=) may be called anything
        "beat": sorted(b.name if b.name in expected_beat else "<generated>" for b in scan.beat),
        "error_files": sorted(e.file for e in scan.errors),
    }


@pytest.mark.parametrize("project", PROJECT_NAMES)
def test_scanner_finds_what_expected_json_says(project: str) -> None:
    """expected.json is the contract between these fixtures and the scanner (reading, never importing)."""
    want = json.loads((PROJECTS / project / "expected.json").read_text())
    expected = {
        "apps": sorted(want["apps"]),
        "tasks": sorted(_task_key(**t) for t in want["tasks"]),
        "beat": sorted(b or "<generated>" for b in want["beat"]),
        "error_files": sorted(want["error_files"]),
    }
    assert _scanned(project) == expected
