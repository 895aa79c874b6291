"""djangoproj: the shop's views, its post_save signal and its tasks, on a sqlite database.

Set-up (``prepare()``, nothing in the fixture changes): a ``mysite/settings_e2e.py`` written into the
project copy extends ``mysite.settings`` with a sqlite file, Django's in-memory mail backend and without
``django_celery_results`` (not installed; the driver points results at Redis anyway); ``REDIS_URL`` and
``CELERY_RESULT_BACKEND`` are set to the private Redis so the Django settings never name localhost; the
tables are created with ``migrate --run-syncdb``; a local HTTP server stands in for the warehouses'
webhooks. ``accounts/signals.py`` is imported by ``drive()``: the project never imports it (no
``AppConfig.ready``), so its receiver would not be connected otherwise.

The handles the project's own call sites discard (``transaction.on_commit(lambda: ....delay(...))``, the
signal's ``apply_async``, the ``group(...)`` fan-out) are observed by wrapping the tasks' ``apply_async``,
which both Celery's and the shim's ``delay``/signatures go through.

Left out:

- ``export_orders_csv``'s ``PROGRESS`` state: it is written every 100 orders only; the view reads the
  finished export's state.
- ``send_welcome_email``'s ``self.retry`` path (``default_retry_delay=120``) and ``notify_warehouse``
  exhausting ``max_retries=4`` (backoff up to 5+10+20+40 s): too slow. One autoretry (jitter 0-5 s) is
  driven.
- The signal's own job (``countdown=30``) is only checked to be still pending; the same task is run
  through a direct ``delay``.
- ``recalculate_stock`` and ``debug_task`` (``ignore_result=True``): Celery's ``get()`` on them blocks
  until the timeout (the shim's returns None, C2A102); ``debug_task`` also prints to the driver's stdout.
- ``log_task_failure`` (``task_failure`` handler): it only logs, and the shim does not call per-task
  signal handlers (C2A120, review).
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PROJECT = "fixtures/projects/djangoproj"
CELERY_APP = "mysite.celery:app"
QUEUES = ["celery", "accounts", "exports"]
CONVERTED = [
    "send_order_confirmation",
    "export_orders_csv",
    "notify_warehouses",
    "notify_warehouse",
    "send_welcome_email",
    "purge_inactive_accounts",
]
ENV = {"DJANGO_SETTINGS_MODULE": "mysite.settings_e2e"}
TIMEOUT = 30

EXPECTED = {
    "place_order": ["ok", "(201, {'order': 1})"],
    "order_confirmation": ["ok", "[None]"],
    "notify_warehouses": ["ok", "[None]"],
    "warehouse_fan_out": ["ok", "[None, None]"],
    "webhook_calls": ["ok", "[('/flaky', 1), ('/flaky', 1), ('/flaky', 99), ('/flaky', 99), ('/ok', 1)]"],
    "notify_flaky": ["ok", "None"],
    "notify_missing_warehouse": ["error", "DoesNotExist", "Warehouse matching query does not exist."],
    "confirm_missing_order": ["error", "DoesNotExist", "Order matching query does not exist."],
    "start_export": ["ok", "(202, ['task_id'])"],
    "export_csv": ["ok", "'1,ann@example.com,1250\\r\\n'"],
    "export_progress": ["ok", "(200, {'state': 'SUCCESS'})"],
    "signal_welcome_pending": ["ok", "['PENDING']"],
    "welcome_email": ["ok", "None"],
    "purge_inactive_accounts": ["ok", "2"],
    "remaining_users": ["ok", "['active', 'newcomer', 'staff']"],
    "mail": ["ok", "[('Welcome!', ['newcomer@example.com']), ('Your order', ['ann@example.com'])]"],
}
EXPECTED_ATTEMPTS = {"notify_flaky": 2}

SETTINGS = """\
from .settings import *  # noqa: F401,F403
from .settings import BASE_DIR, INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "django_celery_results"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "e2e.sqlite3"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""

WEBHOOK_CALLS: list[tuple[str, int]] = []
_FAILED_ONCE: set[tuple[str, int]] = set()


