"""One golden before/after per rule of the convert_task codemod."""

from __future__ import annotations

import textwrap

import pytest
from rewrite_codemod_tools import check_noop, check_transformed, run

from celery2arq.rewrite.engine import rewrite_source
from celery2arq_codemods._names import SCRATCH_KNOWN_APPS, SCRATCH_LEAVE_TASKS, SCRATCH_PROJECT_TASKS


def test_plain_shared_task_becomes_async_with_its_celery_name():
    outcome = check_transformed(
        """\
        from celery import shared_task


        @shared_task
        def add(x, y):
            return x + y
        """,
        """\
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.add")
        async def add(ctx, x, y):
            return x + y
        """,
    )
    assert outcome.converted == [
        {
            "name": "proj.tasks.add",
            "function": "add",
            "module": "proj.tasks",
            "app": None,
            "queue": None,
            "async": True,
        }
    ]


@pytest.mark.parametrize(
    ("imports", "decorator"),
    [
        pytest.param("from celery import shared_task as st", "@st", id="alias"),
        pytest.param("import celery", "@celery.shared_task()", id="module-attribute"),
    ],
)
def test_shared_task_matched_by_meaning(imports, decorator):
    check_transformed(
        f"""\
        {imports}


        {decorator}
        def ping():
            return "pong"
        """,
        """\
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.ping")
        async def ping(ctx):
            return "pong"
        """,
    )


def test_app_task_with_local_app_keeps_the_app():
    check_transformed(
        """\
        from celery import Celery

        app = Celery("proj")


        @app.task(queue="emails", name="mail.send")
        def send(to):
            return to
        """,
        """\
        from celery import Celery
        from celery2arq.shim import arq_task

        app = Celery("proj")


        @arq_task(queue="emails", name="mail.send")
        async def send(ctx, to):
            return to
        """,
    )


def test_app_task_keeps_the_app_import_so_its_configuration_still_loads():
    # callers that import only the task module must still load the app's broker URL (not localhost)
    outcome = check_transformed(
        """\
        from .celery import app


        @app.task()
        def noop():
            return None
        """,
        """\
        from .celery import app
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.noop")
        async def noop(ctx):
            return None
        """,
        scratch={SCRATCH_KNOWN_APPS: {"proj.celery.app"}},
    )
    assert outcome.converted[0]["app"] == "proj.celery.app"


def test_unknown_object_task_attribute_is_not_a_task_when_apps_are_known():
    check_noop(
        """\
        from .registry import things


        @things.task
        def noop():
            return None
        """,
        scratch={SCRATCH_KNOWN_APPS: {"proj.celery.app"}},
    )


def test_bound_task_self_uses_become_ctx_and_retry():
    check_transformed(
        """\
        from celery import shared_task


        @shared_task(bind=True, max_retries=5, default_retry_delay=10)
        def charge(self, order):
            if self.request.retries * 2 > 4:
                return self.name, self.request.id
            try:
                return gateway.charge(order)
            except IOError as exc:
                raise self.retry(exc=exc, countdown=2 ** self.request.retries)
            if order is None:
                return self.retry(countdown=1)
            self.retry()
        """,
        """\
        from celery2arq.shim import arq_task, retry


        @arq_task(name="proj.tasks.charge", max_retries=5, default_retry_delay=10)
        def charge(ctx, order):
            if (ctx["job_try"] - 1) * 2 > 4:
                return "proj.tasks.charge", ctx["job_id"]
            try:
                return gateway.charge(order)
            except IOError as exc:
                raise retry(ctx, exc=exc, countdown=2 ** (ctx["job_try"] - 1))
            if order is None:
                raise retry(ctx, countdown=1)
            raise retry(ctx)
        """,
    )


def test_blocking_body_stays_sync_and_keeps_time_sleep():
    check_transformed(
        """\
        import time

        import requests
        from celery import shared_task


        @shared_task
        def fetch(url):
            time.sleep(1)
            return requests.get(url).status_code
        """,
        """\
        import time

        import requests
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.fetch")
        def fetch(ctx, url):
            time.sleep(1)
            return requests.get(url).status_code
        """,
    )


def test_sleep_in_a_pure_body_becomes_asyncio_sleep():
    check_transformed(
        """\
        from time import sleep

        from celery import shared_task


        @shared_task
        def wait(n):
            sleep(n)
            return max(n, 0)
        """,
        """\
        import asyncio
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.wait")
        async def wait(ctx, n):
            await asyncio.sleep(n)
            return max(n, 0)
        """,
    )


