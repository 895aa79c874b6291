"""Small formatting helpers shared by the text and Markdown renderers."""

from __future__ import annotations

from collections import Counter
from typing import Any

SECTION_TITLES = {
    "tasks": "Tasks",
    "beat": "Beat",
    "canvas": "Canvas",
    "call_sites": "Call sites",
    "settings": "Settings",
    "task_classes": "Task classes",
    "signals": "Signal handlers",
}


def location(item: dict[str, Any]) -> str:
    return f"{item['file']}:{item['line']}"


def cron_text(cron: dict[str, Any]) -> str:
    """``cron(hour={3}, minute={0})`` for one ``arq.cron`` keyword dict."""
    parts = []
    for key, value in cron.items():
        if isinstance(value, (list, tuple, set)):
            value = "{" + ", ".join(str(v) for v in sorted(value)) + "}"
        parts.append(f"{key}={value}")
    return "cron(" + ", ".join(parts) + ")"


def call_site_counts(doc: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    """(kind, ready, review, celery) per call kind, sorted by kind."""
    counts: dict[str, Counter[str]] = {}
    for call in doc["call_sites"]:
        counts.setdefault(call["kind"], Counter())[call["verdict"]] += 1
    return [(kind, c["ready"], c["review"], c["celery"]) for kind, c in sorted(counts.items())]


def target_name(item: dict[str, Any]) -> str:
    return item.get("name") or item.get("path") or item.get("signal") or item.get("kind") or ""
