"""LibCST codemods that turn Celery tasks into ARQ workers.

A leaf package: it imports only libcst, the standard library and celery2arq's static
modules, so it runs under ``python -m libcst.tool codemod`` with nothing else loaded.
"""

from __future__ import annotations

from celery2arq_codemods.convert_app import ConvertAppCommand
from celery2arq_codemods.convert_imports import ConvertImportsCommand
from celery2arq_codemods.convert_task import ConvertTaskCommand
from celery2arq_codemods.keep_app import KeepCeleryAppCommand
from celery2arq_codemods.shim_group import ShimGroupCommand

# The order ``celery2arq rewrite`` runs the per-file codemods in.
PIPELINE = (ConvertTaskCommand,)
# Run afterwards, on files that import Celery, only when no task of the project stays on Celery.
APP_PIPELINE = (ConvertAppCommand, ConvertImportsCommand)
# Run instead when tasks stay on Celery: the Celery app stays and configures the shim.
KEEP_APP_PIPELINE = (KeepCeleryAppCommand,)
# Also in a mixed project, on files without a converted task whose groups sign a converted task.
SHIM_GROUP_PIPELINE = (ShimGroupCommand,)

__all__ = [
    "APP_PIPELINE",
    "KEEP_APP_PIPELINE",
    "PIPELINE",
    "SHIM_GROUP_PIPELINE",
    "ConvertAppCommand",
    "ConvertImportsCommand",
    "ConvertTaskCommand",
    "KeepCeleryAppCommand",
    "ShimGroupCommand",
]
