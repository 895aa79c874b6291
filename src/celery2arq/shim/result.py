"""``AsyncResult``: Celery's result handle over ARQ's keys, usable from sync and async code.

``get()`` does not poll every 0.5 s as ``arq.jobs.Job.result`` does: the shim worker pushes
``celery2arq:done:<id>`` when a job ends and ``get()`` BLPOPs it (in chunks, re-checking the result key, so
jobs run by a plain ARQ worker are still seen within half a second).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Any

from arq.constants import (
    abort_jobs_ss,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.jobs import JobResult, deserialize_job_raw, deserialize_result, serialize_result
from arq.utils import timestamp_ms

from . import keys, states
from .config import redis_url, settings
from .connection import CONNECTION_ERRORS, async_client, block_timeout, sync_client, unavailable
from .errors import TaskRevokedError, TimeoutError
from .serializers import TRACEBACK_ATTR, current_pair
from .state_store import decode_state

WAIT_CHUNK_S = 0.5
RESULT_FOR_REVOKED_MS = 86_400_000

# After a wake-up: the result, and if it exists, the wake-up passed on to the next waiter on this id (a
# wake-up without a result, from a retried attempt, is dropped so waiters do not spin).
RESULT_LUA = """
local result = redis.call('GET', KEYS[1])
if result then
  redis.call('LPUSH', KEYS[2], '1')
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return result
"""

# Revoke in one atomic step: abort a running job (terminate), or, if the job key still holds the payload the
# caller read (ARGV[4]), delete the job and store the REVOKED result prepared from it (ARGV[5]) with its
# wake-up. Returns 1 running, 0 gone, 2 revoked, 3 payload changed (read again).
REVOKE_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[2] == '1' then redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1]) end
  return 1
end
local job = redis.call('GET', KEYS[2])
if not job then return 0 end
if job ~= ARGV[4] then return 3 end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('SET', KEYS[6], ARGV[5], 'PX', ARGV[6])
redis.call('LPUSH', KEYS[7], ARGV[7])
redis.call('PEXPIRE', KEYS[7], ARGV[8])
return 2
"""
REVOKE_ATTEMPTS = 3


def _stored(pick: Callable[[JobResult], Any], doc: str) -> property:
    """A read-only attribute of the stored result (``None`` while there is none), read on each access."""

    def read(self: AsyncResult) -> Any:
        jr = self._job_result()
        return None if jr is None else pick(jr)

    return property(read, doc=doc)


