"""Mixed projects: ``app = Celery(...)`` stays, followed by ``configure(celery_app=app)``.

When tasks stay on Celery the app module keeps the real Celery app, and the converted ``@arq_task``
functions (no app of their own) would otherwise resolve their queue, Redis URL and eager mode
without it: ``.delay()`` went to ARQ's ``arq:queue`` while the generated ``WorkerSettings`` (built
with ``app=``) served the app's ``task_default_queue``. Telling the shim about the app makes
enqueuers and workers read the same ``task_default_queue``, ``task_routes``, ``broker_url`` and
``task_always_eager``. ``celery2arq rewrite`` runs this only when some task stays on Celery, one
Celery app is known, and some task was converted.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import QualifiedNameProvider

from celery2arq_codemods import _names

CONFIGURE = "configure"
NOTE = "celery2arq: shim tasks read this app's queues, broker and eager mode"
_ALREADY = m.Call(args=[m.ZeroOrMore(), m.Arg(keyword=m.Name("celery_app")), m.ZeroOrMore()])


class KeepCeleryAppCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "After a kept Celery app, configure the celery2arq shim with it (mixed projects)."
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def _app_name(self, stmt: cst.CSTNode) -> str | None:
        """``name`` for a module-level ``name = Celery(...)`` statement, else None."""
        if not m.matches(stmt, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())])])):
            return None
        assign = stmt.body[0]  # type: ignore[attr-defined]
        call = assign.value
        if not isinstance(call, cst.Call):
            return None
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, call.func, set())}
        return assign.targets[0].target.value if names & _names.CELERY_APP_CLASSES else None

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if m.findall(original_node, _ALREADY):  # idempotent: a second run adds nothing
            return updated_node
        body: list[cst.BaseStatement] = []
        for original, stmt in zip(original_node.body, updated_node.body, strict=True):
            body.append(stmt)
            name = self._app_name(original)
            if name is not None:
                body.append(cst.parse_statement(f"{CONFIGURE}(celery_app={name})  # {NOTE}\n"))
        if len(body) == len(updated_node.body):
            return updated_node
        AddImportsVisitor.add_needed_import(self.context, _names.SHIM_MODULE, CONFIGURE)
        return updated_node.with_changes(body=body)