def test_asyncio_run_becomes_await():
    check_transformed(
        """\
        import asyncio

        from celery import shared_task

        from .client import fetch


        @shared_task
        def pull(n):
            return asyncio.run(fetch(n)) + 1
        """,
        """\
        from .client import fetch
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.pull")
        async def pull(ctx, n):
            return await fetch(n) + 1
        """,
    )


def test_update_state_goes_through_the_running_shim_task():
    """C2A136: progress states keep working through the shim's state key (AsyncResult.state/info)."""
    check_transformed(
        """\
        from celery import shared_task


        @shared_task(bind=True)
        def crunch(self, n):
            for i in range(n):
                self.update_state(state="PROGRESS", meta={"done": i, "total": n})
            return n
        """,
        """\
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.crunch")
        def crunch(ctx, n):
            for i in range(n):
                ctx["celery2arq_task"].update_state(state="PROGRESS", meta={"done": i, "total": n})
            return n
        """,
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param("return self.request.hostname", "C2A132", id="request-approximate"),
        pytest.param("return self.request.chord", "C2A133", id="request-workflow"),
        pytest.param("raise self.retry(args=(1,))", "C2A135", id="retry-new-payload"),
        pytest.param("return self.replace(other.s())", "C2A137", id="replace"),
        pytest.param("return helper(self)", "C2A138", id="self-passed-on"),
        pytest.param("return ctx.value", "C2A138", id="body-uses-ctx"),
    ],
)
def test_untranslatable_self_use_is_left_with_a_comment(body, code):
    before = f"""\
from celery import shared_task


@shared_task(bind=True)
def job(self):
    {body}
"""
    outcome = run(before)
    new = outcome.new.decode()
    assert new.startswith("from celery import shared_task\n\n\n# celery2arq: " + code + " ")
    assert new.endswith(before.split("\n\n\n", 1)[1])
    assert [(e["name"], e["function"], e["code"]) for e in outcome.left] == [("proj.tasks.job", "job", code)]
    assert outcome.warnings and code in outcome.warnings[0]
    assert run(new).new.decode() == new, "the comment is added once"


def test_verdict_celery_is_left_byte_identical():
    outcome = check_noop(
        """\
        from celery import shared_task


        @shared_task(rate_limit="1/m")
        def slow():
            return 1
        """,
        scratch={SCRATCH_LEAVE_TASKS: {"proj.tasks.slow"}},
    )
    assert outcome.converted == []


CARRY_TODO = "TODO: carry AuditedTask.__call__/hooks into the ARQ job (decorator or on_job_start/on_job_end)"


def test_custom_base_is_dropped_with_a_todo():
    check_transformed(
        """\
        from celery import shared_task

        from .base import AuditedTask


        @shared_task(base=AuditedTask)
        def audited():
            return 1
        """,
        f"""\
        from celery2arq.shim import arq_task


        # celery2arq: C2A108 {CARRY_TODO}
        @arq_task(name="proj.tasks.audited")
        async def audited(ctx):
            return 1
        """,
    )


def test_multiline_options_keep_their_layout_and_bind_goes():
    check_transformed(
        """\
        from celery import shared_task


        @shared_task(
            bind=True,
            autoretry_for=(KeyError,),  # the flaky lookup
            retry_backoff=True,
        )
        def lookup(self, key):
            return TABLE[key]
        """,
        """\
        from celery2arq.shim import arq_task


        @arq_task(
            name="proj.tasks.lookup",
            autoretry_for=(KeyError,),  # the flaky lookup
            retry_backoff=True,
        )
        async def lookup(ctx, key):
            return TABLE[key]
        """,
    )


def test_parameter_named_ctx_is_left():
    outcome = run(
        """\
from celery import shared_task


@shared_task
def render(ctx):
    return ctx
"""
    )
    assert "# celery2arq: C2A138" in outcome.new.decode()
    assert outcome.converted == []


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("def plain():\n    return 1\n", id="no-task"),
        pytest.param(
            "from celery import shared_task\n\n\ndef outer():\n    @shared_task\n    def inner():\n"
            "        return 1\n    return inner\n",
            id="nested-task",
        ),
        pytest.param(
            "import functools\n\n\n@functools.cache\ndef cached():\n    return 1\n", id="other-decorator"
        ),
    ],
)
def test_noop(source):
    check_noop(source)


