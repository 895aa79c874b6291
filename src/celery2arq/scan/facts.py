"""Per-file facts that only the project pass can decide on (which names are apps, tasks, helpers).

A worker process returns one :class:`FileFacts` per file: the :class:`~celery2arq.model.FileScan`
with everything the file decides alone, plus *pending* records whose qualified names point into
other modules. All fields are plain data so that the object pickles across processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from celery2arq.model import (
    BeatEntry,
    CallSite,
    CanvasUse,
    FileScan,
    Schedule,
    Setting,
    TaskDef,
    Undecided,
    Value,
)


@dataclass
class TaskCandidate:
    """A function decorated (or wrapped) by something that may be a task decorator."""

    task: TaskDef
    decorator: str  # absolute qualified name of the decorator (or factory) expression
    receiver: str | None  # for ``X.task``: the absolute qualified name of ``X``
    receiver_text: str | None  # source text of ``X``
    definite: bool  # a Celery decorator (shared_task, ...): no project lookup needed
    path: str  # module.qualname of the function: how other modules refer to the task object
    aliases: list[str] = field(default_factory=list)  # other paths of the task object (x = app.task(f))
    receiver_relative: bool = False  # ``X`` comes from a relative import (so from the project)
    positional: list = field(default_factory=list)  # positional decorator arguments (Values), for helpers


@dataclass
class CallCandidate:
    """A call site whose receiver may be a task defined elsewhere."""

    site: CallSite
    receivers: list[str]  # absolute qualified names of the receiver
    enclosing: list[str]  # function paths enclosing the call, innermost first
    record_unresolved: bool  # keep it even when the receiver does not resolve to a task
    imported: list[str] = field(default_factory=list)  # receiver names bound by an import statement


@dataclass
class CanvasCandidate:
    use: CanvasUse
    signatures: list[list[str]]  # receiver qualified names of each signature involved
    names: list[str]  # literal task names (signature("name"))


@dataclass
class ClassFacts:
    """A class definition: the project pass decides whether it is a Task subclass."""

    path: str
    name: str
    file: str
    line: int
    column: int
    end_line: int
    bases: list[list[str]]  # absolute qualified names of each base
    bases_text: list[str]
    methods: list[str]
    options: dict = field(default_factory=dict)  # class attributes as Values
    run_task: TaskDef | None = None  # the task record to emit if it is a class-based task


@dataclass
class ClassUse:
    """``base=X``, ``task_cls=X``/``"mod:X"``, ``app.Task = X``, ``app.register_task(X())``."""

    qnames: list[str]
    used_as: str
    file: str
    line: int
    column: int
    app: str | None = None


@dataclass
class PendingBeat:
    """A Beat entry whose task comes from a signature (``add_periodic_task(s, task.s())``)."""

    entry: BeatEntry
    receivers: list[str]
    only_if_config: str | None = None  # lowercase beat_schedule: kept only if this module is a Celery config
    # add_periodic_task: the inside of repr(sig) (``'weekly', n=1``) when static, for the entry's key
    repr_arguments: str | None = None
    name_from_repr: bool = False  # the key is repr(sig): complete it once the task name is known
    unresolved: str | None = None  # C2A902 message if the task does not resolve in the project pass
    # fields ("schedule", "task", "args", "kwargs") given by a name imported from another module:
    # field -> qualified names, resolved from that module's constants by the project pass
    refs: dict[str, list[str]] = field(default_factory=dict)
    schedule_undecided: Undecided | None = None  # emitted only if the schedule reference stays unknown


@dataclass
class PendingSetting:
    """A lowercase setting in a module (or any setting in a class body) that is only a Celery config if
    something loads it: ``module`` is the module's name, or the class's path for a class attribute."""

    setting: Setting
    module: str
    undecided: list[Undecided] = field(default_factory=list)  # reported only if the setting is kept


@dataclass
class FileFacts:
    scan: FileScan
    is_package: bool = False
    imports_celery: bool = False
    # module-level names bound by imports: local name -> absolute qualified target
    bindings: dict[str, str] = field(default_factory=dict)
    # module-level names bound to the value of another name (x = app): local name -> qualified target
    aliases: dict[str, str] = field(default_factory=dict)
    tasks: list[TaskCandidate] = field(default_factory=list)
    calls: list[CallCandidate] = field(default_factory=list)
    canvas: list[CanvasCandidate] = field(default_factory=list)
    classes: list[ClassFacts] = field(default_factory=list)
    class_uses: list[ClassUse] = field(default_factory=list)
    # function path -> decorator qualified names it wraps (instrumented_task-style helpers)
    helpers: dict[str, list[str]] = field(default_factory=dict)
    helper_params: dict[str, list[str]] = field(default_factory=dict)  # helper path -> its parameter names
    beat: list[PendingBeat] = field(default_factory=list)
    lowercase_settings: list[PendingSetting] = field(default_factory=list)
    # class attributes named like settings (class Config: broker_url = ...): kept if config_from_object
    # loads the class
    class_settings: list[PendingSetting] = field(default_factory=list)
    # module-level constants other modules may import into a Beat schedule: name -> literal Value /
    # Schedule built by a call (crontab(...), a custom schedule instance)
    constant_values: dict[str, Value] = field(default_factory=dict)
    constant_schedules: dict[str, Schedule] = field(default_factory=dict)
    # settings/beat/signals attached to an app object given by its qualified name: resolved later
    app_refs: list[tuple[object, list[str]]] = field(default_factory=list)
