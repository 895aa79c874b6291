"""One LibCST traversal per file: records every Celery construct with its facts and position.

Whatever depends on other modules (is ``app`` a Celery app? is ``send_email`` a task?) is kept as a
pending record with absolute qualified names; :mod:`celery2arq.scan.project` decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import QualifiedName, QualifiedNameSource, ScopeProvider

from celery2arq.model import (
    AppDef,
    BeatEntry,
    CallSite,
    CanvasUse,
    Located,
    SelfUse,
    Setting,
    SignalHandler,
    TaskDef,
    Undecided,
    Value,
)
from celery2arq.scan.facts import (
    CallCandidate,
    CanvasCandidate,
    ClassFacts,
    ClassUse,
    FileFacts,
    PendingBeat,
    PendingSetting,
    TaskCandidate,
)
from celery2arq.scan.literals import dotted, source, string_value, to_value
from celery2arq.scan.modules import resolve_relative
from celery2arq.scan.names import (
    APP_SIGNALS,
    BEAT_SCHEDULE_SPELLINGS,
    BLOCKING_CALLS,
    BLOCKING_PREFIXES,
    CANVAS_FUNCTIONS,
    CANVAS_METHODS,
    CELERY_APP_CLASSES,
    CELERY_SIGNALS,
    CONSTRUCTOR_SETTINGS,
    DATABASE_SCHEDULERS,
    ENV_SENSITIVE_SETTINGS,
    SETTING_SPELLINGS,
    SHARED_TASK_DECORATORS,
    SIGNATURE_FUNCTIONS,
    SIGNATURE_METHODS,
    TASK_METHODS,
)
from celery2arq.scan.periodic import PeriodicSignature, mapping, read_signature, repr_arguments, sequence
from celery2arq.scan.positions import LazyPositions
from celery2arq.scan.schedules import beat_entry, dict_items, parse_schedule, resolve_constant
from celery2arq.scan.settings import env_lookup, is_unknown_value

# Decorators that never make a task: no need to keep a candidate for them.
_IGNORED_DECORATOR_PREFIXES = (
    "builtins.",
    "functools.",
    "typing.",
    "abc.",
    "contextlib.",
    "dataclasses.",
    "pytest.",
    "unittest.",
    "django.",
    "staticmethod",
    "classmethod",
    "property",
)
# calls returning an AsyncResult backed by the broker; Task.apply() is not one: its EagerResult is computed
# inline, so .get() on it waits for nothing
_RESULT_METHODS = frozenset({"delay", "apply_async", "AsyncResult", "send_task"})
# Task.apply(args, kwargs, link, link_error, task_id, retries, throw, logfile, loglevel, headers)
_APPLY_POSITIONAL = (
    "args",
    "kwargs",
    "link",
    "link_error",
    "task_id",
    "retries",
    "throw",
    "logfile",
    "loglevel",
    "headers",
)
_CONFIG_MODULE_HINTS = ("celeryconfig", "celery_config", "celeryconf", "celery_settings", "celerysettings")


@dataclass
class _Function:
    """What we collect while inside one function body."""

    path: str
    task: TaskDef | None = None  # set when the function may be a task (decorated or a class run())
    self_name: str | None = None
    result_vars: dict[str, list[str]] = field(default_factory=dict)  # r = task.delay() -> task names
    signature_vars: dict[str, list[str]] = field(default_factory=dict)  # sig = task.s() -> task names
    wraps: list[str] = field(default_factory=list)  # task decorators used in the body (helper?)
    has_return: bool = False
    top_level: bool = False


def _param_names(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    names.extend(p.name.value for p in params.kwonly_params)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names


def _keywords(call: cst.Call) -> dict[str, Value]:
    options: dict[str, Value] = {}
    for arg in call.args:
        if arg.keyword is not None:
            options[arg.keyword.value] = to_value(arg.value)
        elif arg.star == "**":
            options["**"] = Value(literal=False, value=source(arg.value))
    return options


def _is_eager_apply(node: cst.BaseExpression) -> bool:
    """``x.apply(...)``: Celery's eager run returns an EagerResult that never reads a result backend."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "apply"
    )


def _signature_calls(node: cst.CSTNode) -> list[cst.Call]:
    """``x.s()``/``x.si()``/``x.signature()`` calls anywhere inside ``node`` (outermost first)."""
    found: list[cst.Call] = []

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> bool:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value in SIGNATURE_METHODS:
                found.append(call)
            return True

    node.visit(_Finder())
    return found


class FileVisitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(
        self,
        facts: FileFacts,
        text: str,
        offsets: dict[int, int] | None = None,
        starts: list[int] | None = None,
    ) -> None:
        """``starts``: first codegen line of each top-level statement, so that positions are computed
        only for the statements we record in (see :class:`~celery2arq.scan.positions.LazyPositions`)."""
        super().__init__()
        self.starts = starts
        self.positions: LazyPositions | None = None
        self.top_ids: set[int] = set()
        self.top: cst.CSTNode | None = None
        # line offsets of top-level statements when the module was reduced to its relevant statements
        self.offsets = offsets or {}
        self.offset = 0
        self._qualified: dict[int, set[QualifiedName]] = {}
        self.facts = facts
        self.scan = facts.scan
        self.module = facts.scan.module
        self.file = facts.scan.file
        self.lines = re.split(r"\r\n?|\n", text)
        lowered = text.lower()
        self.mentions_celery = "celery" in lowered
        last = self.module.rpartition(".")[2].lower()
        path_parts = self.file.lower().split("/")
        self.settings_like = (
            "settings" in last or "config" in last or any("settings" in part for part in path_parts[:-1])
        )
        self.celery_config_module = any(hint in last for hint in _CONFIG_MODULE_HINTS)
        self.classes: list[str] = []
        self.scopes: list[tuple[str, str]] = []  # ("class" | "function", name), outermost first
        self.functions: list[_Function] = []
        self.class_facts: list[ClassFacts | None] = []
        self.constants: dict[str, cst.BaseExpression] = {}
        self.module_functions: dict[str, tuple[list[str], bool, int]] = {}
        self.skip: set[int] = set()
        self.module_results: dict[str, list[str]] = {}
        self.module_signatures: dict[str, list[str]] = {}
        self.canvas_inner: set[int] = set()

    # ------------------------------------------------------------------ helpers
    def visit_Module(self, node: cst.Module) -> None:
        self.positions = LazyPositions(node, self.starts)
        self.top_ids = {id(statement) for statement in node.body}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.top_ids:
            self.top = node
        offset = self.offsets.get(id(node))
        if offset is not None:
            self.offset = offset
        return super().on_visit(node)

    def _range(self, node: cst.CSTNode):
        assert self.positions is not None
        return self.positions.get(node, self.top)

    def raw_qnames(self, node: cst.CSTNode) -> set[QualifiedName]:
        """LibCST's qualified names of a node, from its scope (what the qualified-name provider computes)."""
        key = id(node)
        names = self._qualified.get(key)
        if names is None:
            scope = self.get_metadata(ScopeProvider, node, None)
            names = scope.get_qualified_names_for(node) if scope is not None else set()
            self._qualified[key] = names
        return names

    def qnames(self, node: cst.CSTNode) -> list[str]:
        """Absolute qualified names of an expression (relative imports and locals made absolute)."""
        names = self.raw_qnames(node)
        result = []
        for qname in names:
            if qname.source == QualifiedNameSource.IMPORT:
                result.append(resolve_relative(qname.name, self.module, self.facts.is_package))
            elif qname.source == QualifiedNameSource.LOCAL:
                result.append(f"{self.module}.{qname.name}")
            else:
                result.append(qname.name)
        return sorted(result)

    def imported_qnames(self, node: cst.CSTNode) -> list[str]:
        """Like :meth:`qnames`, only the names bound by an import statement."""
        return sorted(
            resolve_relative(q.name, self.module, self.facts.is_package)
            for q in self.raw_qnames(node)
            if q.source == QualifiedNameSource.IMPORT
        )

    def _relative_import(self, node: cst.CSTNode) -> bool:
        return any(
            q.source == QualifiedNameSource.IMPORT and q.name.startswith(".") for q in self.raw_qnames(node)
        )

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self._range(node).start
        return start.line + self.offset, start.column + 1

    def def_position(self, node: cst.FunctionDef | cst.ClassDef) -> tuple[int, int]:
        """Line and column of the ``def``/``class`` keyword (not of the first decorator)."""
        line = self._range(node.name).start.line + self.offset
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        return line, len(text) - len(text.lstrip()) + 1

    def end_line(self, node: cst.CSTNode) -> int:
        return self._range(node).end.line + self.offset

    def qualname(self, name: str) -> str:
        """Python's ``__qualname__`` (``f.<locals>.Cls.meth``); Celery's task names use ``__name__`` only."""
        parts = []
        for kind, scope in self.scopes:
            parts.append(scope)
            if kind == "function":
                parts.append("<locals>")
        parts.append(name)
        return ".".join(parts)

    def enclosing(self) -> list[str]:
        return [f.path for f in reversed(self.functions)]

    def current_task(self) -> _Function | None:
        for function in reversed(self.functions):
            if function.task is not None:
                return function
        return None

    def undecided(self, node: cst.CSTNode, code: str, message: str) -> None:
        line, column = self.position(node)
        self.scan.undecided.append(
            Undecided(file=self.file, line=line, column=column, code=code, message=message)
        )

    def at_module_level(self) -> bool:
        return not self.functions and not self.classes

    # ------------------------------------------------------------------ imports
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted(alias.name) or ""
            if name == "celery" or name.startswith("celery."):
                self.facts.imports_celery = True
            if self.at_module_level():
                local = (
                    alias.asname.name.value
                    if alias.asname and isinstance(alias.asname.name, cst.Name)
                    else name.split(".")[0]
                )
                self.facts.bindings[local] = name if alias.asname else local

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None else ""
        dots = "." * len(node.relative)
        absolute = (
            resolve_relative(dots + (module or ""), self.module, self.facts.is_package)
            if dots
            else (module or "")
        )
        if absolute == "celery" or absolute.startswith("celery."):
            self.facts.imports_celery = True
        if not self.at_module_level() or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted(alias.name) or ""
            local = (
                alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            )
            self.facts.bindings[local] = f"{absolute}.{name}" if absolute else name

    # ------------------------------------------------------------------ definitions
    def _decorator_task(self, node: cst.FunctionDef) -> TaskCandidate | None:
        """The first decorator that is (or may be) a task decorator."""
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            target = call.func if call is not None else expr
            names = self.qnames(target)
            definite = any(q in SHARED_TASK_DECORATORS for q in names)
            receiver = receiver_text = None
            if not definite and isinstance(target, cst.Attribute) and target.attr.value == "task":
                receiver_names = self.qnames(target.value)
                receiver = receiver_names[0] if receiver_names else None
                receiver_text = source(target.value)
                if receiver is None:
                    continue
            elif not definite:
                names = [q for q in names if not q.startswith(_IGNORED_DECORATOR_PREFIXES)]
                if not names or isinstance(target, cst.Attribute) and target.attr.value == "connect":
                    continue
            if call is not None:
                self.skip.add(id(call))
            decorator_name = next(
                (q for q in names if q in SHARED_TASK_DECORATORS), names[0] if names else f"{receiver}.task"
            )
            candidate = self._new_task(node, call, decorator_name, receiver, receiver_text, definite)
            if receiver is not None:
                candidate.receiver_relative = self._relative_import(target.value)
            return candidate
        return None

    def _new_task(
        self,
        node: cst.FunctionDef,
        call: cst.Call | None,
        decorator: str,
        receiver: str | None,
        receiver_text: str | None,
        definite: bool,
    ) -> TaskCandidate:
        line, column = self.def_position(node)
        options = _keywords(call) if call is not None else {}
        if call is not None:
            self._base_use(call)
        name = node.name.value
        qualname = self.qualname(name)
        task = TaskDef(
            file=self.file,
            line=line,
            column=column,
            module=self.module,
            function=qualname,
            kind="decorator",
            decorator=decorator,
            is_async=node.asynchronous is not None,
            options=options,
            end_line=self.end_line(node),
        )
        params = _param_names(node.params)
        if task.bind and params:
            params = params[1:]
        task.params = params
        self._name_task(task, name, options, node)
        positional = (
            [to_value(a.value) for a in call.args if a.keyword is None and not a.star] if call else []
        )
        if call is not None and decorator.endswith("periodic_task"):
            self._periodic_task(call, f"{self.module}.{qualname}")
        return TaskCandidate(
            positional=positional,
            task=task,
            decorator=decorator,
            receiver=receiver,
            receiver_text=receiver_text,
            definite=definite,
            path=f"{self.module}.{qualname}",
        )

    def _periodic_task(self, call: cst.Call, path: str) -> None:
        """Pre-4.0 ``@periodic_task(run_every=...)``: a Beat entry keyed by the task name."""
        arguments = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        line, column = self.position(call)
        entry = BeatEntry(file=self.file, line=line, column=column, origin="periodic_task")
        relative = arguments.get("relative")
        if "run_every" in arguments:
            entry.schedule = parse_schedule(
                arguments["run_every"],
                self.qnames,
                self.constants,
                relative=relative is not None and to_value(relative).value is True,
            )
        if "options" in arguments:
            entry.options = {"**": to_value(arguments["options"])}
        self.facts.beat.append(PendingBeat(entry=entry, receivers=[path]))

    def _base_use(self, call: cst.Call) -> None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "base":
                self._class_use(arg.value, "base=", None)

    def _name_task(
        self, task: TaskDef, short_name: str, options: dict[str, Value], node: cst.CSTNode
    ) -> None:
        """Celery's name: ``name=`` literal, else ``module.__name__``.

        (A ``__main__`` module is fixed by the project pass, which knows the app's main name.)
        """
        name = options.get("name")
        if name is not None and name.literal and isinstance(name.value, str):
            task.name = name.value
        elif name is not None and not (name.literal and name.value is None):
            task.name_static = False
            task.name = f"{self.module}.{short_name}"
            self.undecided(node, "C2A901", f"task name is computed at run time: name={name.value}")
        else:
            task.name = f"{self.module}.{short_name}"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        candidate = self._decorator_task(node)
        self._signal_decorators(node)
        path = f"{self.module}.{self.qualname(node.name.value)}"
        function = _Function(path=path, top_level=not self.functions)
        in_class = self.class_facts[-1] if self.scopes and self.scopes[-1][0] == "class" else None
        if candidate is not None:
            self.facts.tasks.append(candidate)
            function.task = candidate.task
            if candidate.task.bind:
                params = _param_names(node.params)
                function.self_name = params[0] if params else None
        elif in_class is not None and node.name.value == "run":
            line, column = self.def_position(node)
            params = _param_names(node.params)
            task = TaskDef(
                file=self.file,
                line=line,
                column=column,
                module=self.module,
                kind="class",
                is_async=node.asynchronous is not None,
                params=params[1:],
                end_line=self.end_line(node),
            )
            in_class.run_task = task
            function.task = task
            function.self_name = params[0] if params else None
        if in_class is not None:
            in_class.methods.append(node.name.value)
        self.functions.append(function)
        self.scopes.append(("function", node.name.value))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        function = self.functions.pop()
        self.scopes.pop()
        if function.wraps and function.has_return and function.task is None and function.top_level:
            self.facts.helpers[function.path] = sorted(set(function.wraps))
            self.facts.helper_params[function.path] = _param_names(node.params)
            self.scan.task_helpers.append(function.path)
        if not self.functions and not self.classes:
            params = _param_names(node.params)
            self.module_functions[node.name.value] = (
                params,
                node.asynchronous is not None,
                self.end_line(node),
            )

    def visit_Return(self, node: cst.Return) -> None:
        if self.functions:
            self.functions[-1].has_return = True

    def _signal_decorators(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            if isinstance(target, cst.Attribute) and target.attr.value == "connect":
                signal = self._signal_name(target.value)
                if signal is not None:
                    if isinstance(expr, cst.Call):
                        self.skip.add(id(expr))
                    line, column = self.def_position(node)
                    self.scan.signals.append(
                        SignalHandler(
                            file=self.file,
                            line=line,
                            column=column,
                            signal=signal,
                            function=self.qualname(node.name.value),
                        )
                    )

    def _signal_name(self, node: cst.BaseExpression) -> str | None:
        for q in self.qnames(node):
            head, _, last = q.rpartition(".")
            if last in CELERY_SIGNALS and (head.startswith("celery") or head == ""):
                return last
        if isinstance(node, cst.Attribute) and node.attr.value in APP_SIGNALS:
            return node.attr.value
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        facts = None
        if node.bases:
            line, column = self.def_position(node)
            qualname = self.qualname(node.name.value)
            options: dict[str, Value] = {}
            for statement in node.body.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        if (
                            isinstance(small, cst.Assign)
                            and len(small.targets) == 1
                            and isinstance(small.targets[0].target, cst.Name)
                        ):
                            options[small.targets[0].target.value] = to_value(small.value)
                        elif (
                            isinstance(small, cst.AnnAssign)
                            and isinstance(small.target, cst.Name)
                            and small.value is not None
                        ):
                            options[small.target.value] = to_value(small.value)
            facts = ClassFacts(
                path=f"{self.module}.{qualname}",
                name=node.name.value,
                file=self.file,
                line=line,
                column=column,
                end_line=self.end_line(node),
                bases=[self.qnames(base.value) for base in node.bases if base.keyword is None],
                bases_text=[source(base.value) for base in node.bases if base.keyword is None],
                methods=[],
                options=options,
            )
            self.facts.classes.append(facts)
        self.class_facts.append(facts)
        self.classes.append(node.name.value)
        self.scopes.append(("class", node.name.value))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.pop()
        self.scopes.pop()
        self.class_facts.pop()

    # ------------------------------------------------------------------ self uses, blocking calls
    def visit_Attribute(self, node: cst.Attribute) -> None:
        if id(node) in self.skip:
            return
        owner = self.current_task()
        if owner is None or owner.self_name is None:
            return
        text = dotted(node)
        if text and text.startswith(owner.self_name + "."):
            self._mark_inner(node)
            owner.task.self_uses.append(
                SelfUse(attr=text[len(owner.self_name) + 1 :], line=self.position(node)[0])
            )

    def _mark_inner(self, node: cst.BaseExpression) -> None:
        while isinstance(node, cst.Attribute):
            self.skip.add(id(node))
            node = node.value

    def _self_call(self, node: cst.Call) -> bool:
        owner = self.current_task()
        if owner is None or owner.self_name is None or not isinstance(node.func, cst.Attribute):
            return False
        text = dotted(node.func)
        if not text or not text.startswith(owner.self_name + "."):
            return False
        self._mark_inner(node.func)
        owner.task.self_uses.append(
            SelfUse(
                attr=text[len(owner.self_name) + 1 :], line=self.position(node)[0], call_args=_keywords(node)
            )
        )
        return True

    def _blocking(self, node: cst.Call, names: list[str]) -> None:
        owner = self.current_task()
        if owner is None or not owner.task.is_async:
            return
        if any(q in BLOCKING_CALLS or q.startswith(BLOCKING_PREFIXES) for q in names):
            line, column = self.position(node)
            owner.task.blocking_calls.append(Located(file=self.file, line=line, column=column))

    # ------------------------------------------------------------------ calls
    def visit_Call(self, node: cst.Call) -> None:
        if id(node) in self.skip:
            return
        func = node.func
        names = self.qnames(func)
        if self._self_call(node):
            return
        self._blocking(node, names)
        if self.functions and (
            any(q in SHARED_TASK_DECORATORS for q in names)
            or (isinstance(func, cst.Attribute) and func.attr.value == "task" and self.qnames(func.value))
        ):
            wrapped = names[0] if names else source(func)
            for function in self.functions:
                if function.task is None:
                    function.wraps.append(wrapped)
        if isinstance(func, cst.Call) and any(
            CANVAS_FUNCTIONS.get(q) == "chord" for q in self.qnames(func.func)
        ):
            # chord(header)(body): one chord use with the body task
            self.skip.add(id(func))
            self._canvas(node, "chord", node)
        elif isinstance(func, cst.Name | cst.Attribute) and any(
            q in CANVAS_FUNCTIONS
            or q in SIGNATURE_FUNCTIONS
            or (q.endswith(".AsyncResult") and q.startswith("celery"))
            for q in names
        ):
            self._function_call(node, names)
        elif isinstance(func, cst.Attribute):
            self._method_call(node, func, names)

    def _method_call(self, node: cst.Call, func: cst.Attribute, names: list[str]) -> None:
        attr = func.attr.value
        receiver = func.value
        if attr in ("delay", "apply_async") or attr in SIGNATURE_METHODS:
            self._task_call(node, attr, receiver)
        elif attr == "apply":
            self._apply_call(node, receiver)
        elif attr == "get" or attr == "revoke":
            if self._is_result(receiver):
                self._call_site(
                    node, attr, self._result_receivers(receiver), source(receiver), True, _keywords(node)
                )
            elif attr == "revoke" and ".control" in (dotted(receiver) or ""):
                self._call_site(node, "revoke", [], source(receiver), True, _keywords(node))
        elif attr == "AsyncResult":
            self._call_site(
                node, "AsyncResult", self.qnames(receiver), source(receiver), self.facts.imports_celery, {}
            )
        elif attr == "send_task":
            self._send_task(node)
        elif ".control" in (dotted(func) or "") and (self.facts.imports_celery or self.mentions_celery):
            self._call_site(node, "control", [], source(func), True, _keywords(node))
        elif attr == "connect":
            signal = self._signal_name(receiver)
            if signal is not None:
                line, column = self.position(node)
                target = node.args[0].value if node.args else None
                self.scan.signals.append(
                    SignalHandler(
                        file=self.file,
                        line=line,
                        column=column,
                        signal=signal,
                        function=source(target) if target is not None else "",
                    )
                )
        elif attr == "register_task":
            if node.args:
                value = node.args[0].value
                cls = value.func if isinstance(value, cst.Call) else value
                self._class_use(cls, "registered", receiver)
        elif attr == "add_periodic_task":
            self._add_periodic_task(node, receiver)
        elif attr == "update" and isinstance(receiver, cst.Attribute) and receiver.attr.value == "conf":
            self._conf_update(node, receiver.value)
        elif (
            attr in ("from_mapping", "update")
            and isinstance(receiver, cst.Attribute)
            and receiver.attr.value == "config"
        ):
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "CELERY":
                    self._flask_celery_config(arg.value)
                elif arg.keyword is None and not arg.star:
                    for key, item in dict_items(arg.value, self.constants) or []:
                        if key == "CELERY":
                            self._flask_celery_config(item)
        elif attr == "config_from_object":
            self._app_setting(receiver, node, "config_from_object")
        elif attr == "autodiscover_tasks":
            self._app_setting(receiver, node, "autodiscover")
        elif attr in CANVAS_METHODS:
            self._canvas_method(node, attr, receiver)

    def _function_call(self, node: cst.Call, names: list[str]) -> None:
        for q in names:
            if q in CANVAS_FUNCTIONS:
                self._canvas(node, CANVAS_FUNCTIONS[q], node)
                return
            if q in SIGNATURE_FUNCTIONS:
                first = node.args[0].value if node.args else None
                name = string_value(first)
                self._call_site(
                    node,
                    "signature",
                    [],
                    name if name is not None else source(node.func),
                    True,
                    _keywords(node),
                    literal_name=name,
                )
                return
            if q.endswith(".AsyncResult") and q.startswith("celery"):
                self._call_site(node, "AsyncResult", [], source(node.func), True, {})
                return

    def _call_site(
        self,
        node: cst.Call,
        kind: str,
        receivers: list[str],
        target: str | None,
        record_unresolved: bool,
        options: dict[str, Value],
        literal_name: str | None = None,
    ) -> None:
        line, column = self.position(node)
        site = CallSite(file=self.file, line=line, column=column, kind=kind, target=target, options=options)
        if literal_name is not None:
            site.target = literal_name
        self.facts.calls.append(
            CallCandidate(
                site=site,
                receivers=receivers,
                enclosing=self.enclosing(),
                record_unresolved=record_unresolved,
            )
        )

    def _task_call(self, node: cst.Call, attr: str, receiver: cst.BaseExpression) -> None:
        if isinstance(receiver, cst.Call) and dotted(receiver.func) == "getattr":
            self.undecided(node, "C2A905", f"dynamic task target: {source(receiver)}.{attr}()")
        options = _keywords(node) if attr == "apply_async" else {}
        first = node.args[0].value if node.args and node.args[0].keyword is None else None
        literal_name = string_value(first) if attr == "signature" and first is not None else None
        receivers = self.qnames(receiver)
        if isinstance(receiver, cst.Name) and receiver.value in self._signature_vars():
            receivers = self._signature_vars()[receiver.value]  # sig = task.s(...); sig.apply_async()
        self._call_site(
            node,
            attr,
            receivers,
            short_text(receiver),
            self.facts.imports_celery,
            options,
            literal_name=literal_name,
        )
        self.facts.calls[-1].imported = self.imported_qnames(receiver)
        if attr == "apply_async":
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in ("link", "link_error"):
                    self._canvas(node, arg.keyword.value, arg.value, position_node=arg)

    def _apply_call(self, node: cst.Call, receiver: cst.BaseExpression) -> None:
        """``task.apply(...)``: Celery's eager local run. Kept only when the receiver resolves to a task
        (``apply`` is too common a method name: ``df.apply``, ``functools`` helpers, ...)."""
        options = _keywords(node)
        positional = [a for a in node.args if a.keyword is None and not a.star]
        for name, arg in zip(_APPLY_POSITIONAL[2:], positional[2:], strict=False):
            options.setdefault(name, to_value(arg.value))
        receivers = self.qnames(receiver)
        if isinstance(receiver, cst.Name) and receiver.value in self._signature_vars():
            receivers = self._signature_vars()[receiver.value]  # sig = task.s(...); sig.apply()
        self._call_site(node, "apply", receivers, short_text(receiver), False, options)

    def _send_task(self, node: cst.Call) -> None:
        first = node.args[0].value if node.args and node.args[0].keyword is None else None
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "name":
                first = arg.value
        name = string_value(first) if first is not None else None
        if name is None:
            self.undecided(node, "C2A905", f"dynamic task name in send_task: {source(node)}")
        options = {k: v for k, v in _keywords(node).items() if k != "name"}
        self._call_site(
            node,
            "send_task",
            [],
            name if name is not None else source(first or node),
            True,
            options,
            literal_name=name,
        )

    def _is_result(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _RESULT_METHODS:
                return True
            return any(q.endswith(".AsyncResult") for q in self.qnames(func))
        if isinstance(node, cst.Name):
            return node.value in self._results()
        return False

    def _result_receivers(self, node: cst.BaseExpression) -> list[str]:
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("delay", "apply_async", "AsyncResult")
        ):
            return self.qnames(node.func.value)
        if isinstance(node, cst.Name):
            return self._results().get(node.value, [])
        return []

    def _results(self) -> dict[str, list[str]]:
        return self.functions[-1].result_vars if self.functions else self.module_results

    def _signature_vars(self) -> dict[str, list[str]]:
        return self.functions[-1].signature_vars if self.functions else self.module_signatures

    # ------------------------------------------------------------------ canvas
    def _canvas(
        self,
        node: cst.Call | cst.BinaryOperation,
        kind: str,
        inner: cst.CSTNode,
        position_node: cst.CSTNode | None = None,
    ) -> None:
        line, column = self.position(position_node or node)
        signatures = []
        names = []
        for call in _signature_calls(inner):
            assert isinstance(call.func, cst.Attribute)
            signatures.append(self.qnames(call.func.value))
        for call in _literal_signature_calls(inner):
            names.append(call)
        variables = self._signature_vars()
        if variables:
            # chain(first, second) with first = task.s(...) earlier in the same body
            signatures.extend(variables[n.value] for n in _names(inner) if n.value in variables)
        use = CanvasUse(file=self.file, line=line, column=column, kind=kind)
        self.facts.canvas.append(CanvasCandidate(use=use, signatures=signatures, names=names))

    def _canvas_method(self, node: cst.Call, attr: str, receiver: cst.BaseExpression) -> None:
        line, column = self.position(node)
        use = CanvasUse(file=self.file, line=line, column=column, kind=CANVAS_METHODS[attr])
        if CANVAS_METHODS[attr] in ("link", "link_error"):
            if not _signature_calls(receiver) and not self.facts.imports_celery:
                return
            signatures = [self.qnames(c.func.value) for c in _signature_calls(node)]  # type: ignore[union-attr]
            self.facts.canvas.append(CanvasCandidate(use=use, signatures=signatures, names=[]))
        else:
            # task.chunks(...)/task.map(...): only a canvas use when the receiver is a task
            self.facts.canvas.append(CanvasCandidate(use=use, signatures=[self.qnames(receiver)], names=[]))
            use.kind = "?" + use.kind  # the project pass keeps it only if the receiver is a task

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if id(node) in self.canvas_inner or not isinstance(node.operator, cst.BitOr):
            return
        if not self._is_signature_like(node):
            return
        inner = node.left
        while isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.BitOr):
            self.canvas_inner.add(id(inner))
            inner = inner.left
        self._canvas(node, "pipe", node)

    def _is_signature_like(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._is_signature_like(node.left) or self._is_signature_like(node.right)
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in SIGNATURE_METHODS:
                return True
            return any(q in CANVAS_FUNCTIONS or q in SIGNATURE_FUNCTIONS for q in self.qnames(func))
        return False

    # ------------------------------------------------------------------ assignments
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assignment(target.target, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assignment(node.target, node.value, node)

    def _assignment(self, target: cst.BaseExpression, value: cst.BaseExpression, node: cst.CSTNode) -> None:
        if isinstance(target, cst.Name) and self.scopes and self.scopes[-1][0] == "class":
            # class attributes that replace Celery machinery (Request = ..., Strategy = ...)
            if target.value in TASK_METHODS:
                self.class_facts[-1].methods.append(target.value)
            if not self.functions:
                self._class_setting(target.value, value, node)
            return
        if isinstance(target, cst.Name):
            if self._is_result(value):
                self._results()[target.value] = self._result_receivers(value)
            elif _is_eager_apply(value):
                self._results().pop(target.value, None)  # r = task.apply(): an EagerResult from here on
            elif (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Attribute)
                and value.func.attr.value in SIGNATURE_METHODS
            ):
                self._signature_vars()[target.value] = self.qnames(value.func.value)
            if not self.at_module_level():
                # an app built in a factory function (Flask's celery_init_app): path with <locals>
                if isinstance(value, cst.Call) and any(
                    q in CELERY_APP_CLASSES for q in self.qnames(value.func)
                ):
                    self._app(self.qualname(target.value), value, node)
                return
            name = target.value
            self.constants[name] = value
            self._export_constant(name, value)
            if isinstance(value, cst.Call):
                names = self.qnames(value.func)
                if any(q in CELERY_APP_CLASSES for q in names):
                    self._app(name, value, node)
                    return
                self._task_from_call(value, node, alias=name)
            elif isinstance(value, cst.Name | cst.Attribute):
                names = self.qnames(value)
                if names:
                    self.facts.aliases[name] = names[0]
            self._module_setting(name, value, node)
        elif isinstance(target, cst.Attribute):
            text = dotted(target) or ""
            head, _, last = text.rpartition(".")
            if head.endswith(".conf") or head == "conf":
                self._conf_setting(last, value, node, target.value, origin=f"conf.{last}")
            elif last == "Task" and head:
                self._class_use(value, "app.Task", target.value)
        elif (
            isinstance(target, cst.Subscript)
            and isinstance(target.value, cst.Attribute)
            and target.value.attr.value == "conf"
            and len(target.slice) == 1
        ):
            element = target.slice[0].slice
            key = string_value(element.value) if isinstance(element, cst.Index) else None
            if key is not None:
                self._conf_setting(key, value, node, target.value, origin="conf[]")
        elif (
            isinstance(target, cst.Subscript)
            and (dotted(target.value) or "").rpartition(".")[2] in BEAT_SCHEDULE_SPELLINGS
            and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
            and string_value(target.slice[0].slice.value) is not None
        ):
            # CELERY_BEAT_SCHEDULE["name"] = {...} / app.conf.beat_schedule["name"] = {...}
            key = string_value(target.slice[0].slice.value)
            entry, task_expr = beat_entry(
                key,
                value,
                self.position(value),
                self.file,
                (dotted(target.value) or "").rpartition(".")[2],
                self.qnames,
                self.constants,
            )
            owner = target.value.value if isinstance(target.value, cst.Attribute) else None
            app_names = self.qnames(owner.value) if isinstance(owner, cst.Attribute) else None
            self._store_beat(entry, task_expr, app_names, None, value)
        elif (
            isinstance(target, cst.Subscript)
            and isinstance(target.value, cst.Attribute)
            and target.value.attr.value == "config"
            and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
            and string_value(target.slice[0].slice.value) == "CELERY"
        ):
            self._flask_celery_config(value)

    def visit_Expr(self, node: cst.Expr) -> None:
        if self.at_module_level() and isinstance(node.value, cst.Call):
            self._task_from_call(node.value, node, alias=None)

    def _task_from_call(self, call: cst.Call, node: cst.CSTNode, alias: str | None) -> None:
        """``send = app.task(send_email)``, ``shared_task(name="x")(fn)``, ``app.task(fn, bind=True)``."""
        factory = call.func
        options = {}
        if isinstance(factory, cst.Call):
            options = _keywords(factory)
            factory = factory.func
        else:
            options = _keywords(call)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if len(positional) != 1 or not isinstance(positional[0], cst.Name | cst.Lambda):
            return
        names = self.qnames(factory)
        definite = any(q in SHARED_TASK_DECORATORS for q in names)
        receiver = receiver_text = None
        if not definite:
            if not (isinstance(factory, cst.Attribute) and factory.attr.value == "task"):
                return
            receiver_names = self.qnames(factory.value)
            if not receiver_names:
                return
            receiver, receiver_text = receiver_names[0], source(factory.value)
        if isinstance(call.func, cst.Call):
            self.skip.add(id(call.func))
            self._base_use(call.func)
        else:
            self._base_use(call)
        target = positional[0]
        if isinstance(target, cst.Lambda):
            function = "<lambda>"
            params, is_async, end_line = _param_names(target.params), False, 0
        else:
            function = target.value
            params, is_async, end_line = self.module_functions.get(function, ([], False, 0))
        line, column = self.position(node)
        decorator = next((q for q in names if q in SHARED_TASK_DECORATORS), f"{receiver}.task")
        task = TaskDef(
            file=self.file,
            line=line,
            column=column,
            module=self.module,
            function=function,
            kind="call",
            decorator=decorator,
            is_async=is_async,
            options=options,
            end_line=end_line or line,
        )
        task.params = params[1:] if task.bind and params else params
        self._name_task(task, function, options, node)
        aliases = [f"{self.module}.{alias}"] if alias else []
        if function == "<lambda>" and not aliases:
            return  # an anonymous task nobody can call: nothing to link
        self.facts.tasks.append(
            TaskCandidate(
                task=task,
                decorator=decorator,
                receiver=receiver,
                receiver_text=receiver_text,
                definite=definite,
                path=f"{self.module}.{function}",
                aliases=aliases,
            )
        )

    # ------------------------------------------------------------------ apps and settings
    def _app(self, name: str, call: cst.Call, node: cst.CSTNode) -> None:
        line, column = self.position(node)
        app = AppDef(file=self.file, line=line, column=column, path=f"{self.module}.{name}")
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if positional:
            app.main = string_value(positional[0].value)
        for arg in call.args:
            if arg.keyword is None:
                continue
            key = arg.keyword.value
            if key == "main":
                app.main = string_value(arg.value)
            elif key == "task_cls":
                text = string_value(arg.value)
                app.task_cls = text if text is not None else source(arg.value)
                if text is not None:
                    self.facts.class_uses.append(
                        ClassUse(
                            qnames=[text.replace(":", ".")],
                            used_as="task_cls",
                            file=self.file,
                            line=line,
                            column=column,
                            app=app.path,
                        )
                    )
                else:
                    self._class_use(arg.value, "task_cls", None, app=app.path)
            elif key in CONSTRUCTOR_SETTINGS:
                setting = self._setting(CONSTRUCTOR_SETTINGS[key], key, arg.value, arg)
                setting.app = app.path
            elif key == "config_source":
                app.config_from_object = string_value(arg.value) or source(arg.value)
        self.scan.apps.append(app)

    def _app_setting(self, receiver: cst.BaseExpression, call: cst.Call, what: str) -> None:
        names = self.qnames(receiver)
        if not names:
            return
        record: dict[str, object] = {"kind": what, "app": names}
        if what == "config_from_object":
            first = call.args[0].value if call.args else None
            record["value"] = (string_value(first) or source(first)) if first is not None else None
            if first is not None and string_value(first) is None:
                record["qnames"] = self.qnames(first)  # config_from_object(Config): the class's path
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "namespace":
                    record["namespace"] = string_value(arg.value)
        self.scan.unresolved_decorators.append(record)

    def _setting(
        self,
        name: str,
        spelled: str,
        value: cst.BaseExpression,
        node: cst.CSTNode,
        app_names: list[str] | None = None,
        store: bool = True,
    ) -> Setting:
        line, column = self.position(node)
        setting = Setting(
            file=self.file,
            line=line,
            column=column,
            name=name,
            spelled=spelled,
            value=to_value(resolve_constant(value, self.constants)),
        )
        setting.env = env_lookup(value, self.qnames, self.constants)
        if setting.env is None and name in ENV_SENSITIVE_SETTINGS and is_unknown_value(value, self.constants):
            self.undecided(node, "C2A903", f"{spelled} cannot be read statically: {source(value)}")
        if name == "beat_scheduler":
            text = string_value(resolve_constant(value, self.constants)) or source(value)
            if any(hint in text for hint in DATABASE_SCHEDULERS):
                self.undecided(node, "C2A902", f"the Beat schedule lives in the database ({text})")
        if store:
            self.scan.settings.append(setting)
        if app_names:
            self.facts.app_refs.append((setting, app_names))
        return setting

    def _module_setting(self, name: str, value: cst.BaseExpression, node: cst.CSTNode) -> None:
        new = SETTING_SPELLINGS.get(name)
        if new is None:
            return
        if name.islower():
            setting = self._setting(new, name, value, node, store=False)
            if self.celery_config_module:
                self.scan.settings.append(setting)
            else:
                self.facts.lowercase_settings.append(PendingSetting(setting=setting, module=self.module))
            if name in BEAT_SCHEDULE_SPELLINGS:
                self._beat_dict(
                    value, node, name, None, only_if_config=None if self.celery_config_module else self.module
                )
            return
        if not (self.mentions_celery or self.settings_like):
            return
        self._setting(new, name, value, node)
        if name in BEAT_SCHEDULE_SPELLINGS:
            self._beat_dict(value, node, name, None)

    def _class_setting(self, name: str, value: cst.BaseExpression, node: cst.CSTNode) -> None:
        """``class Config: broker_url = ...``: a setting only if ``config_from_object`` loads the class, so
        it is held back with its undecided records until the project pass knows."""
        new = SETTING_SPELLINGS.get(name)
        if new is None:
            return
        path = ".".join([self.module, *(scope for _, scope in self.scopes)])
        first_undecided = len(self.scan.undecided)
        setting = self._setting(new, name, value, node, store=False)
        if name in BEAT_SCHEDULE_SPELLINGS:
            self._beat_dict(value, node, name, None, only_if_config=path)
        deferred = self.scan.undecided[first_undecided:]
        del self.scan.undecided[first_undecided:]
        self.facts.class_settings.append(PendingSetting(setting=setting, module=path, undecided=deferred))

    def _conf_setting(
        self,
        key: str,
        value: cst.BaseExpression,
        node: cst.CSTNode,
        app_expr: cst.BaseExpression,
        origin: str,
    ) -> None:
        new = SETTING_SPELLINGS.get(key)
        if new is None:
            return
        conf_owner = app_expr.value if isinstance(app_expr, cst.Attribute) else app_expr
        app_names = self.qnames(conf_owner)
        self._setting(new, key, value, node, app_names=app_names)
        if new == "beat_schedule":
            self._beat_dict(value, node, origin, app_names)

    def _conf_update(self, call: cst.Call, app_expr: cst.BaseExpression) -> None:
        app_names = self.qnames(app_expr)
        for arg in call.args:
            if arg.keyword is not None:
                self._update_item(arg.keyword.value, arg.value, arg, app_names)
            elif arg.star == "":
                for key, value in dict_items(arg.value, self.constants) or []:
                    self._update_item(key, value, arg, app_names)

    def _update_item(
        self,
        key: str,
        value: cst.BaseExpression,
        node: cst.CSTNode,
        app_names: list[str],
        origin: str = "conf.update",
    ) -> None:
        new = SETTING_SPELLINGS.get(key)
        if new is None:
            return
        self._setting(new, key, value, node, app_names=app_names)
        if new == "beat_schedule":
            self._beat_dict(value, node, origin, app_names)

    def _flask_celery_config(self, value: cst.BaseExpression) -> None:
        """Flask's documented setup: ``app.config.from_mapping(CELERY=dict(broker_url=..., ...))``."""
        for key, item in dict_items(value, self.constants) or []:
            self._update_item(key, item, item, [], origin="flask_config")

    def _class_use(
        self,
        value: cst.BaseExpression,
        used_as: str,
        app_expr: cst.BaseExpression | None,
        app: str | None = None,
    ) -> None:
        names = self.qnames(value)
        text = string_value(value)
        if text is not None:
            names = [text.replace(":", ".")]
        if not names:
            return
        line, column = self.position(value)
        use = ClassUse(qnames=names, used_as=used_as, file=self.file, line=line, column=column, app=app)
        if app_expr is not None:
            app_names = self.qnames(app_expr)
            if app_names:
                self.facts.app_refs.append((use, app_names))
        self.facts.class_uses.append(use)

    # ------------------------------------------------------------------ beat
    def _beat_dict(
        self,
        value: cst.BaseExpression,
        node: cst.CSTNode,
        origin: str,
        app_names: list[str] | None,
        only_if_config: str | None = None,
    ) -> None:
        items = dict_items(value, self.constants)
        if items is None:
            if only_if_config is None:
                self.undecided(node, "C2A902", f"Beat schedule is not a literal dict: {source(value)}")
            return
        for key, entry_value in items:
            entry, task_expr = beat_entry(
                key, entry_value, self.position(entry_value), self.file, origin, self.qnames, self.constants
            )
            self._store_beat(entry, task_expr, app_names, only_if_config, entry_value)

    def _store_beat(
        self,
        entry: BeatEntry,
        task_expr: cst.BaseExpression | None,
        app_names: list[str] | None,
        only_if_config: str | None,
        node: cst.CSTNode,
    ) -> None:
        pending = PendingBeat(entry=entry, receivers=[], only_if_config=only_if_config)
        if task_expr is not None:
            # "task": send_email.name -> the task object's name
            inner = (
                task_expr.value
                if isinstance(task_expr, cst.Attribute) and task_expr.attr.value == "name"
                else task_expr
            )
            pending.receivers = self.qnames(inner)
            self._ref(pending, "task", task_expr)
        fields = dict(dict_items(node, self.constants) or []) if isinstance(node, cst.BaseExpression) else {}
        for key in ("args", "kwargs"):
            value = getattr(entry, key)
            if key in fields and value is not None and not value.literal:
                self._ref(pending, key, resolve_constant(fields[key], self.constants))
        if entry.schedule is not None and entry.schedule.kind == "unknown":
            if only_if_config is None:
                message = (
                    f"Beat schedule of {entry.name!r} cannot be read statically: {entry.schedule.source}"
                )
                self._schedule_undecided(pending, fields.get("schedule"), node, message)
            else:
                self._ref(pending, "schedule", fields.get("schedule"))
        self.facts.beat.append(pending)
        if app_names:
            self.facts.app_refs.append((entry, app_names))

    def _add_periodic_task(self, call: cst.Call, receiver: cst.BaseExpression) -> None:
        """``add_periodic_task(schedule, sig, args=(), kwargs=(), name=None, **opts)``: see ``periodic``."""
        args: dict[str, cst.BaseExpression] = {}
        positional = [a for a in call.args if a.keyword is None and not a.star]
        order = ("schedule", "sig", "args", "kwargs", "name")
        for index, arg in enumerate(positional):
            if index < len(order):
                args[order[index]] = arg.value
        for arg in call.args:
            if arg.keyword is not None:
                args[arg.keyword.value] = arg.value
        line, column = self.position(call)
        name = string_value(args.get("name"))
        sig = args.get("sig")
        entry = BeatEntry(
            file=self.file, line=line, column=column, name=name or "", origin="add_periodic_task"
        )
        if "schedule" in args:
            entry.schedule = parse_schedule(args["schedule"], self.qnames, self.constants)
        signature = read_signature(sig, self.qnames, self._signature_vars()) if sig is not None else None
        pending = PendingBeat(entry=entry, receivers=[])
        if signature is not None:
            self.skip.update(id(c) for c in signature.calls)
            pending.receivers = signature.receivers
            entry.task = signature.task
            pending.unresolved = f"the task of add_periodic_task's signature is not known: {source(sig)}"
            self._periodic_arguments(entry, pending, signature, args)
        elif sig is not None:
            self.undecided(
                call, "C2A902", f"add_periodic_task signature cannot be read statically: {source(sig)}"
            )
        if not entry.name:
            entry.name = source(sig) if sig is not None else ""
            if pending.repr_arguments is not None:
                pending.name_from_repr = True
                if entry.task is not None:
                    entry.name = f"{entry.task}({pending.repr_arguments})"
        for key, value in args.items():
            if key not in ("schedule", "sig", "args", "kwargs", "name"):
                entry.options[key] = to_value(value)
        if entry.schedule is not None and entry.schedule.kind == "unknown":
            message = f"Beat schedule cannot be read statically: {entry.schedule.source}"
            self._schedule_undecided(pending, args.get("schedule"), call, message)
        self.facts.beat.append(pending)
        names = self.qnames(receiver)
        if names:
            self.facts.app_refs.append((entry, names))

    # ------------------------------------------------------------------ constants across modules
    def _export_constant(self, name: str, value: cst.BaseExpression) -> None:
        """Module-level constants another module may import into its Beat schedule."""
        literal = to_value(value)
        if literal.literal:
            self.facts.constant_values[name] = literal
        elif isinstance(value, cst.Call):
            schedule = parse_schedule(value, self.qnames, self.constants)
            if schedule.kind != "unknown":
                self.facts.constant_schedules[name] = schedule

    def _ref(self, pending: PendingBeat, key: str, node: cst.BaseExpression | None) -> bool:
        """Record that Beat field ``key`` is a name imported from another module; True if it is."""
        node = resolve_constant(node, self.constants) if node is not None else None
        if not isinstance(node, cst.Name | cst.Attribute):
            return False
        names = self.imported_qnames(node)
        if names:
            pending.refs[key] = names
        return bool(names)

    def _schedule_undecided(
        self, pending: PendingBeat, value: cst.BaseExpression | None, node: cst.CSTNode, message: str
    ) -> None:
        """C2A902 now, or (for an imported name) once the project pass failed to resolve it."""
        if self._ref(pending, "schedule", value):
            line, column = self.position(node)
            pending.schedule_undecided = Undecided(
                file=self.file, line=line, column=column, code="C2A902", message=message
            )
        else:
            self.undecided(node, "C2A902", message)

    @staticmethod
    def _periodic_arguments(
        entry: BeatEntry,
        pending: PendingBeat,
        signature: PeriodicSignature,
        call_args: dict[str, cst.BaseExpression],
    ) -> None:
        """Celery's ``sig.clone(args, kwargs)``: call args first, kwargs merged (unless immutable)."""
        extra_args = [] if signature.immutable else sequence(call_args.get("args"))
        extra_kwargs = {} if signature.immutable else mapping(call_args.get("kwargs"))
        sig_args, sig_kwargs = signature.args, signature.kwargs
        if extra_args is not None and sig_args is not None:
            merged = [*extra_args, *sig_args]
            if merged:
                entry.args = to_value(cst.List([cst.Element(v) for v in merged]))
        else:
            entry.args = Value(
                literal=False, value=_joined(call_args.get("args"), sig_args, signature.args_text)
            )
        if extra_kwargs is not None and sig_kwargs is not None:
            kwargs = {**sig_kwargs, **extra_kwargs}
            if kwargs:
                entry.kwargs = to_value(
                    cst.Dict([cst.DictElement(cst.SimpleString(repr(k)), v) for k, v in kwargs.items()])
                )
                if not entry.kwargs.literal:
                    entry.kwargs = Value(
                        literal=False, value=", ".join(f"{k}={source(v)}" for k, v in kwargs.items())
                    )
            if sig_args is not None and extra_args is not None:
                pending.repr_arguments = repr_arguments([*extra_args, *sig_args], kwargs)
        else:
            parts = [signature.kwargs_text if sig_kwargs is None else source(_dict(sig_kwargs))]
            if "kwargs" in call_args and not signature.immutable:
                parts.append(source(call_args["kwargs"]))
            entry.kwargs = Value(literal=False, value=" | ".join(p for p in parts if p and p != "{}"))
        for key, value in signature.options.items():
            entry.options[key] = to_value(value)


def _joined(extra: cst.BaseExpression | None, args: list[cst.BaseExpression] | None, args_text: str) -> str:
    """Source text of the task arguments (call args first) when they are not a static sequence."""
    parts = [source(extra)] if extra is not None else []
    if args is None:
        parts.append(args_text)
    elif args:
        parts.append("(" + ", ".join(source(a) for a in args) + ",)")
    return " + ".join(p for p in parts if p) or "()"


def _dict(items: dict[str, cst.BaseExpression]) -> cst.Dict:
    return cst.Dict([cst.DictElement(cst.SimpleString(repr(k)), v) for k, v in items.items()])


def short_text(node: cst.BaseExpression) -> str:
    """A one-line receiver text: ``chord(...).on_error(...)`` rather than the whole multi-line call."""
    full = source(node)
    if "\n" not in full and len(full) <= 100:
        return full
    if isinstance(node, cst.Call):
        return f"{short_text(node.func)}(...)" if node.args else f"{short_text(node.func)}()"
    if isinstance(node, cst.Attribute):
        return f"{short_text(node.value)}.{node.attr.value}"
    text = " ".join(source(node).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _names(node: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Finder(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)  # `x.attr`: only `x` can be a variable
            return False

    node.visit(_Finder())
    return found


def _literal_signature_calls(node: cst.CSTNode) -> list[str]:
    """Task names given as strings to ``signature("name")`` / ``app.signature("name")`` inside ``node``."""
    found: list[str] = []

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> bool:
            last = (dotted(call.func) or "").rpartition(".")[2]
            if last in ("signature", "Signature", "subtask") and call.args and call.args[0].keyword is None:
                name = string_value(call.args[0].value)
                if name is not None:
                    found.append(name)
            return True

    node.visit(_Finder())
    return found
