"""fixtures/rewrite/forms rewritten, compared byte for byte with fixtures/rewrite/forms_after/.

Covers what the scan decides for the codemod: aliased decorators (``shared_task as st``,
``shared = c.shared_task``), project Task classes with hooks (``base=`` and ``task_cls=``: C2A108
TODO), ``**OPTS`` passed through (C2A113 TODO), a bare ``self.request``, and a Task subclass that
is reported as left on Celery, so the Celery app stays and configures the shim
(``configure(celery_app=app)``: converted tasks then enqueue on the queue the generated worker
serves). Regenerate with ``C2A_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rewrite_codemod_tools import rewrite_project_like_golden

from celery2arq.rewrite import run_rewrite

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rewrite"


def test_forms_matches_golden(tmp_path, monkeypatch):
    result = rewrite_project_like_golden("forms", tmp_path, monkeypatch, jobs=1)
    assert result.converted == 6
    assert [(t["function"], t["code"]) for t in result.left_tasks] == [("Inventory", "C2A114")]
    warnings = "\n".join(result.warnings)
    assert "C2A108: TODO: carry DbTask.after_return into the ARQ job" in warnings
    assert "C2A108: TODO: carry AuditTask.__call__/on_failure into the ARQ job" in warnings
    assert run_rewrite([Path(".")], mode="check", jobs=1).changed == []


def test_forms_without_leftovers_converts_the_app(tmp_path, monkeypatch):
    """With the Task subclass gone nothing stays on Celery, so the app moves to the shim too."""
    root = tmp_path / "forms"
    shutil.copytree(FIXTURES / "forms", root)
    aliases = root / "forms" / "aliases.py"
    aliases.write_text(aliases.read_text().split("\n\nclass Inventory")[0] + "\n")
    monkeypatch.chdir(root)
    result = run_rewrite([Path(".")], jobs=1)
    assert result.left_tasks == [] and result.converted == 6
    app_module = (root / "forms" / "celery.py").read_text()
    assert "app = App(" in app_module and "configure(" not in app_module
