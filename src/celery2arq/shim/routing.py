"""Gradual migration: per task, send ``.delay()`` to ARQ or hand it to the real Celery app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import settings

if TYPE_CHECKING:
    from .task import Task

CELERY_ONLY_OPTIONS = ("runs_on", "call_through")


def route_for(name: str, task: Task | None) -> str:
    """``runs_on`` of the task > ``configure(runs_on={name: ...})`` > ``configure(default_runs_on=...)``."""
    if task is not None and task.runs_on:
        return task.runs_on
    return settings.runs_on.get(name, settings.default_runs_on)


def send_to_celery(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], task_id: str | None,
                   options: dict[str, Any]) -> Any:
    """``celery_app.send_task(name, ...)``: returns Celery's own ``AsyncResult``."""
    app = settings.celery_app
    if app is None:
        raise RuntimeError(
            f"task {name!r} runs on Celery but no Celery app is configured: "
            "call celery2arq.shim.configure(celery_app=<your Celery app>)")
    return app.send_task(name, args=list(args), kwargs=kwargs, task_id=task_id, **options)


def register_with_celery(app: Any, task: Task) -> None:
    """Make a Celery worker able to run a shim task (Celery-style bodies); an ARQ-style task, which needs
    ``ctx``, gets a forwarder instead, so ``app.tasks[name]`` and signatures by name still work."""
    if task.style != "celery":
        # ``app._tasks``: the registry without finalizing the app (``app.tasks`` would, and an app
        # finalized while its modules are still importing creates later tasks at once, not lazily)
        registered = getattr(app, "_tasks", None)
        if task.name not in (app.tasks if registered is None else registered):
            from .bridge import register_forwarder

            register_forwarder(app, task)
        return
    if task.name in app.tasks:
        return
    options = {k: v for k, v in task.options.items() if k not in CELERY_ONLY_OPTIONS}
    app.task(name=task.name, bind=task.bind, shared=False, **options)(task.body)


def register_all_with_celery(app: Any) -> None:
    from .task import registry

    for task in list(registry().values()):
        register_with_celery(app, task)
