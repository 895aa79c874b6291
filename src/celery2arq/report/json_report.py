"""``--format json``: the report document (docs/output-formats.md), two-space indented."""

from __future__ import annotations

import json

from celery2arq.model import ProjectScan
from celery2arq.report.document import build


def render_json(project: ProjectScan) -> str:
    return json.dumps(build(project), indent=2, ensure_ascii=False) + "\n"
