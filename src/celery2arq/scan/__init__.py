"""Static scanner: Celery constructs of a project, found with LibCST, never importing user code.

Entry points
------------
* :func:`scan_paths` — discover files, prefilter, scan in parallel, link into a ``ProjectScan``.
* :func:`scan_source` — one snippet (tests, editors).
* :func:`scan_sources` — several in-memory files ``{"proj/tasks.py": "..."}`` linked as one project.

How it works
------------
1. :func:`celery2arq.discovery.discover` lists files (default skips, ``.gitignore``, globs).
2. :class:`celery2arq.discovery.Prefilter` reads raw bytes once: the project's app objects, helper
   decorators and Task subclasses by name, then keeps only files with Celery vocabulary or those names.
3. Per file (in a process pool): :func:`celery2arq.scan.file.scan_file` decodes (BOM, PEP 263);
   :func:`celery2arq.scan.prune.prune_source` finds statement boundaries with CPython's ``ast`` and
   blanks out top-level statements (and methods of non-Task classes) that cannot matter, keeping every
   line in place, so that LibCST parses only what matters (when ``ast`` declines the file, LibCST parses
   it whole and :func:`celery2arq.scan.reduce.reduce_module` takes the same decisions on the tree);
   then one :class:`~celery2arq.scan.visitor.FileVisitor` traversal with ``ScopeProvider`` fills a
   picklable :class:`~celery2arq.scan.facts.FileFacts`. Positions are LibCST's ``PositionProvider``
   ranges, computed per top-level statement only where something is recorded
   (:class:`~celery2arq.scan.positions.LazyPositions`).
4. :func:`celery2arq.scan.project.link` resolves what needs other modules (apps, tasks, helpers,
   Task subclasses, call targets, Beat values held in constants imported from other modules) and sorts
   every list by ``(file, line, column)``.

Vocabulary of the records (for verdicts and reports)
----------------------------------------------------
* ``CallSite.kind``: delay, apply_async, s, si, signature, send_task, AsyncResult, get, revoke, control.
* ``CanvasUse.kind``: chain, group, chord, pipe (the ``|`` operator), chunks, map, starmap, link,
  link_error (``.link_error()``, ``.on_error()``, ``apply_async(link_error=)``).
* ``BeatEntry.origin``: the spelling (``beat_schedule``, ``CELERY_BEAT_SCHEDULE``, ``CELERYBEAT_SCHEDULE``),
  ``conf.beat_schedule``, ``conf.update``, ``conf[]``, ``add_periodic_task``, ``periodic_task`` (pre-4.0
  decorator; the entry is keyed by the task name, as Celery did). An ``add_periodic_task`` entry without
  ``name=`` is keyed ``repr(sig)`` as Celery does (``pkg.tasks.rollup('weekly', n=1)``), see
  :mod:`celery2arq.scan.periodic`.
* ``TaskDef.kind``: decorator, call (``app.task(fn)``), class, helper.
* ``Undecided.code``: C2A901 run-time task name, C2A902 Beat schedule not static / in a database,
  C2A903 broker/backend URL not static, C2A904 ``X.task`` where ``X`` is not known to be an app,
  C2A905 dynamic call target.

Helpers reusable by other parts (e.g. the rewrite codemods)
------------------------------------------------------------
* :func:`celery2arq.scan.modules.module_name` — file path → dotted module (walks ``__init__.py``).
* :func:`celery2arq.scan.modules.resolve_relative` — ``.celery.app`` in ``proj.tasks`` → ``proj.celery.app``.
* :class:`celery2arq.scan.visitor.FileVisitor.qnames` — absolute qualified names of an expression
  (LibCST ``QualifiedNameProvider`` + relative/local names made absolute).
* :class:`celery2arq.scan.project.Index` — follows imports and re-exports across modules.
* :func:`celery2arq.scan.literals.to_value` / :func:`~celery2arq.scan.literals.source` — CST → ``Value``.
* :func:`celery2arq.scan.schedules.parse_schedule` — a Beat schedule expression → ``Schedule``.
* :mod:`celery2arq.scan.names` — Celery's qualified names (decorators, canvas, signals, settings spellings).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from celery2arq.discovery import Prefilter, ScanInputError, discover
from celery2arq.model import FileError, ProjectScan
from celery2arq.scan.facts import FileFacts
from celery2arq.scan.file import scan_file, scan_text
from celery2arq.scan.modules import module_name
from celery2arq.scan.project import Index, link

# Below this many files a process pool costs more than it saves.
SERIAL_THRESHOLD = 24

__all__ = ["Index", "ScanInputError", "module_name", "scan_paths", "scan_source", "scan_sources"]


def scan_source(source: str, file: str = "mod.py", module: str = "mod") -> ProjectScan:
    """Scan one in-memory source as a one-file project."""
    pattern = Prefilter.from_sources([source.encode()]).project_pattern
    facts, error = scan_text(source, file, module, file.endswith("__init__.py"), pattern)
    project = link([facts], root=".", errors=[error] if error else [])
    project.files_scanned = project.files_parsed = 1
    return project


def scan_sources(sources: dict[str, str]) -> ProjectScan:
    """Scan several in-memory files (``relative path -> source``) as one project; module names from paths."""
    facts_list, errors = [], []
    pattern = Prefilter.from_sources(text.encode() for text in sources.values()).project_pattern
    for file, text in sorted(sources.items()):
        parts = file.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        facts, error = scan_text(text, file, ".".join(parts), file.endswith("__init__.py"), pattern)
        facts_list.append(facts)
        if error:
            errors.append(error)
    project = link(facts_list, root=".", errors=errors)
    project.files_scanned = project.files_parsed = len(sources)
    return project


def _scan_one(job: tuple[str, str, str, str | None]) -> tuple[FileFacts, FileError | None]:
    path, file, module, project_names = job
    return scan_file(Path(path), file, module, project_names)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def scan_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    root: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    progress: bool = False,
) -> ProjectScan:
    """Scan files and folders; raises :class:`ScanInputError` for a path that does not exist."""
    base, files = discover(paths, root=root, exclude=exclude, include=include)
    errors: list[FileError] = []
    contents: dict[Path, bytes] = {}
    for path in files:
        try:
            contents[path] = path.read_bytes()
        except OSError as error:
            errors.append(FileError(file=_relative(path, base), message=f"could not read: {error.strerror}"))
    prefilter = Prefilter.from_sources(contents.values())
    work = [
        (str(path), _relative(path, base), module_name(path, base), prefilter.project_pattern)
        for path, data in contents.items()
        if prefilter.wants(data, _relative(path, base))
    ]
    contents.clear()
    results = _run(work, jobs, progress)
    facts = []
    for fact, error in results:
        facts.append(fact)
        if error is not None:
            errors.append(error)
    project = link(facts, root=base.as_posix(), errors=errors)
    project.files_scanned = len(files)
    project.files_parsed = len(work)
    return project


def _run(work: list[tuple[str, str, str, str | None]], jobs: int | None, progress: bool) -> list:
    workers = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    workers = min(workers, len(work)) or 1
    show = progress and sys.stderr.isatty()
    if workers == 1 or len(work) < SERIAL_THRESHOLD:
        iterator = map(_scan_one, work)
        return list(_with_progress(iterator, len(work)) if show else iterator)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        iterator = pool.map(_scan_one, work, chunksize=max(1, len(work) // (workers * 8)))
        return list(_with_progress(iterator, len(work)) if show else iterator)


def _with_progress(iterator, total: int):
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=total)
        for item in iterator:
            bar.advance(task)
            yield item
