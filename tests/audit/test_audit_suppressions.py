"""Inline ``# celery2arq: ignore[CODE]`` and config ``ignore``: counted, and unused ones reported."""

from __future__ import annotations

import json

from audit_helpers import fired, judge

from celery2arq.config import Config
from celery2arq.report import render


def _task(project, function):
    return next(t for t in project.tasks if t.function == function)


def test_suppressed_reason_is_kept_counted_and_no_longer_decides_the_verdict() -> None:
    project = judge("@shared_task(rate_limit='1/s')\ndef p(x):  # celery2arq: ignore[C2A107]\n    pass\n")
    task = _task(project, "p")
    (reason,) = [r for r in task.reasons if r.code == "C2A107"]
    assert reason.suppressed
    assert task.verdict == "ready"
    summary = json.loads(render(project, "json"))["summary"]
    assert summary["suppressed"] == 1
    assert summary["unused_suppressions"] == 0


def test_suppression_on_another_line_silences_nothing_and_is_reported() -> None:
    project = judge("@shared_task(rate_limit='1/s')\ndef p(x):\n    pass  # celery2arq: ignore[C2A107]\n")
    assert _task(project, "p").verdict == "celery"
    unused = [u for u in project.undecided if u.code == "C2A910"]
    assert len(unused) == 1
    assert "ignore[C2A107] silences nothing" in unused[0].message
    assert json.loads(render(project, "json"))["summary"]["unused_suppressions"] == 1


def test_suppression_naming_no_rule_is_reported() -> None:
    project = judge("x = 1  # celery2arq: ignore[C2A999]\n")
    assert [u.message for u in project.undecided if u.code == "C2A910"] == [
        "ignore[C2A999] names no rule: see `celery2arq rules`"
    ]


def test_suppression_on_reason_line_inside_body() -> None:
    project = judge(
        "@shared_task(bind=True)\ndef up(self):\n"
        "    self.update_state(state='P')  # celery2arq: ignore[C2A136]\n"
    )
    task = _task(project, "up")
    assert task.verdict == "ready"
    assert "C2A910" not in fired(project)


def test_config_ignore_marks_reasons_suppressed() -> None:
    project = judge("@shared_task(rate_limit='1/s')\ndef p(x): pass\n", config=Config(ignore=("C2A107",)))
    task = _task(project, "p")
    assert task.verdict == "ready"
    assert [r.suppressed for r in task.reasons if r.code == "C2A107"] == [True]


def test_suppression_on_decorator_line_silences_task_reason() -> None:
    project = judge("@shared_task(rate_limit='1/s')  # celery2arq: ignore[C2A107]\ndef p(x):\n    pass\n")
    assert _task(project, "p").verdict == "ready"
    assert "C2A910" not in fired(project)


def test_suppression_above_previous_record_does_not_reach_next_task() -> None:
    project = judge(
        "@shared_task\ndef a(x):  # celery2arq: ignore[C2A107]\n    pass\n"
        "@shared_task(rate_limit='1/s')\ndef b(x):\n    pass\n"
    )
    assert _task(project, "b").verdict == "celery"
    assert "C2A910" in fired(project)
