"""The driver of ``celery2arq rewrite``: files, diff/check, atomic writes, ``-j``, WorkerSettings."""

from __future__ import annotations

from celery2arq.rewrite.engine import FileOutcome, rewrite_source
from celery2arq.rewrite.runner import RewriteResult, run_rewrite

__all__ = ["FileOutcome", "RewriteResult", "rewrite_source", "run_rewrite"]
