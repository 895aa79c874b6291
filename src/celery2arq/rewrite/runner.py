"""``celery2arq rewrite`` as a function: find files, rewrite them (in parallel), generate workers, write."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from celery2arq.discovery import discover
from celery2arq.model import ProjectScan
from celery2arq.rewrite.accounting import left_on_celery, tasks_by_file
from celery2arq.rewrite.engine import FileOutcome, rewrite_source
from celery2arq.rewrite.entry import detect, entry_module, factories
from celery2arq.rewrite.files import module_and_root
from celery2arq.rewrite.inventory import HINT, SETTING_SPELLINGS
from celery2arq.rewrite.worker_settings import HEADER, WorkerModule, plan
from celery2arq.rewrite.writer import write_atomic
from celery2arq.scan.modules import is_package_file, module_name
from celery2arq_codemods import APP_PIPELINE, KEEP_APP_PIPELINE, PIPELINE, SHIM_GROUP_PIPELINE
from celery2arq_codemods._names import SCRATCH_KNOWN_APPS, SCRATCH_LEAVE_TASKS, SCRATCH_PROJECT_TASKS

Mode = Literal["write", "diff", "check"]
# Without the audit (``--no-audit``, or when it failed): only files that can define a task, an app or
# a setting the WorkerSettings use are parsed. With it, files where the scan found a decorated task run
# the codemods, and other files are parsed only when they can add to the inventory (``inventory.HINT``).
_PREFILTER = re.compile(
    rb"@[ \t]*[\w.]*task\b|\bCelery[ \t]*\(|\barq_task\b|\bApp[ \t]*\("
    rb"|^[ \t]*(?:[\w.]*\.conf\.)?(?:"
    + b"|".join(k.encode() for k in sorted(SETTING_SPELLINGS))
    + rb")[ \t]*(?::[^=\n]*)?=",
    re.M,
)

_CELERY_IMPORT = re.compile(
    rb"^[ \t]*from[ \t]+celery(?:\.result|\.exceptions|\.schedules|\.utils\.log)?[ \t]+import\b", re.M
)
# Celery's ``group`` also comes from ``celery.canvas``: a mixed project's group pass may need those bytes.
_CANVAS_IMPORT = re.compile(rb"^[ \t]*from[ \t]+celery\.canvas[ \t]+import\b", re.M)
# Scan call-site kinds that make a signature of a task (``resize.s(1)``, ``signature("proj.resize")``).
_SIGNING = frozenset({"s", "si", "signature", "subtask"})


@dataclass
class RewriteResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    generated: list[tuple[Path, WorkerModule, bytes | None]] = field(
        default_factory=list
    )  # path, module, old
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    # every task left on Celery: {"name", "file", "function", "code", "message"} (verdict, codemod or kind)
    left_tasks: list[dict[str, Any]] = field(default_factory=list)
    beat_on_celery: bool = False  # mixed project with a kept app: Celery Beat keeps every Beat entry

    @property
    def changed(self) -> list[str]:
        files = [o.path for o in self.outcomes if o.changed]
        files += [str(path) for path, module, old in self.generated if old != module.source.encode()]
        return sorted(files)

    @property
    def worker_settings(self) -> list[str]:
        return [dotted for _, module, _ in self.generated for dotted in module.dotted_settings]

    @property
    def converted(self) -> int:
        return sum(len(o.converted) for o in self.outcomes)

    @property
    def left(self) -> int:
        return len(self.left_tasks)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "changed": self.changed,
            "worker_settings": self.worker_settings,
            "errors": self.errors,
            "warnings": self.warnings,
            "tasks": {"converted": self.converted, "left_on_celery": self.left},
            "left_on_celery": self.left_tasks,
        }


@dataclass
class _Job:
    path: str
    module: str
    root: str
    is_package: bool
    tasks: dict[str, dict[str, Any]] | None = None  # the scan's tasks of this file (project mode)


def _module_and_root(path: Path, base: Path) -> tuple[str, str]:
    module, root = module_and_root(path, base)
    return module, str(root)


# A file to parse: the job, its bytes, the codemods to run over it.
_Work = tuple[_Job, bytes, tuple[type, ...]]


def _triage(job: _Job) -> tuple[FileOutcome | None, bytes, tuple[type, ...]]:
    """Read one file and decide, from its bytes and the scan, whether the codemods must parse it.

    Runs in the parent process: only the few files to parse cross the ``-j`` process boundary.
    Returns (the final outcome when there is nothing to parse, the source, the codemods to run).
    """
    try:
        source = Path(job.path).read_bytes()
    except OSError as exc:
        error = f"{job.path}: could not read: {exc.strerror}"
        return FileOutcome(job.path, job.module, b"", b"", error=error), b"", ()
    commands = PIPELINE
    if job.tasks is None:
        parse = _PREFILTER.search(source) is not None
    else:  # the scan decides: no decorated task here, nothing for the codemods to convert
        if not any(task["kind"] == "decorator" for task in job.tasks.values()):
            commands = ()
        parse = bool(commands) or HINT.search(source) is not None
    if not parse:  # bytes kept only where the app pass may need them
        kept = source if _CELERY_IMPORT.search(source) or _CANVAS_IMPORT.search(source) else b""
        return FileOutcome(job.path, job.module, kept, kept), b"", ()
    return None, source, commands


def _process(
    work: tuple[_Job, bytes, tuple[type, ...]], scratch: dict[str, Any], verbose: bool
) -> FileOutcome:
    job, source, commands = work
    if job.tasks is not None:
        scratch = {**scratch, SCRATCH_PROJECT_TASKS: job.tasks}
    return rewrite_source(
        source,
        path=job.path,
        module=job.module,
        is_package=job.is_package,
        scratch=scratch,
        verbose=verbose,
        commands=commands,
    )


def _map(func: Callable[..., FileOutcome], work: list[Any], workers: int, *args: Any) -> list[FileOutcome]:
    if workers <= 1 or len(work) <= 1:
        return [func(item, *args) for item in work]
    with ProcessPoolExecutor(max_workers=min(workers, len(work))) as pool:
        return list(pool.map(func, work, *[[a] * len(work) for a in args]))


@dataclass
class _Facts:
    """Project-wide facts from the audit: what one file's codemod cannot know."""

    known_apps: set[str] | None = None
    leave: set[str] = field(default_factory=set)  # task names with verdict ``celery``
    leave_defs: set[str] = field(default_factory=set)  # the same tasks as ``def:<module>.<function>``
    beat: list[Any] = field(default_factory=list)
    signals: list[tuple[str, str]] = field(default_factory=list)  # (signal, dotted handler)
    project: ProjectScan | None = None
    routes: Any = None  # Celery's ``task_routes`` when literal
    call_queues: dict[str, set[str]] = field(default_factory=dict)  # task name → literal call-site queues
    tasks: dict[Path, dict[str, dict[str, Any]]] = field(default_factory=dict)  # absolute file → tasks


