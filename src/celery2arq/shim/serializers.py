"""The job/result serializer pair shared by producers (the shim) and ARQ workers.

``pickle`` (ARQ's default, ``None`` here) keeps every type but lets anyone with Redis write access run code
in workers and in every process that reads a result. ``json`` is Celery's default: kombu's JSON (datetime,
Decimal, UUID, bytes round-trip; tuples become lists) plus an envelope so exceptions survive (mapping doc
§1.10). Without kombu a stdlib encoder covers the same types.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import functools
import importlib
import json
import uuid
from collections.abc import Callable
from typing import Any

TRACEBACK_ATTR = "celery2arq_traceback"
_EXC_MARK = "__celery2arq_exc__"
_SCALARS = (str, int, float, bool, type(None))

Serializer = Callable[[dict[str, Any]], bytes]
Deserializer = Callable[[bytes], dict[str, Any]]


def _exc_encode(exc: BaseException) -> dict[str, Any]:
    return {
        _EXC_MARK: {
            "exc_type": type(exc).__qualname__,
            "exc_module": type(exc).__module__,
            "exc_message": [a if isinstance(a, _SCALARS) else str(a) for a in exc.args],
            "traceback": getattr(exc, TRACEBACK_ATTR, None),
        }
    }


def _exc_decode(data: dict[str, Any]) -> BaseException:
    exc: BaseException | None = None
    try:
        obj: Any = importlib.import_module(data["exc_module"])
        for part in data["exc_type"].split("."):
            obj = getattr(obj, part)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            exc = obj(*data["exc_message"])
    except Exception:
        exc = None
    if exc is None:
        exc = RuntimeError(f"{data['exc_module']}.{data['exc_type']}: {data['exc_message']}")
    if data.get("traceback"):
        setattr(exc, TRACEBACK_ATTR, data["traceback"])
    return exc


class _StdlibEncoder(json.JSONEncoder):
    """kombu-like type markers for the types Celery's JSON round-trips."""

    def default(self, o: Any) -> Any:
        if isinstance(o, BaseException):
            return _exc_encode(o)
        if isinstance(o, dt.datetime):
            return {"__type__": "datetime", "__value__": o.isoformat()}
        if isinstance(o, dt.date):
            return {"__type__": "date", "__value__": o.isoformat()}
        if isinstance(o, dt.time):
            return {"__type__": "time", "__value__": o.isoformat()}
        if isinstance(o, decimal.Decimal):
            return {"__type__": "decimal", "__value__": str(o)}
        if isinstance(o, uuid.UUID):
            return {"__type__": "uuid", "__value__": str(o)}
        if isinstance(o, bytes):
            return {"__type__": "bytes", "__value__": base64.b64encode(o).decode()}
        return super().default(o)


_STDLIB_DECODERS: dict[str, Callable[[str], Any]] = {
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "decimal": decimal.Decimal,
    "uuid": uuid.UUID,
    "bytes": base64.b64decode,
}


def _stdlib_hook(obj: dict[str, Any]) -> Any:
    if _EXC_MARK in obj:
        return _exc_decode(obj[_EXC_MARK])
    kind = obj.get("__type__")
    if kind in _STDLIB_DECODERS and "__value__" in obj:
        return _STDLIB_DECODERS[kind](obj["__value__"])
    return obj


def _stdlib_pair() -> tuple[Serializer, Deserializer]:
    def dumps(data: dict[str, Any]) -> bytes:
        return json.dumps(data, cls=_StdlibEncoder).encode()

    def loads(raw: bytes) -> dict[str, Any]:
        return json.loads(raw, object_hook=_stdlib_hook)

    return dumps, loads


def _kombu_pair() -> tuple[Serializer, Deserializer] | None:
    try:
        from kombu.utils import json as kjson
    except ImportError:
        return None

    class Encoder(kjson.JSONEncoder):  # type: ignore[misc, name-defined]
        def default(self, o: Any) -> Any:
            if isinstance(o, BaseException):
                return _exc_encode(o)
            return super().default(o)

    def hook(obj: dict[str, Any]) -> Any:
        if _EXC_MARK in obj:
            return _exc_decode(obj[_EXC_MARK])
        return kjson.object_hook(obj)

    def dumps(data: dict[str, Any]) -> bytes:
        return kjson.dumps(data, cls=Encoder).encode()

    def loads(raw: bytes) -> dict[str, Any]:
        return kjson.loads(raw, object_hook=hook)

    return dumps, loads


@functools.cache
def serializer_pair(name: str = "pickle") -> tuple[Serializer | None, Deserializer | None]:
    """``(job_serializer, job_deserializer)`` for ARQ; ``(None, None)`` means ARQ's pickle default."""
    if name == "pickle":
        return None, None
    if name == "json":
        return _kombu_pair() or _stdlib_pair()
    raise ValueError(f"unknown serializer {name!r} (use 'pickle' or 'json')")


def current_pair() -> tuple[Serializer | None, Deserializer | None]:
    from .config import settings

    return serializer_pair(settings.serializer)
