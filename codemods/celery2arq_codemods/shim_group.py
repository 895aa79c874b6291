"""Celery's ``group`` → the shim's fan-out ``group`` where its members are shim signatures.

Once a task is converted, its ``.s()``/``.si()``/``.signature()`` are shim ``Signature``s, which Celery's
``group`` cannot send (``AttributeError: 'Signature' object has no attribute 'app'``). The shim's ``group``
sends each member by its own ``apply_async``: shim signatures through ARQ, Celery ones through Celery
(C2A302: no group id, barrier or chord). A file that combines groups into chains or chords keeps Celery's
(those need Celery's canvas) and is warned about. ``convert_task`` applies this to files where it converted
a task; ``celery2arq rewrite`` runs :class:`ShimGroupCommand` in a mixed project on other files whose
groups sign a converted task (in a project with no task left on Celery, ``convert_imports`` moves it).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node
from libcst.metadata import QualifiedNameProvider

from celery2arq_codemods import _names
from celery2arq_codemods._tidy import strip_new_leading_blank_lines

COMBINED_WARNING = "`group` is combined into a chain or chord here; Celery's group kept (C2A302)"


def is_group_pipe(node: cst.BinaryOperation, qnames: Callable[[cst.CSTNode], set[str]]) -> bool:
    """``group(...) | sig`` is a chain (or chord): that group must stay Celery's."""
    return isinstance(node.operator, cst.BitOr) and any(
        isinstance(side, cst.Call) and qnames(side.func) & _names.CELERY_GROUP
        for side in (node.left, node.right)
    )


def use_shim_group(command: VisitorBasedCodemodCommand, module: cst.Module, combined: bool) -> cst.Module:
    """``module`` importing the shim's ``group`` in place of Celery's (same local name), unless groups are
    ``combined`` with ``|`` or the file imports Celery's chain/chord: then unchanged, with a warning."""
    imports = [
        (index, statement, alias)
        for index, statement in enumerate(module.body)
        for alias in _celery_group_imports(statement)
    ]
    if not imports:
        return module
    if combined or _imports_celery_combinators(module):
        command.warn(COMBINED_WARNING)
        return module
    body = list(module.body)
    for index, statement, alias in reversed(imports):
        body[index : index + 1] = _without_alias(statement, alias)
        asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        command.add_needed_import(_names.SHIM_MODULE, "group", asname)
    return module.with_changes(body=body)


class ShimGroupCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Import the shim's fan-out group instead of Celery's where groups sign converted tasks."
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
        super().__init__(context)
        self._combined = False

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return strip_new_leading_blank_lines(tree, super().transform_module(tree))

    def _qnames(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self._combined = self._combined or is_group_pipe(node, self._qnames)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return use_shim_group(self, updated_node, self._combined)


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


def _imports_celery_combinators(module: cst.Module) -> bool:
    for statement in module.body:
        node = _import_from(statement)
        if node is None or get_full_name_for_node(node.module) not in _names.CELERY_GROUP_MODULES:
            continue
        if isinstance(node.names, cst.ImportStar) or any(
            alias.evaluated_name in _names.CELERY_GROUP_COMBINATORS for alias in node.names
        ):
            return True
    return False


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
