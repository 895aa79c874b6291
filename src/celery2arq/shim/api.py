"""Celery's entry points: ``shared_task``, ``App(...).task``, ``send_task``, plus ``arq_task`` for
ARQ-style bodies emitted by ``celery2arq rewrite``."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

from .config import make_current, register_app, settings
from .dispatch import adispatch, dispatch
from .result import AsyncResult
from .task import Task, celery_task_name, registry

# Old upper-case Celery 3 names still found in Django settings (the rest follow Celery 4+ lower case).
_OLD_NAMES = {"BROKER_URL": "broker_url", "CELERY_ALWAYS_EAGER": "task_always_eager",
              "CELERY_EAGER_PROPAGATES_EXCEPTIONS": "task_eager_propagates",
              "CELERY_IGNORE_RESULT": "task_ignore_result", "CELERYD_TASK_TIME_LIMIT": "task_time_limit"}


def _make_task(fn: Callable[..., Any], style: str, app: Any, options: dict[str, Any]) -> Task:
    options = dict(options)
    name = options.pop("name", None)
    if name is None and app is not None and fn.__module__ == "__main__" and getattr(app, "main", None):
        name = f"{app.main}.{fn.__qualname__}"
    bind = bool(options.pop("bind", False))
    for mechanics in ("shared", "lazy", "filter"):
        options.pop(mechanics, None)
    task = Task(fn, style=style, name=name or celery_task_name(fn), bind=bind, app=app, **options)
    existing = registry().get(task.name)
    if existing is not None and existing.body is not fn:
        warnings.warn(f"celery2arq: task name {task.name!r} registered twice; the later one wins",
                      stacklevel=3)
    registry()[task.name] = task
    if settings.celery_app is not None:
        from .routing import register_with_celery

        register_with_celery(settings.celery_app, task)
    return task


def _decorator(style: str, app: Any, args: tuple[Any, ...], options: dict[str, Any]) -> Any:
    if len(args) == 1 and callable(args[0]) and not options:
        return _make_task(args[0], style, app, {})
    if args:
        raise TypeError("task decorators take keyword options only (e.g. @shared_task(bind=True))")
    return lambda fn: _make_task(fn, style, app, options)


def shared_task(*args: Any, **options: Any) -> Any:
    """Celery's ``@shared_task`` / ``@shared_task(**options)``: body ``f(*args)``, ``f(self, *args)`` if
    bound."""
    return _decorator("celery", None, args, options)


def arq_task(*args: Any, **options: Any) -> Any:
    """``@arq_task(**celery_options)`` for an ARQ-style body ``async def f(ctx, ...)`` (or sync, run in a
    thread): same task object and options as ``shared_task``."""
    return _decorator("arq", None, args, options)


def send_task(name: str, args: Any = None, kwargs: Any = None, task_id: str | None = None,
              **options: Any) -> Any:
    """Enqueue by name (no signature check, never eager, as Celery). An unknown name is enqueued anyway and
    fails in the worker with ``function '<name>' not found`` unless ``configure(check_registry=True)``."""
    return dispatch(name, tuple(args or ()), dict(kwargs or {}), task=registry().get(name), task_id=task_id,
                    options=options, check=False, eager_ok=False)


async def asend_task(name: str, args: Any = None, kwargs: Any = None, task_id: str | None = None,
                     **options: Any) -> Any:
    return await adispatch(name, tuple(args or ()), dict(kwargs or {}), task=registry().get(name),
                           task_id=task_id, options=options, check=False, eager_ok=False)


class Conf(dict):  # type: ignore[type-arg]
    """``app.conf``: a dict with attribute access, as Celery's settings object."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value


class App:
    """Stands in for ``celery.Celery``: holds settings (broker URL, ``task_always_eager``...) and tasks."""

    def __init__(self, main: str | None = None, broker: str | None = None, backend: str | None = None,
                 include: Any = None, **settings_: Any) -> None:
        self.main = main
        self.conf = Conf()
        if broker:
            self.conf.broker_url = broker
        if backend:
            self.conf.result_backend = backend
        self.conf.update(settings_)
        register_app(self)

    def __repr__(self) -> str:
        return f"<celery2arq.shim.App {self.main or '__main__'}>"

    def task(self, *args: Any, **options: Any) -> Any:
        return _decorator("celery", self, args, options)

    def arq_task(self, *args: Any, **options: Any) -> Any:
        return _decorator("arq", self, args, options)

    @property
    def tasks(self) -> dict[str, Task]:
        return {name: t for name, t in registry().items() if t.app is self or t.app is None}

    def send_task(self, name: str, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        return send_task(name, args, kwargs, **options)

    def AsyncResult(self, task_id: str) -> AsyncResult:  # noqa: N802 - Celery's name
        return AsyncResult(task_id, app=self)

    def config_from_object(self, obj: Any, namespace: str | None = None, silent: bool = False,
                           force: bool = False) -> None:
        """Read settings from an object or ``"module"``/``"module:attr"``; ``namespace="CELERY"`` maps
        ``CELERY_BROKER_URL`` to ``broker_url`` (Django style)."""
        if isinstance(obj, str):
            module_name, _, attr = obj.partition(":")
            try:
                obj = importlib.import_module(module_name)
            except ImportError:
                if silent:
                    return
                raise
            if attr:
                obj = getattr(obj, attr)
        prefix = f"{namespace}_" if namespace else ""

        def setting_name(key: str) -> str | None:
            if key.startswith("_"):
                return None
            if key in _OLD_NAMES:
                return _OLD_NAMES[key]
            if prefix and key.startswith(prefix):
                return key[len(prefix):].lower()
            return key if not prefix and key.islower() else None

        # read only the settings that are Celery's: Django's lazy settings raise for some others
        # (an empty SECRET_KEY), and Celery's own loader never touches them either
        keys = list(obj) if isinstance(obj, dict) else dir(obj)
        for key in keys:
            name = setting_name(key)
            if name is not None:
                self.conf[name] = obj[key] if isinstance(obj, dict) else getattr(obj, key)

    def set_default(self) -> None:
        """Celery's ``app.set_default()`` (Flask's ``celery_init_app`` calls it): this app becomes the current
        one, whose settings and ``task_cls`` apply to tasks without an app."""
        make_current(self)

    set_current = set_default

    def autodiscover_tasks(self, *args: Any, **kwargs: Any) -> None:
        """No-op: ARQ workers register tasks via ``worker_settings()``, which imports nothing by itself."""

    def worker_settings(self, functions: Any = None, **kwargs: Any) -> type:
        from .shim_worker import worker_settings

        return worker_settings(functions, app=self, **kwargs)
