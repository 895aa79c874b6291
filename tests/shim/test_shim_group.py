"""``group(...)`` as a fan-out on the shim (C2A302): each signature enqueued on its own, real worker."""

from __future__ import annotations

from unittest import mock

import pytest
import redis
import shim_tasks
from arq.constants import default_queue_name
from shim_helpers import run_burst

from celery2arq.shim import GroupResult, group, worker_settings

pytestmark = pytest.mark.integration


async def test_group_enqueues_each_signature_and_collects_their_results(shim_redis: str) -> None:
    client = redis.Redis.from_url(shim_redis)
    fanned = group(shim_tasks.add.s(i, i) for i in range(3)).apply_async()
    single = group(shim_tasks.add.s(5, 5)).delay()  # one signature (a dict) is one member, not its keys
    routed = group([shim_tasks.add.s(1, 1)], queue="maths")()
    assert isinstance(fanned, GroupResult) and len(fanned) == 3 and len(single) == 1
    assert client.zcard(default_queue_name) == 4
    assert client.zscore("arq:maths", routed[0].id) is not None
    assert not fanned.ready()
    await run_burst(worker_settings())
    assert fanned.get(timeout=5) == [0, 2, 4]
    assert single.join(timeout=5) == [10]
    assert fanned.ready() and fanned.successful() and fanned.completed_count() == 3
    assert [r.id for r in fanned.results] == [r.id for r in fanned]


async def test_group_propagates_a_members_exception_unless_told_not_to(shim_redis: str) -> None:
    mixed = group(shim_tasks.add.s(1, 2), shim_tasks.boom.s("nope")).apply_async()
    await run_burst(worker_settings())
    with pytest.raises(KeyError):
        mixed.get(timeout=5)
    ok, failed = mixed.get(timeout=5, propagate=False)
    assert ok == 3 and isinstance(failed, KeyError)
    assert mixed.failed() and not mixed.successful()


def test_group_sends_celery_signatures_through_celery(shim_redis: str) -> None:
    """A task left on Celery may share a group with converted ones: each member is sent by its own kind."""
    from celery import Celery

    app = Celery("grouptests", set_as_current=False)
    app.conf.task_always_eager = True

    @app.task(name="grouptests.mul", shared=False)
    def mul(x: int, y: int) -> int:
        return x * y

    results = group(mul.s(6, 7), shim_tasks.add.s(1, 2)).apply_async()
    assert results[0].get() == 42  # Celery's own (eager) result
    assert redis.Redis.from_url(shim_redis).zcard(default_queue_name) == 1


def test_signatures_and_groups_go_through_the_tasks_apply_async(shim_redis: str) -> None:
    """As in Celery, so tests that patch ``task.apply_async`` also see ``sig.delay()`` and groups."""
    with mock.patch.object(shim_tasks.add, "apply_async", wraps=shim_tasks.add.apply_async) as spy:
        shim_tasks.add.s(1).delay(2)  # partial args go first, as in Celery
        group(shim_tasks.add.s(3, 4)).apply_async(countdown=5)
    assert spy.call_args_list == [
        mock.call((2, 1), {}, task_id=None),
        mock.call((3, 4), {}, task_id=None, countdown=5),
    ]


def test_a_group_in_a_chain_needs_celery() -> None:
    with pytest.raises(NotImplementedError, match="needs Celery"):
        group(shim_tasks.add.s(1, 2)) | shim_tasks.add.s(3)
