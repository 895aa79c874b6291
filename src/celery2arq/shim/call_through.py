"""``call_through=``: run a task body inside a Celery Task class's own ``__call__``, as Celery does.

Projects wrap every run in a project-wide Task class (Flask's documented ``FlaskTask`` pushes the app
context; others open a DB session). Celery runs ``task.__call__`` for worker, eager and direct calls
alike, so the shim does the same: the class's ``__call__`` gets the task's arguments and its
``self.run`` is the body. ``"app"`` means the class Celery would have built a ``shared_task`` from:
the app's ``task_cls``, looked up when the task runs, because the app (often made by a factory such
as ``celery_init_app(flask_app)``) may not exist yet when the task module is imported.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from .config import current_app, settings

APP = "app"


class CallThroughError(RuntimeError):
    """The Task class whose ``__call__`` must wrap the run cannot be found in this process."""


def _by_name(spelled: str) -> Any:
    """``"pkg.mod:Class"`` or ``"pkg.mod.Class"`` (Celery's symbol-by-name forms)."""
    module, _, attr = spelled.rpartition(":") if ":" in spelled else spelled.rpartition(".")
    value: Any = importlib.import_module(module)
    for part in attr.split("."):
        value = getattr(value, part)
    return value


def _app_task_class(task_app: Any) -> Any:
    """The current app's task class: a shim ``App(task_cls=...)``'s, else the configured or current Celery
    app's."""
    for app in (task_app, current_app()):
        conf = getattr(app, "conf", None)
        if conf is not None and conf.get("task_cls") is not None:
            return conf["task_cls"]
    if settings.celery_app is not None:
        return settings.celery_app.Task
    if "celery" in sys.modules:  # never import Celery only to find out there is no app
        from celery import current_app as celery_current_app

        return celery_current_app.Task
    return None


def _own_call(cls: Any) -> Callable[..., Any] | None:
    """``cls.__call__`` when the class (or a project base) defines it, not Celery's or ``object``'s."""
    for klass in getattr(cls, "__mro__", ()):
        if "__call__" in vars(klass):
            module = getattr(klass, "__module__", "") or ""
            if module == "builtins" or module.startswith("celery."):
                return None
            return vars(klass)["__call__"]
    return None


def resolve(spec: Any, task_app: Any, task_name: str) -> tuple[Any, Callable[..., Any]]:
    """The class and its ``__call__`` for ``call_through=spec``; raises ``CallThroughError`` when absent."""
    cls = _app_task_class(task_app) if spec == APP else spec
    if isinstance(cls, str):
        cls = _by_name(cls)
    call = _own_call(cls)
    if call is None:
        where = "the current Celery app's task class" if spec == APP else f"{spec!r}"
        raise CallThroughError(
            f"{task_name} runs inside its Task class's __call__ (call_through={spec!r}), but {where} "
            f"({getattr(cls, '__qualname__', cls)!r}) has no __call__ of its own in this process: create the "
            "app in the worker too (import the module `celery -A` named) before jobs run"
        )
    return cls, call


def run_through(
    spec: Any,
    task_app: Any,
    task_name: str,
    run: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """``cls.__call__(instance, *args, **kwargs)`` on a bare instance whose ``run`` is the body."""
    cls, call = resolve(spec, task_app, task_name)
    instance = cls.__new__(cls)  # no __init__: Celery builds task instances once, without arguments
    instance.run = run
    instance.name = task_name
    if hasattr(cls, "push_request") and getattr(cls, "request_stack", None) is None:
        # a celery.Task never bound to an app: its own ``super().__call__()`` pushes a request here
        from celery.utils.threads import LocalStack

        instance.request_stack = LocalStack()
    return call(instance, *args, **kwargs)
