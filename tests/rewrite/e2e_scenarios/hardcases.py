"""hardcases: aliases, a helper decorator, a class task, a dynamic name, custom Task bases.

The rewrite leaves tasks on Celery here (``add``/``mul`` registered by a call, C2A112;
``rotate_keys``' ``self.db``, C2A138; the ``SyncInventory`` class, C2A114; the helper-made
``jobs.*`` tasks, C2A115; ``legacy_sweep``, excluded here), so the app module keeps the real Celery
app and the project runs mixed: the ARQ side runs the generated ARQ workers *and* a Celery worker (``MIXED``).
The rewrite adds ``configure(celery_app=app)`` after the kept app, so the converted tasks enqueue on
the app's ``task_default_queue`` (``hard``), the queue the generated ``WorkerSettings`` serves.

Driven: the converted tasks (aliased decorators, stacked decorators, ``**OPTS``, a run-time name,
``bind=True`` reading ``self.request.id``), the tasks left on Celery (still served by Celery on
their own queues ``hard``, ``search``, ``default``), a task that raises, and the call sites
``by_dynamic_name``, ``not_celery`` and ``stacked.apply`` / a direct call, and the call sites that
name a converted task through the kept Celery app: ``signature("pkg.tasks.resize")``,
``app.signature(...)`` and ``app.send_task("pkg.tasks.resize", queue="images")``.

Left out, and why:

* The fixture's ``app.task(lambda ...)`` makes Celery 5 fail to finalize the app (``head_from_fun``
  writes ``def <lambda>(x, y)``: SyntaxError), so ``prepare()`` names that lambda ``mul`` first.
* ``pkg/jobs/modern.py`` (PEP 695, not importable on Python < 3.12) and ``pkg/legacy.py``
  (``celery.task`` is gone in Celery 5) cannot be imported by either side here, so the rewrite runs
  with them excluded (``REWRITE_EXCLUDE``); ``broken.py``/``latin1_legacy.py`` are never imported.
* ``current_app.tasks["pkg.tasks.resize"]`` in ``run_without_broker`` runs the body inline: covered
  by the shim tests (the kept app gets a forwarder task per converted name).
* ``resize_all`` (``link=``/``link_error=``, C2A204/C2A304 ``celery``), ``busy_workers``
  (``inspect()``, C2A403 ``celery``), ``cancel`` (nothing to observe), ``via_renamed_app``
  (``ignore_result``: Celery's ``get()`` times out, the shim's returns ``None``, C2A102).
  ``via_module_attribute``'s ``heartbeat`` has a 10 s countdown: only its state is read.

Results cross Redis as JSON on both sides (Celery's default; ``configure(serializer="json")`` on
the ARQ side as the audit's serializer note says). The driver refuses any connection to port 6379.
"""

from __future__ import annotations

from typing import Any

PROJECT = "fixtures/projects/hardcases"
CELERY_APP = "pkg.celery:app"
QUEUES = ["hard", "search", "default", "images"]
MIXED = True
REWRITE_EXCLUDE = ["modern.py", "legacy.py"]
CONVERTED = ["resize", "rollup", "aliased_bound", "via_submodule", "stacked", "with_spread_options"]

