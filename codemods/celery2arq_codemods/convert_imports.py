"""Celery imports used by call sites → the same names from the runtime shim.

``from celery.result import AsyncResult`` → ``from celery2arq.shim import AsyncResult``, and
likewise ``shared_task``, ``signature`` and ``Celery`` (as ``App``) from ``celery``, so code that
only enqueues, signs or inspects tasks keeps working once Celery is gone. An import is rewritten
only when every name in it has a shim equivalent; otherwise it is kept and a warning says why.
``celery2arq rewrite`` applies this together with ``convert_app`` (no task left on Celery).
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node

from celery2arq_codemods import _names
from celery2arq_codemods._tidy import strip_new_leading_blank_lines

# (module, name) → the shim name.
SHIM_EQUIVALENTS = {
    ("celery", "shared_task"): "shared_task",
    ("celery", "signature"): "signature",
    ("celery", "group"): "group",  # the shim's fan-out: each signature enqueued on its own (C2A302)
    ("celery", "Celery"): "App",
    ("celery.result", "AsyncResult"): "AsyncResult",
    ("celery.exceptions", "MaxRetriesExceededError"): "MaxRetriesExceededError",
    ("celery.exceptions", "SoftTimeLimitExceeded"): "SoftTimeLimitExceeded",  # never raised under ARQ
    ("celery.exceptions", "TimeoutError"): "TimeoutError",
    ("celery.exceptions", "Retry"): "TaskRetry",
    ("celery.schedules", "crontab"): "crontab",  # inert: the Beat entries became cron_jobs
    ("celery.schedules", "schedule"): "schedule",
    ("celery.utils.log", "get_task_logger"): "get_task_logger",
}


class ConvertImportsCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Import AsyncResult, signature, shared_task, ... from celery2arq.shim instead of celery."

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return strip_new_leading_blank_lines(tree, super().transform_module(tree))

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if (
            updated_node.relative
            or updated_node.module is None
            or isinstance(updated_node.names, cst.ImportStar)
        ):
            return updated_node
        module = get_full_name_for_node(updated_node.module)
        if module not in {m for m, _ in SHIM_EQUIVALENTS}:
            return updated_node
        names = [alias.evaluated_name for alias in updated_node.names]
        if not all((module, name) in SHIM_EQUIVALENTS for name in names):
            missing = [n for n in names if (module, n) not in SHIM_EQUIVALENTS]
            self.warn(f"`from {module} import {', '.join(missing)}` has no shim equivalent; import kept")
            return updated_node
        aliases = []
        for alias in updated_node.names:
            new_name = SHIM_EQUIVALENTS[(module, alias.evaluated_name)]
            asname = alias.asname
            if new_name != alias.evaluated_name and asname is None:
                asname = cst.AsName(name=cst.Name(alias.evaluated_name))  # keep the local name
            aliases.append(alias.with_changes(name=cst.Name(new_name), asname=asname))
        shim = cst.parse_expression(_names.SHIM_MODULE)
        assert isinstance(shim, cst.Attribute)
        return updated_node.with_changes(module=shim, names=aliases)
