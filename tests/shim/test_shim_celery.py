"""The shim next to a real Celery worker: gradual routing and behavioural equivalence."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import shim_tasks
from arq.constants import job_key_prefix
from shim_helpers import thread_worker

from celery2arq.shim import configure, worker_settings
from celery2arq.shim.routing import register_all_with_celery

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def celery_app(redis_server: Any) -> Iterator[Any]:
    from celery import Celery

    app = Celery("shimtests", broker=redis_server.url, backend=redis_server.url)
    app.conf.update(broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
                    result_expires=600)
    register_all_with_celery(app)  # before the worker starts: Celery builds its task table at start
    yield app
    gc.collect()  # Celery results unsubscribe in __del__: let them do it while Redis still runs


@pytest.fixture(scope="session")
def celery_worker(celery_app: Any) -> Iterator[Any]:
    from celery.contrib.testing.worker import start_worker

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def celery(celery_app: Any, celery_worker: Any, shim_redis: str) -> Any:
    """The Celery app, its worker running, its queue re-declared after the per-test FLUSHALL."""
    with celery_app.connection_for_write() as conn:
        for queue in celery_app.amqp.queues.values():
            queue(conn.default_channel).declare()
    configure(celery_app=celery_app)
    return celery_app


def outcome(result: Any) -> Any:
    """A comparable summary: the value, or the exception's class name and message."""
    value = result.get(timeout=15, propagate=False)
    if isinstance(value, BaseException):
        return (type(value).__name__, str(value).replace(str(result.id), "<id>"))
    return value


CASES = [
    ("shim_tasks.add", (2, 3)),
    ("shim_tasks.retries_twice", ()),
    ("shim_tasks.always_retries_with_exc", ()),
    ("shim_tasks.always_retries_plain", ()),
    ("shim_tasks.autoretry_keyerror", ()),
    ("shim_tasks.autoretry_excluded", ()),
    ("shim_tasks.autoretry_five_times", ()),
    ("shim_tasks.boom", ("missing",)),
]


def test_same_task_code_gives_same_outcomes_under_celery_and_the_shim(celery: Any) -> None:
    under_celery = [outcome(celery.tasks[name].apply_async(args)) for name, args in CASES]
    tasks = shim_tasks.__dict__
    with thread_worker(worker_settings()):
        under_shim = [outcome(tasks[name.split(".")[1]].apply_async(args)) for name, args in CASES]
    assert under_shim == under_celery
    assert under_celery[1] == 2 and under_celery[2] == ("ValueError", "attempt 2")


def test_bound_request_fields_match(celery: Any) -> None:
    keys = ("retries", "args", "kwargs", "is_eager", "called_directly", "name", "max_retries")
    celery_info = celery.tasks["shim_tasks.request_info"].delay(5).get(timeout=15)
    with thread_worker(worker_settings()):
        shim_result = shim_tasks.request_info.delay(5)
        shim_info = shim_result.get(timeout=15)
    assert {k: shim_info[k] for k in keys} == {k: celery_info[k] for k in keys}
    assert shim_info["id"] == shim_result.id


def test_routing_sends_chosen_tasks_to_the_celery_worker(celery: Any, shim_redis: str) -> None:
    arq_queue = redis.Redis.from_url(shim_redis)
    pinned = shim_tasks.pinned_to_celery.delay(1)  # runs_on="celery" on the decorator
    assert pinned.get(timeout=15) == [1, "celery"]
    configure(runs_on={"shim_tasks.who_runs_me": "celery"})
    assert shim_tasks.who_runs_me.delay(2).get(timeout=15) == [2, "celery"]
    assert arq_queue.zcard("arq:queue") == 0  # nothing went to ARQ
    configure(runs_on={}, default_runs_on="celery")
    assert shim_tasks.add.delay(3, 4).get(timeout=15) == 7
    configure(default_runs_on="arq")
    with thread_worker(worker_settings()):
        assert shim_tasks.who_runs_me.delay(3).get(timeout=15) == [3, "arq"]


def test_the_configured_celery_apps_async_result_also_reads_jobs_that_ran_on_arq(celery: Any) -> None:
    """A mixed project keeps its Celery app: ``celery_app.AsyncResult(id)`` in a status view must see both."""
    with thread_worker(worker_settings()):
        on_arq = shim_tasks.add.delay(2, 3)
        assert on_arq.get(timeout=15) == 5
    read = celery.AsyncResult(on_arq.id)
    assert (read.state, read.get(timeout=5)) == ("SUCCESS", 5)
    on_celery = celery.tasks["shim_tasks.add"].delay(1, 1)
    assert celery.AsyncResult(on_celery.id).get(timeout=15) == 2
    assert celery.AsyncResult("never-enqueued").state == "PENDING"
    configure(celery_app=None)  # no longer the shim's app: Celery's reader alone, as before
    assert celery.AsyncResult(on_arq.id).state == "PENDING"


def test_the_configured_celery_app_reaches_converted_tasks_by_name(celery: Any, shim_redis: str) -> None:
    """A mixed project's ``app.send_task(name)``, ``signature(name)`` and ``app.tasks[name]`` name a task
    the rewrite turned into an ARQ task: they must enqueue it on ARQ, not publish to Celery (where no
    worker has it any more and ``get()`` would time out)."""
    from celery import signature as celery_signature

    arq_queue = redis.Redis.from_url(shim_redis)
    by_send = celery.send_task("shim_tasks.arq_style_sync", args=(4,))
    by_signature = celery_signature("shim_tasks.arq_style_sync", args=(5,), app=celery).delay()
    by_table = celery.tasks["shim_tasks.arq_style_sync"].delay(6)
    settings = worker_settings()
    assert arq_queue.zcard(settings.queue_name) == 3  # all three are ARQ jobs
    with thread_worker(settings):
        assert [r.get(timeout=15) for r in (by_send, by_signature, by_table)] == [
            [False, 1, 4], [False, 1, 5], [False, 1, 6]]
    assert celery.tasks["shim_tasks.arq_style_sync"](7) == [True, 1, 7]  # a direct call runs the body
    # a Celery-style shim task is also a real Celery task: Celery's own send_task path is untouched
    assert celery.send_task("shim_tasks.add", args=(1, 2)).get(timeout=15) == 3
    assert arq_queue.zcard(settings.queue_name) == 0


def test_bridge_keeps_celery_publishing_and_rollback_routing_intact(celery: Any, shim_redis: str) -> None:
    """Celery's own publish builds Celery's result without a shim lookup; ``send_task`` by name is never
    eager and checks no arguments (as Celery's); an ARQ-style task routed back to Celery runs there."""
    client = redis.Redis.from_url(shim_redis)

    def exists_calls() -> int:
        return int(client.info("commandstats").get("cmdstat_exists", {}).get("calls", 0))

    before = exists_calls()
    on_celery = celery.tasks["shim_tasks.add"].delay(1, 1)
    assert exists_calls() == before  # no EXISTS per Celery enqueue
    assert on_celery.get(timeout=15) == 2
    configure(eager=True)
    by_name = celery.send_task("shim_tasks.arq_style_sync", args=(1, 2, 3))  # wrong arity: not checked
    configure(eager=False)
    assert client.exists(job_key_prefix + by_name.id)  # queued for ARQ, not run inline
    configure(runs_on={"shim_tasks.arq_style_sync": "celery"})  # the documented rollback knob
    assert shim_tasks.arq_style_sync.delay(3).get(timeout=15) == [True, 1, 3]  # ran by the Celery worker
