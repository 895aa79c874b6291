"""fastapisvc: the FastAPI endpoints (``service.routers.jobs``) enqueue and poll jobs through the real app.

Driven through ``fastapi.testclient.TestClient(service.main.app)``, as HTTP clients call the service:
``POST /jobs/thumbnail`` (``make_thumbnail.apply_async(..., queue="images")``), ``POST /jobs/report``
(``slow_report.delay``, two 1 s steps with ``self.update_state``), ``GET /jobs/{id}``
(``celery_app.AsyncResult(id).state/info``: after the rewrite the Celery app is kept, and the shim's
``configure(celery_app=...)`` makes its ``AsyncResult`` find ARQ jobs too), ``GET /jobs/{id}/wait``
(a blocking ``.get()``) and ``/healthz``; the converted tasks ``summarize``, ``store_results`` and
``notify`` (``ignore_result``; its ``print`` is captured) are enqueued with ``.delay()``, and
``pipelines.ping_all`` fans ``notify.si`` out with a ``group`` (C2A302): no group of ``pipelines.py``
feeds its ``chain``/``chord``, so the rewrite imports the shim's ``group`` there and keeps ``chain``/``chord``
on Celery (compared: the member count, as Celery's ``GroupResult.get()`` only times out on ignored results,
and the prints, which show both members ran).

Left out:

- ``scrape_url`` (``POST /jobs/scrape``; verdict ``celery``, C2A107 rate_limit) stays on Celery, and no
  Celery worker runs on the ARQ side; it would also fetch real URLs (its ``self.retry`` waits 15 s).
- Canvas (``pipelines.py``): ``chain``/``|``/``chord`` (``POST /jobs/batch``; verdict ``celery``,
  C2A301/C2A303) stay on Celery.
- ``warm_cache`` (C2A101, review): an ``async def`` body Celery never awaits, so under Celery even
  ``warm_cache.delay([])`` fails (``EncodeError``: a coroutine is not JSON serializable) while the ARQ
  function returns ``0``: the rewrite fixes it on purpose. Any key also calls an unreachable host.
- ``PROGRESS`` states of ``slow_report`` while it runs: reading them mid-run depends on timing.

Set-up in ``prepare()``: Celery's broker/backend environment variables point at the test's Redis (the
project defaults to a host named ``redis``); ``configure(serializer="json")`` as the migration guide's
step 4 says for Celery's JSON behaviour (with ARQ's pickle the ``FileNotFoundError`` would keep its
file name, which Celery's JSON drops); Pillow is not a dependency of this repository, so a minimal
stand-in ``PIL.Image`` is written into the project copy (an "image" is a text file ``WxH``).
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = "fixtures/projects/fastapisvc"
CELERY_APP = "service.worker:celery_app"
QUEUES = ["celery", "images"]
CONVERTED = ["make_thumbnail", "slow_report", "summarize", "store_results", "notify"]

EXPECTED = {
    "healthz": ["ok", "(200, {'ok': True})"],
    "thumbnail_wait": ["ok", "(200, {'result': 'img.png.thumb.png'})"],
    "thumbnail_status": ["ok", "(200, {'state': 'SUCCESS', 'info': None})"],
    "thumbnail_written": ["ok", "'64x32'"],
    "thumbnail_missing_wait": ["error", "FileNotFoundError", "[Errno 2] No such file or directory"],
    "thumbnail_missing_status": ["ok", "(200, {'state': 'FAILURE', 'info': None})"],
    "report_wait": ["ok", "(200, {'result': 1})"],
    "report_status": ["ok", "(200, {'state': 'SUCCESS', 'info': None})"],
    "unknown_job": ["ok", "(404, {'detail': 'unknown or pending job'})"],
    "summarize": ["ok", "'http://a.example: 3 bytes'"],
    "summarize_bad_page": ["error", "KeyError", "'url'"],
    "store_results": ["ok", "3"],
    "notify": ["ok", "None"],
    "ping_all": ["ok", "2"],
    "notify_printed": ["ok", "['#a ping', '#b ping', '#ops done']"],
}

STAND_IN_PIL = '''
"""Stand-in for Pillow's Image: an "image" is a text file "WxH"."""
import builtins


