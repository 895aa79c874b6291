"""``run_audit``: scan a project and attach verdicts; the CLI and tests call this, renderers read it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from celery2arq.config import Config
from celery2arq.model import ProjectScan
from celery2arq.verdicts import assign


def run_audit(
    paths: Sequence[str | Path],
    config: Config | None = None,
    *,
    root: str | Path | None = None,
    progress: bool = False,
) -> ProjectScan:
    """Scan ``paths`` (without importing them) and fill every verdict and reason."""
    from celery2arq.scan import scan_paths

    config = config or Config()
    project = scan_paths(
        [Path(p) for p in paths],
        root=root,
        jobs=config.jobs,
        exclude=config.exclude,
        include=config.include,
        progress=progress,
    )
    assign(project, config)
    return project


def audit_source(
    source: str, file: str = "mod.py", module: str = "mod", config: Config | None = None
) -> ProjectScan:
    """Scan and judge one source string (tests, ``--explain`` examples)."""
    from celery2arq.scan import scan_source

    project = scan_source(source, file=file, module=module)
    assign(project, config or Config())
    return project
