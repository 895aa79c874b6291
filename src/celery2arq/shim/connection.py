"""Redis clients: one sync ``redis.Redis`` per process and URL, one ``ArqRedis`` per event loop and URL.

Both use bounded connect/read timeouts so an unreachable Redis surfaces as ``BrokerUnavailable`` quickly
instead of hanging a web request; no background thread is started.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from typing import Any

import redis
from arq.connections import ArqRedis
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry as SyncRetry

from .config import settings
from .errors import BrokerUnavailable

_lock = threading.Lock()
_sync_clients: dict[tuple[int, str], redis.Redis] = {}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, ArqRedis]] = (
    weakref.WeakKeyDictionary()
)

CONNECTION_ERRORS = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)

# BLPOP's timeout 0 means "block forever", and Redis 6.2 turns seconds into milliseconds by truncation:
# 0.001 (just under 1 ms as its long double) becomes 0 and blocks forever; 7.0 rounds up.
MIN_BLOCK_S = 0.002


def block_timeout(seconds: float) -> float:
    """A BLPOP timeout that no Redis version reads as 0: a wait meant to be short must not become endless."""
    return max(MIN_BLOCK_S, seconds)


def _after_fork_in_child() -> None:
    """A fork (gunicorn ``--preload``, Celery prefork) may happen while another thread holds ``_lock``, and
    the parent's clients own the parent's sockets: the child starts with a fresh lock and no clients (the
    parent's are dropped, not closed, so the parent's connections stay intact)."""
    global _lock
    _lock = threading.Lock()
    _sync_clients.clear()
    _async_clients.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _client_options(retry: Any) -> dict[str, Any]:
    """Bounded timeouts and no command retries (redis-py 6 retries 3 times by default): a re-sent enqueue
    whose first copy had run would report ``DuplicateTaskId`` for our own job, and the wait would triple.
    Dead pooled connections (a Redis restart) are still replaced when checked out of the pool."""
    return {
        "socket_connect_timeout": settings.connect_timeout,
        "socket_timeout": settings.socket_timeout,
        "health_check_interval": 30,
        "retry": retry,
    }


def sync_client(url: str) -> redis.Redis:
    """The process's client for ``url`` (re-created after ``fork``: connections are not fork-safe)."""
    key = (os.getpid(), url)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                client = redis.Redis.from_url(url, **_client_options(SyncRetry(NoBackoff(), 0)))
                _sync_clients[key] = client
    return client


def async_client(url: str) -> ArqRedis:
    """An ``ArqRedis`` bound to the running loop (asyncio connections cannot cross loops)."""
    loop = asyncio.get_running_loop()
    with _lock:  # several threads may run loops (and the WeakKeyDictionary is not thread-safe)
        per_loop = _async_clients.setdefault(loop, {})
        client = per_loop.get(url)
        if client is None:
            client = per_loop[url] = ArqRedis.from_url(url, **_client_options(AsyncRetry(NoBackoff(), 0)))
    return client


def reset_clients() -> None:
    """Forget cached clients (after ``configure(redis_url=...)`` and in tests)."""
    with _lock:
        for client in _sync_clients.values():
            client.close()
        _sync_clients.clear()
    _async_clients.clear()


def unavailable(url: str, cause: BaseException, task_id: str | None = None) -> BrokerUnavailable:
    """The error for an unreachable Redis. For an enqueue, a reply that timed out (the command may have
    run) says so: re-sending with the same ``task_id`` is safe (``DuplicateTaskId`` = it had landed)."""
    message = f"cannot reach Redis at {redact(url)}: {cause}"
    if task_id is not None:
        if isinstance(cause, redis_errors.TimeoutError):
            message += (f" (task {task_id} may or may not have been enqueued: re-send it with "
                        f"task_id={task_id!r}; DuplicateTaskId then means it was)")
        else:
            message += f" (task {task_id} was not confirmed by Redis)"
    error = BrokerUnavailable(message)
    error.task_id = task_id
    return error


def redact(url: str) -> str:
    """The URL without its password, for error messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user + ':***' if ':' in creds else user}@{host}"
