"""The project pass: link per-file facts into one :class:`ProjectScan`.

Decides what one file alone cannot: which imported names are Celery apps, tasks, Task subclasses
or task-decorator helpers, following imports and re-exports (``from .celery import app as celery_app``
in a package ``__init__``) across the scanned modules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from celery2arq.model import (
    AppDef,
    BeatEntry,
    CallSite,
    CanvasUse,
    FileError,
    ProjectScan,
    Schedule,
    Setting,
    TaskClass,
    TaskDef,
    Undecided,
    Value,
)
from celery2arq.scan.facts import ClassUse, FileFacts, PendingBeat, TaskCandidate
from celery2arq.scan.names import APP_LIKE_NAMES, SHARED_TASK_DECORATORS, TASK_BASE_CLASSES, TASK_METHODS

_RESOLVE_HOPS = 8


class Index:
    """Qualified-name resolution across the project's modules."""

    def __init__(self, facts: list[FileFacts]) -> None:
        self.bindings: dict[str, dict[str, str]] = {}
        for fact in facts:
            names = dict(fact.aliases)
            names.update(fact.bindings)  # imports win over value aliases of the same name
            self.bindings[fact.scan.module] = names
        self.packages = {module.split(".")[0] for module in self.bindings}

    def canonical(self, qname: str) -> str:
        """Follow imports/re-exports: ``proj.celery_app.task`` → ``proj.celery.app.task``."""
        for _ in range(_RESOLVE_HOPS):
            parts = qname.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                module = ".".join(parts[:cut])
                names = self.bindings.get(module)
                if names is not None and parts[cut] in names:
                    target = names[parts[cut]]
                    new = ".".join([target, *parts[cut + 1 :]])
                    if new != qname:
                        qname = new
                        break
            else:
                return qname
        return qname

    def in_project(self, qname: str) -> bool:
        return qname.split(".")[0] in self.packages


def _sorted(records: Iterable) -> list:
    return sorted(records, key=lambda r: (r.file, r.line, r.column))


