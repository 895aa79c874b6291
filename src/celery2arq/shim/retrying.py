"""Celery's retry semantics on top of ARQ's ``Retry``: budget checked by the shim (trap 3), Celery's delay
defaults (trap 4) and backoff formula (``celery/utils/time.py:get_exponential_backoff_interval``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from arq.worker import Retry

DEFAULT_RETRY_DELAY = 180
UNLIMITED_TRIES = 2**31


class TaskRetry(Retry):
    """Raised by ``retry()``: ARQ re-queues the job after ``when`` seconds (Celery's ``Retry`` too)."""

    def __init__(self, when: float, exc: BaseException | None = None) -> None:
        super().__init__(defer=when)
        self.when = when
        self.exc = exc

    def __str__(self) -> str:
        return f"Retry in {self.when:g}s" + (f": {self.exc!r}" if self.exc is not None else "")

    __repr__ = __str__


def exponential_backoff(factor: int, retries: int, maximum: int, full_jitter: bool = False) -> int:
    """Celery's formula: ``min(maximum, factor * 2**retries)``, full jitter draws from ``[0, that]``."""
    countdown = min(maximum, factor * (2**retries))
    if full_jitter:
        countdown = random.randrange(countdown + 1)
    return max(0, countdown)


def retry_delay(eta: dt.datetime | str | None, countdown: float | None, default: float) -> float:
    """Seconds until the next attempt; no ``eta``/``countdown`` means ``default_retry_delay``; a non-zero
    ``countdown`` wins over ``eta`` (Celery's ``retry()`` passes both to ``apply_async``)."""
    if eta is not None and not countdown:
        from .enqueue import as_utc

        return max(0.0, (as_utc(eta) - dt.datetime.now(dt.timezone.utc)).total_seconds())
    if countdown is None:
        return float(default)
    return max(0.0, float(countdown))


def retry(ctx: dict[str, Any], exc: BaseException | None = None, countdown: float | None = None,
          eta: dt.datetime | str | None = None, max_retries: int | None = None, **options: Any) -> TaskRetry:
    """``raise retry(ctx, exc=..., countdown=...)`` in an ARQ-style body = ``raise self.retry(...)``.

    Raises (never returns normally): ``TaskRetry``, the original ``exc`` or ``MaxRetriesExceededError``.
    """
    task = ctx.get("celery2arq_task")
    if task is not None:
        return task.retry(exc=exc, countdown=countdown, eta=eta, max_retries=max_retries, **options)
    # A plain ARQ function: Celery's defaults (max_retries=3) applied to ctx['job_try'].
    from .errors import MaxRetriesExceededError

    limit = 3 if max_retries is None else max_retries
    if int(ctx.get("job_try") or 1) > limit:
        if exc is not None:
            raise exc
        raise MaxRetriesExceededError(f"Can't retry job {ctx.get('job_id')}: max retries ({limit}) exceeded")
    raise TaskRetry(retry_delay(eta, countdown, DEFAULT_RETRY_DELAY), exc)
