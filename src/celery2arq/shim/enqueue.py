"""Writing ARQ jobs from Celery-style calls: options -> ARQ score/TTL/queue, payload by ``serialize_job``.

One Lua script does ARQ's enqueue transaction (refuse an id whose job or result exists, ``PSETEX`` the job,
``ZADD`` the queue; a queue key of another type is refused before anything is written, as scripts do not
roll back) plus the shim's queue marker and worker wake-up, in a single round trip, from a sync
``redis.Redis`` or an async ``ArqRedis``. The wire format is exactly ``ArqRedis.enqueue_job``'s.
"""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from arq.constants import expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms, to_ms

from . import keys
from .config import settings
from .connection import CONNECTION_ERRORS, async_client, sync_client, unavailable
from .errors import DuplicateTaskId, UnsupportedOptionError, UnsupportedOptionWarning

ENQUEUE_LUA = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
local queue_type = redis.call('TYPE', KEYS[3])['ok']
if queue_type ~= 'none' and queue_type ~= 'zset' then
  return redis.error_reply('WRONGTYPE ' .. KEYS[3] .. ' is a ' .. queue_type
    .. ', not an ARQ queue (nothing written)')
end
redis.call('PSETEX', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('PSETEX', KEYS[4], ARGV[6], ARGV[5])
redis.call('LPUSH', KEYS[5], ARGV[4])
redis.call('LTRIM', KEYS[5], 0, ARGV[7])
redis.call('PEXPIRE', KEYS[5], ARGV[8])
return 1
"""

# Accepted and dropped without a word: meaningless for ARQ, no behaviour lost (mapping doc §5.1).
IGNORED_OPTIONS = frozenset(
    {"shadow", "add_to_parent", "producer", "connection", "publisher", "retry", "retry_policy", "typing"}
)


@dataclass(frozen=True)
class Job:
    """One job ready to be written."""

    function: str
    job_id: str
    queue_name: str
    payload: bytes
    score: int
    ttl_ms: int
    ignore_result: bool

    def script_keys(self) -> list[str]:
        return [
            job_key_prefix + self.job_id,
            result_key_prefix + self.job_id,
            self.queue_name,
            keys.queue_marker(self.job_id),
            keys.wake_key(self.queue_name),
        ]

    def script_args(self) -> list[Any]:
        marker_ttl = self.ttl_ms + 86_400_000  # outlives the job by Celery's result_expires default
        return [
            self.ttl_ms, self.payload, self.score, self.job_id,
            keys.encode_marker(self.queue_name, self.ignore_result), marker_ttl,
            keys.WAKE_MAX_TOKENS - 1, keys.WAKE_TTL_MS,
        ]


_warned: set[str] = set()


def unsupported(option: str, why: str) -> None:
    """Warn once per option (or raise under ``configure(strict=True)``): never drop silently."""
    message = f"celery2arq: option {option!r} is not supported on ARQ and is ignored ({why})"
    if settings.strict:
        raise UnsupportedOptionError(message.replace("is ignored", "was refused (strict mode)"))
    if option not in _warned:
        _warned.add(option)
        warnings.warn(message, UnsupportedOptionWarning, stacklevel=4)


def check_options(options: dict[str, Any]) -> None:
    for name in options:
        if name not in IGNORED_OPTIONS:
            unsupported(name, "ARQ has no per-message equivalent")


def as_utc(value: dt.datetime | str) -> dt.datetime:
    """Celery reads naive datetimes (and ISO strings) as UTC (trap 14); ARQ would read them as local."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _score(now: int, countdown: float | dt.timedelta | None, eta: dt.datetime | str | None) -> int:
    """A non-zero ``countdown`` wins over ``eta``, as in Celery (``celery/app/amqp.py`` ``as_task_v2``)."""
    if countdown:
        return now + max(0, to_ms(countdown) or 0)
    if eta is not None:
        return max(now, round(as_utc(eta).timestamp() * 1000))
    return now


def _ttl(now: int, score: int, expires: float | dt.timedelta | dt.datetime | str | None) -> int:
    if expires is None:
        return score - now + expires_extra_ms
    if isinstance(expires, (dt.datetime, str)):
        return max(1, round(as_utc(expires).timestamp() * 1000) - now)
    return max(1, to_ms(expires) or 1)


def build_job(
    function: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    queue_name: str,
    task_id: str | None = None,
    countdown: float | dt.timedelta | None = None,
    eta: dt.datetime | str | None = None,
    expires: float | dt.timedelta | dt.datetime | str | None = None,
    ignore_result: bool = False,
    serializer: Any = None,
) -> Job:
    """Translate Celery's timing options into ARQ's score and TTL and serialize the payload."""
    now = timestamp_ms()
    score = _score(now, countdown, eta)
    payload = serialize_job(function, tuple(args), dict(kwargs), None, now, serializer=serializer)
    return Job(function, task_id or uuid.uuid4().hex, queue_name, payload, score,
               _ttl(now, score, expires), ignore_result)


def _check_written(job: Job, written: Any) -> str:
    if not written:
        raise DuplicateTaskId(
            f"task id {job.job_id!r} is taken: a job or a kept result with that id exists in Redis "
            "(ARQ refuses duplicate ids; forget() the old result or use a new id)"
        )
    return job.job_id


def enqueue_sync(job: Job, url: str) -> str:
    """Write the job with one round trip; returns its id once Redis has accepted it."""
    client = sync_client(url)
    script = client.__dict__.get("_celery2arq_enqueue")
    if script is None:
        script = client.__dict__["_celery2arq_enqueue"] = client.register_script(ENQUEUE_LUA)
    try:
        written = script(keys=job.script_keys(), args=job.script_args())
    except CONNECTION_ERRORS as exc:
        raise unavailable(url, exc, job.job_id) from exc
    return _check_written(job, written)


async def enqueue_async(job: Job, url: str) -> str:
    client = async_client(url)
    script = client.__dict__.get("_celery2arq_enqueue")
    if script is None:
        script = client.__dict__["_celery2arq_enqueue"] = client.register_script(ENQUEUE_LUA)
    try:
        written = await script(keys=job.script_keys(), args=job.script_args())
    except CONNECTION_ERRORS as exc:
        raise unavailable(url, exc, job.job_id) from exc
    return _check_written(job, written)
