"""rewrite over the audit's fixture projects: no internal errors, everything compiles, reruns are no-ops."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from celery2arq.audit import run_audit
from celery2arq.rewrite import run_rewrite

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir()) if PROJECTS.is_dir() else []
# Files made broken on purpose in those fixtures (tests/test_fixtures_sane.py).
BROKEN = {"pkg/jobs/broken.py", "pkg/jobs/latin1_legacy.py"}


@pytest.mark.parametrize("name", NAMES)
def test_rewrite_is_safe_on_fixture_project(name, tmp_path, monkeypatch):
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root)
    monkeypatch.chdir(root)
    first = run_rewrite([Path(".")])
    assert all(error.split(":")[0] in BROKEN for error in first.errors), first.errors
    assert first.changed and first.worker_settings
    for changed in first.changed:
        original = PROJECTS / name / changed
        if not original.exists() or _compiles(original):  # PEP 695 cannot compile on Python < 3.12
            compile(Path(changed).read_bytes(), changed, "exec", dont_inherit=True)
    written = {p: p.read_bytes() for p in root.rglob("*.py")}
    second = run_rewrite([Path(".")], mode="check")
    assert second.changed == []
    assert second.left == first.left
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == written


def _compiles(path: Path) -> bool:
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("name", NAMES)
def test_every_audited_task_is_converted_or_reported_left(name, tmp_path, monkeypatch):
    """No task the audit lists is silently skipped: converted + left on Celery = the audit's tasks."""
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root)
    monkeypatch.chdir(root)
    audited = sorted((t.file, t.function) for t in run_audit([Path(".")]).tasks)
    result = run_rewrite([Path(".")], mode="check")
    converted = sorted((o.path, c["function"]) for o in result.outcomes for c in o.converted)
    left = sorted((t["file"], t["function"]) for t in result.left_tasks)
    assert not set(converted) & set(left)
    assert sorted(converted + left) == audited
    assert result.converted + result.left == len(audited)
    assert all(t["message"] for t in result.left_tasks)
