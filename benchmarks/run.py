"""Audit benchmark: how far is ``celery2arq audit`` from the cost of merely parsing the code?

    python benchmarks/run.py [--files 5000] [--celery-share 0.02] [--jobs N] [--seed S] [--rewrite]

Generates a deterministic synthetic project (see ``synthetic_tree.py``) in a temporary directory,
then measures in one run, side by side:

* the scan (``celery2arq.scan.scan_paths``, in process) and the ``celery2arq audit`` command
  (a subprocess, start-up included), both with ``--jobs N``;
* the floor: LibCST parsing and printing every file (``libcst.parse_module(src).code``),
  serially and with a process pool of the same N workers, and (serially) only the Celery modules
  (task modules, caller modules, app and helper module): the least any scanner that parses the files
  it reports on must spend;
* the ratios audit / floor, and the number of tasks found against the number generated
  (the run exits with status 1 when they differ); also, for information, how many of the generated
  ``.delay``/``.apply_async`` calls the scan resolved to the right task;
* with ``--rewrite``: ``celery2arq rewrite --check`` on a copy of the tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import libcst

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_tree import GeneratedTree, generate_tree  # noqa: E402

CORE_MODULES = ("core/worker.py", "core/tasking.py")  # the app and the helper module of the tree
NOT_BUILT_MARKERS = ("not built yet", "No such command")


def parse_and_print(path: str) -> int:
    """The floor for one file: read, decode, parse with LibCST and print back."""
    source = Path(path).read_bytes().decode("utf-8")
    return len(libcst.parse_module(source).code)


def _chunks(n_items: int, jobs: int) -> int:
    return max(1, n_items // (jobs * 16))


def floor_serial(paths: list[str]) -> int:
    return sum(parse_and_print(p) for p in paths)


def floor_parallel(paths: list[str], jobs: int) -> int:
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return sum(pool.map(parse_and_print, paths, chunksize=_chunks(len(paths), jobs)))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run_scan(root: Path, jobs: int) -> Any:
    from celery2arq.scan import scan_paths

    return scan_paths([root], root=root, jobs=jobs)


def run_cli(args: Iterable[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``python -m celery2arq ARGS`` and time it (start-up included)."""
    cmd = [sys.executable, "-m", "celery2arq", *args]
    return timed(lambda: subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False))


def cli_failed(proc: subprocess.CompletedProcess[str]) -> str | None:
    """A one-line reason when the command is missing or crashed; findings (exit 1) are not failures."""
    text = proc.stdout + proc.stderr
    if any(marker in text for marker in NOT_BUILT_MARKERS):
        return "not built yet"
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return f"exit {proc.returncode}: {last[:160]}"
    return None


def compare_tasks(tree: GeneratedTree, found: list[str]) -> bool:
    expected, got = set(tree.tasks), set(found)
    print(f"tasks: generated {len(tree.tasks)}, found {len(found)} ({len(got)} distinct names)")
    missing, extra = sorted(expected - got), sorted(got - expected)
    for label, names in (("missing", missing), ("unexpected", extra)):
        if names:
            print(f"  {label} ({len(names)}): " + ", ".join(names[:8]) + (" ..." if len(names) > 8 else ""))
    if len(found) != len(got):
        print(f"  {len(found) - len(got)} task(s) reported more than once")
    return not missing and not extra and len(found) == len(tree.tasks)


def compare_calls(tree: GeneratedTree, call_sites: list[Any]) -> None:
    """Informational: the enqueue calls of the caller-only modules, resolved to their task names."""
    callers = set(tree.caller_files)
    found = sorted(
        (c.file, c.target)
        for c in call_sites
        if c.file in callers and c.kind in ("delay", "apply_async") and c.resolved
    )
    unresolved = sum(1 for c in call_sites if c.file in callers and not c.resolved)
    matched = sum((Counter(tree.calls) & Counter(found)).values())
    print(
        f"calls in {len(callers)} caller modules: generated {len(tree.calls)}, "
        f"resolved to the right task {matched}, unresolved {unresolved}"
    )


def fmt(seconds: float | None) -> str:
    return "   n/a" if seconds is None else f"{seconds:6.2f}s"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "  n/a"
    return f"{a / b:.3f}x" if a / b < 0.1 else f"{a / b:5.2f}x"


