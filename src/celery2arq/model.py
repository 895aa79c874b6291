"""The scan model: what one static pass over a project finds.

``audit`` renders it, ``rewrite`` transforms from it. Every record is a plain dataclass of
JSON-friendly values (str, int, bool, None, lists, dicts) so that results cross process
boundaries (``-j``) and serialise into reports without custom encoders.

Conventions
-----------
* ``file`` is a POSIX path relative to the scan root; ``line``/``column`` are 1-based.
* Option values are kept as :class:`Value`: the literal Python value when the source is a
  literal (``literal=True``), else the source text of the expression (``literal=False``).
* ``verdict`` is one of ``ready``, ``review``, ``celery``; it is filled by
  :mod:`celery2arq.verdicts`, never by the scanner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["ready", "review", "celery"]
VERDICTS: tuple[Verdict, ...] = ("ready", "review", "celery")
VERDICT_RANK = {"ready": 0, "review": 1, "celery": 2}


def worst(verdicts: list[Verdict] | tuple[Verdict, ...]) -> Verdict:
    """The most severe verdict of several (``ready`` when there are none)."""
    return max(verdicts, key=VERDICT_RANK.__getitem__, default="ready")


@dataclass
class Value:
    """A static value: a literal, or the source text of an expression we did not evaluate."""

    literal: bool
    value: Any  # the Python literal (JSON-friendly) when literal, else the source text

    def to_json(self) -> Any:
        return self.value if self.literal else {"expr": self.value}


@dataclass
class Reason:
    """One stable rule code with a one-line message saying what differs and what to do."""

    code: str
    message: str
    verdict: Verdict = "review"
    line: int | None = None  # where the reason applies, when not the record's own line
    suppressed: bool = False


@dataclass
class Located:
    file: str
    line: int
    column: int = 1


@dataclass
class SelfUse:
    """A use of ``self`` inside a bound task body (``self.request.id``, ``self.retry(...)``)."""

    attr: str  # dotted after self: "request.id", "retry", "update_state", "name"
    line: int
    call_args: dict[str, Value] | None = None  # keyword arguments when it is a call


@dataclass
class TaskDef(Located):
    """A Celery task, as Celery would register it."""

    name: str = ""  # Celery's task name: name= override or module.function
    name_static: bool = True  # False when name= is not a literal (computed at run time)
    module: str = ""  # dotted module of the defining file ("proj.tasks")
    function: str = ""  # qualname of the function or class in the module
    kind: Literal["decorator", "call", "class", "helper"] = "decorator"
    decorator: str = ""  # qualified name of the decorator or factory ("celery.shared_task")
    app: str | None = None  # dotted path of the Celery app object, None for shared_task
    is_async: bool = False
    params: list[str] = field(default_factory=list)  # parameter names (self excluded when bound)
    options: dict[str, Value] = field(default_factory=dict)
    self_uses: list[SelfUse] = field(default_factory=list)
    blocking_calls: list[Located] = field(default_factory=list)  # time.sleep etc. in async bodies
    end_line: int = 0
    verdict: Verdict = "ready"
    reasons: list[Reason] = field(default_factory=list)

    @property
    def bind(self) -> bool:
        opt = self.options.get("bind")
        return bool(opt and opt.literal and opt.value)


@dataclass
class CallSite(Located):
    """A call that enqueues, signs, inspects or controls a task."""

    kind: str = ""  # delay, apply_async, signature, s, si, send_task, AsyncResult, get, revoke, control
    target: str | None = None  # task name when resolved, else the source text of the receiver
    resolved: bool = False
    options: dict[str, Value] = field(default_factory=dict)
    in_task: str | None = None  # the task name if the call is inside a task body
    verdict: Verdict = "ready"
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class CanvasUse(Located):
    """A canvas primitive: chain, group, chord, ``|`` pipeline, chunks, starmap, map, link."""

    kind: str = ""
    tasks: list[str] = field(default_factory=list)  # task names involved, when resolved
    verdict: Verdict = "review"
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Schedule:
    """A Beat schedule as written.

    kind: crontab | interval | solar | custom | unknown.
    For crontab, ``fields`` maps minute/hour/day_of_week/day_of_month/month_of_year to Values.
    For interval, ``seconds`` is the interval when static; ``relative`` as given.
    """

    kind: str
    source: str  # source text of the schedule expression
    fields: dict[str, Value] = field(default_factory=dict)
    seconds: float | None = None
    relative: bool = False


@dataclass
class BeatEntry(Located):
    name: str = ""  # the entry key (or generated for add_periodic_task)
    task: str | None = None  # task name, None when not static
    schedule: Schedule | None = None
    args: Value | None = None
    kwargs: Value | None = None
    options: dict[str, Value] = field(default_factory=dict)
    origin: str = ""  # beat_schedule, CELERY_BEAT_SCHEDULE, conf.update, add_periodic_task, ...
    app: str | None = None
    cron: dict[str, Any] | None = None  # filled by the Beat converter: arq.cron kwargs or None
    cron_jobs: list[dict[str, Any]] = field(default_factory=list)  # one or more cron() specs
    description: str = ""  # "at 03:00 on weekdays"
    verdict: Verdict = "ready"
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Setting(Located):
    """A Celery setting that matters for the migration, normalised to its new lowercase name."""

    name: str = ""  # new-style name: broker_url, timezone, task_routes, ...
    spelled: str = ""  # as written: CELERY_BROKER_URL, broker, BROKER_URL, ...
    value: Value | None = None
    env: dict[str, Any] | None = None  # {"var": NAME, "default": Value|None} for os.environ lookups
    app: str | None = None
    verdict: Verdict = "ready"
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class AppDef(Located):
    """A ``Celery(...)`` application object."""

    path: str = ""  # dotted path: proj.celery.app
    main: str | None = None  # Celery("proj") main name
    task_cls: str | None = None
    config_from_object: str | None = None
    namespace: str | None = None
    autodiscover: bool = False


@dataclass
class TaskClass(Located):
    """A project Task subclass (custom base, ``task_cls=``, ``app.Task = ...``)."""

    path: str = ""  # dotted path of the class
    bases: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)  # __call__, on_failure, before_start, ...
    used_as: list[str] = field(default_factory=list)  # "base=", "task_cls", "app.Task", "registered"
    verdict: Verdict = "review"
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class SignalHandler(Located):
    signal: str = ""  # task_prerun, worker_ready, ...
    function: str = ""
    verdict: Verdict = "review"
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Suppression(Located):
    codes: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)


@dataclass
class Undecided(Located):
    """Something the scan cannot decide statically, said explicitly instead of guessed."""

    code: str = ""
    message: str = ""
    suppressed: bool = False  # set by verdicts.assign when an ignore comment or the config silences it


@dataclass
class FileError:
    file: str
    message: str  # one line: "could not parse: ..." / "not UTF-8" / "could not read: ..."
    line: int | None = None
    column: int | None = None


@dataclass
class FileScan:
    """Everything found in one file. Produced in a worker process, merged by the project pass."""

    file: str
    module: str
    apps: list[AppDef] = field(default_factory=list)
    tasks: list[TaskDef] = field(default_factory=list)
    call_sites: list[CallSite] = field(default_factory=list)
    canvas: list[CanvasUse] = field(default_factory=list)
    beat: list[BeatEntry] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    task_classes: list[TaskClass] = field(default_factory=list)
    signals: list[SignalHandler] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    # names this file defines that wrap Celery's decorators (instrumented_task-style helpers)
    task_helpers: list[str] = field(default_factory=list)
    # qualified names used as decorators/receivers that the project pass may resolve later
    unresolved_decorators: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ProjectScan:
    """The whole project: merged file scans with verdicts."""

    root: str
    files_scanned: int = 0
    files_parsed: int = 0
    apps: list[AppDef] = field(default_factory=list)
    tasks: list[TaskDef] = field(default_factory=list)
    call_sites: list[CallSite] = field(default_factory=list)
    canvas: list[CanvasUse] = field(default_factory=list)
    beat: list[BeatEntry] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    task_classes: list[TaskClass] = field(default_factory=list)
    signals: list[SignalHandler] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)

    def task_by_name(self, name: str) -> TaskDef | None:
        return next((t for t in self.tasks if t.name == name), None)


def to_jsonable(obj: Any) -> Any:
    """Dataclasses → dicts, Values → their JSON form."""
    if isinstance(obj, Value):
        return obj.to_json()
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(obj, k)) for k in obj.__dataclass_fields__}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    return obj


__all__ = [
    "AppDef",
    "BeatEntry",
    "CallSite",
    "CanvasUse",
    "FileError",
    "FileScan",
    "Located",
    "ProjectScan",
    "Reason",
    "Schedule",
    "SelfUse",
    "Setting",
    "SignalHandler",
    "Suppression",
    "TaskClass",
    "TaskDef",
    "Undecided",
    "VERDICTS",
    "Value",
    "Verdict",
    "asdict",
    "to_jsonable",
    "worst",
]
