"""plainapp: the web tier's facade (``proj.api``) enqueues, waits and reads results by id.

Only call sites that finish in bounded time are driven: ``send_invoice`` and ``sync_exchange_rates``
call hosts that do not exist and back off for minutes, ``request_report``/``charge_later`` defer by
60 s and 5 min. Those paths are covered by the golden tests and the shop scenario.
"""

from __future__ import annotations

from typing import Any

PROJECT = "fixtures/projects/plainapp"
CELERY_APP = "proj.celery:app"
QUEUES = ["celery", "reports", "rates", "billing"]
CONVERTED = ["add", "generate_report", "send_invoice", "charge_card"]

EXPECTED = {
    "add_now": ["ok", "5"],
    "generate_report": ["ok", "'/reports/weekly.pdf'"],
    "report_status": ["ok", "{'state': 'SUCCESS', 'url': '/reports/weekly.pdf'}"],
    "wait_for": ["ok", "'/reports/weekly.pdf'"],
    "forgotten_state": ["ok", "'PENDING'"],
}


def drive() -> dict[str, Any]:
    from proj import api, tasks

    report = tasks.generate_report.delay("weekly")
    report.get(timeout=30)
    other = tasks.add.delay(1, 1)
    other.get(timeout=30)

    def forgotten_state() -> str:
        api.forget(other.id)
        return api.AsyncResult(other.id, app=api.app).state

    return {
        "add_now": lambda: api.add_now(2, 3),
        "generate_report": report,
        "report_status": lambda: api.report_status(report.id),
        "wait_for": lambda: api.wait_for(report.id),
        "forgotten_state": forgotten_state,
    }
