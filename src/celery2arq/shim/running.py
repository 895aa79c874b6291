"""Running bodies: sync bodies in a thread pool off the event loop; async bodies to completion from sync
code."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import os
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

EXECUTOR_CTX_KEY = "celery2arq_executor"
_fallback: concurrent.futures.ThreadPoolExecutor | None = None
_fallback_lock = threading.Lock()


def _forget_pool_after_fork() -> None:
    """A forked child has none of the pool's threads, but the pool would count them and never start new."""
    global _fallback, _fallback_lock
    _fallback, _fallback_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_after_fork)


def fallback_executor() -> concurrent.futures.ThreadPoolExecutor:
    """Used when the worker was not built by ``worker_settings()`` (no pool in ``ctx``)."""
    global _fallback
    with _fallback_lock:
        if _fallback is None:
            _fallback = concurrent.futures.ThreadPoolExecutor(32, thread_name_prefix="celery2arq-task")
        return _fallback


async def in_thread(ctx: dict[str, Any] | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a sync body in the worker's pool (sized to ``max_jobs``), keeping ``self.request`` visible."""
    executor = (ctx or {}).get(EXECUTOR_CTX_KEY) or fallback_executor()
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code: ``asyncio.run`` without a running loop, else in a helper
    thread (the caller's loop is blocked meanwhile, as any sync call is)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="celery2arq-sync") as pool:
        return pool.submit(context.run, asyncio.run, coro).result()