class Linker:
    def __init__(self, facts: list[FileFacts], root: str) -> None:
        self.facts = facts
        self.index = Index(facts)
        self.modules = {fact.scan.module: fact for fact in facts}
        self.project = ProjectScan(root=root)
        self.apps: dict[str, AppDef] = {}
        self.task_paths: dict[str, str] = {}  # path of a task object -> task name
        self.task_names: set[str] = set()
        self.helpers: dict[str, list[str]] = {}
        self.helper_params: dict[str, list[str]] = {}
        self.task_classes: set[str] = set()

    # ------------------------------------------------------------------ lookups
    def app_of(self, qnames: Iterable[str]) -> str | None:
        for qname in qnames:
            path = self.index.canonical(qname)
            if path in self.apps:
                return path
        return None

    def task_of(self, qnames: Iterable[str]) -> str | None:
        for qname in qnames:
            path = self.index.canonical(qname)
            if path in self.task_paths:
                return self.task_paths[path]
        return None

    # ------------------------------------------------------------------ passes
    def run(self, errors: list[FileError]) -> ProjectScan:
        for fact in self.facts:
            for app in fact.scan.apps:
                self.apps[app.path] = app
        self._app_settings()
        self._classes()
        self._helpers()
        for fact in self.facts:
            for candidate in fact.tasks:
                self._task(candidate)
        self._class_tasks()
        self._task_classes()
        for fact in self.facts:
            self._calls(fact)
            self._canvas(fact)
            self._beat(fact)
            self._settings(fact)
            for record, app_names in fact.app_refs:
                app = self.app_of(app_names)
                if app is not None and hasattr(record, "app"):
                    record.app = app
            self.project.signals.extend(fact.scan.signals)
            self.project.suppressions.extend(fact.scan.suppressions)
            self.project.undecided.extend(fact.scan.undecided)
        project = self.project
        project.apps = _sorted(self.apps.values())
        for name in (
            "tasks",
            "call_sites",
            "canvas",
            "beat",
            "settings",
            "task_classes",
            "signals",
            "suppressions",
            "undecided",
        ):
            setattr(project, name, _sorted(getattr(project, name)))
        project.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.column or 0))
        return project

    def _app_settings(self) -> None:
        """``app.config_from_object(...)`` / ``app.autodiscover_tasks()`` → fields of the AppDef."""
        self.config_modules: set[str] = set()
        self.config_classes: set[str] = set()  # class paths: config_from_object("m:Config") / (Config)
        self.class_paths = {pending.module for fact in self.facts for pending in fact.class_settings}
        for fact in self.facts:
            for record in fact.scan.unresolved_decorators:
                app = self.app_of(record.get("app", []))
                if record.get("kind") == "config_from_object":
                    value = record.get("value")
                    qnames = record.get("qnames")
                    if isinstance(value, str):
                        self.config_modules.add(value.split(":")[0])
                    if isinstance(qnames, list):
                        self.config_classes.update(self.index.canonical(q) for q in qnames)
                    elif isinstance(value, str):
                        # "pkg.mod:Config", or "pkg.mod.Config" (symbol_by_name reads both)
                        self.config_classes.add(self.index.canonical(value.replace(":", ".")))
                    if app is not None:
                        self.apps[app].config_from_object = value
                        self.apps[app].namespace = record.get("namespace")
                elif record.get("kind") == "autodiscover" and app is not None:
                    self.apps[app].autodiscover = True

    def _classes(self) -> None:
        """Task subclasses, transitively within the project (``class B(A)``, ``class A(celery.Task)``)."""
        classes = {c.path: c for fact in self.facts for c in fact.classes}
        self.classes = classes
        self.class_module = {c.path: fact.scan.module for fact in self.facts for c in fact.classes}
        changed = True
        while changed:
            changed = False
            for path, facts in classes.items():
                if path in self.task_classes:
                    continue
                for base in facts.bases:
                    resolved = [self.index.canonical(q) for q in base]
                    if any(
                        q in TASK_BASE_CLASSES or q in self.task_classes or self._is_app_task_attr(q)
                        for q in resolved
                    ):
                        self.task_classes.add(path)
                        changed = True
                        break

    def _is_app_task_attr(self, qname: str) -> bool:
        head, _, last = qname.rpartition(".")
        return last == "Task" and head in self.apps

    def _helpers(self) -> None:
        for fact in self.facts:
            for path, wrapped in fact.helpers.items():
                for qname in wrapped:
                    canonical = self.index.canonical(qname)
                    head, _, last = canonical.rpartition(".")
                    if canonical in SHARED_TASK_DECORATORS or (last == "task" and head in self.apps):
                        self.helpers[path] = wrapped
                        self.helper_params[path] = fact.helper_params.get(path, [])
                        break

    def _task(self, candidate: TaskCandidate) -> None:
        task = candidate.task
        decorator = self.index.canonical(candidate.decorator)
        head, _, last = decorator.rpartition(".")
        if candidate.definite or decorator in SHARED_TASK_DECORATORS:
            task.app = None
            task.decorator = decorator
        elif candidate.receiver is not None and self.app_of([candidate.receiver]) is not None:
            task.app = self.app_of([candidate.receiver])
            task.decorator = f"{task.app}.task"
        elif last == "task" and head in self.apps:  # task = app.task; @task
            task.app, task.decorator = head, decorator
        elif decorator in self.helpers:
            task.kind = "helper"
            task.decorator = decorator
            self._helper_arguments(task, candidate)
        else:
            if candidate.receiver is not None:
                self._maybe_undecided(candidate)
            return
        self._fix_main_name(task)
        self.project.tasks.append(task)
        self._register(task, [candidate.path, *candidate.aliases])

    def _helper_arguments(self, task: TaskDef, candidate: TaskCandidate) -> None:
        """``@instrumented_task("jobs.send_sms")``: positional arguments by the helper's parameter names."""
        params = self.helper_params.get(task.decorator, [])
        for param, value in zip(params, candidate.positional, strict=False):
            task.options.setdefault(param, value)
        name = task.options.get("name")
        if name is not None and name.literal and isinstance(name.value, str):
            task.name, task.name_static = name.value, True
        elif name is not None:
            task.name_static = False

    def _maybe_undecided(self, candidate: TaskCandidate) -> None:
        receiver = self.index.canonical(candidate.receiver or "")
        last = receiver.rpartition(".")[2]
        text_last = (candidate.receiver_text or "").rpartition(".")[2]
        from_project = candidate.receiver_relative or self.index.in_project(receiver)
        if (last in APP_LIKE_NAMES or text_last in APP_LIKE_NAMES) and from_project:
            task = candidate.task
            self.project.undecided.append(
                Undecided(
                    file=task.file,
                    line=task.line,
                    column=task.column,
                    code="C2A904",
                    message=f"@{candidate.receiver_text}.task on {task.function}: {candidate.receiver_text} "
                    f"({receiver}) is not known to be a Celery app",
                )
            )

    def _fix_main_name(self, task: TaskDef) -> None:
        """Celery names tasks of a ``__main__`` module ``<app.main>.<name>``."""
        if "name" in task.options or not (task.module == "__main__" or task.module.endswith(".__main__")):
            return
        short = task.function.rpartition(".")[2]
        main = self.apps[task.app].main if task.app in self.apps else None
        task.name = f"{main}.{short}" if main else f"__main__.{short}"

    def _register(self, task: TaskDef, paths: list[str]) -> None:
        self.task_names.add(task.name)
        for path in paths:
            self.task_paths[path] = task.name

    def _class_uses(self) -> dict[str, list[ClassUse]]:
        uses: dict[str, list[ClassUse]] = {}
        for fact in self.facts:
            for use in fact.class_uses:
                for qname in use.qnames:
                    uses.setdefault(self.index.canonical(qname), []).append(use)
        return uses

    def _class_tasks(self) -> None:
        self.uses = self._class_uses()
        self.class_task_paths: set[str] = set()
        for path in sorted(self.task_classes):
            facts = self.classes[path]
            registered = any(u.used_as == "registered" for u in self.uses.get(path, []))
            abstract = facts.options.get("abstract")
            if abstract is not None and abstract.literal and abstract.value:
                continue
            if facts.run_task is None and not registered:
                continue
            task = facts.run_task or TaskDef(
                file=facts.file, line=facts.line, column=facts.column, kind="class", end_line=facts.end_line
            )
            task.file, task.line, task.column, task.end_line = (
                facts.file,
                facts.line,
                facts.column,
                facts.end_line,
            )
            task.kind = "class"
            task.module = self.class_module[path]
            task.function = path[len(task.module) + 1 :]
            task.options = dict(facts.options)
            task.decorator = ", ".join(facts.bases_text)
            name = facts.options.get("name")
            if name is not None and name.literal and isinstance(name.value, str):
                task.name = name.value
            else:
                task.name = f"{task.module}.{facts.name}"
                if name is not None and not (name.literal and name.value is None):
                    task.name_static = False
            self.project.tasks.append(task)
            self.class_task_paths.add(path)
            self._register(task, [path, f"{path}.run"])

    def _task_classes(self) -> None:
        for path in sorted(self.task_classes):
            facts = self.classes[path]
            uses = self.uses.get(path, [])
            used_as = sorted({u.used_as for u in uses if u.used_as != "registered"})
            if path in self.class_task_paths and not used_as:
                continue
            bases = [
                self.index.canonical(b[0]) if b else text
                for b, text in zip(facts.bases, facts.bases_text, strict=True)
            ]
            self.project.task_classes.append(
                TaskClass(
                    file=facts.file,
                    line=facts.line,
                    column=facts.column,
                    path=path,
                    bases=bases,
                    overrides=sorted(m for m in set(facts.methods) if m in TASK_METHODS),
                    used_as=used_as,
                )
            )

    # ------------------------------------------------------------------ calls, canvas, beat, settings
    def _in_task(self, enclosing: list[str]) -> str | None:
        for path in enclosing:
            if path in self.task_paths:
                return self.task_paths[path]
        return None

    def _calls(self, fact: FileFacts) -> None:
        for candidate in fact.calls:
            site: CallSite = candidate.site
            name = self.task_of(candidate.receivers)
            if (
                name is not None
                and site.kind not in ("send_task", "signature")
                or (site.kind == "signature" and candidate.receivers and name is not None)
            ):
                site.target, site.resolved = name, True
            elif site.kind in ("send_task", "signature") and site.target in self.task_names:
                site.resolved = True
            elif site.kind == "AsyncResult" and self.app_of(candidate.receivers) is not None:
                pass
            elif not candidate.record_unresolved and not (
                site.kind in ("delay", "apply_async")
                and any(self.index.in_project(self.index.canonical(q)) for q in candidate.imported)
            ):
                continue
            site.in_task = self._in_task(candidate.enclosing)
            self.project.call_sites.append(site)

    def _canvas(self, fact: FileFacts) -> None:
        for candidate in fact.canvas:
            use: CanvasUse = candidate.use
            names = [self.task_of(sig) for sig in candidate.signatures]
            if use.kind.startswith("?"):
                if names and names[0] is None:
                    continue
                use.kind = use.kind[1:]
            use.tasks = [n for n in names if n is not None] + list(candidate.names)
            self.project.canvas.append(use)

    def _beat(self, fact: FileFacts) -> None:
        for pending in fact.beat:
            entry: BeatEntry = pending.entry
            if pending.only_if_config is not None and not self._is_config_module(pending.only_if_config):
                continue
            self._beat_refs(pending)
            if entry.task is None and pending.receivers:
                entry.task = self.task_of(pending.receivers)
                if entry.origin == "periodic_task":
                    if entry.task is None:
                        continue
                    entry.name = entry.task
            if pending.name_from_repr and entry.task is not None and pending.repr_arguments is not None:
                entry.name = f"{entry.task}({pending.repr_arguments})"  # Celery's key: repr(sig)
            if entry.origin == "add_periodic_task" and not entry.name and entry.task:
                entry.name = entry.task
            if entry.task is None and pending.unresolved is not None:
                self.project.undecided.append(
                    Undecided(
                        file=entry.file,
                        line=entry.line,
                        column=entry.column,
                        code="C2A902",
                        message=pending.unresolved,
                    )
                )
            self.project.beat.append(entry)

    def _constant(self, qnames: list[str]) -> Value | Schedule | None:
        """The literal value or schedule of a project constant, followed through imports."""
        for qname in qnames:
            module, _, name = self.index.canonical(qname).rpartition(".")
            fact = self.modules.get(module)
            if fact is not None:
                found = fact.constant_schedules.get(name) or fact.constant_values.get(name)
                if found is not None:
                    return found
        return None

    def _beat_refs(self, pending: PendingBeat) -> None:
        """Beat fields given by names imported from other modules (``"schedule": nightly_schedule``)."""
        entry = pending.entry
        for key, qnames in pending.refs.items():
            found = self._constant(qnames)
            if key == "schedule" and entry.schedule is not None:
                resolved = _as_schedule(found, entry.schedule)
                if resolved is not None:
                    entry.schedule = resolved
                    continue
            elif key == "task" and entry.task is None:
                if isinstance(found, Value) and isinstance(found.value, str):
                    entry.task = found.value
            elif key in ("args", "kwargs") and isinstance(found, Value):
                setattr(entry, key, found)
        if (
            pending.schedule_undecided is not None
            and entry.schedule is not None
            and entry.schedule.kind == "unknown"
        ):
            self.project.undecided.append(pending.schedule_undecided)

    def _is_config_module(self, module: str) -> bool:
        """A module (or, for class attributes, a class path) that ``config_from_object`` loads."""
        if module in self.class_paths:  # exact: a Config class elsewhere is not the one loaded
            return module in self.config_classes
        return module in self.config_modules or any(
            module.endswith("." + c) or c.endswith("." + module) for c in self.config_modules
        )

    def _settings(self, fact: FileFacts) -> None:
        self.project.settings.extend(fact.scan.settings)
        for pending in fact.lowercase_settings:
            if self._is_config_module(pending.module):
                setting: Setting = pending.setting
                self.project.settings.append(setting)
        for pending in fact.class_settings:
            if self._is_config_module(pending.module):
                self.project.settings.append(pending.setting)
                self.project.undecided.extend(pending.undecided)


def _as_schedule(found: Value | Schedule | None, written: Schedule) -> Schedule | None:
    """The schedule a resolved constant builds, keeping the text written at the entry as its source."""
    if isinstance(found, Schedule):
        relative = written.relative if found.kind == "interval" else found.relative
        return replace(found, source=written.source, relative=relative or found.relative)
    if isinstance(found, Value) and found.literal and isinstance(found.value, int | float):
        if not isinstance(found.value, bool):
            return Schedule(
                kind="interval", source=written.source, seconds=float(found.value), relative=written.relative
            )
    return None


def link(facts: list[FileFacts], root: str, errors: list[FileError] | None = None) -> ProjectScan:
    """Merge per-file facts into a project scan (records sorted by file, line, column)."""
    facts = sorted(facts, key=lambda f: f.scan.file)
    return Linker(facts, root).run(list(errors or []))
