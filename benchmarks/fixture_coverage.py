"""Compare what the scanner finds in each fixture project with the project's ``expected.json``.

    python benchmarks/fixture_coverage.py [PROJECT ...]

Prints missing / unexpected apps, tasks (by Celery name, or module.function for run-time names),
Beat entries and file errors per project; exits 1 when anything differs. A development aid for the
scanner, not a test: the fixtures describe the goal, the scanner may not reach all of it yet.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

PROJECTS = Path(__file__).resolve().parent.parent / "fixtures" / "projects"


def _diff(label: str, expected: list, found: list) -> bool:
    """Multiset comparison: a record found twice where one is expected counts as unexpected."""
    missing = sorted((Counter(expected) - Counter(found)).elements(), key=str)
    extra = sorted((Counter(found) - Counter(expected)).elements(), key=str)
    status = "ok" if not (missing or extra) else "DIFF"
    print(f"  {label:<12} expected {len(expected):>3}  found {len(found):>3}  {status}")
    for word, items in (("missing", missing), ("unexpected", extra)):
        for item in items:
            print(f"      {word}: {item}")
    return status == "ok"


def _task_key(name: str | None, module: str, function: str) -> str:
    return name if name else f"<dynamic> {module}.{function}"


def check(project: str) -> bool:
    from celery2arq.scan import scan_paths

    root = PROJECTS / project
    want = json.loads((root / "expected.json").read_text("utf-8"))
    scan = scan_paths([root], root=root, jobs=1)
    print(f"{project}: {scan.files_scanned} files, {scan.files_parsed} parsed")
    ok = _diff("apps", want["apps"], [a.path for a in scan.apps])
    ok &= _diff(
        "tasks",
        [
            _task_key(t["name"] if t["name_static"] else None, t["module"], t["function"])
            for t in want["tasks"]
        ],
        [_task_key(t.name if t.name_static else None, t.module, t.function) for t in scan.tasks],
    )
    # Entries without a static name (add_periodic_task without name=) may be named anything: match by count.
    named = [b for b in want["beat"] if b]
    found_beat = [b.name if b.name in named else "<generated>" for b in scan.beat]
    ok &= _diff("beat", [b or "<generated>" for b in want["beat"]], found_beat)
    ok &= _diff("file errors", want["error_files"], [e.file for e in scan.errors])
    return ok


def main(argv: list[str]) -> int:
    projects = argv or sorted(p.name for p in PROJECTS.iterdir() if (p / "expected.json").is_file())
    results = [check(p) for p in projects]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