def _project_facts(paths: list[Path], exclude: tuple[str, ...]) -> _Facts:
    from celery2arq.audit import run_audit
    from celery2arq.config import Config
    from celery2arq.discovery import default_root

    root = default_root([p.resolve() for p in paths])
    project = run_audit(paths, Config(exclude=tuple(exclude)) if exclude else None, root=root)
    signals = [(h.signal, f"{_module_of(project, h)}.{h.function}") for h in project.signals]
    return _Facts(
        known_apps={app.path for app in project.apps} or None,
        leave={task.name for task in project.tasks if task.verdict == "celery"},
        leave_defs={f"def:{t.module}.{t.function}" for t in project.tasks if t.verdict == "celery"},
        beat=list(project.beat),
        signals=signals,
        project=project,
        tasks=tasks_by_file(project),
        routes=next(
            (
                s.value.value
                for s in project.settings
                if s.name == "task_routes" and s.value and s.value.literal
            ),
            None,
        ),
        call_queues=_call_queues(project),
    )


def _call_queues(project: ProjectScan) -> dict[str, set[str]]:
    """Queues named only at call sites (``apply_async(queue="reports")``): each needs a worker too."""
    queues: dict[str, set[str]] = {}
    for call in project.call_sites:
        if call.kind == "apply":  # runs inline: its queue= is ignored, by Celery and by the shim
            continue
        queue = call.options.get("queue")
        named = queue is not None and queue.literal and isinstance(queue.value, str)
        if call.target and named:
            # after a rewrite the receiver is an @arq_task the scan no longer calls a task: key it by
            # function name (``plan`` uses that only when one task has that function name)
            key = call.target if call.resolved else "def:" + call.target.rpartition(".")[2]
            queues.setdefault(key, set()).add(queue.value)
    for entry in project.beat:  # Beat ``options={"queue": ...}``: the wrapper enqueues there
        queue = entry.options.get("queue")
        if entry.task and queue is not None and queue.literal and isinstance(queue.value, str):
            queues.setdefault(entry.task, set()).add(queue.value)
    return queues


