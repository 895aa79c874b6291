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
