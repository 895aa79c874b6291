"""``self.request``: the Celery request context, filled from ARQ's ``ctx`` or from a direct/eager call."""

from __future__ import annotations

import contextvars
import socket
from dataclasses import dataclass, field
from typing import Any

HOSTNAME = f"celery2arq@{socket.gethostname()}"


@dataclass
class Request:
    """The fields Celery code reads from ``self.request``; the ones ARQ cannot know stay ``None``."""

    id: str | None = None
    retries: int = 0
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    is_eager: bool = False
    called_directly: bool = True
    task: str | None = None
    eta: str | None = None
    expires: str | None = None
    hostname: str | None = None
    delivery_info: dict[str, Any] = field(default_factory=dict)
    timelimit: tuple[float | None, None] = (None, None)
    ctx: dict[str, Any] | None = None
    root_id: str | None = None
    parent_id: str | None = None
    group: str | None = None
    chord: Any = None
    chain: Any = None
    callbacks: Any = None
    errbacks: Any = None
    headers: dict[str, Any] | None = None
    reply_to: str | None = None
    correlation_id: str | None = None
    origin: str | None = None
    ignore_result: bool = False

    @property
    def job_try(self) -> int:
        return self.retries + 1

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


def from_ctx(ctx: dict[str, Any], task_name: str, args: tuple[Any, ...], kwargs: dict[str, Any],
             timeout: float | None) -> Request:
    """A worker-side request: ``id`` = job id, ``retries`` = ``job_try - 1`` (mapping doc §4)."""
    job_try = int(ctx.get("job_try") or 1)
    enqueue_time = ctx.get("enqueue_time")
    score = ctx.get("score")
    eta = None
    if score and enqueue_time is not None and score > enqueue_time.timestamp() * 1000 + 1:
        from arq.utils import ms_to_datetime

        eta = ms_to_datetime(score).isoformat()
    return Request(
        id=ctx.get("job_id"), retries=job_try - 1, args=args, kwargs=kwargs, is_eager=False,
        called_directly=False, task=task_name, eta=eta, hostname=HOSTNAME, ctx=ctx,
        delivery_info={"exchange": "", "routing_key": ctx.get("celery2arq_queue"), "priority": None,
                       "redelivered": job_try > 1},
        timelimit=(timeout, None),
    )


_current: contextvars.ContextVar[Request | None] = contextvars.ContextVar("celery2arq_request", default=None)


def current() -> Request:
    """The request of the task running in this context (a default, ``called_directly``, one otherwise)."""
    return _current.get() or Request()


def push(request: Request) -> contextvars.Token[Request | None]:
    return _current.set(request)


def pop(token: contextvars.Token[Request | None]) -> None:
    _current.reset(token)
