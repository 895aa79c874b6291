"""Task code shared by the shim tests, the subprocess workers and the Celery worker (importable by name)."""

from __future__ import annotations

import asyncio
import threading
import time

from celery2arq.shim import arq_task, retry, shared_task


@shared_task
def add(x, y):
    return x + y


@shared_task(name="shim_tests.mul")
async def mul(x, y):
    await asyncio.sleep(0)
    return x * y


@shared_task
def echo(*args, **kwargs):
    return [list(args), kwargs]


@shared_task
def which_thread():
    return threading.current_thread().name


@shared_task(bind=True, max_retries=3, default_retry_delay=0.01)
def retries_twice(self):
    """Retries twice, then returns the retry count it saw (2 under Celery and the shim)."""
    if self.request.retries < 2:
        raise self.retry()
    return self.request.retries


@shared_task(bind=True, max_retries=2)
def always_retries_with_exc(self):
    """Exceeds max_retries: the last attempt raises the original exception (Celery semantics)."""
    try:
        raise ValueError(f"attempt {self.request.retries}")
    except ValueError as exc:
        raise self.retry(exc=exc, countdown=0.01) from exc


@shared_task(bind=True, max_retries=1)
def always_retries_plain(self):
    raise self.retry(countdown=0.01)


@shared_task(bind=True, autoretry_for=(KeyError,), max_retries=2, retry_kwargs={"countdown": 0.01})
def autoretry_keyerror(self):
    raise KeyError(f"attempt {self.request.retries}")


@shared_task(bind=True, autoretry_for=(LookupError,), dont_autoretry_for=(IndexError,), max_retries=5,
             retry_kwargs={"countdown": 0.01})
def autoretry_excluded(self):
    raise IndexError(f"attempt {self.request.retries}")


@shared_task(bind=True)
def request_info(self, x):
    r = self.request
    return {"id": r.id, "retries": r.retries, "args": list(r.args), "kwargs": r.kwargs,
            "is_eager": r.is_eager, "called_directly": r.called_directly, "name": self.name,
            "max_retries": self.max_retries}


@shared_task
def boom(message):
    raise KeyError(message)


@shared_task(ignore_result=True)
def fire_and_forget(x):
    return x


@shared_task(bind=True)
def progress(self, wait):
    self.update_state(state="PROGRESS", meta={"done": 1, "total": 2})
    time.sleep(wait)
    return "finished"


@shared_task
async def sleeper(seconds):
    await asyncio.sleep(seconds)
    return "woke up"


@arq_task(max_retries=2)
async def arq_style(ctx, x):
    """ARQ-style body from `celery2arq rewrite`: retries once through retry(ctx)."""
    if ctx["job_try"] == 1:
        raise retry(ctx, countdown=0.01)
    return {"value": x * 10, "job_try": ctx["job_try"], "same_task": ctx["celery2arq_task"] is arq_style}


@arq_task
def arq_style_sync(ctx, x):
    return [ctx["job_id"] is None, ctx["job_try"], x]


@arq_task(queue="crash", time_limit=1)
async def crash_probe(ctx):
    """Records every start; sleeps on its first try so the test can SIGKILL the worker mid-job."""
    await ctx["redis"].rpush("shim-tests:crash-tries", ctx["job_try"])
    if ctx["job_try"] == 1:
        await asyncio.sleep(30)
    return ctx["job_try"]


@shared_task(bind=True, runs_on="celery")
def pinned_to_celery(self, x):
    """Routed to the real Celery worker by its decorator; reports who ran it."""
    return [x, "arq" if self.request.hostname.startswith("celery2arq@") else "celery"]


@shared_task(bind=True)
def who_runs_me(self, x):
    return [x, "arq" if self.request.hostname.startswith("celery2arq@") else "celery"]


@shared_task(bind=True, default_retry_delay=1)
def retries_once_after_a_second(self):
    if self.request.retries == 0:
        raise self.retry()
    return "second try"


@shared_task(bind=True, autoretry_for=(KeyError,), retry_kwargs={"max_retries": 5, "countdown": 0.01})
def autoretry_five_times(self):
    """``retry_kwargs`` raises the budget above the default max_retries=3: six attempts, as in Celery."""
    if self.request.retries < 5:
        raise KeyError(self.request.retries)
    return self.request.retries


@shared_task(bind=True, max_retries=1)
def asks_for_more_retries(self):
    """``retry(max_retries=10)`` above the decorator's budget: ends in the 2nd attempt with the real error."""
    try:
        raise ValueError(f"attempt {self.request.retries}")
    except ValueError as exc:
        raise self.retry(exc=exc, countdown=0.01, max_retries=10) from exc


@arq_task
async def records_run(ctx):
    """Leaves a trace of every start, so a test can prove a job never ran."""
    await ctx["redis"].rpush("shim-tests:ran", ctx["job_id"])
    return ctx["job_id"]


@shared_task(bind=True)
def retries_with_the_default_delay(self):
    raise self.retry()


@shared_task(bind=True, autoretry_for=(KeyError,), retry_backoff=2, retry_jitter=False)
def backs_off(self):
    raise KeyError("always")
