"""Reading and rewriting one task body: ``self`` uses, blocking calls, ``asyncio.run``.

Kept apart from the decorator handling so each half stays small. Both halves work on the
*original* function node, whose qualified-name metadata the calling codemod resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from celery2arq.scan.literals import dotted as dotted_name
from celery2arq_codemods import _names

QualifiedNames = Callable[[cst.CSTNode], set[str]]

# Parents in which an arithmetic replacement must be parenthesised (``await`` binds tighter).
_TIGHT_PARENTS = (cst.Attribute, cst.Subscript, cst.Call, cst.BinaryOperation, cst.UnaryOperation, cst.Await)
_AWAIT_TIGHT_PARENTS = (cst.Attribute, cst.Subscript, cst.Call, cst.Await)


@dataclass
class Problem:
    code: str
    message: str


@dataclass
class BodyFacts:
    """What a body needs: translatable or not, and whether it can run on the event loop."""

    problems: list[Problem] = field(default_factory=list)
    non_blocking: bool = True


class _ParentMap(cst.CSTVisitor):
    def __init__(self) -> None:
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parents[node] = self._stack[-1]
        self._stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()


def parent_map(node: cst.CSTNode) -> dict[cst.CSTNode, cst.CSTNode]:
    visitor = _ParentMap()
    node.visit(visitor)
    return visitor.parents


class _BodyReader(cst.CSTVisitor):
    """Collects untranslatable ``self`` uses and anything that might block."""

    def __init__(self, self_name: str | None, qnames: QualifiedNames, parents: dict) -> None:
        self.self_name = self_name
        self.qnames = qnames
        self.parents = parents
        self.facts = BodyFacts()
        self._ctx_reported = False

    def _is_attribute_name(self, node: cst.Name) -> bool:
        parent = self.parents.get(node)
        return (isinstance(parent, cst.Attribute) and parent.attr is node) or (
            isinstance(parent, cst.Arg) and parent.keyword is node
        )

    def _blocking(self) -> None:
        self.facts.non_blocking = False

    def _self_use(self, node: cst.Name) -> str:
        """The dotted use of ``self`` around ``node``: ``self.request.id``, ``self.retry()``, ``self``."""
        current: cst.CSTNode = node
        parent = self.parents.get(current)
        while isinstance(parent, cst.Attribute) and parent.value is current:
            current, parent = parent, self.parents.get(parent)
        dotted = dotted_name(current) if isinstance(current, (cst.Name, cst.Attribute)) else None
        called = isinstance(parent, cst.Call) and parent.func is current
        return f"{dotted}()" if called else (dotted or "self")

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "ctx" and not self._is_attribute_name(node) and not self._ctx_reported:
            self._ctx_reported = True
            self.facts.problems.append(
                Problem(_names.CODE_SELF_OTHER, "the body already uses a name `ctx`; task left on Celery")
            )
        if self.self_name is None or node.value != self.self_name:
            return
        parent = self.parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return  # ``x.self`` is an attribute named self, not the task
        if isinstance(parent, cst.Param):
            return
        use = self._self_use(node)
        short = use.replace(f"{self.self_name}.", "self.", 1)
        if short in ("self.request", "self.request.id", "self.request.retries", "self.name"):
            return
        if short == "self.retry()":
            return  # its arguments are checked in visit_Call
        if short == "self.update_state()":
            return  # the shim task's own update_state (C2A136: kept in the shim's state key)
        self.facts.problems.append(
            Problem(_names.self_use_code(short), f"`{short}` has no ARQ translation; task left on Celery")
        )

    def visit_Call(self, node: cst.Call) -> None:
        if self._is_self_retry(node):
            self._check_retry_args(node)
            return
        names = self.qnames(node)
        if names and names <= _names.PURE_BUILTINS:
            return
        if _names.BLOCKING_SLEEP in names:
            return
        if _names.ASYNCIO_RUN in names and self._runs_a_coroutine_call(node):
            return
        parent = self.parents.get(node)
        if isinstance(parent, cst.Arg) and isinstance(self.parents.get(parent), cst.Call):
            outer = self.parents[parent]
            if _names.ASYNCIO_RUN in self.qnames(outer) and self._runs_a_coroutine_call(outer):
                return  # ``coro()`` inside ``asyncio.run(coro())`` only builds the coroutine
        self._blocking()

    def _is_self_retry(self, node: cst.Call) -> bool:
        return self.self_name is not None and m.matches(
            node.func, m.Attribute(value=m.Name(self.self_name), attr=m.Name("retry"))
        )

    def _check_retry_args(self, node: cst.Call) -> None:
        for arg in node.args:
            keyword = arg.keyword.value if arg.keyword else None
            if arg.star or keyword not in _names.RETRY_KEYWORDS:
                what = f"{arg.star}..." if arg.star else (keyword or "a positional argument")
                self.facts.problems.append(
                    Problem(
                        _names.CODE_RETRY_NEW_PAYLOAD,
                        f"`self.retry({what})` has no ARQ translation; task left on Celery",
                    )
                )

    @staticmethod
    def _runs_a_coroutine_call(node: cst.Call) -> bool:
        return len(node.args) == 1 and not node.args[0].keyword and isinstance(node.args[0].value, cst.Call)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        root = node
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and root.value == self.self_name:
            return
        if self.qnames(node) & {_names.BLOCKING_SLEEP, _names.ASYNCIO_RUN}:
            return
        self._blocking()  # attribute access may run a property doing I/O: not provably free

    def visit_Await(self, node: cst.Await) -> None:
        self._blocking()

    def visit_Yield(self, node: cst.Yield) -> None:
        self._blocking()

    def visit_With(self, node: cst.With) -> None:
        self._blocking()

    def visit_Import(self, node: cst.Import) -> None:
        self._blocking()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._blocking()

    def visit_Global(self, node: cst.Global) -> None:
        self._blocking()

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._blocking()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._blocking()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._blocking()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._blocking()

    def visit_Del(self, node: cst.Del) -> None:
        self._blocking()


def read_body(func: cst.FunctionDef, self_name: str | None, qnames: QualifiedNames) -> BodyFacts:
    """Facts about ``func``'s body (the decorators and signature are not looked at)."""
    reader = _BodyReader(self_name, qnames, parent_map(func))
    func.body.visit(reader)
    return reader.facts


