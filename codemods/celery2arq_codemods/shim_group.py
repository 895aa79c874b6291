"""Celery's ``group`` → the shim's fan-out ``group`` where its members are shim signatures.

Once a task is converted, its ``.s()``/``.si()``/``.signature()`` are shim ``Signature``s, which Celery's
``group`` cannot send (``AttributeError: 'Signature' object has no attribute 'app'``). The shim's ``group``
sends each member by its own ``apply_async``: shim signatures through ARQ, Celery ones through Celery
(C2A302: no group id, barrier or chord). Where a group flows into a chain or chord (``group(...) | sig``,
``chain(group(...), x)``, ``chord([group(...)])``, through a local name too) the file keeps Celery's (those
need Celery's canvas; one name cannot be both) and is warned about; so it does where a group leaves what
can be seen statically (returned, passed on, stored). ``convert_task`` applies this to files where it
converted a task; ``celery2arq rewrite`` runs :class:`ShimGroupCommand` in a mixed project on other files
whose groups sign a converted task (in a project with no task left on Celery, ``convert_imports`` moves it).
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node
from libcst.metadata import FunctionScope, ParentNodeProvider, QualifiedNameProvider, ScopeProvider

from celery2arq_codemods import _names
from celery2arq_codemods._tidy import strip_new_leading_blank_lines

COMBINED_WARNING = "`group` is combined into a chain or chord here; Celery's group kept (C2A302)"
ESCAPING_WARNING = (
    "`group` is returned, passed on or stored here, so it may feed a chain or chord; "
    "Celery's group kept (C2A302)"
)
# what the shim's group does like Celery's: send the members (the result is no group any more)
_SENDING_METHODS = frozenset({"apply_async", "delay"})
# the metadata ``use_shim_group`` reads (the commands that call it depend on these)
METADATA = (QualifiedNameProvider, ParentNodeProvider, ScopeProvider)


def use_shim_group(
    command: VisitorBasedCodemodCommand, original: cst.Module, updated: cst.Module
) -> cst.Module:
    """``updated`` importing the shim's ``group`` in place of Celery's (same local name), unless a group
    of ``original`` may flow into a chain or chord: then unchanged, with a warning."""
    imports = [
        (index, statement, alias)
        for index, statement in enumerate(updated.body)
        for alias in _celery_group_imports(statement)
    ]
    if not imports:
        return updated
    kept = _GroupFlow(command).why_kept(original)
    if kept:
        command.warn(kept)
        return updated
    body = list(updated.body)
    for index, statement, alias in reversed(imports):
        body[index : index + 1] = _without_alias(statement, alias)
        asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        command.add_needed_import(_names.SHIM_MODULE, "group", asname)
    return updated.with_changes(body=body)


class _GroupFlow:
    """Where the groups built with Celery's ``group`` go, read from the unchanged tree's metadata.

    Only sending (``.apply_async()``, ``.delay()``, a call), dropping, or a local name used only so, is
    safe for the shim's fan-out; ``|``, ``chain``/``chord`` arguments (directly or in a list) combine the
    group, and anything else is treated as possibly combined elsewhere.
    """

    def __init__(self, command: VisitorBasedCodemodCommand) -> None:
        self._command = command
        self._seen: set[cst.CSTNode] = set()

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._command.get_metadata(ParentNodeProvider, node, None)

    def _qnames(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self._command.get_metadata(QualifiedNameProvider, node, set())}

    def why_kept(self, module: cst.Module) -> str | None:
        """The warning when Celery's group must stay, None when every group is only sent."""
        names = _Names()
        module.visit(names)
        for name in names.found:
            parent = self._parent(name)
            if (
                isinstance(parent, (cst.ImportAlias, cst.Attribute))
                or not self._qnames(name) & _names.CELERY_GROUP
            ):
                continue  # the import itself, ``x.group``
            if not (isinstance(parent, cst.Call) and parent.func is name):
                return ESCAPING_WARNING  # ``fan = group``, ``partial(group, ...)``: not seen any further
            kept = self._flow(parent)
            if kept:
                return kept
        return None

    def _flow(self, value: cst.CSTNode) -> str | None:
        """Why the group ``value`` evaluates to may reach a chain or chord (None: it is only sent)."""
        if value in self._seen:
            return None
        self._seen.add(value)
        parent = self._parent(value)
        if isinstance(parent, cst.Attribute) and parent.value is value:
            call = self._parent(parent)
            sent = (
                parent.attr.value in _SENDING_METHODS and isinstance(call, cst.Call) and call.func is parent
            )
            return None if sent else ESCAPING_WARNING
        if (isinstance(parent, cst.Call) and parent.func is value) or isinstance(parent, cst.Expr):
            return None  # ``group(...)(...)`` sends it; a bare ``group(...)`` is dropped
        if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.BitOr):
            return COMBINED_WARNING
        if isinstance(parent, cst.Arg):
            call = self._parent(parent)
            combines = (
                isinstance(call, cst.Call) and self._qnames(call.func) & _names.CELERY_GROUP_COMBINATORS
            )
            return COMBINED_WARNING if combines else ESCAPING_WARNING
        if isinstance(parent, cst.Element):  # ``[group(...), sig]``: where the list goes
            container = self._parent(parent)
            return self._flow(container) if isinstance(container, (cst.List, cst.Tuple)) else ESCAPING_WARNING
        if isinstance(parent, cst.IfExp) and parent.test is not value:
            return self._flow(parent)
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is value:
            return self._bound(parent)
        return ESCAPING_WARNING

    def _bound(self, statement: cst.Assign | cst.AnnAssign) -> str | None:
        """A group bound to a function's local name goes where that name's uses go (a module or class
        attribute, or any other target, may be read from anywhere)."""
        targets = (
            [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
        )
        for target in targets:
            scope = self._command.get_metadata(ScopeProvider, target, None)
            if not isinstance(target, cst.Name) or scope is None:
                return ESCAPING_WARNING
            assignments = scope.assignments[target.value]
            if not assignments or any(not isinstance(a.scope, FunctionScope) for a in assignments):
                return ESCAPING_WARNING  # a module's name, or ``global``/``nonlocal`` in the function
            for assignment in assignments:
                for access in assignment.references:
                    kept = self._flow(access.node)
                    if kept:
                        return kept
        return None


class _Names(cst.CSTVisitor):
    """Every ``Name`` of a tree (``group`` may be imported under another one)."""

    def __init__(self) -> None:
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.found.append(node)


class ShimGroupCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Import the shim's fan-out group instead of Celery's where groups sign converted tasks."
    METADATA_DEPENDENCIES = METADATA

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return strip_new_leading_blank_lines(tree, super().transform_module(tree))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return use_shim_group(self, original_node, updated_node)


def _import_from(statement: cst.CSTNode) -> cst.ImportFrom | None:
    """The ``from x import ...`` a top-level line consists of, if any."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        node = statement.body[0]
        if isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
            return node
    return None


def _celery_group_imports(statement: cst.CSTNode) -> list[cst.ImportAlias]:
    node = _import_from(statement)
    if node is None or isinstance(node.names, cst.ImportStar):
        return []
    if get_full_name_for_node(node.module) not in _names.CELERY_GROUP_MODULES:
        return []
    return [alias for alias in node.names if alias.evaluated_name == "group"]


def _without_alias(
    statement: cst.SimpleStatementLine, alias: cst.ImportAlias
) -> list[cst.SimpleStatementLine]:
    """The import line without ``alias`` (no line at all when it was the only name)."""
    node = _import_from(statement)
    assert node is not None and not isinstance(node.names, cst.ImportStar)
    kept = [a for a in node.names if a is not alias]
    if not kept:
        return []
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return [statement.with_changes(body=[node.with_changes(names=kept)])]
