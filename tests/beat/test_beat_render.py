"""Generated source for the rewrite: names, cron(...) calls, wrappers, options, worker timezone."""

from __future__ import annotations

import ast
import asyncio
from datetime import timedelta

import pytest
from arq.cron import cron

from celery2arq.beat import (
    cron_call_source,
    cron_names,
    options_reasons,
    worker_timezone,
    wrapper_name,
    wrapper_names,
    wrapper_source,
)
from celery2arq.model import Value


def test_cron_call_source_is_deterministic_and_builds_the_same_cron() -> None:
    spec = {"second": {0}, "minute": {30, 0}, "weekday": {4, 0, 1, 2, 3}, "hour": {9}}
    source = cron_call_source(spec, "beat__report", "beat:report")
    assert source == (
        'cron(beat__report, name="beat:report", weekday={0, 1, 2, 3, 4}, hour={9}, minute={0, 30}, '
        "second={0}, unique=True)"
    )

    async def beat__report(ctx: dict) -> None:
        pass

    job = eval(source, {"cron": cron, "beat__report": beat__report})  # the rendered call is real code
    assert (job.name, job.weekday, job.hour, job.minute, job.second, job.unique) == (
        "beat:report", {0, 1, 2, 3, 4}, {9}, {0, 30}, {0}, True,
    )  # fmt: skip


def test_every_second_renders_second_none() -> None:
    expected = 'cron(f, name="beat:x", second=None, unique=True)'
    assert cron_call_source({"second": None}, "f", "beat:x") == expected


@pytest.mark.parametrize(
    "key, expected",
    [("nightly-report", "beat__nightly_report"), ("Send emails (daily)", "beat__Send_emails_daily"),
     ("ünïcode", "beat__n_code"), ("---", "beat__entry"), ("3am", "beat__3am")],
)  # fmt: skip
def test_wrapper_name_is_an_identifier(key: str, expected: str) -> None:
    assert wrapper_name(key) == expected
    assert expected.isidentifier()


def test_colliding_keys_get_numbered_suffixes_in_key_order() -> None:
    names = wrapper_names(["a b", "a-b", "a_b_2", "x"])
    assert names == {"a b": "beat__a_b", "a-b": "beat__a_b_3", "a_b_2": "beat__a_b_2", "x": "beat__x"}
    assert names == wrapper_names(["x", "a_b_2", "a-b", "a b"])  # order of the entries does not matter


def test_cron_names_distinct_when_one_entry_needs_several() -> None:
    assert cron_names("tick", 1) == ["beat:tick"]
    assert cron_names("tick", 3) == ["beat:tick#1", "beat:tick#2", "beat:tick#3"]


def test_wrapper_source_enqueues_the_task_with_baked_arguments() -> None:
    source = wrapper_source("nightly-report", "build", '("daily",)', '{"fmt": "pdf"}',
                            options_src={"queue": '"reports"'})  # fmt: skip
    assert source.startswith("async def beat__nightly_report(ctx):\n")
    calls: list[tuple] = []

    class Task:
        async def aapply_async(self, args=None, kwargs=None, **options):
            calls.append((args, kwargs, options))

    namespace: dict = {"build": Task()}
    exec(compile(ast.parse(source), "<wrapper>", "exec"), namespace)
    asyncio.run(namespace["beat__nightly_report"]({}))
    assert calls == [(("daily",), {"fmt": "pdf"}, {"queue": "reports"})]


def test_wrapper_source_with_tricky_key_still_compiles() -> None:
    ast.parse(wrapper_source('a"""b\\', "t", None, None))


def test_options_reasons() -> None:
    reasons = options_reasons({
        "queue": Value(True, "reports"), "expires": Value(True, 60), "priority": Value(True, 3),
        "countdown": Value(False, "DELAY"),
    })  # fmt: skip
    assert [(r.code, r.verdict, r.message.split(":")[0]) for r in reasons] == [
        ("C2A509", "review", "options['countdown']=DELAY"),
        ("C2A509", "review", "options['expires']=60"),
        ("C2A509", "review", "options['priority']=3 is dropped"),
        ("C2A509", "ready", "options['queue']='reports'"),
    ]


@pytest.mark.parametrize(
    "setting, enable_utc, expected",
    [(None, None, "UTC"), (None, True, "UTC"), ("Europe/Berlin", None, "Europe/Berlin"),
     ("Europe/Berlin", False, "Europe/Berlin"), (None, False, "localtime")],
)  # fmt: skip
def test_worker_timezone(setting: str | None, enable_utc: bool | None, expected: str) -> None:
    assert worker_timezone(setting, enable_utc) == expected


def test_interval_cron_specs_are_accepted_by_arq() -> None:
    from celery2arq.beat import interval_to_crons

    async def job(ctx: dict) -> None:
        pass

    for seconds in (1, 45, timedelta(minutes=90).total_seconds(), 7 * 86400):
        for name, spec in zip(cron_names("x", 9), interval_to_crons(seconds), strict=False):
            assert cron(job, name=name, **spec).name == name