def load_average() -> str:
    """The 1/5/15-minute load: other processes on the machine distort every timing."""
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000, help="number of Python files (default 5000)")
    parser.add_argument("--celery-share", type=float, default=0.02, help="share of task modules")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--rewrite", action="store_true", help="also time `celery2arq rewrite --check`")
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = parser.parse_args(argv)
    if args.files < 10 or not 0 < args.celery_share <= 0.5 or args.jobs < 1:
        parser.error("need --files >= 10, 0 < --celery-share <= 0.5 and --jobs >= 1")

    with tempfile.TemporaryDirectory(prefix="c2a-bench-") as tmp:
        root = (args.keep or Path(tmp) / "project").resolve()
        if root.exists() and any(root.iterdir()):
            parser.error(f"--keep directory {root} is not empty")
        gen_s, tree = timed(lambda: generate_tree(root, args.files, args.celery_share, args.seed))
        paths = sorted(str(p) for p in root.rglob("*.py"))
        for p in paths:  # warm the page cache so that no measurement pays for the first read
            Path(p).read_bytes()
        print(
            f"tree: {tree.files} files, {tree.lines:,} lines, {tree.bytes / 1e6:.1f} MB, "
            f"{len(tree.celery_files)} task modules, {len(tree.tasks)} tasks (generated in {gen_s:.1f}s)"
        )
        print(f"task module forms: {', '.join(f'{k}={v}' for k, v in sorted(tree.forms.items()))}")
        print(f"jobs: {args.jobs} (cpu_count {os.cpu_count()}); {load_average()}\n")

        floor_1, _ = timed(lambda: floor_serial(paths))
        floor_j, _ = timed(lambda: floor_parallel(paths, args.jobs))
        celery_rels = (*tree.celery_files, *tree.caller_files, *CORE_MODULES)
        celery_paths = [str(root / rel) for rel in celery_rels]
        floor_c, _ = timed(lambda: floor_serial(celery_paths))

        scan_s: float | None = None
        tasks_ok = False
        try:
            scan_s, project = timed(lambda: run_scan(root, args.jobs))
        except ImportError as exc:
            print(f"scan: skipped, celery2arq.scan.scan_paths is not importable ({exc})")
        else:
            parsed = f"{project.files_parsed} parsed after the prefilter"
            print(f"scan: {project.files_scanned} files discovered, {parsed}")
            tasks_ok = compare_tasks(tree, [t.name for t in project.tasks])
            compare_calls(tree, project.call_sites)
            if project.errors:
                print(f"  file errors: {len(project.errors)} (first: {project.errors[0]})")

        audit_s, proc = run_cli(["audit", str(root), "--jobs", str(args.jobs)], cwd=root)
        audit_problem = cli_failed(proc)
        if audit_problem:
            print(f"audit command: skipped ({audit_problem})")
            audit_s = None

        rewrite_s = None
        if args.rewrite:
            copy = Path(tmp) / "rewrite-copy"
            shutil.copytree(root, copy)
            rewrite_s, proc = run_cli(["rewrite", "--check", str(copy), "--jobs", str(args.jobs)], cwd=copy)
            problem = cli_failed(proc)
            if problem:
                print(f"rewrite --check: skipped ({problem})")
                rewrite_s = None

        header = f"{'time':>8}{'/ floor -j':>12}{'/ floor serial':>16}{'/ Celery-only floor':>21}"
        print(f"\n{'measurement':<48}{header}")
        rows = [
            ("floor: LibCST parse+print, serial", floor_1),
            (f"floor: LibCST parse+print, -j {args.jobs}", floor_j),
            (f"floor: the {len(celery_paths)} Celery modules only, serial", floor_c),
            (f"scan_paths, -j {args.jobs} (in process)", scan_s),
            (f"celery2arq audit, -j {args.jobs} (command)", audit_s),
        ]
        if args.rewrite:
            rows.append((f"celery2arq rewrite --check, -j {args.jobs}", rewrite_s))
        for label, seconds in rows:
            columns = ((floor_j, 12), (floor_1, 16), (floor_c, 21))
            ratios = "".join(f"{ratio(seconds, floor):>{width}}" for floor, width in columns)
            print(f"{label:<48}{fmt(seconds):>8}{ratios}")
        print(f"\n{load_average()}")
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    if scan_s is not None and not tasks_ok:
        print("\nFAIL: the scan did not find exactly the generated tasks")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
