"""``update_state()`` storage: a small key per job, serialized like results, read by ``AsyncResult``."""

from __future__ import annotations

import pickle
from typing import Any

from . import keys
from .connection import CONNECTION_ERRORS, sync_client, unavailable
from .serializers import current_pair


def encode_state(state: str, meta: Any) -> bytes:
    dumps = current_pair()[0] or pickle.dumps
    return dumps({"state": state, "meta": meta})


def decode_state(raw: bytes) -> dict[str, Any]:
    loads = current_pair()[1] or pickle.loads
    return loads(raw)


def write_state(url: str, task_id: str, state: str, meta: Any) -> None:
    try:
        sync_client(url).set(keys.state_key(task_id), encode_state(state, meta), px=keys.STATE_TTL_MS)
    except CONNECTION_ERRORS as exc:
        raise unavailable(url, exc) from exc
