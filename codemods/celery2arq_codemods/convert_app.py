"""``app = Celery("proj", ...)`` → ``app = App("proj", ...)`` from the runtime shim.

The shim's ``App`` takes Celery's constructor arguments and keeps ``app.conf`` (so
``task_always_eager`` set by a test suite still switches the tasks to eager mode),
``config_from_object``, ``autodiscover_tasks``, ``task`` and ``send_task``. ``celery2arq
rewrite`` runs this codemod only when no task of the project stays on Celery.

The usual ``from celery import Celery`` line is rewritten where it stands, so the import block
keeps its grouping and blank lines; other spellings fall back to LibCST's import removal/addition.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.metadata import QualifiedNameProvider

from celery2arq_codemods import _names
from celery2arq_codemods._tidy import strip_new_leading_blank_lines

_PLAIN_IMPORT = m.ImportFrom(
    module=m.Name("celery"), names=[m.ImportAlias(name=m.Name("Celery"), asname=None)], relative=[]
)


class ConvertAppCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Turn Celery(...) app objects into the celery2arq shim's App(...)."
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    in_place = False  # ``from celery import Celery`` → ``from celery2arq.shim import App`` on its line

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return strip_new_leading_blank_lines(tree, super().transform_module(tree))

    def visit_Module(self, node: cst.Module) -> None:
        top_level = [
            stmt.body[0]
            for stmt in node.body
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
        ]
        plain = [imp for imp in top_level if m.matches(imp, _PLAIN_IMPORT)]
        celery_imports = m.findall(
            node, m.ImportFrom(names=[m.ZeroOrMore(), m.ImportAlias(name=m.Name("Celery")), m.ZeroOrMore()])
        )
        dotted_use = m.findall(node, m.Attribute(attr=m.Name("Celery")))  # ``celery.Celery(...)``
        app_taken = m.findall(node, m.Name("App"))
        self.in_place = len(plain) == 1 and len(celery_imports) == 1 and not dotted_use and not app_taken

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if not (self.in_place and m.matches(original_node, _PLAIN_IMPORT)):
            return updated_node
        shim = cst.parse_expression(_names.SHIM_MODULE)
        assert isinstance(shim, cst.Attribute)
        alias = updated_node.names[0].with_changes(name=cst.Name("App"))  # type: ignore[index]
        return updated_node.with_changes(module=shim, names=[alias])

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if not self.in_place or original_node.value != "Celery":
            return updated_node
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original_node, set())}
        return updated_node.with_changes(value="App") if names & _names.CELERY_APP_CLASSES else updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if self.in_place:
            return updated_node
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original_node.func, set())}
        if not names & _names.CELERY_APP_CLASSES:
            return updated_node
        try:
            self.remove_unused_import_by_node(original_node.func)
        except ValueError:  # an unresolvable relative import: it stays
            pass
        self.add_needed_import(_names.SHIM_MODULE, "App")
        return updated_node.with_changes(func=cst.Name("App"))
