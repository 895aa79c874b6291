"""Shared helpers for the audit tests: judge a snippet, collect the codes that fired."""

from __future__ import annotations

from celery2arq.audit import audit_source
from celery2arq.config import Config
from celery2arq.model import ProjectScan
from celery2arq.report.document import SECTIONS

HEADER = (
    "from celery import Celery, shared_task, chain, group, chord, Task\n"
    "from celery.schedules import crontab, solar, schedule\n"
    "from celery.signals import task_prerun, beat_init\n"
    "from celery.result import AsyncResult\n"
    "import time\n"
    "app = Celery('proj')\n"
)
HEADER_LINES = HEADER.count("\n")


def judge(body: str, config: Config | None = None) -> ProjectScan:
    return audit_source(HEADER + body, config=config)


def fired(project: ProjectScan) -> set[str]:
    """Codes of every reason and undecided record that is not suppressed."""
    codes = {
        r.code
        for section in SECTIONS
        for record in getattr(project, section)
        for r in record.reasons
        if not r.suppressed
    }
    return codes | {u.code for u in project.undecided if not u.suppressed}
