"""django-upgrade style helpers: exact comparison, and the expected output must compile."""

from __future__ import annotations

import textwrap
from typing import Any

from celery2arq.rewrite.engine import FileOutcome, rewrite_source
from celery2arq_codemods import PIPELINE


def run(
    source: str,
    *,
    module: str = "proj.tasks",
    scratch: dict[str, Any] | None = None,
    commands: tuple[type, ...] = PIPELINE,
) -> FileOutcome:
    outcome = rewrite_source(
        source.encode(), path="proj/tasks.py", module=module, scratch=scratch, commands=commands
    )
    assert outcome.error is None, outcome.error
    return outcome


def check_transformed(before: str, after: str, **kwargs: Any) -> FileOutcome:
    before, after = textwrap.dedent(before), textwrap.dedent(after)
    compile(after, "<expected>", "exec")
    outcome = run(before, **kwargs)
    assert outcome.new.decode() == after
    again = run(after, **kwargs)
    assert again.new.decode() == after, "a second run must change nothing"
    return outcome


def check_noop(source: str, **kwargs: Any) -> FileOutcome:
    source = textwrap.dedent(source)
    outcome = run(source, **kwargs)
    assert outcome.new.decode() == source
    return outcome


def rewrite_project_like_golden(name: str, tmp_path: Any, monkeypatch: Any, **options: Any) -> Any:
    """Copy ``fixtures/rewrite/<name>``, rewrite it, and compare every changed file byte for byte with
    ``fixtures/rewrite/<name>_after`` (``C2A_UPDATE_GOLDEN=1`` regenerates it: review the diff)."""
    import os
    import shutil
    from pathlib import Path

    from celery2arq.rewrite import run_rewrite

    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "rewrite"
    root = tmp_path / name
    shutil.copytree(fixtures / name, root)
    monkeypatch.chdir(root)
    result = run_rewrite([Path(".")], **options)
    assert result.errors == []
    golden = fixtures / f"{name}_after"
    if os.environ.get("C2A_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for changed in result.changed:
            (golden / changed).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / changed, golden / changed)
    expected = sorted(p.relative_to(golden).as_posix() for p in golden.rglob("*.py"))
    assert result.changed == expected
    for changed in expected:
        assert (root / changed).read_bytes() == (golden / changed).read_bytes(), changed
    return result