def test_crlf_and_bom_are_kept_exactly():
    before = (
        b"\xef\xbb\xbffrom celery import shared_task\r\n\r\n\r\n@shared_task\r\n"
        b"def f(x):  # keep\r\n    return x\r\n"
    )
    after = (
        b'\xef\xbb\xbffrom celery2arq.shim import arq_task\r\n\r\n\r\n@arq_task(name="proj.tasks.f")\r\n'
        b"async def f(ctx, x):  # keep\r\n    return x\r\n"
    )
    outcome = rewrite_source(before, path="proj/tasks.py", module="proj.tasks")
    assert outcome.new == after
    assert rewrite_source(after, path="proj/tasks.py", module="proj.tasks").new == after


def test_latin1_coding_cookie_is_kept():
    before = "# -*- coding: latin-1 -*-\nfrom celery import shared_task\n\n\n@shared_task\n"
    before += "def f():\n    return 'é'\n"
    outcome = rewrite_source(before.encode("latin-1"), path="proj/tasks.py", module="proj.tasks")
    assert outcome.error is None
    assert "return 'é'" in outcome.new.decode("latin-1")
    assert "é".encode() not in outcome.new


def test_parse_error_is_reported_with_its_location():
    outcome = rewrite_source(b"def broken(:\n", path="proj/bad.py", module="proj.bad")
    assert outcome.error is not None
    assert outcome.error.startswith("proj/bad.py:1:")
    assert "could not parse" in outcome.error
    assert not outcome.changed


def test_multiline_signatures_keep_one_parameter_per_line():
    check_transformed(
        """\
        from celery import shared_task


        @shared_task
        def train(
            *,
            callback=None,
        ):
            return callback


        @shared_task(bind=True)
        def consume(
            self: Task,
            path,
        ):
            return self.request.id, path
        """,
        """\
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.train")
        async def train(
            ctx,
            *,
            callback=None,
        ):
            return callback


        @arq_task(name="proj.tasks.consume")
        async def consume(
            ctx,
            path,
        ):
            return ctx["job_id"], path
        """,
    )


def test_verdict_celery_with_a_computed_name_is_left_by_its_definition():
    check_noop(
        """\
        from celery import shared_task


        @shared_task(name=f"jobs.{REGION}")
        def dyn():
            return 1
        """,
        scratch={SCRATCH_LEAVE_TASKS: {"def:proj.tasks.dyn"}},
    )


def _project(**tasks: dict) -> dict:
    return {SCRATCH_PROJECT_TASKS: {name: {"kind": "decorator", **info} for name, info in tasks.items()}}


def test_the_scan_decides_what_is_a_task_aliased_decorator_included():
    outcome = check_transformed(
        """\
        import celery as c

        shared = c.shared_task


        @shared
        def via_variable():
            return 3


        @c.shared_task
        def not_in_the_scan():
            return 4
        """,
        """\
        import celery as c
        from celery2arq.shim import arq_task

        shared = c.shared_task


        @arq_task(name="proj.tasks.via_variable")
        async def via_variable(ctx):
            return 3


        @c.shared_task
        def not_in_the_scan():
            return 4
        """,
        scratch=_project(via_variable={"name": "proj.tasks.via_variable"}),
    )
    assert [c["function"] for c in outcome.converted] == ["via_variable"]


def test_task_class_from_the_apps_task_cls_gets_the_carry_todo_without_base():
    todo = "TODO: carry AuditTask.__call__/on_failure into the ARQ job (decorator or on_job_start/on_job_end)"
    outcome = check_transformed(
        """\
        from proj.celery import app


        @app.task
        def audited():
            return 1
        """,
        f"""\
        from proj.celery import app
        from celery2arq.shim import arq_task


        # celery2arq: C2A108 {todo}
        @arq_task(name="proj.tasks.audited")
        async def audited(ctx):
            return 1
        """,
        scratch={
            SCRATCH_KNOWN_APPS: {"proj.celery.app"},
            **_project(audited={"app": "proj.celery.app", "carry": "AuditTask.__call__/on_failure"}),
        },
    )
    assert outcome.left == [] and len(outcome.converted) == 1
    assert outcome.warnings == [f"proj/tasks.py: C2A108: {todo} (proj.tasks.audited)"]