def _module_of(project: ProjectScan, record: Any) -> str:
    return module_name(Path(project.root, record.file), Path(project.root))


def _convert_apps(
    outcome: FileOutcome, job: _Job, verbose: bool, commands: tuple[type, ...] = APP_PIPELINE
) -> FileOutcome:
    """Second pass: ``Celery(...)`` → the shim's ``App(...)``, Celery imports → shim imports (or, in a
    mixed project, ``KEEP_APP_PIPELINE``: the Celery app stays and the shim is configured with it)."""
    if outcome.error:
        return outcome
    inventory = outcome.inventory  # an app made at module level, or inside a factory function
    has_app = bool(inventory and (inventory.celery_apps or inventory.factories))
    if not has_app and (commands is KEEP_APP_PIPELINE or not _CELERY_IMPORT.search(outcome.new)):
        return outcome
    return _second_pass(outcome, job, verbose, commands)


def _second_pass(outcome: FileOutcome, job: _Job, verbose: bool, commands: tuple[type, ...]) -> FileOutcome:
    """``commands`` over the first pass's result; the outcome keeps the first pass's tally and warnings."""
    if outcome.error:
        return outcome
    second = rewrite_source(
        outcome.new,
        path=job.path,
        module=job.module,
        is_package=job.is_package,
        verbose=verbose,
        commands=commands,
    )
    if second.error:
        outcome.error = second.error
        return outcome
    second.original = outcome.original
    second.converted, second.left = outcome.converted, outcome.left
    second.warnings = outcome.warnings + second.warnings
    return second


def _groups_signing(project: ProjectScan, converted: set[str]) -> set[Path]:
    """Files with a Celery ``group`` whose file also signs a converted task (in the group or beside it).

    Those signatures are the shim's now, which Celery's ``group`` cannot send; files that sign only
    tasks left on Celery keep Celery's ``group`` (and its group id, barrier and chords).
    """
    signed: dict[Path, set[str]] = {}
    for use in project.canvas:
        if use.kind == "group":
            signed.setdefault(Path(project.root, use.file).resolve(), set()).update(use.tasks)
    for call in project.call_sites:
        path = Path(project.root, call.file).resolve()
        if call.kind in _SIGNING and call.resolved and call.target and path in signed:
            signed[path].add(call.target)
    return {path for path, names in signed.items() if names & converted}


