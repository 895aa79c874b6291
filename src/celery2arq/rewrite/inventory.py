"""What the WorkerSettings generator needs from one (rewritten) file.

Read from the file *after* rewriting, so a second run finds the same ``@arq_task`` functions
the first run produced and regenerates the same WorkerSettings (idempotence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from celery2arq.scan.modules import resolve_relative
from celery2arq_codemods._names import CELERY_APP_CLASSES, SHIM_MODULE

ARQ_TASK = f"{SHIM_MODULE}.arq_task"
SHIM_APP = f"{SHIM_MODULE}.App"
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv"})

# Celery setting spellings → the new lowercase name, for the settings WorkerSettings uses.
SETTING_SPELLINGS = {
    "broker_url": "broker_url",
    "BROKER_URL": "broker_url",
    "CELERY_BROKER_URL": "broker_url",
    "timezone": "timezone",
    "CELERY_TIMEZONE": "timezone",
    "worker_concurrency": "worker_concurrency",
    "CELERYD_CONCURRENCY": "worker_concurrency",
    "CELERY_WORKER_CONCURRENCY": "worker_concurrency",
    "task_time_limit": "task_time_limit",
    "CELERYD_TASK_TIME_LIMIT": "task_time_limit",
    "CELERY_TASK_TIME_LIMIT": "task_time_limit",
    "task_default_queue": "task_default_queue",
    "CELERY_DEFAULT_QUEUE": "task_default_queue",
    "CELERY_TASK_DEFAULT_QUEUE": "task_default_queue",
}
# Files without any of these cannot add to the inventory: reading them (a metadata pass) is skipped.
HINT = re.compile(
    rb"\barq_task\b|\bCelery[ \t]*\(|\bApp[ \t]*\("
    rb"|^[ \t]*(?:[\w.]*\.conf\.)?(?:"
    + b"|".join(k.encode() for k in sorted(SETTING_SPELLINGS))
    + rb")[ \t]*(?::[^=\n]*)?=",
    re.M,
)
DJANGO_CONF = "django.conf:settings"
# ``Celery(...)`` keyword arguments that are settings.
APP_KWARG_SETTINGS = {"broker": "broker_url", "timezone": "timezone"}


@dataclass
class TaskEntry:
    function: str
    name: str | None
    queue: str | None


@dataclass
class FileInventory:
    module: str
    tasks: list[TaskEntry] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)  # dotted paths of Celery / shim App objects
    celery_apps: list[str] = field(default_factory=list)  # those still made by ``celery.Celery``
    # setting name → {"literal": value} or {"env": NAME, "default": literal or None}
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    # names Django's settings (``DJANGO_SETTINGS_MODULE``, ``"django.conf:settings"``): an app made here is
    # a Django project's, which Celery's worker sets up (its Django fix-up) before importing tasks
    django: bool = False
    # top-level functions that construct a Celery / shim App (an app factory: ``celery_init_app``)
    factories: list[str] = field(default_factory=list)


def _literal(node: cst.BaseExpression) -> Any:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return node.evaluated_value
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    raise ValueError("not a literal")


class _AppCalls(cst.CSTVisitor):
    """The callees spelled ``Celery`` / ``App`` (``x.Celery``) of the calls in a subtree."""

    def __init__(self) -> None:
        super().__init__()
        self.funcs: list[cst.BaseExpression] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.value if isinstance(func, cst.Name) else None
        if isinstance(func, cst.Attribute):
            name = func.attr.value
        if name in ("Celery", "App"):
            self.funcs.append(func)


class _Reader(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, inventory: FileInventory, is_package: bool) -> None:
        super().__init__()
        self.inv = inventory
        self.is_package = is_package
        self.depth = 0

    def _qnames(self, node: cst.CSTNode) -> set[str]:
        names = self.get_metadata(QualifiedNameProvider, node, set())
        return {resolve_relative(q.name, self.inv.module, self.is_package) for q in names}

    def _value(self, node: cst.BaseExpression) -> dict[str, Any] | None:
        try:
            return {"literal": _literal(node)}
        except ValueError:
            pass
        if isinstance(node, cst.Call) and self._qnames(node) & ENV_GETTERS and node.args:
            try:
                var = _literal(node.args[0].value)
                default = _literal(node.args[1].value) if len(node.args) > 1 else None
            except ValueError:
                return None
            return {"env": var, "default": default} if isinstance(var, str) else None
        if isinstance(node, cst.Subscript) and self._qnames(node.value) & {"os.environ"}:
            try:
                var = _literal(node.slice[0].slice.value)  # type: ignore[attr-defined]
            except (ValueError, AttributeError):
                return None
            return {"env": var, "default": None}
        return None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self.depth == 0 and self._constructs_app(node.body):
            self.inv.factories.append(f"{self.inv.module}.{node.name.value}")
        if self.depth == 0:
            for decorator in node.decorators:
                call = decorator.decorator
                if isinstance(call, cst.Call) and ARQ_TASK in self._qnames(call.func):
                    kwargs = {a.keyword.value: a.value for a in call.args if a.keyword}
                    self.inv.tasks.append(
                        TaskEntry(
                            node.name.value,
                            self._string(kwargs.get("name")),
                            self._string(kwargs.get("queue")),
                        )
                    )
        return False  # nested functions are not tasks ARQ can import

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def _constructs_app(self, body: cst.BaseSuite) -> bool:
        """A ``Celery(...)`` / ``App(...)`` call anywhere in a function body (names checked first: cheap)."""
        calls = _AppCalls()
        body.visit(calls)
        return any(self._qnames(func) & (CELERY_APP_CLASSES | {SHIM_APP}) for func in calls.funcs)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str) and (value == "DJANGO_SETTINGS_MODULE" or value.startswith(DJANGO_CONF)):
            self.inv.django = True

    @staticmethod
    def _string(node: cst.BaseExpression | None) -> str | None:
        try:
            value = _literal(node) if node is not None else None
        except ValueError:
            return None
        return value if isinstance(value, str) else None

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = self._setting_name(target.target)
            if name:
                value = self._value(node.value)
                if value is not None:
                    self.inv.settings.setdefault(name, value)
            if isinstance(node.value, cst.Call) and isinstance(target.target, cst.Name):
                factory = self._qnames(node.value.func)
                if factory & (CELERY_APP_CLASSES | {SHIM_APP}):
                    self.inv.apps.append(f"{self.inv.module}.{target.target.value}")
                    if factory & CELERY_APP_CLASSES:
                        self.inv.celery_apps.append(self.inv.apps[-1])
                    for arg in node.value.args:
                        setting = APP_KWARG_SETTINGS.get(arg.keyword.value) if arg.keyword else None
                        value = self._value(arg.value) if setting else None
                        if setting and value is not None:
                            self.inv.settings.setdefault(setting, value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        name = self._setting_name(node.target)
        value = self._value(node.value) if name and node.value is not None else None
        if name and value is not None:
            self.inv.settings.setdefault(name, value)

    @staticmethod
    def _setting_name(target: cst.BaseExpression) -> str | None:
        if isinstance(target, cst.Name):
            return SETTING_SPELLINGS.get(target.value)
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Attribute):
            if target.value.attr.value == "conf":  # app.conf.broker_url = ...
                return SETTING_SPELLINGS.get(target.attr.value)
        return None


def read_inventory(tree: cst.Module, module: str, is_package: bool) -> FileInventory:
    inventory = FileInventory(module=module)
    MetadataWrapper(tree, unsafe_skip_copy=True).visit(_Reader(inventory, is_package))
    return inventory
