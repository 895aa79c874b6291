"""Exceptions and warnings of the shim, named after their Celery counterparts where one exists."""

from __future__ import annotations

import builtins


class ShimError(Exception):
    """Base class of the shim's own errors."""


class MaxRetriesExceededError(ShimError):
    """Raised by ``retry()`` when the task's retry budget is spent and no ``exc`` was given (as Celery)."""


class TimeoutError(ShimError, builtins.TimeoutError):  # noqa: A001 - Celery's name, on purpose
    """``AsyncResult.get(timeout=...)`` ran out of time (Celery raises ``celery.exceptions.TimeoutError``)."""


class TaskRevokedError(ShimError):
    """``get()`` on a revoked or expired job (Celery raises ``TaskRevokedError``)."""


class BrokerUnavailable(ShimError, ConnectionError):
    """Redis could not be reached or did not reply within the connect/read timeouts. ``task_id`` is the id
    of the job an enqueue was writing (``None`` elsewhere); after a read timeout that job may exist."""

    task_id: str | None = None


class DuplicateTaskId(ShimError, ValueError):
    """``apply_async(task_id=x)`` while a job or a result with id ``x`` exists (ARQ refuses the id)."""


class NotRegistered(ShimError, KeyError):
    """``send_task`` with a name no shim task carries, when the registry is checked (``strict``)."""


class SoftTimeLimitExceeded(ShimError):
    """Never raised under ARQ, which has one hard ``job_timeout`` (the task is cancelled). It exists so
    code with ``except SoftTimeLimitExceeded:`` imports without Celery; the audit reports the lost
    soft limit (``soft_time_limit``) as a behaviour difference."""


class UnsupportedOptionWarning(UserWarning):
    """A Celery option ARQ cannot honour was given; it is ignored (an error under
    ``configure(strict=True)``)."""


class UnsupportedOptionError(ShimError, TypeError):
    """A Celery option ARQ cannot honour was given under ``configure(strict=True)``."""
