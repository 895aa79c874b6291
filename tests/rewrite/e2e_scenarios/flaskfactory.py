"""flaskfactory: the Flask docs pattern, driven through the blueprint with Flask's test client.

Every task runs inside ``FlaskTask.__call__`` (the app context, C2A108): ``send_reset_email``
renders a template and reads ``current_app.config``, ``rebuild_stats`` reads
``current_app.extensions`` (no SQLAlchemy here, so its ``KeyError`` proves the context was there:
without it the error is ``RuntimeError: Working outside of application context``). The rewrite
carries the wrapper with ``call_through="app"``; the ARQ workers run in the driver's process, where
``make_celery`` created the app (a separate worker process must import it too, as the marker says).

Left out: ``send_reset_email``'s ``self.retry`` (60 s ``default_retry_delay``); ``send_digest``
(stays on Celery, C2A107 ``rate_limit``); the Beat entry (01:15 daily); and reading results through
the ``/jobs/result/<id>`` view and ``/jobs/stats``'s outcome: with ``send_digest`` on Celery the rewrite
keeps the Celery app and ``celery.result.AsyncResult`` in the views, which never see an ARQ job
(``AsyncResult(id)`` stays ``PENDING``, ``send_task`` goes to Celery's queue). That is a gap of the
mixed-project rewrite (the audit calls these call sites ``ready``), not a documented difference; the
views' enqueue paths are driven, their results read through the tasks' own ``AsyncResult``.
"""

from __future__ import annotations

import os
import socketserver
import threading
import time
from pathlib import Path
from typing import Any

PROJECT = "fixtures/projects/flaskfactory"
CELERY_APP = "make_celery:celery_app"
CONVERTED = ["add", "block", "send_reset_email", "rebuild_stats"]
TIMEOUT = 20

EXPECTED = {
    "add_view": ["ok", "(200, 5)"],
    "add_direct": ["ok", "3"],
    "stats_view": ["ok", "200"],
    "stats": ["error", "KeyError", "'sqlalchemy'"],
    "stats_direct": ["error", "KeyError", "'sqlalchemy'"],
    "reset": ["ok", "None"],
    "reset_mail": ["ok", "['Reset your password with t0k3n']"],
    "block_view": ["ok", "200"],
}


MAILS: list[str] = []  # message bodies the SMTP server below received


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for ``smtplib.SMTP.sendmail``: accept every command, keep the message."""

    def handle(self) -> None:
        self.wfile.write(b"220 fake ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                lines = []
                while (data := self.rfile.readline()) and data != b".\r\n":
                    lines.append(data.decode().rstrip("\r\n"))
                MAILS.append("\n".join(lines))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def prepare() -> None:
    """Point the project's own config at the private Redis and a local SMTP server; add the template."""
    redis_url = os.environ["CELERY2ARQ_REDIS_URL"]
    # create_app() reads these through app.config.from_prefixed_env() (``__`` nests into CELERY).
    os.environ["FLASK_CELERY__broker_url"] = redis_url
    os.environ["FLASK_CELERY__result_backend"] = redis_url
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["FLASK_MAIL_SERVER"] = f"127.0.0.1:{server.server_address[1]}"
    template = Path("webapp/templates/email/reset.txt")
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text("Reset your password with {{ token }}\n")


def drive() -> dict[str, Any]:
    from make_celery import flask_app
    from webapp.tasks import mail, math, reports

    client = flask_app.test_client()

    def posted(path: str, **form: Any) -> tuple[int, str]:
        response = client.post(path, data=form)
        return response.status_code, response.get_json()["result_id"]

    add_status, add_id = posted("/jobs/add", a=2, b=3)
    stats_status, _ = posted("/jobs/stats")
    stats = reports.rebuild_stats.delay()
    reset = mail.send_reset_email.delay("ann@example.com", "t0k3n")

    def received_mail() -> list[str]:
        """``task_ignore_result``: ``get()`` returns None at once, so wait for the mail itself."""
        deadline = time.monotonic() + TIMEOUT
        while not MAILS and time.monotonic() < deadline:
            time.sleep(0.02)
        return MAILS

    block_status, _ = posted("/jobs/block")  # last: it holds Celery's solo pool for 5 s
    return {
        "add_view": lambda: (add_status, math.add.AsyncResult(add_id).get(timeout=TIMEOUT)),
        "add_direct": lambda: math.add(1, 2),
        "stats_view": lambda: stats_status,
        "stats": stats,
        "stats_direct": lambda: reports.rebuild_stats(),
        "reset": reset,
        "reset_mail": received_mail,
        "block_view": lambda: block_status,
    }
