"""Renderers of an audited :class:`~celery2arq.model.ProjectScan`: text, json, markdown, sarif.

Every renderer is a pure function of the project (no clock, no absolute paths, stable order),
so the same input gives a byte-identical report.
"""

from __future__ import annotations

from collections.abc import Callable

from celery2arq.model import ProjectScan


def render(project: ProjectScan, fmt: str, *, color: bool = False, width: int = 110) -> str:
    """The report as a string in ``fmt`` (text, json, markdown or sarif)."""
    renderers: dict[str, Callable[[ProjectScan], str]] = {
        "json": _json,
        "markdown": _markdown,
        "sarif": _sarif,
    }
    if fmt == "text":
        from celery2arq.report.text import render_text

        return render_text(project, color=color, width=width)
    return renderers[fmt](project)


def _json(project: ProjectScan) -> str:
    from celery2arq.report.json_report import render_json

    return render_json(project)


def _markdown(project: ProjectScan) -> str:
    from celery2arq.report.markdown import render_markdown

    return render_markdown(project)


def _sarif(project: ProjectScan) -> str:
    from celery2arq.report.sarif import render_sarif

    return render_sarif(project)
