"""Process-wide shim settings: ``configure(...)``, environment variables and Celery's own settings.

Precedence for the Redis URL: ``CELERY2ARQ_REDIS_URL`` > ``configure(redis_url=)`` > the broker URL of a
shim ``App`` or of the configured Celery app when it is ``redis://``/``rediss://``/``unix://`` > ARQ's
default ``redis://localhost:6379/0``.
"""

from __future__ import annotations

import fnmatch
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

RUNS_ON = ("arq", "celery")
DEFAULT_REDIS_URL = "redis://localhost:6379/0"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass
class Settings:
    """What ``configure()`` sets; ``None`` means "not set here, look further"."""

    redis_url: str | None = None
    eager: bool | None = None
    strict: bool = False
    serializer: str = "pickle"
    default_runs_on: str = "arq"
    runs_on: dict[str, str] = field(default_factory=dict)
    celery_app: Any = None
    default_queue: str | None = None
    check_registry: bool = False
    connect_timeout: float = 2.0
    socket_timeout: float = 5.0


settings = Settings()
_apps: list[Any] = []  # shim App objects in creation order; the first is the "current app" (or set_default())


def configure(**options: Any) -> Settings:
    """Set shim options (``redis_url``, ``eager``, ``strict``, ``serializer`` = ``"pickle"``/``"json"``,
    ``default_runs_on``, ``runs_on`` = {task name: "arq"/"celery"}, ``celery_app``, ``default_queue``,
    ``check_registry``, ``connect_timeout``, ``socket_timeout``); returns the settings."""
    for key, value in options.items():
        if not hasattr(settings, key):
            raise TypeError(f"configure() got an unknown option {key!r}")
        if key in ("default_runs_on",) and value not in RUNS_ON:
            raise ValueError(f"default_runs_on must be one of {RUNS_ON}, not {value!r}")
        if key == "runs_on":
            value = dict(value)
            bad = {k: v for k, v in value.items() if v not in RUNS_ON}
            if bad:
                raise ValueError(f"runs_on values must be one of {RUNS_ON}: {bad!r}")
        if key == "serializer" and value not in ("pickle", "json"):
            raise ValueError(f"serializer must be 'pickle' or 'json', not {value!r}")
        setattr(settings, key, value)
    if "celery_app" in options and options["celery_app"] is not None:
        from .bridge import bridge_async_result, bridge_send_task
        from .routing import register_all_with_celery

        register_all_with_celery(options["celery_app"])
        bridge_async_result(options["celery_app"])
        bridge_send_task(options["celery_app"])
    if {"redis_url", "serializer", "connect_timeout", "socket_timeout"} & options.keys():
        from .connection import reset_clients

        reset_clients()
    return settings


def reset() -> None:
    """Back to defaults (tests)."""
    global settings
    fresh = Settings()
    for key in fresh.__dataclass_fields__:
        setattr(settings, key, getattr(fresh, key))


def register_app(app: Any) -> None:
    _apps.append(app)


def make_current(app: Any) -> None:
    """``App.set_default()``: ``app`` becomes the current app (first in creation order)."""
    if app in _apps:
        _apps.remove(app)
    _apps.insert(0, app)


def current_app() -> Any:
    return _apps[0] if _apps else None


def _conf_value(conf: Mapping[str, Any] | None, key: str) -> Any:
    if conf is None:
        return None
    try:
        return conf.get(key)
    except Exception:  # a Celery Settings object may raise on odd keys
        return None


def _celery_conf() -> Any:
    app = settings.celery_app
    return getattr(app, "conf", None) if app is not None else None


def redis_url(app: Any = None) -> str:
    """The Redis URL jobs go to (see the module docstring for the precedence)."""
    env = os.environ.get("CELERY2ARQ_REDIS_URL")
    if env:
        return env
    if settings.redis_url:
        return settings.redis_url
    for conf in (getattr(app or current_app(), "conf", None), _celery_conf()):
        broker = _conf_value(conf, "broker_url")
        if isinstance(broker, str) and broker.startswith(REDIS_SCHEMES):
            return broker
    _warn_default_once()
    return DEFAULT_REDIS_URL


_warned_default = False


def _warn_default_once() -> None:
    """Falling back to localhost is legal (ARQ does it) but easy to do by accident: say so once."""
    global _warned_default
    if not _warned_default:
        _warned_default = True
        warnings.warn(
            f"celery2arq.shim: no Redis URL configured, using ARQ's default {DEFAULT_REDIS_URL}; set "
            "CELERY2ARQ_REDIS_URL, call configure(redis_url=...), or import the module that creates "
            "your App(broker=...)",
            RuntimeWarning,
            stacklevel=4,
        )


def is_eager(app: Any = None) -> bool:
    """``CELERY2ARQ_EAGER=1`` > ``configure(eager=)`` > ``task_always_eager`` of the shim/Celery app."""
    env = os.environ.get("CELERY2ARQ_EAGER")
    if env is not None and env != "":
        return env.lower() not in ("0", "false", "no", "off")
    if settings.eager is not None:
        return settings.eager
    for conf in (getattr(app or current_app(), "conf", None), _celery_conf()):
        if _conf_value(conf, "task_always_eager"):
            return True
    return False


def eager_propagates(app: Any = None) -> bool:
    """Celery's ``task_eager_propagates``: ``.delay()`` raises the task's exception in eager mode."""
    for conf in (getattr(app or current_app(), "conf", None), _celery_conf()):
        if _conf_value(conf, "task_eager_propagates"):
            return True
    return False


def routed_queue(name: str, app: Any = None) -> str | None:
    """The queue Celery's ``task_routes`` gives ``name``: a dict (or a list of dicts) of task name or glob
    pattern -> ``{"queue": q}`` or ``"q"``. Router callables and regexes are not evaluated."""
    for conf in (getattr(app or current_app(), "conf", None), _celery_conf()):
        routes = _conf_value(conf, "task_routes")
        for table in routes if isinstance(routes, (list, tuple)) else [routes]:
            if not isinstance(table, Mapping):
                continue
            for pattern, route in table.items():
                if isinstance(pattern, str) and fnmatch.fnmatchcase(name, pattern):
                    queue = route.get("queue") if isinstance(route, Mapping) else route
                    if isinstance(queue, str):
                        return queue
    return None


def arq_queue_name(queue: str | None, app: Any = None) -> str:
    """Celery queue name -> ARQ queue key: ``q`` -> ``arq:q`` (never Celery's own list, trap 19). No
    queue -> ``configure(default_queue=)``, else Celery's ``task_default_queue``, else ``arq:queue``."""
    from arq.constants import default_queue_name

    queue = queue or settings.default_queue
    if not queue:
        for conf in (getattr(app or current_app(), "conf", None), _celery_conf()):
            configured = _conf_value(conf, "task_default_queue")
            if isinstance(configured, str) and configured:
                queue = configured
                break
    if not queue:
        return default_queue_name
    return queue if queue.startswith("arq:") else f"arq:{queue}"
