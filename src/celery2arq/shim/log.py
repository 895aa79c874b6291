"""``get_task_logger`` without Celery: task modules keep their loggers after the rewrite."""

from __future__ import annotations

import logging


def get_task_logger(name: str) -> logging.Logger:
    """The standard logger ``name``, as Celery's helper returns (Celery also parents it under
    ``celery.task``; handlers configured for that logger must move to the root or to ``name``)."""
    return logging.getLogger(name)