EXPECTED = {
    "resize": ["ok", "[3, 800]"],
    "weekly_digest": ["ok", "'adhoc'"],
    "open_shutters": ["ok", "True"],
    "rollup": ["ok", "'eu'"],
    "heartbeat": ["ok", "None"],
    "nothing_to_suppress": ["ok", "None"],
    "on_resize_error": ["error", "AttributeError", "'NoneType' object has no attribute 'id'"],
    "aliased_shared": ["ok", "1"],
    "aliased_bound": ["ok", "(True, 9)"],
    "via_variable": ["ok", "3"],
    "via_submodule": ["ok", "4"],
    "stacked": ["ok", "(True, 6)"],
    "with_spread_options": ["ok", "[7]"],
    "stacked_apply": ["ok", "(True, 5)"],
    "with_spread_options_called": ["ok", "8"],
    "by_dynamic_name": ["ok", "[4, 5]"],
    "not_celery": ["ok", "4.0"],
    "via_module_attribute_state": ["ok", "'PENDING'"],
    "left_add": ["ok", "5"],
    "left_mul": ["ok", "6"],
    "left_rotate_keys": ["ok", "True"],
    "left_sync_inventory": ["ok", "{'warehouse': 'w1', 'synced': True}"],
    "left_rebuild_search_index": ["ok", "2"],
    "left_send_sms": ["ok", "['555', 'hi']"],
    "via_signature_by_name": ["ok", "[2, 64]"],
    "via_app_signature": ["ok", "'adhoc'"],
    "fire_by_name": ["ok", "[5, 100]"],
}


def prepare() -> None:
    from celery2arq.shim import configure

    configure(serializer="json")
    # task modules Celery's autodiscovery (pkg.tasks only) does not import: registered before the
    # Celery worker starts, as a `celery -A pkg --include ...` worker would have them
    import pkg.tasks

    # Celery cannot finalize an app holding `app.task(lambda ...)`: head_from_fun writes
    # `def <lambda>(x, y)` (SyntaxError). Name the fixture's lambda first, on both sides alike.
    object.__getattribute__(pkg.tasks.mul_task, "_Proxy__args")[0].__name__ = "mul"
    import pkg.callers  # noqa: F401
    import pkg.classy  # noqa: F401
    import pkg.jobs.aliases  # noqa: F401
    import pkg.jobs.instrumented  # noqa: F401
    import pkg.jobs.stacked  # noqa: F401


def drive() -> dict[str, Any]:
    from pkg import callers, classy, tasks
    from pkg.jobs import aliases, instrumented, stacked

    def own_id(handle: Any) -> Any:
        job_id, value = handle.get(timeout=30)
        return job_id == handle.id, value

    bound = aliases.aliased_bound.delay(9)
    under_decorator = stacked.stacked.delay(6)
    local = stacked.stacked.apply(args=(5,))
    return {
        "resize": tasks.resize.delay(3, 800),
        "weekly_digest": tasks.weekly_digest.apply_async(("adhoc",)),
        "open_shutters": tasks.open_shutters.delay(),
        "rollup": tasks.rollup.delay(),
        "heartbeat": tasks.heartbeat.delay(),
        "nothing_to_suppress": tasks.nothing_to_suppress.delay(),
        "on_resize_error": tasks.on_resize_error.delay(None, None, None),
        "aliased_shared": aliases.aliased_shared.delay(),
        "aliased_bound": lambda: own_id(bound),
        "via_variable": aliases.via_variable.delay(),
        "via_submodule": aliases.via_submodule.delay(),
        "stacked": lambda: own_id(under_decorator),
        "with_spread_options": stacked.with_spread_options.delay([7]),
        "stacked_apply": lambda: own_id(local),
        "with_spread_options_called": lambda: stacked.with_spread_options(8),
        "by_dynamic_name": callers.by_dynamic_name("resize", 4, 5),
        "not_celery": lambda: callers.not_celery(3),
        "via_module_attribute_state": lambda: callers.via_module_attribute(1).state,
        "left_add": tasks.add_task.delay(2, 3),
        "left_mul": tasks.mul_task.delay(2, 3),
        "left_rotate_keys": tasks.rotate_keys.delay(),
        "left_sync_inventory": classy.sync_inventory.delay("w1"),
        "left_rebuild_search_index": instrumented.rebuild_search_index.delay(2),
        "left_send_sms": instrumented.send_sms.delay("555", "hi"),
        "via_signature_by_name": callers.via_signature_by_name(2),
        "via_app_signature": callers.via_app_signature(),
        "fire_by_name": tasks.fire_by_name(5),
    }
