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

ALL_FILES = sorted(p.relative_to(PROJECTS).as_posix() for p in PROJECTS.rglob("*.py"))


def test_fixture_projects_exist() -> None:
    names = {p.name for p in PROJECTS.iterdir() if p.is_dir()}
    assert {"plainapp", "djangoproj", "fastapisvc", "hardcases"} <= names
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


@pytest.mark.parametrize("project", ["plainapp", "djangoproj", "fastapisvc", "hardcases"])
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
