"""Beat schedules -> exact ARQ ``cron_jobs`` (pure: imports neither celery nor arq).

Entry point: :func:`convert`. Rendering helpers for the rewrite: :func:`cron_call_source`,
:func:`wrapper_source`, :func:`cron_names`, :func:`wrapper_names`. See docs/beat.md.
"""

from celery2arq.beat.convert import Conversion, apply_to_entry, args_reasons, convert
from celery2arq.beat.cronspec import CronSpecError, CrontabParser, expand_field
from celery2arq.beat.crontab import crontab_to_cron, fields_from_string
from celery2arq.beat.interval import interval_to_crons
from celery2arq.beat.options import HONOURED_OPTIONS, options_reasons, worker_timezone
from celery2arq.beat.render import (
    cron_call_source,
    cron_name,
    cron_names,
    wrapper_name,
    wrapper_names,
    wrapper_source,
)

__all__ = [
    "HONOURED_OPTIONS",
    "Conversion",
    "CronSpecError",
    "CrontabParser",
    "apply_to_entry",
    "args_reasons",
    "convert",
    "cron_call_source",
    "cron_name",
    "cron_names",
    "crontab_to_cron",
    "expand_field",
    "fields_from_string",
    "interval_to_crons",
    "options_reasons",
    "worker_timezone",
    "wrapper_name",
    "wrapper_names",
    "wrapper_source",
]