def test_an_app_task_cls_wrapping_only_call_runs_through_it_and_the_body_stays_sync():
    # the Flask docs' FlaskTask: its __call__ pushes the app context around every run
    note = 'FlaskTask.__call__ wraps each run (call_through="app"): the worker must create the app'
    outcome = check_transformed(
        """\
        import time

        from celery import shared_task


        @shared_task(ignore_result=False)
        def wait(seconds):
            time.sleep(seconds)
        """,
        f"""\
        import time
        from celery2arq.shim import arq_task


        # celery2arq: C2A108 {note}
        @arq_task(name="proj.tasks.wait", ignore_result=False, call_through="app")
        def wait(ctx, seconds):
            time.sleep(seconds)
        """,
        scratch=_project(wait={"carry": "FlaskTask.__call__", "call_through": "app"}),
    )
    assert outcome.warnings == [f"proj/tasks.py: C2A108: {note} (proj.tasks.wait)"]
    assert outcome.converted[0]["async"] is False


def test_spread_options_are_passed_through_with_a_todo():
    todo = "TODO: check that OPTS holds only Celery task options (no bind=, name=, base=)"
    check_transformed(
        """\
        from celery import shared_task

        OPTS = {"acks_late": True}


        @shared_task(**OPTS)
        def spread(x):
            return x
        """,
        f"""\
        from celery2arq.shim import arq_task

        OPTS = {{"acks_late": True}}


        # celery2arq: C2A113 {todo}
        @arq_task(name="proj.tasks.spread", **OPTS)
        async def spread(ctx, x):
            return x
        """,
    )


def test_spread_options_on_a_body_taking_self_are_left_on_celery():
    outcome = run(
        textwrap.dedent(
            """\
            from celery import shared_task


            @shared_task(**OPTS)
            def spread(self, x):
                return x
            """
        )
    )
    assert [(e["code"], e["message"]) for e in outcome.left] == [
        ("C2A112", "options spread from `**OPTS` may hold bind=True (the body takes self); left on Celery")
    ]
    assert b"@shared_task(**OPTS)" in outcome.new


def test_bare_self_request_becomes_the_shims_request_view_quoted_for_the_f_string():
    check_transformed(
        """\
        from celery import shared_task


        @shared_task(bind=True)
        def debug(self):
            print(f"Request: {self.request!r} {self.request.id}")
            return self.request
        """,
        """\
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.debug")
        def debug(ctx):
            print(f"Request: {ctx['celery2arq_task'].request!r} {ctx['job_id']}")
            return ctx["celery2arq_task"].request
        """,
    )


def test_group_moves_to_the_shims_fan_out_once_a_task_of_the_file_is_converted():
    """Converted tasks' ``.s()`` are shim signatures, which Celery's ``group`` cannot send (it asks them
    for ``.app``); the Celery import keeps the names a task left on Celery still needs."""
    check_transformed(
        """\
        from celery import group, shared_task


        @shared_task
        def notify(warehouse_id):
            return warehouse_id


        @shared_task(rate_limit="1/m")
        def slow():
            return 1


        @shared_task
        def fan_out(ids):
            group(notify.s(i) for i in ids).apply_async()
        """,
        """\
        from celery import shared_task
        from celery2arq.shim import arq_task, group


        @arq_task(name="proj.tasks.notify")
        async def notify(ctx, warehouse_id):
            return warehouse_id


        @shared_task(rate_limit="1/m")
        def slow():
            return 1


        @arq_task(name="proj.tasks.fan_out")
        def fan_out(ctx, ids):
            group(notify.s(i) for i in ids).apply_async()
        """,
        scratch={SCRATCH_LEAVE_TASKS: {"proj.tasks.slow"}},
    )


def test_chain_and_chord_without_groups_do_not_keep_celerys_group():
    """Only a group that flows into a chain or chord needs Celery's: ``ping_all`` fans out converted tasks
    beside chains and chords of tasks left on Celery (fastapisvc's ``pipelines.py``), so ``group`` moves
    to the shim and ``chain``/``chord`` stay on the Celery import."""
    check_transformed(
        """\
        from celery import chain, chord, group, shared_task


        @shared_task(rate_limit="1/m")
        def scrape(url):
            return url


        @shared_task
        def notify(channel):
            print(channel)


        def scrape_twice(url):
            return chain(scrape.s(url), scrape.s()).apply_async()


        def piped(url):
            workflow = scrape.s(url) | scrape.s()
            return workflow.delay()


        def scrape_many(urls):
            header = [scrape.s(u) for u in urls]
            return chord(header)(scrape.s())


        def ping_all(channels):
            fan = group(notify.si(c) for c in channels)
            return fan.apply_async()
        """,
        """\
        from celery import chain, chord, shared_task
        from celery2arq.shim import arq_task, group


        @shared_task(rate_limit="1/m")
        def scrape(url):
            return url


        @arq_task(name="proj.tasks.notify")
        def notify(ctx, channel):
            print(channel)


        def scrape_twice(url):
            return chain(scrape.s(url), scrape.s()).apply_async()


        def piped(url):
            workflow = scrape.s(url) | scrape.s()
            return workflow.delay()


        def scrape_many(urls):
            header = [scrape.s(u) for u in urls]
            return chord(header)(scrape.s())


        def ping_all(channels):
            fan = group(notify.si(c) for c in channels)
            return fan.apply_async()
        """,
        scratch={SCRATCH_LEAVE_TASKS: {"proj.tasks.scrape"}},
    )


