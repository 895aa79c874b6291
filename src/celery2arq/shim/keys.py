"""Redis keys the shim adds next to ARQ's own (``arq:job:``, ``arq:result:``, ... from ``arq.constants``)."""

from __future__ import annotations

QUEUE_MARKER_PREFIX = "celery2arq:queue:"  # job id -> "<ignore_result flag><arq queue>", trap 25
STATE_PREFIX = "celery2arq:state:"  # job id -> update_state() payload
DONE_PREFIX = "celery2arq:done:"  # job id -> list pushed by the worker when a job ends (get() BLPOPs it)
WAKE_PREFIX = "celery2arq:wake:"  # arq queue -> job ids pushed at enqueue; the shim worker BLPOPs it

DONE_TTL_MS = 60_000
DONE_WITH_RESULT = b"1"  # done-list token: the job ended, read its result
DONE_NO_RESULT = b"0"  # the job ended and nothing was stored (worker keep_result=0): get() returns None
WAKE_TTL_MS = 60_000
WAKE_MAX_TOKENS = 64
STATE_TTL_MS = 86_400_000


def queue_marker(job_id: str) -> str:
    return QUEUE_MARKER_PREFIX + job_id


def state_key(job_id: str) -> str:
    return STATE_PREFIX + job_id


def done_key(job_id: str) -> str:
    return DONE_PREFIX + job_id


def wake_key(queue_name: str) -> str:
    return WAKE_PREFIX + queue_name


def encode_marker(queue_name: str, ignore_result: bool) -> bytes:
    return (b"1" if ignore_result else b"0") + queue_name.encode()


def decode_marker(raw: bytes | None) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    return raw[1:].decode(), raw[:1] == b"1"
