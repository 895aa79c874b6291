"""Celery state names and the derivation of a Celery state from ARQ's keys (mapping doc §5.2)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from arq.jobs import JobResult
from arq.worker import JobExecutionFailed

PENDING = "PENDING"
STARTED = "STARTED"
RETRY = "RETRY"
SUCCESS = "SUCCESS"
FAILURE = "FAILURE"
REVOKED = "REVOKED"
READY_STATES = frozenset({SUCCESS, FAILURE, REVOKED})
PROPAGATE_STATES = frozenset({FAILURE, REVOKED})


def is_revocation(exc: Any) -> bool:
    """An aborted job (``CancelledError``) or one that expired before it started."""
    return isinstance(exc, asyncio.CancelledError) or (
        isinstance(exc, JobExecutionFailed) and "expired" in str(exc)
    )


def result_state(result: JobResult) -> str:
    if result.success:
        return SUCCESS
    return REVOKED if is_revocation(result.result) else FAILURE


@dataclass
class Snapshot:
    """What Redis knows about one job id at one moment."""

    result: JobResult | None
    in_progress: bool
    queued: bool
    tries: int
    custom: dict[str, Any] | None  # update_state() payload: {"state": ..., "meta": ...}

    @property
    def state(self) -> str:
        if self.result is not None:
            return result_state(self.result)
        if self.custom is not None:
            return str(self.custom.get("state"))
        if self.in_progress:
            return STARTED
        if self.queued and self.tries >= 1:
            return RETRY
        return PENDING
