"""``--format sarif``: SARIF 2.1.0 for code-scanning UIs (GitHub, VS Code SARIF viewer).

Levels: celery -> error, review -> warning, ready -> note. ``tool.driver.rules`` lists only the
rules that fired, with the rule page as ``fullDescription``. Locations are relative to
``%SRCROOT%`` (the scan root) so the file is the same on every machine.
"""

from __future__ import annotations

import json
from typing import Any

from celery2arq import __version__
from celery2arq.model import ProjectScan
from celery2arq.report.document import SECTIONS
from celery2arq.rules import get, render_page

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"celery": "error", "review": "warning", "ready": "note"}
INFORMATION_URI = "https://github.com/celery2arq/celery2arq"


def _location(file: str, line: int, column: int | None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(line, 1)}
    if column:
        region["startColumn"] = max(column, 1)
    return {
        "physicalLocation": {"artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"}, "region": region}
    }


def _findings(project: ProjectScan) -> list[tuple[str, str, str, str, int, int | None, bool]]:
    """(code, verdict, message, file, line, column, suppressed), de-duplicated and sorted."""
    found = set()
    for section in SECTIONS:
        for record in getattr(project, section):
            for reason in record.reasons:
                line = reason.line or record.line
                column = record.column if reason.line in (None, record.line) else None
                found.add(
                    (
                        reason.code,
                        reason.verdict,
                        reason.message,
                        record.file,
                        line,
                        column,
                        reason.suppressed,
                    )
                )
    on_records = {(code, file, line) for code, _, _, file, line, _, _ in found}
    for item in project.undecided:
        if (item.code, item.file, item.line) in on_records:
            continue  # already reported as a reason of the record it is about
        found.add(
            (
                item.code,
                get(item.code).verdict if _known(item.code) else "review",
                item.message,
                item.file,
                item.line,
                item.column,
                item.suppressed,
            )
        )
    return sorted(found, key=lambda f: (f[3], f[4], f[5] or 0, f[0], f[2], f[6]))


def _known(code: str) -> bool:
    try:
        get(code)
    except KeyError:
        return False
    return True


def _rule(code: str) -> dict[str, Any]:
    if not _known(code):
        return {"id": code, "shortDescription": {"text": code}}
    rule = get(code)
    page = render_page(code)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": page, "markdown": page},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVELS[rule.verdict]},
        "properties": {"tags": [rule.family], "verdict": rule.verdict},
    }


def build_sarif(project: ProjectScan) -> dict[str, Any]:
    findings = _findings(project)
    codes = sorted({f[0] for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for code, verdict, message, file, line, column, suppressed in findings:
        result: dict[str, Any] = {
            "ruleId": code,
            "ruleIndex": index[code],
            "level": LEVELS[verdict],
            "message": {"text": message},
            "locations": [_location(file, line, column)],
        }
        if suppressed:
            result["suppressions"] = [{"kind": "inSource"}]
        results.append(result)
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [_location(error.file, error.line or 1, error.column)],
        }
        for error in sorted(project.errors, key=lambda e: (e.file, e.line or 0, e.column or 0, e.message))
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "celery2arq",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render_sarif(project: ProjectScan) -> str:
    return json.dumps(build_sarif(project), indent=2, ensure_ascii=False) + "\n"
