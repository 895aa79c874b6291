"""Task objects, direct calls, eager mode, options and enqueue details (real Redis, no worker)."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import time
import warnings
from unittest import mock

import pytest
import redis
import shim_tasks
from arq.constants import default_queue_name, job_key_prefix
from arq.jobs import deserialize_job_raw
from arq.worker import Function, func

from celery2arq.shim import (
    App,
    BrokerUnavailable,
    DuplicateTaskId,
    EagerResult,
    MaxRetriesExceededError,
    NotRegistered,
    UnsupportedOptionError,
    UnsupportedOptionWarning,
    configure,
    send_task,
    shared_task,
    signature,
)
from celery2arq.shim.config import arq_queue_name, redis_url


def test_task_is_an_arq_function_with_celery_name_and_options() -> None:
    assert isinstance(shim_tasks.add, Function)
    assert func(shim_tasks.add) is shim_tasks.add
    assert shim_tasks.add.name == "shim_tasks.add"
    assert shim_tasks.mul.name == "shim_tests.mul"
    assert shim_tasks.add.max_tries == 4  # Celery max_retries=3 -> 4 executions (trap 1)
    assert shim_tasks.always_retries_with_exc.max_tries == 3
    assert shim_tasks.fire_and_forget.keep_result_s == 0
    assert shim_tasks.crash_probe.timeout_s == 1

    @shared_task(max_retries=None, time_limit=7)
    def unlimited() -> None: ...

    assert unlimited.max_tries >= 2**31 and unlimited.timeout_s == 7


def test_direct_calls_run_the_body_like_celery() -> None:
    assert shim_tasks.add(2, 3) == 5
    assert shim_tasks.mul(2, 3) == 6  # async body run to completion from sync code
    info = shim_tasks.request_info(1)
    assert info["called_directly"] is True and info["is_eager"] is False and info["id"] is None
    assert shim_tasks.arq_style_sync(5) == [True, 1, 5]  # arq_task direct call: job_id None, job_try 1
    with pytest.raises(KeyError):
        shim_tasks.boom("x")


async def test_async_body_called_directly_inside_a_running_loop() -> None:
    assert shim_tasks.mul(4, 5) == 20


def test_arguments_that_do_not_bind_raise_type_error_at_call_time() -> None:
    with pytest.raises(TypeError, match="shim_tasks.add"):
        shim_tasks.add.delay(1)
    with pytest.raises(TypeError):
        shim_tasks.add.apply_async((1, 2), {"z": 3})
    with pytest.raises(TypeError):
        shim_tasks.arq_style.delay()  # ctx is not a caller argument


def test_delay_can_be_patched_with_mock() -> None:
    with mock.patch("shim_tasks.add.delay") as patched:
        shim_tasks.add.delay(1, 2)
    patched.assert_called_once_with(1, 2)
    assert "delay" not in vars(shim_tasks.add)  # restored


def test_eager_mode_runs_inline_and_round_trips_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(eager=True, serializer="json")
    result = shim_tasks.echo.delay((1, 2), when=dt.date(2026, 1, 1))
    assert isinstance(result, EagerResult) and result.successful()
    assert result.get() == [[[1, 2]], {"when": dt.date(2026, 1, 1)}]  # tuple -> list, as Celery's json
    assert shim_tasks.retries_twice.delay().get() == 2
    assert shim_tasks.request_info.delay(3).get()["is_eager"] is True
    failed = shim_tasks.always_retries_plain.delay()
    assert failed.failed()
    with pytest.raises(MaxRetriesExceededError):
        failed.get()
    with pytest.raises(ValueError, match="attempt 2"):
        shim_tasks.always_retries_with_exc.delay().get()


def test_eager_from_environment_and_from_app_conf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELERY2ARQ_EAGER", "1")
    assert shim_tasks.add.delay(1, 1).get() == 2
    monkeypatch.delenv("CELERY2ARQ_EAGER")
    app = App("proj")
    app.config_from_object({"CELERY_TASK_ALWAYS_EAGER": True}, namespace="CELERY")
    assert app.conf.task_always_eager is True
    assert shim_tasks.add.delay(2, 2).get() == 4


def test_config_from_object_reads_only_celery_settings() -> None:
    """Like Celery's loader: Django's lazy settings raise for some other names (an empty SECRET_KEY)."""

    class DjangoLikeSettings:
        CELERY_BROKER_URL = "redis://broker:6379/1"
        CELERY_TASK_DEFAULT_QUEUE = "jobs"
        DEBUG = True

        @property
        def SECRET_KEY(self) -> str:  # noqa: N802 - Django's name
            raise RuntimeError("The SECRET_KEY setting must not be empty.")

    app = App("proj")
    app.config_from_object(DjangoLikeSettings(), namespace="CELERY")
    assert app.conf.broker_url == "redis://broker:6379/1"
    assert app.conf.task_default_queue == "jobs"
    assert "debug" not in app.conf and "secret_key" not in app.conf


def test_unsupported_options_warn_once_or_fail_in_strict_mode(shim_redis: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shim_tasks.add.apply_async((1, 2), priority=9)
        shim_tasks.add.apply_async((1, 2), priority=9)
    assert [str(w.message).count("priority") for w in caught if w.category is UnsupportedOptionWarning] == [1]
    configure(strict=True)
    with pytest.raises(UnsupportedOptionError, match="link"):
        shim_tasks.add.apply_async((1, 2), link=shim_tasks.add.s(3))


def test_queue_option_maps_to_prefixed_arq_queue(shim_redis: str) -> None:
    client = redis.Redis.from_url(shim_redis)
    client.rpush("emails", "a celery message")  # Celery's own list keeps working (trap 19)
    result = shim_tasks.add.apply_async((1, 2), queue="emails")
    assert client.zscore("arq:emails", result.id) is not None
    assert client.type("emails") == b"list"
    assert arq_queue_name(None) == default_queue_name
    default = shim_tasks.add.delay(1, 2)
    assert client.zscore(default_queue_name, default.id) is not None
    assert client.get(f"celery2arq:queue:{default.id}") == b"0" + default_queue_name.encode()


def test_job_payload_is_arqs_own_format(shim_redis: str) -> None:
    result = shim_tasks.echo.apply_async((1, "a"), {"function": "collides in enqueue_job", "_job_id": 3})
    raw = redis.Redis.from_url(shim_redis).get(job_key_prefix + result.id)
    function, args, kwargs, job_try, _ = deserialize_job_raw(raw)
    assert (function, args, kwargs, job_try) == (
        "shim_tasks.echo", (1, "a"), {"function": "collides in enqueue_job", "_job_id": 3}, None)


def test_countdown_and_naive_eta_are_utc(shim_redis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = redis.Redis.from_url(shim_redis)
    before = time.time() * 1000
    later = shim_tasks.add.apply_async((1, 2), countdown=60)
    assert before + 59_000 < client.zscore(default_queue_name, later.id) < time.time() * 1000 + 61_000
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        naive = dt.datetime(2031, 1, 1, 12, 0)
        eta = shim_tasks.add.apply_async((1, 2), eta=naive)
        expected = dt.datetime(2031, 1, 1, 12, 0, tzinfo=dt.timezone.utc).timestamp() * 1000
        assert client.zscore(default_queue_name, eta.id) == expected
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_expires_sets_the_job_ttl(shim_redis: str) -> None:
    client = redis.Redis.from_url(shim_redis)
    result = shim_tasks.add.apply_async((1, 2), expires=30)
    assert 28_000 < client.pttl(job_key_prefix + result.id) <= 30_000
    default = shim_tasks.add.delay(1, 2)
    assert client.pttl(job_key_prefix + default.id) > 86_000_000  # ARQ's one-day default


def test_duplicate_task_id_is_refused(shim_redis: str) -> None:
    first = shim_tasks.add.apply_async((1, 2), task_id="fixed-id")
    assert first.id == "fixed-id"
    with pytest.raises(DuplicateTaskId, match="fixed-id"):
        shim_tasks.add.apply_async((1, 2), task_id="fixed-id")


def test_redis_down_raises_broker_unavailable_quickly() -> None:
    configure(redis_url="redis://127.0.0.1:1/0", connect_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match=r"cannot reach Redis at redis://127.0.0.1:1/0"):
        shim_tasks.add.delay(1, 2)
    assert time.monotonic() - started < 5


def test_signatures_defer_a_call(shim_redis: str) -> None:
    client = redis.Redis.from_url(shim_redis)
    sig = shim_tasks.add.s(1)
    result = sig.delay(2)
    # Celery puts partial args first: add.s(1).delay(2) runs add(2, 1)
    assert deserialize_job_raw(client.get(job_key_prefix + result.id))[:3] == ("shim_tasks.add", (2, 1), {})
    frozen = shim_tasks.add.si(5, 6).set(countdown=60)
    queued = frozen.delay(7)  # immutable: extra args ignored
    assert deserialize_job_raw(client.get(job_key_prefix + queued.id))[1] == (5, 6)
    assert client.zscore(default_queue_name, queued.id) > time.time() * 1000 + 50_000
    by_name = signature("shim_tasks.add", args=(3, 4), options={"queue": "maths"}).apply_async()
    assert client.zscore("arq:maths", by_name.id) is not None
    assert signature("shim_tasks.add", args=(3,))(4) == 7
    assert shim_tasks.echo.s(1)(2) == [[2, 1], {}]  # partial args first
    assert shim_tasks.echo.si(1)(2) == [[1], {}]  # immutable: ignored, as Celery's __call__
    assert pickle.loads(pickle.dumps(shim_tasks.add.s(1, 2))) == {
        "task": "shim_tasks.add", "args": (1, 2), "kwargs": {}, "options": {}, "immutable": False}


def test_send_task_by_name(shim_redis: str) -> None:
    client = redis.Redis.from_url(shim_redis)
    result = send_task("not.registered.anywhere", (1,), {"a": 2})
    assert deserialize_job_raw(client.get(job_key_prefix + result.id))[0] == "not.registered.anywhere"
    configure(check_registry=True)
    with pytest.raises(NotRegistered):
        send_task("not.registered.anywhere")
    with pytest.raises(NotRegistered):
        signature("not.registered.anywhere", args=(1,)).delay()
    assert send_task("shim_tests.mul", (2, 3)).id  # registered names still go through
    assert send_task("shim_tasks.add", (1, 2)).id


def test_redis_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    from celery2arq.shim import config

    monkeypatch.setattr(config, "_warned_default", False)  # whatever earlier tests did
    with pytest.warns(RuntimeWarning, match="no Redis URL configured"):  # the fallback says so, once
        assert redis_url() == "redis://localhost:6379/0"
    App("proj", broker="amqp://guest@rabbit//")
    assert redis_url() == "redis://localhost:6379/0"  # not a Redis broker

    config._apps.clear()
    App("proj", broker="redis://broker:6379/2")
    assert redis_url() == "redis://broker:6379/2"
    configure(redis_url="redis://configured:6379/3")
    assert redis_url() == "redis://configured:6379/3"
    monkeypatch.setenv("CELERY2ARQ_REDIS_URL", "redis://env:6379/4")
    assert redis_url() == "redis://env:6379/4"


def test_shim_imports_neither_libcst_click_rich_nor_celery() -> None:
    import subprocess
    import sys

    code = ("import sys, celery2arq.shim; banned = {'libcst', 'click', 'rich', 'celery', 'kombu'}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & banned))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": ""})
    assert out.stdout.strip() == "[]"



def test_eager_wins_over_the_celery_route_and_definition_options_warn() -> None:
    configure(eager=True)  # no Celery app configured: the route is never taken in eager mode
    assert shim_tasks.pinned_to_celery.delay(9).get() == [9, "arq"]
    with pytest.warns(UnsupportedOptionWarning, match="rate_limit"):

        @shared_task(rate_limit="10/m")
        def limited() -> None: ...


def test_celery_route_without_a_celery_app_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="configure\\(celery_app="):
        shim_tasks.pinned_to_celery.delay(1)


def test_task_routes_choose_the_queue_and_the_worker(shim_redis: str) -> None:
    app = App("proj")
    app.conf.task_routes = {"shim_tasks.add": {"queue": "maths"}, "shim_tasks.e*": "echoes"}
    client = redis.Redis.from_url(shim_redis)
    assert client.zscore("arq:maths", shim_tasks.add.delay(1, 2).id) is not None
    assert client.zscore("arq:echoes", shim_tasks.echo.delay().id) is not None
    explicit = shim_tasks.add.apply_async((1, 2), queue="other")  # the call's queue wins over the routes
    assert client.zscore("arq:other", explicit.id) is not None
    from celery2arq.shim import worker_settings

    names = {f.name for f in vars(worker_settings(queue="maths"))["functions"]}
    assert names == {"shim_tasks.add"}


def test_celery_task_default_queue_is_the_default(shim_redis: str) -> None:
    App("proj", task_default_queue="work")
    client = redis.Redis.from_url(shim_redis)
    assert client.zscore("arq:work", shim_tasks.add.delay(1, 2).id) is not None
    from celery2arq.shim import worker_settings

    assert vars(worker_settings())["queue_name"] == "arq:work"