class _Image:
    def __init__(self, path):
        self.size = tuple(int(n) for n in builtins.open(path).read().split("x"))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def thumbnail(self, size):
        scale = min(size[0] / self.size[0], size[1] / self.size[1], 1)
        self.size = (int(self.size[0] * scale), int(self.size[1] * scale))

    def save(self, path):
        with builtins.open(path, "w") as out:
            out.write("%dx%d" % self.size)


def open(path):
    return _Image(path)
'''


def prepare() -> None:
    """The deployment's environment: Celery's broker and backend on the test's Redis (never the
    project's default host), JSON results as under Celery (migration guide, step 4), Pillow stand-in."""
    redis_url = os.environ["CELERY2ARQ_REDIS_URL"]
    os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = redis_url
    from celery2arq.shim import configure

    configure(serializer="json")
    Path("PIL").mkdir(exist_ok=True)
    Path("PIL/__init__.py").write_text("")
    Path("PIL/Image.py").write_text(STAND_IN_PIL)
    Path("img.png").write_text("512x256")


class PrintCapture(io.StringIO):
    """``notify`` prints in the worker (a thread of the driver), whose stdout carries the JSON outcome:
    keep those lines here until the ``notify_printed`` label has read them and restored stdout."""

    def __enter__(self) -> PrintCapture:
        self.real, sys.stdout = sys.stdout, self
        return self

    def lines_after(self, expected: int, timeout: float = 10) -> list[str]:
        """The printed lines once ``expected`` of them arrived (or the timeout passed); stdout restored."""
        try:
            deadline = time.monotonic() + timeout
            while self.getvalue().count("\n") < expected and time.monotonic() < deadline:
                time.sleep(0.05)
            return self.getvalue().splitlines()
        finally:
            sys.stdout = self.real


def drive() -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from service import pipelines, worker
    from service.main import app

    client = TestClient(app)
    printed = PrintCapture().__enter__()

    def call(method: str, url: str) -> tuple[int, Any]:
        response = client.request(method, url)
        return response.status_code, response.json()

    def job(url: str, **params: Any) -> str:
        return client.post(url, params=params).json()["job_id"]

    thumb = job("/jobs/thumbnail", path="img.png", size=64)
    missing = job("/jobs/thumbnail", path="missing.png")
    report = job("/jobs/report", n=2)
    # notify ignores its results: Celery's GroupResult.get() would time out; the prints show the runs
    ping = pipelines.ping_all(["#a", "#b"])

    # evaluated in this order: each status is read after its /wait returned
    return {
        "healthz": lambda: call("GET", "/healthz"),
        "thumbnail_wait": lambda: call("GET", f"/jobs/{thumb}/wait"),
        "thumbnail_status": lambda: call("GET", f"/jobs/{thumb}"),
        "thumbnail_written": lambda: Path("img.png.thumb.png").read_text(),
        "thumbnail_missing_wait": lambda: call("GET", f"/jobs/{missing}/wait"),
        "thumbnail_missing_status": lambda: call("GET", f"/jobs/{missing}"),
        "report_wait": lambda: call("GET", f"/jobs/{report}/wait"),
        "report_status": lambda: call("GET", f"/jobs/{report}"),
        "unknown_job": lambda: call("GET", "/jobs/no-such-job"),
        "summarize": worker.summarize.delay({"url": "http://a.example", "length": 3}),
        "summarize_bad_page": worker.summarize.delay({"length": 3}),
        "store_results": worker.store_results.delay([1, 2, 3]),
        "notify": worker.notify.delay("done", channel="#ops"),
        "ping_all": lambda: len(ping.results),
        "notify_printed": lambda: sorted(printed.lines_after(3)),
    }
