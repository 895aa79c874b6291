"""celery2arq's runtime: Celery-style tasks, calls and results on ARQ.

Imports only arq, redis and the standard library (Celery lazily, for the route-to-Celery path).
"""

from __future__ import annotations

from .api import App, arq_task, asend_task, send_task, shared_task
from .config import configure
from .errors import (
    BrokerUnavailable,
    DuplicateTaskId,
    MaxRetriesExceededError,
    NotRegistered,
    SoftTimeLimitExceeded,
    TaskRevokedError,
    TimeoutError,
    UnsupportedOptionError,
    UnsupportedOptionWarning,
)
from .log import get_task_logger
from .result import AsyncResult, EagerResult
from .retrying import TaskRetry, retry
from .schedules import crontab, schedule
from .shim_worker import ShimWorker, create_shim_worker, worker_settings
from .signature import GroupResult, Signature, group, signature
from .states import FAILURE, PENDING, RETRY, REVOKED, STARTED, SUCCESS
from .task import Task

Celery = App  # `from celery2arq.shim import Celery` reads like the original import

__all__ = [
    "App", "AsyncResult", "BrokerUnavailable", "Celery", "DuplicateTaskId", "EagerResult", "FAILURE",
    "GroupResult", "MaxRetriesExceededError", "NotRegistered", "PENDING", "RETRY", "REVOKED", "STARTED",
    "SUCCESS", "ShimWorker", "Signature", "SoftTimeLimitExceeded", "Task", "TaskRetry", "TaskRevokedError",
    "TimeoutError", "UnsupportedOptionError", "UnsupportedOptionWarning", "arq_task", "asend_task",
    "configure", "create_shim_worker", "crontab", "get_task_logger", "group", "retry", "schedule",
    "send_task", "shared_task", "signature", "worker_settings",
]