def _display(path: Path) -> Path:
    """The path relative to the working directory when it is below it (as the input paths are)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _diff(path: str, old: bytes, new: bytes) -> str:
    before = old.decode("utf-8", "replace").splitlines(keepends=True)
    after = new.decode("utf-8", "replace").splitlines(keepends=True)
    fromfile = f"a/{path}" if old else "/dev/null"
    return "".join(difflib.unified_diff(before, after, fromfile, f"b/{path}"))


def run_rewrite(
    paths: Iterable[Path],
    *,
    mode: Mode = "write",
    jobs: int | None = None,
    exclude: tuple[str, ...] = (),
    verbose: bool = False,
    use_audit: bool = True,
    worker_imports: Iterable[str] = (),
) -> RewriteResult:
    """``worker_imports``: the Celery worker's entry modules (``celery -A``'s), which every generated
    worker module imports first; when empty, found statically for an app made by a factory."""
    paths = [Path(p) for p in paths]
    worker_imports = tuple(worker_imports)
    for spec in worker_imports:
        entry_module(spec, set())  # raises ValueError on what is not a module name
    result = RewriteResult()
    base, found = discover(paths, exclude=exclude)
    facts = _Facts()
    if use_audit:
        try:
            facts = _project_facts(paths, exclude)
        except Exception as exc:  # the audit is an enrichment: rewrite still works from its own reading
            result.warnings.append(
                f"audit failed, tasks matched by the codemod alone: {type(exc).__name__}: {exc}"
            )
    job_list = [
        _Job(
            str(_display(f)),
            *_module_and_root(f, base),
            is_package=is_package_file(f),
            tasks=facts.tasks.get(f.resolve(), {}) if facts.project is not None else None,
        )
        for f in found
        if f.name != "arq_worker.py" or not f.read_bytes().startswith(HEADER.encode())
    ]
    leave = facts.leave
    scratch: dict[str, Any] = {SCRATCH_LEAVE_TASKS: leave | facts.leave_defs}
    if facts.known_apps is not None:
        scratch[SCRATCH_KNOWN_APPS] = facts.known_apps
    workers = jobs or min(os.cpu_count() or 1, len(job_list))
    by_path = {job.path: job for job in job_list}
    outcomes, to_parse = [], []
    for job in job_list:
        done, source, commands = _triage(job)
        if done is not None:
            outcomes.append(done)
        else:
            to_parse.append((job, source, commands))
    workers = min(workers, len(to_parse)) or 1
    outcomes += _map(_process, to_parse, workers, scratch, verbose)
    result.outcomes = sorted(outcomes, key=lambda o: o.path)
    result.left_tasks = left_on_celery(result.outcomes, facts.project)
    if not leave and not result.left_tasks:
        result.outcomes = [_convert_apps(o, by_path[o.path], verbose) for o in result.outcomes]
    elif facts.known_apps and len(facts.known_apps) == 1 and any(o.converted for o in result.outcomes):
        # mixed: the Celery app stays; converted tasks must read its queues and broker like the workers
        result.outcomes = [
            _convert_apps(o, by_path[o.path], verbose, KEEP_APP_PIPELINE) for o in result.outcomes
        ]
    # mixed with one kept app (converted tasks in this run or an earlier one): Celery Beat keeps
    # scheduling every entry, reaching ARQ through the kept app's forwarders, so no crons are generated
    result.beat_on_celery = bool(
        result.left_tasks
        and facts.known_apps
        and len(facts.known_apps) == 1
        and any(o.inventory and o.inventory.tasks for o in result.outcomes)
    )
    if (leave or result.left_tasks) and facts.project is not None:
        # mixed: files without a converted task keep Celery's imports, but where their groups sign a
        # converted task (a view fanning out ``resize.s(i)``) Celery's ``group`` must become the shim's
        converted = {c["name"] for o in result.outcomes for c in o.converted if c.get("name")}
        groups = _groups_signing(facts.project, converted) if converted else set()
        result.outcomes = [
            _second_pass(o, by_path[o.path], verbose, SHIM_GROUP_PIPELINE)
            if not o.converted and o.new and Path(o.path).resolve() in groups
            else o
            for o in result.outcomes
        ]
    if facts.project is not None:
        reported = {o.path for o in result.outcomes if o.error}
        for error in facts.project.errors:
            path = _display(Path(facts.project.root, error.file))
            if str(path) not in reported:
                where = f":{error.line}:{error.column}" if error.line else ""
                result.errors.append(f"{path}{where}: {error.message}")
    for outcome in result.outcomes:
        if outcome.error:
            result.errors.append(outcome.error)
        result.warnings.extend(outcome.warnings)
    inside = [p for p in paths if p.is_file() or (p / "__init__.py").is_file()]
    if inside:
        # a generated worker module lists every task of its app: built from part of a package it
        # would drop the others (and their Beat crons), so only a run over whole packages writes it
        result.warnings.append(
            f"{_display(inside[0])}: inside a package, so arq_worker.py modules are not (re)generated; "
            "run rewrite on the project root for that"
        )
    else:
        _generate(result, job_list, facts, worker_imports)
    for outcome in result.outcomes:
        if outcome.changed:
            if mode == "diff":
                result.diffs.append(_diff(outcome.path, outcome.original, outcome.new))
            elif mode == "write":
                _write(result, Path(outcome.path), outcome.new)
    for path, module, old in result.generated:
        new = module.source.encode()
        if old == new:
            continue
        if mode == "diff":
            result.diffs.append(_diff(str(path), old or b"", new))
        elif mode == "write":
            _write(result, path, new)
    return result


def _write(result: RewriteResult, path: Path, data: bytes) -> None:
    """One file written atomically; a file that cannot be written is an error, the others go on."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        result.errors.append(f"{path}: could not write: {exc.strerror or exc}; file left unchanged")


