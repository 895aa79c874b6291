"""``AsyncResult``: Celery's result handle over ARQ's keys, usable from sync and async code.

``get()`` does not poll every 0.5 s as ``arq.jobs.Job.result`` does: the shim worker pushes
``celery2arq:done:<id>`` when a job ends and ``get()`` BLPOPs it (in chunks, re-checking the result key, so
jobs run by a plain ARQ worker are still seen within half a second).
"""

from __future__ import annotations

import asyncio
import functools
import time
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
from .config import redis_url
from .connection import CONNECTION_ERRORS, async_client, sync_client, unavailable
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

REVOKE_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[2] == '1' then redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1]) end
  return {1, false}
end
local job = redis.call('GET', KEYS[2])
if not job then return {0, false} end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
return {2, job}
"""


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
        return bool(self._client().exists(result_key_prefix + self.id))

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

    @property
    def date_done(self) -> Any:
        jr = self._job_result()
        return jr.finish_time if jr else None

    @property
    def retries(self) -> int | None:
        jr = self._job_result()
        return jr.job_try - 1 if jr else None

    @property
    def args(self) -> Any:
        jr = self._job_result()
        return jr.args if jr else None

    @property
    def kwargs(self) -> Any:
        jr = self._job_result()
        return jr.kwargs if jr else None

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
            chunk = WAIT_CHUNK_S
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"the task {self.id} did not finish within {timeout} s")
                chunk = max(0.001, min(chunk, remaining))
            # A wake-up without a result (the job was retried) is simply dropped.
            woken = self._guard(functools.partial(client.blpop, [done], timeout=chunk)) is not None

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

    wait = get

    async def aget(self, timeout: float | None = None, propagate: bool = True) -> Any:
        """``get()`` for async code: waits without blocking the event loop."""
        client = async_client(self._url)
        if self._queue_name is None:
            self._queue_name, ignored = keys.decode_marker(await client.get(keys.queue_marker(self.id)))
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
                raw = await script(keys=[result_key_prefix + self.id, done], args=[keys.DONE_TTL_MS])
            else:
                raw = await client.get(result_key_prefix + self.id)
            jr = self._decode_result(raw)
            if jr is not None:
                return self._outcome(jr, propagate)
            chunk = WAIT_CHUNK_S
            if deadline is not None:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError(f"the task {self.id} did not finish within {timeout} s")
                chunk = max(0.001, min(chunk, remaining))
            woken = await client.blpop([done], timeout=chunk) is not None

    # -- control ---------------------------------------------------------------------------------
    def revoke(self, terminate: bool = False, **_celery_only: Any) -> None:
        """Delete the job if it has not started (state becomes ``REVOKED``); with ``terminate=True`` abort a
        running job (needs a worker with ``allow_abort_jobs=True``; a thread running a sync body is not
        stopped, its result is discarded)."""
        self._resolve_queue()
        client = self._client()
        script = self._script(client, "_celery2arq_revoke", REVOKE_LUA)
        key_list = [in_progress_key_prefix + self.id, job_key_prefix + self.id, retry_key_prefix + self.id,
                    self._queue_name or "arq:queue", abort_jobs_ss]
        try:
            flag = "1" if terminate else "0"
            outcome, raw_job = script(keys=key_list, args=[self.id, flag, timestamp_ms()])
            if outcome == 2:
                self._store_revoked(client, raw_job)
        except CONNECTION_ERRORS as exc:
            raise unavailable(self._url, exc) from exc

    def _store_revoked(self, client: Any, raw_job: bytes) -> None:
        dumps, loads = current_pair()
        function, args, kwargs, _try, enqueue_ms = deserialize_job_raw(raw_job, deserializer=loads)
        now = timestamp_ms()
        queue = self._queue_name or "arq:queue"
        payload = serialize_result(function, args, kwargs, 0, enqueue_ms, False, asyncio.CancelledError(),
                                   now, now, f"{self.id}:{function}", queue, self.id, serializer=dumps)
        with client.pipeline(transaction=True) as pipe:
            pipe.set(result_key_prefix + self.id, payload, px=RESULT_FOR_REVOKED_MS)
            pipe.lpush(keys.done_key(self.id), b"1")
            pipe.pexpire(keys.done_key(self.id), keys.DONE_TTL_MS)
            pipe.execute()

    def forget(self) -> None:
        """Delete the stored result (also frees the id for reuse, trap 11)."""
        self._client().delete(result_key_prefix + self.id, keys.state_key(self.id),
                              keys.queue_marker(self.id))


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
