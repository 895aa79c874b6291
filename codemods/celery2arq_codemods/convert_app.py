"""``app = Celery("proj", ...)`` → ``app = App("proj", ...)`` from the runtime shim.

The shim's ``App`` takes Celery's constructor arguments and keeps ``app.conf`` (so
``task_always_eager`` set by a test suite still switches the tasks to eager mode),
``config_from_object``, ``autodiscover_tasks``, ``task`` and ``send_task``. ``celery2arq
rewrite`` runs this codemod only when no task of the project stays on Celery.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.metadata import QualifiedNameProvider

from celery2arq_codemods import _names
from celery2arq_codemods._tidy import strip_new_leading_blank_lines


class ConvertAppCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Turn Celery(...) app objects into the celery2arq shim's App(...)."
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return strip_new_leading_blank_lines(tree, super().transform_module(tree))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original_node.func, set())}
        if not names & _names.CELERY_APP_CLASSES:
            return updated_node
        try:
            self.remove_unused_import_by_node(original_node.func)
        except ValueError:  # an unresolvable relative import: it stays
            pass
        self.add_needed_import(_names.SHIM_MODULE, "App")
        return updated_node.with_changes(func=cst.Name("App"))
