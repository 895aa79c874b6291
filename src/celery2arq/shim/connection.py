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

from .config import settings
from .errors import BrokerUnavailable

_lock = threading.Lock()
_sync_clients: dict[tuple[int, str], redis.Redis] = {}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, ArqRedis]] = (
    weakref.WeakKeyDictionary()
)

CONNECTION_ERRORS = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)


def _client_options() -> dict[str, Any]:
    return {
        "socket_connect_timeout": settings.connect_timeout,
        "socket_timeout": settings.socket_timeout,
        "health_check_interval": 30,
    }


def sync_client(url: str) -> redis.Redis:
    """The process's client for ``url`` (re-created after ``fork``: connections are not fork-safe)."""
    key = (os.getpid(), url)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                client = redis.Redis.from_url(url, **_client_options())
                _sync_clients[key] = client
    return client


def async_client(url: str) -> ArqRedis:
    """An ``ArqRedis`` bound to the running loop (asyncio connections cannot cross loops)."""
    loop = asyncio.get_running_loop()
    per_loop = _async_clients.setdefault(loop, {})
    client = per_loop.get(url)
    if client is None:
        client = ArqRedis.from_url(url, **_client_options())
        per_loop[url] = client
    return client


def reset_clients() -> None:
    """Forget cached clients (after ``configure(redis_url=...)`` and in tests)."""
    with _lock:
        for client in _sync_clients.values():
            client.close()
        _sync_clients.clear()
    _async_clients.clear()


def unavailable(url: str, cause: BaseException) -> BrokerUnavailable:
    return BrokerUnavailable(f"cannot reach Redis at {redact(url)}: {cause}")


def redact(url: str) -> str:
    """The URL without its password, for error messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user + ':***' if ':' in creds else user}@{host}"