def _parenthesised(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _ctx_key(key: str, quote: str = '"') -> cst.Subscript:
    return cst.Subscript(
        value=cst.Name("ctx"),
        slice=[cst.SubscriptElement(slice=cst.Index(value=cst.SimpleString(f"{quote}{key}{quote}")))],
    )


@dataclass
class BodyChanges:
    """Imports the rewritten body needs or no longer needs."""

    uses_retry: bool = False
    uses_asyncio_sleep: bool = False
    dropped: list[cst.CSTNode] = field(default_factory=list)  # original nodes whose imports may go


class BodyRewriter(cst.CSTTransformer):
    """Rewrites ``self`` uses into ``ctx`` and, for async bodies, sleeps and ``asyncio.run``."""

    def __init__(
        self,
        self_name: str | None,
        make_async: bool,
        task_name: cst.BaseExpression,
        qnames: QualifiedNames,
        parents: dict,
    ) -> None:
        super().__init__()
        self.self_name = self_name
        self.make_async = make_async
        self.task_name = task_name
        self.qnames = qnames
        self.parents = parents
        self.changes = BodyChanges()

    def _wrap(self, original: cst.CSTNode, new: cst.BaseExpression) -> cst.BaseExpression:
        tight = _AWAIT_TIGHT_PARENTS if isinstance(new, cst.Await) else _TIGHT_PARENTS
        return _parenthesised(new) if isinstance(self.parents.get(original), tight) else new

    def _ctx_key(self, original: cst.CSTNode, key: str) -> cst.Subscript:
        """``ctx["key"]``, single-quoted inside a double-quoted f-string (Python < 3.12 needs that)."""
        node: cst.CSTNode | None = original
        while node is not None and not isinstance(node, cst.FormattedString):
            node = self.parents.get(node)
        quote = "'" if isinstance(node, cst.FormattedString) and '"' in node.quote else '"'
        return _ctx_key(key, quote)

    def _is_self(self, node: cst.BaseExpression) -> bool:
        return self.self_name is not None and isinstance(node, cst.Name) and node.value == self.self_name

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if self.self_name is None:
            return updated_node
        if m.matches(
            original_node,
            m.Attribute(value=m.Attribute(value=m.Name(self.self_name), attr=m.Name("request"))),
        ):
            if original_node.attr.value == "id":
                return self._ctx_key(original_node, "job_id").with_changes(
                    lpar=updated_node.lpar, rpar=updated_node.rpar
                )
            if original_node.attr.value == "retries":
                retries = cst.BinaryOperation(
                    left=self._ctx_key(original_node, "job_try"),
                    operator=cst.Subtract(),
                    right=cst.Integer("1"),
                )
                return self._wrap(original_node, retries)
        if self._is_self(original_node.value) and original_node.attr.value == "name":
            return self.task_name
        if self._is_self(original_node.value) and original_node.attr.value == "update_state":
            task = self._ctx_key(original_node, "celery2arq_task")
            return updated_node.with_changes(value=task)  # the running shim task writes the state
        if self._is_self(original_node.value) and original_node.attr.value == "request":
            parent = self.parents.get(original_node)
            if not (isinstance(parent, cst.Attribute) and parent.value is original_node):
                # the whole request object: the shim's view built from this job's ctx
                task = self._ctx_key(original_node, "celery2arq_task")
                return updated_node.with_changes(value=task)
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.self_name is not None and m.matches(
            original_node.func, m.Attribute(value=m.Name(self.self_name), attr=m.Name("retry"))
        ):
            self.changes.uses_retry = True
            ctx_arg = cst.Arg(cst.Name("ctx"), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args = (
                [ctx_arg, *updated_node.args]
                if updated_node.args
                else [ctx_arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)]
            )
            return updated_node.with_changes(func=cst.Name("retry"), args=args)
        if not self.make_async:
            return updated_node
        names = self.qnames(original_node)
        if _names.BLOCKING_SLEEP in names:
            self.changes.uses_asyncio_sleep = True
            self.changes.dropped.append(original_node.func)
            sleep = updated_node.with_changes(
                func=cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("sleep")), lpar=[], rpar=[]
            )
            return self._wrap(
                original_node, cst.Await(expression=sleep, lpar=updated_node.lpar, rpar=updated_node.rpar)
            )
        if _names.ASYNCIO_RUN in names and len(updated_node.args) == 1 and not updated_node.args[0].keyword:
            self.changes.dropped.append(original_node.func)
            awaited = cst.Await(
                expression=updated_node.args[0].value, lpar=updated_node.lpar, rpar=updated_node.rpar
            )
            return self._wrap(original_node, awaited)
        return updated_node

    def _is_self_retry(self, node: cst.BaseExpression | None) -> bool:
        return self.self_name is not None and m.matches(
            node, m.Call(func=m.Attribute(value=m.Name(self.self_name), attr=m.Name("retry")))
        )

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.BaseSmallStatement:
        """A bare ``self.retry(...)`` raises in Celery; the runtime's ``retry`` returns the exception."""
        if self._is_self_retry(original_node.value):
            return cst.Raise(exc=updated_node.value, semicolon=updated_node.semicolon)
        return updated_node

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.BaseSmallStatement:
        """``return self.retry(...)`` never returns in Celery (it raises): same with the runtime."""
        if self._is_self_retry(original_node.value) and updated_node.value is not None:
            return cst.Raise(exc=updated_node.value, semicolon=updated_node.semicolon)
        return updated_node
