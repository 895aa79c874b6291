"""forms: tasks behind aliased decorators (``st``, ``shared = c.shared_task``), ``base=``, ``**OPTS``.

The project has no call sites of its own, so the scenario enqueues each task the way a caller would
(``delay``/``apply_async``) and also runs the local forms (``apply()``, a direct call). The rewrite
leaves ``Inventory`` (a ``Task`` subclass, C2A114) on Celery, so the app module keeps the real Celery
app; ``Inventory`` is never registered with it (no ``register_task``), so nothing can enqueue it.

Left out: ``debug_task.delay()``: ``ignore_result=True`` means Celery's ``get()`` waits until its
timeout while the shim's returns ``None`` (C2A102, documented). The ``AuditTask``/``DbTask`` hooks
only print (C2A108 TODO: the rewrite leaves them for a human; nothing observable here).

Results cross Redis as JSON on both sides (Celery's default; ``configure(serializer="json")`` on the
ARQ side as the migration guide says), so ``send_welcome``'s tuple comes back as a list on both.
The driver refuses any connection to port 6379: the app's hard-coded broker
(``redis://localhost:6379/0``) must be overridden on both sides.
"""

from __future__ import annotations

from typing import Any

PROJECT = "fixtures/rewrite/forms"
CELERY_APP = "forms.celery:app"
QUEUES = ["celery"]
CONVERTED = ["send_welcome", "purge", "via_variable", "with_base", "with_spread_options", "debug_task"]

EXPECTED = {
    "send_welcome": ["ok", "(True, 7)"],
    "purge_default": ["ok", "365"],
    "purge_kwargs": ["ok", "30"],
    "via_variable": ["ok", "3"],
    "with_base": ["ok", "'x'"],
    "with_spread_options": ["ok", "[1, 2]"],
    "send_welcome_apply": ["ok", "(True, 8)"],
    "purge_called": ["ok", "5"],
    "debug_task_apply": ["ok", "None"],
}


def prepare() -> None:
    import forms.aliases  # noqa: F401  shared tasks: registered before the Celery worker starts

    try:
        from celery2arq.shim import configure
    except ImportError:  # pragma: no cover - the shim is always installed in this repo's venv
        return
    configure(serializer="json")


def drive() -> dict[str, Any]:
    from forms import aliases, celery

    welcome = aliases.send_welcome.delay(7)
    local = aliases.send_welcome.apply(args=(8,))

    def own_id(handle: Any) -> Any:
        job_id, user_id = handle.get(timeout=30)
        return job_id == handle.id, user_id

    return {
        "send_welcome": lambda: own_id(welcome),
        "purge_default": aliases.purge.delay(),
        "purge_kwargs": aliases.purge.apply_async(kwargs={"days": 30}),
        "via_variable": aliases.via_variable.delay(),
        "with_base": aliases.with_base.delay("x"),
        "with_spread_options": aliases.with_spread_options.delay([1, 2]),
        "send_welcome_apply": lambda: own_id(local),
        "purge_called": lambda: aliases.purge(5),
        "debug_task_apply": celery.debug_task.apply(),
    }