COMBINED = "`group` is combined into a chain or chord here; Celery's group kept (C2A302)"
ESCAPING = (
    "`group` is returned, passed on or stored here, so it may feed a chain or chord; "
    "Celery's group kept (C2A302)"
)


@pytest.mark.parametrize(
    ("imports", "use", "warning"),
    [
        pytest.param(
            "from celery.canvas import group",
            "def start():\n    return (group(add.s(1)) | add.s()).delay()\n",
            COMBINED,
            id="pipe",
        ),
        pytest.param(
            "from celery import chain, group",
            "def start():\n    return chain(group(add.s(1), add.s(2)), add.s()).delay()\n",
            COMBINED,
            id="chain",
        ),
        pytest.param(
            "from celery import chord, group",
            "def start():\n    return chord(group(add.s(1)))(add.s())\n",
            COMBINED,
            id="chord",
        ),
        pytest.param(
            "from celery import chain, group",
            "def start(ids):\n"
            "    fan = group(add.s(i) for i in ids)\n"
            "    return chain(fan, add.s()).delay()\n",
            COMBINED,
            id="bound-then-chained",
        ),
        pytest.param(
            "from celery import chord, group",
            "def start():\n    header = [group(add.s(1)), add.s(2)]\n    return chord(header)(add.s())\n",
            COMBINED,
            id="chord-header-list",
        ),
        pytest.param(
            "from celery import group",
            "def fan_out(ids):\n    return group(add.s(i) for i in ids)\n",
            ESCAPING,
            id="returned",
        ),
        pytest.param(
            "from celery import group",
            "def start(schedule):\n    schedule(group(add.s(1)))\n",
            ESCAPING,
            id="passed-on",
        ),
        pytest.param(
            "from celery import group",
            "FAN = group(add.s(1))\n",
            ESCAPING,
            id="module-attribute",
        ),
    ],
)
def test_group_that_may_feed_a_chain_or_chord_stays_celerys(imports, use, warning):
    """A group combined with ``|``/``chain``/``chord`` (directly, by a local name or in a chord's header
    list) needs Celery's canvas; one that leaves what can be read here (returned, passed on, a module
    attribute) might be combined elsewhere: Celery's group stays for the whole file, with a warning."""
    before = textwrap.dedent(
        f"""\
        {imports}
        from celery import shared_task


        @shared_task
        def add(*xs):
            return sum(xs)


        """
    )
    after = textwrap.dedent(
        f"""\
        {imports}
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.add")
        async def add(ctx, *xs):
            return sum(xs)


        """
    )
    outcome = check_transformed(before + use, after + use)
    assert [w for w in outcome.warnings if "C2A302" in w] == [f"proj/tasks.py: {warning}"]


def test_group_without_a_converted_task_in_the_file_is_left_alone():
    check_noop(
        """\
        from celery import group

        from proj.tasks import notify


        def fan_out(ids):
            group(notify.s(i) for i in ids).apply_async()
        """
    )


def test_a_decorator_under_the_task_decorator_keeps_the_body_sync():
    """``@log_calls`` wraps the def itself: made ``async``, the wrapper would return a coroutine as the
    job's result (hardcases ``pkg.jobs.stacked.stacked``)."""
    outcome = check_transformed(
        """\
        from celery import shared_task

        from proj.utils import log_calls


        @shared_task
        @log_calls
        def stacked(x):
            return x
        """,
        """\
        from proj.utils import log_calls
        from celery2arq.shim import arq_task


        @arq_task(name="proj.tasks.stacked")
        @log_calls
        def stacked(ctx, x):
            return x
        """,
    )
    assert outcome.converted[0]["async"] is False
