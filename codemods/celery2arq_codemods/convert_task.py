"""Celery task functions → ``@arq_task`` functions taking ``ctx``.

``@shared_task(bind=True, max_retries=3)`` on ``def send(self, to)`` becomes
``@arq_task(name="proj.tasks.send", max_retries=3)`` on ``def send(ctx, to)``: the Celery
name is kept (ARQ function name = Celery task name) and so are Celery's option names, so the
runtime applies Celery's exact semantics. Bodies stay sync (run in a thread) unless provably
non-blocking; untranslatable tasks are left in place with a ``# celery2arq: C2A###`` comment.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.metadata import QualifiedNameProvider

from celery2arq_codemods import _names, shim_group
from celery2arq_codemods._task_body import BodyRewriter, Problem, parent_map, read_body
from celery2arq_codemods._tidy import strip_new_leading_blank_lines


@dataclass
class _TaskDecorator:
    index: int  # position in the decorator list
    call: cst.Call | None
    app: str | None  # dotted path of the app for ``@app.task``, None for ``shared_task``


def _literal_string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _quoted(text: str) -> cst.SimpleString:
    """A double-quoted string literal (the common style), ``repr`` when quoting needs escapes."""
    return cst.SimpleString(f'"{text}"' if '"' not in text and "\\" not in text else repr(text))


def _is_true(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


class ConvertTaskCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Turn Celery tasks into @arq_task functions taking ctx (Celery names and options kept)."
    METADATA_DEPENDENCIES = shim_group.METADATA

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
        super().__init__(context)
        self._depth = 0
        self._local_apps: set[str] = set()
        self._converted_here = False

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """Run the codemod and LibCST's import fix-ups, then drop blank lines a removed import left on top."""
        return strip_new_leading_blank_lines(tree, super().transform_module(tree))

    # -- what is an app, what is a task -------------------------------------------------------

    def _qnames(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def _absolute(self, dotted: str) -> str:
        """Resolve ``.celery.app`` against this file's package."""
        if not dotted.startswith("."):
            return dotted
        level = len(dotted) - len(dotted.lstrip("."))
        package = (self.context.full_package_name or "").split(".") if self.context.full_package_name else []
        base = package[: len(package) - (level - 1)] if level > 1 else package
        return ".".join([*base, dotted.lstrip(".")]) if base else dotted.lstrip(".")

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._depth == 0 and isinstance(node.value, cst.Call):
            if self._qnames(node.value) & _names.CELERY_APP_CLASSES:
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        self._local_apps.add(target.target.value)

    def _is_app(self, base: cst.BaseExpression) -> tuple[bool, str | None]:
        names = self._qnames(base)
        module = self.context.full_module_name
        for name in names:
            if name in self._local_apps:
                return True, f"{module}.{name}" if module else name
        known = self.context.scratch.get(_names.SCRATCH_KNOWN_APPS)
        absolute = {self._absolute(n) for n in names}
        if known is not None:
            hit = next((n for n in sorted(absolute) if n in known), None)
            return hit is not None, hit
        conventional = isinstance(base, cst.Name) and base.value in _names.CONVENTIONAL_APP_NAMES
        return conventional, (sorted(absolute)[0] if absolute and conventional else None)

    def _task_decorator(self, node: cst.FunctionDef) -> _TaskDecorator | None:
        for index, decorator in enumerate(node.decorators):
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            target = call.func if call else expr
            if self._qnames(target) & _names.SHARED_TASK_DECORATORS:
                return _TaskDecorator(index, call, None)
            if isinstance(target, cst.Attribute) and target.attr.value == "task":
                is_app, app = self._is_app(target.value)
                if is_app:
                    return _TaskDecorator(index, call, app)
        return None

    # -- traversal ----------------------------------------------------------------------------

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        """Once a task here is converted, its ``.s()`` are shim signatures, which Celery's ``group`` cannot
        send: import the shim's fan-out ``group`` instead (C2A302), unless a group may feed a chain/chord."""
        if not self._converted_here:
            return updated_node
        return shim_group.use_shim_group(self, original_node, updated_node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self._depth -= 1
        return updated_node

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._depth -= 1
        if self._depth != 0:
            return updated_node
        found = self._task_decorator(original_node)
        project = self.context.scratch.get(_names.SCRATCH_PROJECT_TASKS)
        if project is not None:
            task = project.get(original_node.name.value)
            found = (
                None
                if self._is_converted(original_node)
                else self._project_decorator(original_node, found, task)
            )
        if found is None:
            return updated_node
        if self._task_info(original_node).get("decorator") in _names.PERIODIC_TASK_DECORATORS:
            module = self.context.full_module_name
            problem = Problem(
                _names.CODE_UNKNOWN_OPTION,
                "pre-4.0 `@periodic_task`: move its run_every= to beat_schedule first; left on Celery",
            )
            return self._mark(original_node, f"{module}.{original_node.name.value}", problem)
        return self._convert(original_node, found)

    def _is_converted(self, node: cst.FunctionDef) -> bool:
        """Already an ``@arq_task`` (a rerun over a stale scan must change nothing)."""
        return any(
            f"{_names.SHIM_MODULE}.arq_task"
            in self._qnames(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
            for d in node.decorators
        )

    @staticmethod
    def _project_decorator(
        node: cst.FunctionDef, found: _TaskDecorator | None, task: dict | None
    ) -> _TaskDecorator | None:
        """The scan decides what is a task (``@st``, ``shared = c.shared_task; @shared`` included).

        When the codemod's own reading does not recognise the decorator, it is the outermost one:
        Celery's decorator must be outermost for the function to be the registered task.
        """
        if task is None or task.get("kind") != "decorator" or not node.decorators:
            return None
        if found is None:
            expr = node.decorators[0].decorator
            found = _TaskDecorator(0, expr if isinstance(expr, cst.Call) else None, None)
        if found.app is None and task.get("app"):
            found.app = task["app"]
        return found

    # -- conversion ---------------------------------------------------------------------------

    def _mark(self, node: cst.FunctionDef, task: str, problem: Problem) -> cst.FunctionDef:
        """Leave the task alone, with a comment naming the rule (once: reruns change nothing)."""
        left = self.context.scratch.setdefault(_names.SCRATCH_LEFT, [])
        left.append(
            {"name": task, "function": node.name.value, "code": problem.code, "message": problem.message}
        )
        return self._note(node, task, problem)

    def _note(self, node: cst.FunctionDef, task: str, problem: Problem) -> cst.FunctionDef:
        """A warning and a ``# celery2arq: C2A###`` comment on the task (once: reruns change nothing)."""
        self.warn(f"{problem.code}: {problem.message} ({task})")
        text = f"{_names.COMMENT_PREFIX}{problem.code} {problem.message}"
        if any(
            line.comment and line.comment.value.startswith(f"{_names.COMMENT_PREFIX}{problem.code}")
            for line in node.leading_lines
        ):
            return node
        comment = cst.EmptyLine(comment=cst.Comment(text))
        return node.with_changes(leading_lines=[*node.leading_lines, comment])

    def _convert(self, node: cst.FunctionDef, found: _TaskDecorator) -> cst.FunctionDef:
        options = {arg.keyword.value: arg for arg in (found.call.args if found.call else ()) if arg.keyword}
        module = self.context.full_module_name
        name_arg = options.get("name")
        celery_name = (
            _literal_string(name_arg.value)
            if name_arg
            else (f"{module}.{node.name.value}" if module else None)
        )
        label = celery_name or node.name.value
        leave = self.context.scratch.get(_names.SCRATCH_LEAVE_TASKS, ())
        if celery_name in leave or f"def:{module}.{node.name.value}" in leave:
            return node  # verdict ``celery``: untouched, byte for byte
        if found.call and any(not arg.keyword and arg.star != "**" for arg in found.call.args):
            return self._mark(
                node,
                label,
                Problem(_names.CODE_COMPUTED_OPTION, "positional decorator arguments; left on Celery"),
            )
        spread = [self._source(arg.value) for arg in (found.call.args if found.call else ()) if arg.star]
        first = node.params.params[0].name.value if node.params.params else None
        if spread and "bind" not in options and first == "self":
            return self._mark(
                node,
                label,
                Problem(
                    _names.CODE_COMPUTED_OPTION,
                    f"options spread from `**{spread[0]}` may hold bind=True (the body takes self); "
                    "left on Celery",
                ),
            )
        if celery_name is None and name_arg is None:
            return self._mark(
                node, label, Problem(_names.CODE_DYNAMIC_NAME, "module name unknown; left on Celery")
            )
        bind_arg = options.get("bind")
        bind = _is_true(bind_arg.value) if bind_arg else False
        if bind is None:
            return self._mark(
                node, label, Problem(_names.CODE_COMPUTED_OPTION, "`bind=` is not a literal; left on Celery")
            )
        params = list(node.params.params)
        if bind and (not params or node.params.posonly_params):
            return self._mark(
                node,
                label,
                Problem(_names.CODE_SELF_OTHER, "bound task without self; left on Celery"),
            )
        self_name = params[0].name.value if bind else None
        rest = params[1:] if bind else params
        all_params = [*node.params.posonly_params, *rest, *node.params.kwonly_params]
        if any(p.name.value == "ctx" for p in all_params):
            return self._mark(
                node,
                label,
                Problem(_names.CODE_SELF_OTHER, "a parameter is already named `ctx`; left on Celery"),
            )
        facts = read_body(node, self_name, self._qnames)
        if facts.problems:
            return self._mark(node, label, facts.problems[0])

        call_through = self._task_info(node).get("call_through")
        # a wrapping __call__ (app context...) must enclose the whole body: it stays sync, run in a thread
        # a decorator under the task decorator (``@log_calls``) wraps the def itself: it expects a
        # sync function and would hand a coroutine back as the result, so that body stays sync too
        wrapped = found.index < len(node.decorators) - 1
        make_async = facts.non_blocking and not node.asynchronous and not call_through and not wrapped
        task_name = _quoted(celery_name) if celery_name else name_arg.value
        rewriter = BodyRewriter(self_name, make_async, task_name, self._qnames, parent_map(node))
        body = node.body.visit(rewriter)
        new_params = self._params_with_ctx(node, bind)

        decorators = list(node.decorators)
        decorator = self._arq_decorator(found, options, celery_name, name_arg)
        if call_through:
            decorator = _add_keyword(decorator, _names.CALL_THROUGH_OPTION, _quoted(call_through))
        decorators[found.index] = decorators[found.index].with_changes(decorator=decorator)
        task_decorator = node.decorators[found.index]
        if not _is_app_attribute(task_decorator):
            # an app's import stays: importing the task module must still load the app's
            # configuration (broker URL, eager mode, routes) as it did under Celery
            self._drop_imports_of(task_decorator)
        for dropped in rewriter.changes.dropped:
            self._drop_imports_of(dropped)
        self.add_needed_import(_names.SHIM_MODULE, "arq_task")
        if rewriter.changes.uses_retry:
            self.add_needed_import(_names.SHIM_MODULE, "retry")
        if rewriter.changes.uses_asyncio_sleep:
            self.add_needed_import("asyncio")
        new = node.with_changes(decorators=decorators, params=new_params, body=body)
        if make_async:
            new = new.with_changes(asynchronous=cst.Asynchronous())
        carry = self._task_info(node).get("carry")
        if call_through:
            message = (
                f'{carry} wraps each run ({_names.CALL_THROUGH_OPTION}="{call_through}"): '
                "the worker must create the app"
            )
            new = self._note(new, label, Problem(_names.CODE_CUSTOM_BASE, message))
        elif "base" in options or carry:
            what = carry or f"{self._source(options['base'].value)}.__call__/hooks"
            message = f"TODO: carry {what} into the ARQ job (decorator or on_job_start/on_job_end)"
            new = self._note(new, label, Problem(_names.CODE_CUSTOM_BASE, message))
        for expr in spread:
            message = f"TODO: check that {expr} holds only Celery task options (no bind=, name=, base=)"
            new = self._note(new, label, Problem(_names.CODE_UNKNOWN_OPTION, message))
        self._record(node, celery_name, found, options, make_async)
        return new

    def _task_info(self, node: cst.FunctionDef) -> dict:
        """What the scan knows about this task (empty without a project scan)."""
        project = self.context.scratch.get(_names.SCRATCH_PROJECT_TASKS) or {}
        return project.get(node.name.value) or {}

    @staticmethod
    def _source(node: cst.CSTNode) -> str:
        return cst.Module([]).code_for_node(node).strip()

    @staticmethod
    def _params_with_ctx(node: cst.FunctionDef, bind: bool) -> cst.Parameters:
        """``ctx`` first: in ``self``'s place (and layout) for bound tasks, else in front."""
        params = node.params
        if bind:
            ctx = params.params[0].with_changes(
                name=cst.Name("ctx"), annotation=None, default=None, equal=cst.MaybeSentinel.DEFAULT
            )
            return params.with_changes(params=[ctx, *params.params[1:]])
        layout = node.whitespace_before_params
        multiline = isinstance(layout, cst.ParenthesizedWhitespace)
        ctx = cst.Param(
            cst.Name("ctx"),
            comma=cst.Comma(whitespace_after=layout) if multiline else cst.MaybeSentinel.DEFAULT,
        )
        if params.posonly_params:
            return params.with_changes(posonly_params=[ctx, *params.posonly_params])
        return params.with_changes(params=[ctx, *params.params])

    def _drop_imports_of(self, node: cst.CSTNode) -> None:
        """Schedule removal of the imports ``node`` used, when nothing else uses them.

        LibCST refuses relative imports it cannot resolve (``from ....conf import app`` above the
        top package); the import then simply stays.
        """
        try:
            self.remove_unused_import_by_node(node)
        except ValueError:
            self.warn(f"could not resolve the import of `{cst.Module([]).code_for_node(node).strip()}`; kept")

    def _arq_decorator(
        self,
        found: _TaskDecorator,
        options: dict[str, cst.Arg],
        celery_name: str | None,
        name_arg: cst.Arg | None,
    ) -> cst.Call:
        """``arq_task(...)`` with the Celery options, ``bind`` dropped and ``name=`` added where it was."""
        args = list(found.call.args) if found.call else []
        kept = [
            arg
            for arg in args
            if arg.star == "**" or (arg.keyword and arg.keyword.value not in _names.DROPPED_OPTIONS)
        ]
        if kept and args and kept[-1] is not args[-1]:
            kept[-1] = kept[-1].with_changes(comma=args[-1].comma)
        if name_arg is None:
            dropped = next((i for i, arg in enumerate(args) if arg not in kept), None)
            if dropped is not None and args[dropped].comma != cst.MaybeSentinel.DEFAULT and kept:
                position, comma = dropped, args[dropped].comma  # take the place (and layout) of ``bind=``
            else:
                position = 0
                comma = (
                    cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    if kept
                    else cst.MaybeSentinel.DEFAULT
                )
            equal = cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
            )
            name = cst.Arg(
                keyword=cst.Name("name"), value=_quoted(celery_name or ""), comma=comma, equal=equal
            )
            kept.insert(position, name)
        base = found.call if found.call else cst.Call(func=cst.Name("arq_task"))
        return base.with_changes(func=cst.Name("arq_task"), args=kept)

    def _record(
        self,
        node: cst.FunctionDef,
        celery_name: str | None,
        found: _TaskDecorator,
        options: dict[str, cst.Arg],
        make_async: bool,
    ) -> None:
        self._converted_here = True
        queue_arg = options.get("queue")
        self.context.scratch.setdefault(_names.SCRATCH_CONVERTED, []).append(
            {
                "name": celery_name,
                "function": node.name.value,
                "module": self.context.full_module_name,
                "app": found.app,
                "queue": _literal_string(queue_arg.value) if queue_arg else None,
                "async": make_async,
            }
        )


def _add_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``keyword=value`` appended after its last argument."""
    args = list(call.args)
    if args and args[-1].comma == cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    equal = cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    )
    return call.with_changes(args=[*args, cst.Arg(keyword=cst.Name(keyword), value=value, equal=equal)])


def _is_app_attribute(decorator: cst.Decorator) -> bool:
    """``@app.task`` / ``@app.task(...)``: the decorator hangs off an application object."""
    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        expression = expression.func
    return isinstance(expression, cst.Attribute) and expression.attr.value == "task"