class AsyncResult:
    """A job's id plus what is needed to find it (queue, Redis URL); state is read from Redis on access."""

    def __init__(self, id: str, *, queue_name: str | None = None, ignored: bool | None = None,
                 app: Any = None, task_name: str | None = None, url: str | None = None) -> None:
        self.id = id
        self._queue_name = queue_name
        self._ignored = ignored
        self._url = url or redis_url(app)
        self.task_name = task_name

    task_id = property(lambda self: self.id)

    def __repr__(self) -> str:
        return f"<AsyncResult: {self.id}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AsyncResult):
            return other.id == self.id
        return other == self.id if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)

    # -- reading ---------------------------------------------------------------------------------
    def _client(self) -> Any:
        return sync_client(self._url)

    def _resolve_queue(self) -> None:
        if self._queue_name is None:
            try:
                raw = self._client().get(keys.queue_marker(self.id))
            except CONNECTION_ERRORS as exc:
                raise unavailable(self._url, exc) from exc
            queue, ignored = keys.decode_marker(raw)
            self._queue_name = queue
            if self._ignored is None:
                self._ignored = ignored

    def _decode_result(self, raw: bytes | None) -> JobResult | None:
        return None if raw is None else deserialize_result(raw, deserializer=current_pair()[1])

    def _snapshot(self) -> states.Snapshot:
        self._resolve_queue()
        with self._client().pipeline(transaction=False) as pipe:
            pipe.get(result_key_prefix + self.id)
            pipe.exists(in_progress_key_prefix + self.id)
            pipe.zscore(self._queue_name or "arq:queue", self.id)
            pipe.get(retry_key_prefix + self.id)
            pipe.get(keys.state_key(self.id))
            try:
                raw, in_progress, score, tries, custom = pipe.execute()
            except CONNECTION_ERRORS as exc:
                raise unavailable(self._url, exc) from exc
        custom_state = decode_state(custom) if custom is not None else None
        return states.Snapshot(self._decode_result(raw), bool(in_progress), score is not None,
                               int(tries or 0), custom_state)

    @property
    def state(self) -> str:
        return self._snapshot().state

    status = state

    def ready(self) -> bool:
        return self.state in states.READY_STATES

    def successful(self) -> bool:
        return self.state == states.SUCCESS

    def failed(self) -> bool:
        return self.state == states.FAILURE

    def exists(self) -> bool:
        return bool(self._guard(functools.partial(self._client().exists, result_key_prefix + self.id)))

    def _job_result(self) -> JobResult | None:
        try:
            return self._decode_result(self._client().get(result_key_prefix + self.id))
        except CONNECTION_ERRORS as exc:
            raise unavailable(self._url, exc) from exc

    @property
    def result(self) -> Any:
        """The return value, the exception of a failed job, or ``update_state`` meta while running."""
        snap = self._snapshot()
        if snap.result is not None:
            return snap.result.result
        return snap.custom.get("meta") if snap.custom else None

    info = result

    @property
    def traceback(self) -> str | None:
        jr = self._job_result()
        return getattr(jr.result, TRACEBACK_ATTR, None) if jr is not None and not jr.success else None

    date_done = _stored(lambda jr: jr.finish_time, "when the job finished")
    retries = _stored(lambda jr: jr.job_try - 1, "retries of the finished job (``job_try - 1``)")
    args = _stored(lambda jr: jr.args, "the positional arguments the job ran with")
    kwargs = _stored(lambda jr: jr.kwargs, "the keyword arguments the job ran with")

    @property
    def name(self) -> str | None:
        jr = self._job_result()
        return jr.function if jr else self.task_name

    # -- waiting ---------------------------------------------------------------------------------
    def _outcome(self, jr: JobResult, propagate: bool) -> Any:
        if jr.success:
            return jr.result
        if not propagate:
            return jr.result
        if states.is_revocation(jr.result):
            raise TaskRevokedError(f"task {self.id} was revoked or expired: {jr.result!r}")
        exc = jr.result
        if isinstance(exc, BaseException):
            raise exc
        raise RuntimeError(f"task {self.id} failed: {exc!r}")

    def get(self, timeout: float | None = None, propagate: bool = True, interval: float = 0.5,
            **_celery_only: Any) -> Any:
        """Wait for the result; re-raise the task's exception (``propagate``); ``None`` if ignored."""
        self._resolve_queue()
        if self._ignored:
            return None
        client = self._client()
        deadline = None if timeout is None else time.monotonic() + timeout
        done = keys.done_key(self.id)
        woken = False
        while True:
            if woken:  # one round trip: read the result and pass the wake-up on to other waiters
                raw = self._guard(functools.partial(self._script(client, "_celery2arq_result", RESULT_LUA),
                                                    keys=[result_key_prefix + self.id, done],
                                                    args=[keys.DONE_TTL_MS]))
                jr = self._decode_result(raw)
            else:
                jr = self._job_result()
            if jr is not None:
                return self._outcome(jr, propagate)
            chunk = self._next_wait(deadline, time.monotonic(), timeout)
            popped = self._guard(functools.partial(client.blpop, [done], timeout=chunk))
            if popped is not None and popped[1] == keys.DONE_NO_RESULT:
                self._guard(functools.partial(self._pass_on_no_result, client))
                return None
            woken = popped is not None  # a wake-up without a result (a retried attempt) is dropped

    def _next_wait(self, deadline: float | None, now: float, timeout: float | None) -> float:
        """How long the next BLPOP may block: a chunk, cut to the time left; none left = ``TimeoutError``.
        The chunk stays well under the client's ``socket_timeout`` (Redis ends a BLPOP up to ~0.1 s late), or
        a quiet wait would read as Redis down."""
        chunk = max(0.01, min(WAIT_CHUNK_S, settings.socket_timeout / 2 - 0.1))
        if deadline is None:
            return chunk
        remaining = deadline - now
        if remaining <= 0:
            raise TimeoutError(f"the task {self.id} did not finish within {timeout} s")
        return block_timeout(min(chunk, remaining))  # 0.001 s would block forever on Redis 6.2

    def _pass_on_no_result(self, client: Any) -> Any:
        """Put the "ended, nothing stored" token back for other waiters on this id (sync or async client)."""
        done = keys.done_key(self.id)
        pipe = client.pipeline(transaction=True)
        pipe.lpush(done, keys.DONE_NO_RESULT)
        pipe.pexpire(done, keys.DONE_TTL_MS)
        return pipe.execute()

    @staticmethod
    def _script(client: Any, attr: str, source: str) -> Any:
        script = client.__dict__.get(attr)
        if script is None:
            script = client.__dict__[attr] = client.register_script(source)
        return script

    def _guard(self, call: Any) -> Any:
        try:
            return call()
        except CONNECTION_ERRORS as exc:
            raise unavailable(self._url, exc) from exc

    async def _aguard(self, call: Any) -> Any:
        try:
            return await call
        except CONNECTION_ERRORS as exc:
            raise unavailable(self._url, exc) from exc

    wait = get

    async def aget(self, timeout: float | None = None, propagate: bool = True) -> Any:
        """``get()`` for async code: waits without blocking the event loop."""
        client = async_client(self._url)
        if self._queue_name is None:
            marker = await self._aguard(client.get(keys.queue_marker(self.id)))
            self._queue_name, ignored = keys.decode_marker(marker)
            self._ignored = ignored if self._ignored is None else self._ignored
        if self._ignored:
            return None
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        done = keys.done_key(self.id)
        woken = False
        while True:
            if woken:
                script = self._script(client, "_celery2arq_result", RESULT_LUA)
                raw = await self._aguard(script(keys=[result_key_prefix + self.id, done],
                                                args=[keys.DONE_TTL_MS]))
            else:
                raw = await self._aguard(client.get(result_key_prefix + self.id))
            jr = self._decode_result(raw)
            if jr is not None:
                return self._outcome(jr, propagate)
            chunk = self._next_wait(deadline, loop.time(), timeout)
            popped = await self._aguard(client.blpop([done], timeout=chunk))
            if popped is not None and popped[1] == keys.DONE_NO_RESULT:
                await self._aguard(self._pass_on_no_result(client))
                return None
            woken = popped is not None

    # -- control ---------------------------------------------------------------------------------
    def revoke(self, terminate: bool = False, **_celery_only: Any) -> None:
        """Delete the job if it has not started (state becomes ``REVOKED``); with ``terminate=True`` abort a
        running job (needs a worker with ``allow_abort_jobs=True``; a thread running a sync body is not
        stopped, its result is discarded)."""
        self._resolve_queue()
        client = self._client()
        script = self._script(client, "_celery2arq_revoke", REVOKE_LUA)
        key_list = [in_progress_key_prefix + self.id, job_key_prefix + self.id, retry_key_prefix + self.id,
                    self._queue_name or "arq:queue", abort_jobs_ss, result_key_prefix + self.id,
                    keys.done_key(self.id)]
        flag = "1" if terminate else "0"
        for _ in range(REVOKE_ATTEMPTS):  # a payload that changed between the read and the script: read again
            raw_job = self._guard(functools.partial(client.get, job_key_prefix + self.id))
            result = self._revoked_result(raw_job) if raw_job is not None else b""
            outcome = self._guard(functools.partial(
                script, keys=key_list,
                args=[self.id, flag, timestamp_ms(), raw_job or b"", result, RESULT_FOR_REVOKED_MS,
                      keys.DONE_WITH_RESULT, keys.DONE_TTL_MS]))
            if outcome != 3:
                return

    def _revoked_result(self, raw_job: bytes) -> bytes:
        """The result a revoked job gets: a failure with ``CancelledError`` (read as ``REVOKED``)."""
        dumps, loads = current_pair()
        function, args, kwargs, _try, enqueue_ms = deserialize_job_raw(raw_job, deserializer=loads)
        now = timestamp_ms()
        queue = self._queue_name or "arq:queue"
        return serialize_result(function, args, kwargs, 0, enqueue_ms, False, asyncio.CancelledError(),
                                now, now, f"{self.id}:{function}", queue, self.id, serializer=dumps)

    def forget(self) -> None:
        """Delete the stored result (also frees the id for reuse, trap 11)."""
        self._guard(functools.partial(self._client().delete, result_key_prefix + self.id,
                                      keys.state_key(self.id), keys.queue_marker(self.id),
                                      keys.done_key(self.id)))


