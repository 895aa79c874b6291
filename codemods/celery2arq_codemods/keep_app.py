"""Mixed projects: ``app = Celery(...)`` stays, followed by ``configure(celery_app=app)``.

When tasks stay on Celery the app module keeps the real Celery app, and the converted ``@arq_task``
functions (no app of their own) would otherwise resolve their queue, Redis URL and eager mode
without it: ``.delay()`` went to ARQ's ``arq:queue`` while the generated ``WorkerSettings`` (built
with ``app=``) served the app's ``task_default_queue``. Telling the shim about the app makes
enqueuers and workers read the same ``task_default_queue``, ``task_routes``, ``broker_url`` and
``task_always_eager``. ``celery2arq rewrite`` runs this only when some task stays on Celery, one
Celery app is known, and some task was converted.

The app may be built at module level or inside a factory (Flask's ``celery_init_app``): the call goes
right after the assignment, wherever it is. Where the module already binds ``configure``, the shim's
is imported as ``celery2arq_configure``.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import QualifiedNameProvider

from celery2arq_codemods import _names

CONFIGURE = "configure"
ALIAS = "celery2arq_configure"
NOTE = "celery2arq: shim tasks read this app's queues, broker and eager mode"
_ALREADY = m.Call(
    func=m.Name(CONFIGURE) | m.Name(ALIAS),
    args=[m.ZeroOrMore(), m.Arg(keyword=m.Name("celery_app")), m.ZeroOrMore()],
)
_BINDS_CONFIGURE = (
    m.FunctionDef(name=m.Name(CONFIGURE))
    | m.ClassDef(name=m.Name(CONFIGURE))
    | m.AssignTarget(target=m.Name(CONFIGURE))
    | m.ImportAlias(name=m.Name(CONFIGURE), asname=None)
    | m.ImportAlias(asname=m.AsName(name=m.Name(CONFIGURE)))
)


class KeepCeleryAppCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "After a kept Celery app, configure the celery2arq shim with it (mixed projects)."
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    done = False  # a second run adds nothing
    call_name = CONFIGURE
    inserted = False

    def visit_Module(self, node: cst.Module) -> None:
        self.done = bool(m.findall(node, _ALREADY))
        self.call_name = ALIAS if m.findall(node, _BINDS_CONFIGURE) else CONFIGURE
        self.inserted = False

    def _app_name(self, stmt: cst.CSTNode) -> str | None:
        """``name`` for a ``name = Celery(...)`` statement, else None."""
        if not m.matches(stmt, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())])])):
            return None
        assign = stmt.body[0]  # type: ignore[attr-defined]
        call = assign.value
        if not isinstance(call, cst.Call):
            return None
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, call.func, set())}
        return assign.targets[0].target.value if names & _names.CELERY_APP_CLASSES else None

    def _with_configure(
        self, originals: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]
    ) -> list[cst.BaseStatement] | None:
        """``updated`` with the configure call after each app assignment, or None when there is none."""
        if self.done:
            return None
        body: list[cst.BaseStatement] = []
        for original, stmt in zip(originals, updated, strict=True):
            body.append(stmt)
            name = self._app_name(original)
            if name is not None:
                body.append(cst.parse_statement(f"{self.call_name}(celery_app={name})  # {NOTE}\n"))
        if len(body) == len(updated):
            return None
        self.inserted = True
        return body

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self._with_configure(original_node.body, updated_node.body)
        return updated_node if body is None else updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = self._with_configure(original_node.body, updated_node.body)
        if body is not None:
            updated_node = updated_node.with_changes(body=body)
        if self.inserted:
            asname = ALIAS if self.call_name == ALIAS else None
            AddImportsVisitor.add_needed_import(self.context, _names.SHIM_MODULE, CONFIGURE, asname)
        return updated_node
