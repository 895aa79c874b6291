"""The shortcuts (prefilter, statement pruning or reduction, lazy positions) never change the findings."""

from __future__ import annotations

import re
from pathlib import Path

import libcst
import pytest

from celery2arq.discovery import Prefilter, discover
from celery2arq.model import to_jsonable
from celery2arq.scan import scan_paths
from celery2arq.scan.facts import FileFacts
from celery2arq.scan.file import decode, scan_text
from celery2arq.scan.modules import is_package_file, module_name
from celery2arq.scan.project import link
from celery2arq.scan.prune import prune_source

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
FIXTURE_PROJECTS = sorted(p for p in PROJECTS.iterdir() if p.is_dir()) if PROJECTS.is_dir() else []

# A module where most statements are irrelevant: the reduction must keep every record's position.
BIG_MODULE = '''
"""Docstring."""
import os
from celery import shared_task as st, chain


class Unrelated:
    x = 1

    def method(self):
        return os.getcwd()


@st(bind=True)
def first(self, a):
    self.retry(countdown=1)


def helper():
    return 2


class TestViews(object):
    def test_one(self):
        return helper()

    def test_two(self):
        first.delay(1)
        chain(first.s(1), first.s(2)).apply_async(countdown=3)

    def test_three(self):
        return 3


def later():
    r = first.apply_async((1,), queue="q")
    return r.get(timeout=1)
'''


def _full_scan(root: Path) -> dict:
    """Every file parsed, no statement reduction: the reference the shortcuts must match."""
    base, files = discover([root], root=root)
    facts: list[FileFacts] = []
    errors = []
    for path in files:
        relative = path.relative_to(base).as_posix()
        try:
            text = decode(path.read_bytes())
        except (UnicodeDecodeError, SyntaxError):
            continue
        fact, error = scan_text(text, relative, module_name(path, base), is_package_file(path), reduce=False)
        facts.append(fact)
        if error:
            errors.append(error)
    return to_jsonable(link(facts, root=base.as_posix(), errors=errors))


def _comparable(project: dict) -> dict:
    return {k: v for k, v in project.items() if k not in ("files_parsed", "files_scanned", "errors")}


@pytest.mark.parametrize("project", FIXTURE_PROJECTS, ids=[p.name for p in FIXTURE_PROJECTS])
def test_prefilter_and_reduction_find_exactly_what_a_full_scan_finds(project: Path):
    fast = to_jsonable(scan_paths([project], root=project, jobs=1))
    assert _comparable(fast) == _comparable(_full_scan(project))


def test_reduction_keeps_positions():
    pattern = Prefilter.from_sources([BIG_MODULE.encode()]).project_pattern
    reduced, _ = scan_text(BIG_MODULE, "big.py", "big", project_names=pattern)
    full, _ = scan_text(BIG_MODULE, "big.py", "big", reduce=False)
    assert to_jsonable(link([reduced], root=".")) == to_jsonable(link([full], root="."))
    assert [(c.site.kind, c.site.line) for c in reduced.calls] == [
        ("delay", 28),
        ("apply_async", 29),
        ("s", 29),
        ("s", 29),
        ("apply_async", 36),
        ("get", 37),
    ]
    assert reduced.tasks[0].task.self_uses[0].line == 16


def test_pruned_source_keeps_every_kept_line_in_place():
    pattern = Prefilter.from_sources([BIG_MODULE.encode()]).project_pattern
    pruned = prune_source(BIG_MODULE, re.compile(pattern) if pattern else None)
    assert pruned is not None
    text, firsts = pruned
    original, kept = BIG_MODULE.split("\n"), text.split("\n")
    assert len(kept) == len(original)
    assert "getcwd" not in text and "return 3" not in text and "def helper" not in text
    for line in ("@st(bind=True)", "    def test_two(self):", "def later():"):
        assert kept.index(line) == original.index(line)
    assert len(firsts) == len(libcst.parse_module(text).body)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_fallback_reduction_finds_what_a_full_scan_finds(newline: str):
    """Sources the fast path declines (here: CR line endings) go through the LibCST tree reduction."""
    text = BIG_MODULE.replace("\n", newline)
    assert prune_source(text) is None
    pattern = Prefilter.from_sources([text.encode()]).project_pattern
    reduced, _ = scan_text(text, "big.py", "big", project_names=pattern)
    full, _ = scan_text(text, "big.py", "big", reduce=False)
    assert to_jsonable(link([reduced], root=".")) == to_jsonable(link([full], root="."))
    assert [c.site.line for c in reduced.calls] == [28, 29, 29, 29, 36, 37]