class Webhook(BaseHTTPRequestHandler):
    """``/ok`` answers 200; ``/flaky`` answers 500 the first time per order, so autoretry retries once."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        order = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["order"]
        WEBHOOK_CALLS.append((self.path, order))
        status = 200
        if self.path == "/flaky" and (self.path, order) not in _FAILED_ONCE:
            _FAILED_ONCE.add((self.path, order))
            status = 500
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the driver's stdout JSON only
        pass


def prepare() -> None:
    """Settings module, database, users and warehouses; before the worker starts and the signal connects."""
    redis_url = os.environ["CELERY2ARQ_REDIS_URL"]
    os.environ["REDIS_URL"] = redis_url
    os.environ["CELERY_RESULT_BACKEND"] = redis_url
    Path("mysite/settings_e2e.py").write_text(SETTINGS)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    webhook = f"http://127.0.0.1:{server.server_address[1]}"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from orders.models import Warehouse

    long_ago = timezone.now() - timedelta(days=400)
    for name, staff, last_login in [
        ("idle1", False, long_ago),
        ("idle2", False, long_ago),
        ("staff", True, long_ago),
        ("active", False, timezone.now()),
    ]:
        get_user_model().objects.create_user(
            name, f"{name}@example.com", is_staff=staff, last_login=last_login
        )
    Warehouse.objects.create(name="flaky", webhook_url=f"{webhook}/flaky")
    Warehouse.objects.create(name="ok", webhook_url=f"{webhook}/ok")


def _record(task: Any) -> list[Any]:
    """Keep every job ``task.apply_async`` enqueues (``delay`` and signatures go through it; Celery's
    ``retry()`` does too, hence one handle per id)."""
    handles: list[Any] = []
    original = task.apply_async

    def apply_async(*args: Any, **kwargs: Any) -> Any:
        handle = original(*args, **kwargs)
        if all(handle.id != seen.id for seen in handles):
            handles.append(handle)
        return handle

    task.apply_async = apply_async
    return handles


class Polled:
    """A handle whose ``get()`` first polls ``ready()``, which reads the stored result with a plain GET.

    Celery's ``get()`` waits on the app's one result pub/sub connection, which its in-process worker
    thread also subscribes on whenever a task enqueues (the ``group`` fan-out, autoretry's re-send):
    redis-py's PubSub is not thread-safe, and a ``get()`` during that race can miss its result.
    """

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.id = handle.id

    def get(self, timeout: float = TIMEOUT) -> Any:
        deadline = time.monotonic() + timeout
        while not self.handle.ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.handle.get(timeout=timeout)


def drive() -> dict[str, Any]:
    import accounts.signals  # noqa: F401 - connects the post_save receiver
    from accounts import tasks as account_tasks
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.test import RequestFactory
    from orders import tasks as order_tasks
    from orders import views
    from orders.models import Warehouse

    confirmations = _record(order_tasks.send_order_confirmation)
    fan_outs = _record(order_tasks.notify_warehouses)
    notifications = _record(order_tasks.notify_warehouse)
    welcomes = _record(account_tasks.send_welcome_email)
    users = get_user_model().objects

    factory = RequestFactory()
    order_form = {"email": "ann@example.com", "total_cents": "1250"}
    response = views.place_order(factory.post("/orders/", order_form))
    placed = (response.status_code, json.loads(response.content))
    response = views.start_export(factory.get("/exports/", {"period": "today"}))
    export = (response.status_code, sorted(json.loads(response.content)))
    export_id = json.loads(response.content)["task_id"]

    def export_progress() -> tuple[int, Any]:
        response = views.export_progress(factory.get(f"/exports/{export_id}/"), export_id)
        return response.status_code, json.loads(response.content)

    newcomer = users.create_user("newcomer", "newcomer@example.com")  # post_save -> countdown=30
    confirmations, welcomes = list(confirmations), list(welcomes)  # the call sites' jobs, not the ones below
    flaky = Warehouse.objects.get(name="flaky")
    notify_flaky = Polled(order_tasks.notify_warehouse.delay(flaky.pk, 99))
    notify_missing = Polled(order_tasks.notify_warehouse.delay(12345, 1))
    direct = {notify_flaky.id, notify_missing.id}

    def fan_out() -> list[Any]:
        for handle in fan_outs:  # its group() has enqueued every notify_warehouse once it returned
            Polled(handle).get()
        return [Polled(handle).get() for handle in notifications if handle.id not in direct]

    return {
        "place_order": lambda: placed,
        "order_confirmation": lambda: [Polled(handle).get() for handle in confirmations],
        "notify_warehouses": lambda: [Polled(handle).get() for handle in fan_outs],
        "warehouse_fan_out": fan_out,
        "notify_flaky": notify_flaky,
        "notify_missing_warehouse": notify_missing,
        "confirm_missing_order": Polled(order_tasks.send_order_confirmation.delay(12345)),
        "webhook_calls": lambda: sorted(WEBHOOK_CALLS),
        "start_export": lambda: export,
        "export_csv": Polled(views.AsyncResult(export_id)),
        "export_progress": export_progress,
        "signal_welcome_pending": lambda: [handle.state for handle in welcomes],
        "welcome_email": Polled(account_tasks.send_welcome_email.delay(newcomer.pk)),
        "purge_inactive_accounts": Polled(account_tasks.purge_inactive_accounts.delay(days=365)),
        "remaining_users": lambda: sorted(users.values_list("username", flat=True)),
        "mail": lambda: sorted((m.subject, m.to) for m in mail.outbox),
    }