class EagerResult:
    """Result of a task run inline (eager mode, ``apply()``): already ready."""

    def __init__(self, id: str, value: Any, state: str, traceback: str | None = None,
                 retries: int = 0, name: str | None = None) -> None:
        self.id = id
        self._value = value
        self._state = state
        self.traceback = traceback
        self.retries = retries
        self.name = name

    task_id = property(lambda self: self.id)
    state = property(lambda self: self._state)
    status = state
    result = property(lambda self: self._value)
    info = result

    def __repr__(self) -> str:
        return f"<EagerResult: {self.id}>"

    def ready(self) -> bool:
        return True

    def successful(self) -> bool:
        return self._state == states.SUCCESS

    def failed(self) -> bool:
        return self._state == states.FAILURE

    def get(self, timeout: float | None = None, propagate: bool = True, **_celery_only: Any) -> Any:
        if propagate and self._state in states.PROPAGATE_STATES and isinstance(self._value, BaseException):
            raise self._value
        return self._value

    wait = get

    async def aget(self, timeout: float | None = None, propagate: bool = True) -> Any:
        return self.get(timeout, propagate)

    def revoke(self, **_celery_only: Any) -> None:
        """Nothing to revoke: the task already ran."""

    def forget(self) -> None:
        """Nothing is stored."""