def _entry_modules(
    result: RewriteResult, jobs: list[_Job], facts: _Facts, specs: tuple[str, ...]
) -> list[str]:
    """The modules the worker modules import first: ``--worker-import``, else the module found to create an
    app made by a factory (Flask's ``make_celery``); none when not found or ambiguous (a warning)."""
    if specs:
        modules = {job.module for job in jobs}
        return [entry_module(spec, modules) for spec in specs]
    # the audit's apps made in a function, and the inventories' factories (the audit sees no shim ``App``)
    found = factories(app.path for app in facts.project.apps) if facts.project is not None else set()
    found |= {path for o in result.outcomes if o.inventory for path in o.inventory.factories}
    if not found:
        return []
    detection = detect(found, [(Path(job.path), job.module, job.is_package) for job in jobs])
    if detection.module is None and detection.candidates:
        result.warnings.append(
            f"the Celery app is created at run time and several modules create it "
            f"({', '.join(detection.candidates)}): pass --worker-import MODULE (the module `celery -A` "
            "names) so the generated worker modules import it"
        )
    return [detection.module] if detection.module else []


def _generate(
    result: RewriteResult, jobs: list[_Job], facts: _Facts, worker_imports: tuple[str, ...] = ()
) -> None:
    """Plan the worker modules per import root; refuse to overwrite a file we did not generate."""
    roots: dict[str, list[FileOutcome]] = {}
    packages: dict[str, bool] = {}
    by_path = {job.path: job for job in jobs}
    for outcome in result.outcomes:
        if outcome.inventory is not None:
            roots.setdefault(by_path[outcome.path].root, []).append(outcome)
        packages[outcome.module] = by_path[outcome.path].is_package
    entries = _entry_modules(result, jobs, facts, worker_imports) if roots else []
    for root, outcomes in sorted(roots.items()):
        inventories = [o.inventory for o in outcomes if o.inventory]
        for module in plan(
            inventories, packages, facts.beat, facts.signals, facts.routes, facts.call_queues, entries,
            beat_on_celery=result.beat_on_celery,
        ):
            path = _display(Path(root, module.path))
            old = path.read_bytes() if path.exists() else None
            if old is not None and not old.startswith(HEADER.encode()):
                result.errors.append(f"{path}: exists and was not generated by celery2arq; not overwritten")
                continue
            try:
                compile(module.source, str(path), "exec", dont_inherit=True)
            except SyntaxError as exc:  # a generator bug: say so rather than write it
                result.errors.append(
                    f"{path}: generated worker settings do not compile (please report): {exc}"
                )
                continue
            result.generated.append((path, module, old))
