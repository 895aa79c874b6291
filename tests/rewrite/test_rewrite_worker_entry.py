"""The generated arq_worker.py imports the Celery worker's entry module (``celery -A``'s) first.

Flask's documented pattern makes the Celery app in a factory (``celery_init_app`` from ``create_app()``),
run by ``make_celery.py``'s module-level code: an ARQ worker importing only the task modules has no app,
and every ``call_through="app"`` job fails with ``CallThroughError``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from celery2arq.cli import main
from celery2arq.rewrite import run_rewrite
from celery2arq.rewrite.worker_settings import Extras, TaskEntry, _Task, render_module

FLASKFACTORY = Path(__file__).resolve().parents[2] / "fixtures" / "projects" / "flaskfactory"
IMPORTS = """\
from celery2arq.shim import worker_settings

# The Celery worker's entry module (what `celery -A` names), imported before the tasks as Celery's
# worker does: its module-level code creates the Celery app (e.g. an app factory), which the tasks need
# when jobs run (call_through="app" runs the app's Task class; without the app: CallThroughError).
import make_celery

import webapp.tasks.mail
import webapp.tasks.math
import webapp.tasks.reports
"""


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def flaskfactory(tmp_path, monkeypatch):
    root = tmp_path / "flaskfactory"
    shutil.copytree(FLASKFACTORY, root)
    monkeypatch.chdir(root)
    return root


def worker_text(root: Path) -> str:
    return (root / "webapp" / "arq_worker.py").read_text()


@pytest.mark.parametrize("mixed", [True, False], ids=["send_digest-on-celery", "all-converted"])
def test_flask_factory_worker_imports_make_celery_first(flaskfactory, mixed):
    """Detected through ``make_celery`` → ``create_app`` → ``celery_init_app``, whether the factory still
    makes a Celery app (a task left on Celery) or the shim's ``App``; a second run changes nothing."""
    if not mixed:
        mail = flaskfactory / "webapp" / "tasks" / "mail.py"
        mail.write_text(mail.read_text().replace(', rate_limit="100/h"', ""))
    result = run_rewrite([Path(".")])
    assert result.errors == []
    assert ("Celery(" in (flaskfactory / "webapp" / "celery_setup.py").read_text()) is mixed
    assert IMPORTS in worker_text(flaskfactory)
    first = worker_text(flaskfactory)
    again = run_rewrite([Path(".")], mode="check")
    assert again.changed == []
    assert worker_text(flaskfactory) == first


def test_worker_import_option_wins(flaskfactory):
    """``celery -A wsgi:celery`` form: the module part is imported, the detected module is not."""
    (flaskfactory / "wsgi.py").write_text("from webapp import create_app\n\napp = create_app()\n")
    result = run_rewrite([Path(".")], worker_imports=["wsgi:celery", "make_celery.celery_app"])
    assert result.errors == []
    text = worker_text(flaskfactory)
    assert '# when jobs run (call_through="app"' in text
    assert "import wsgi\nimport make_celery\n\nimport webapp.tasks.mail\n" in text
    assert run_rewrite([Path(".")], mode="check", worker_imports=["wsgi:celery", "make_celery"]).changed == []
    with pytest.raises(ValueError, match="not a module"):
        run_rewrite([Path(".")], mode="check", worker_imports=["celery -A wsgi"])


def test_cli_worker_import_option(flaskfactory):
    runner = CliRunner()
    bad = runner.invoke(main, ["rewrite", "--worker-import", "a-b", "."], catch_exceptions=False)
    assert bad.exit_code == 2 and "'a-b' is not a module" in bad.output
    assert not (flaskfactory / "webapp" / "arq_worker.py").exists()
    ok = runner.invoke(main, ["rewrite", "--worker-import", "webapp", "."], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    assert "\nimport webapp\n\nimport webapp.tasks.mail\n" in worker_text(flaskfactory)
    assert "import make_celery" not in worker_text(flaskfactory)


def test_extensions_celery_hint_wins_over_other_app_creating_modules(flaskfactory):
    """``wsgi.py`` and a top-level ``conftest.py`` create the app too; ``make_celery`` reads
    ``extensions["celery"]`` (Flask's worker entry point), test modules never count."""
    make(
        flaskfactory,
        {
            "wsgi.py": "from webapp import create_app\n\napp = create_app()\n",
            "conftest.py": "from webapp import create_app\n\napp = create_app({'TESTING': True})\n",
            "manage.py": "from webapp import create_app\n\n"
            "if __name__ == '__main__':\n    create_app().run()\n",
        },
    )
    result = run_rewrite([Path(".")])
    assert result.errors == []
    assert IMPORTS in worker_text(flaskfactory)


def test_ambiguous_entry_imports_nothing_and_warns(flaskfactory):
    no_hint = "from webapp import create_app\n\nflask_app = create_app()\n"
    (flaskfactory / "make_celery.py").write_text(no_hint)
    (flaskfactory / "wsgi.py").write_text("import webapp\n\napp = webapp.create_app()\n")
    result = run_rewrite([Path(".")])
    assert result.errors == []
    text = worker_text(flaskfactory)
    assert "from celery2arq.shim import worker_settings\n\nimport webapp.tasks.mail\n" in text
    assert "CallThroughError" not in text
    warning = "several modules create it (make_celery, wsgi): pass --worker-import"
    assert any(warning in w for w in result.warnings)


def test_chain_through_a_re_export_and_an_alias_is_followed(tmp_path, monkeypatch):
    """``svc.create`` re-exports ``svc.factory.create``, called as ``s.create()`` in a module deeper than
    ``svc.worker``; ``svc.worker`` (one dotted part fewer) is chosen among the two app-creating modules."""
    root = make(
        tmp_path / "chain",
        {
            "svc/__init__.py": "from .factory import create as create\n",
            "svc/factory.py": """\
                from celery import Celery


                def _init():
                    app = Celery("svc")
                    app.set_default()
                    return app


                def setup():
                    return _init()


                def create():
                    return setup()
                """,
            "svc/worker.py": "import svc as s\n\ncelery_app = s.create()\n",
            "svc/deep/__init__.py": "",
            "svc/deep/boot.py": "from svc import create\n\ncreate()\n",
            "svc/tasks.py": "from celery import shared_task\n\n\n@shared_task\ndef ping():\n    return 1\n",
        },
    )
    monkeypatch.chdir(root)
    result = run_rewrite([Path(".")])
    assert result.errors == []
    text = (root / "svc" / "arq_worker.py").read_text()
    assert "\nimport svc.worker\n\nimport svc.tasks\n" in text


def test_no_factory_no_entry_import(tmp_path, monkeypatch):
    """A module-level app needs nothing new: importing the app module (or the tasks) creates it."""
    root = make(
        tmp_path / "plain",
        {
            "proj/__init__.py": "",
            "proj/celery.py": 'from celery import Celery\n\napp = Celery("proj")\n',
            "proj/tasks.py": "from .celery import app\n\n\n@app.task\ndef one():\n    return 1\n",
            "run.py": "from proj.celery import app\n\napp.start()\n",
        },
    )
    monkeypatch.chdir(root)
    assert run_rewrite([Path(".")]).errors == []
    assert "celery -A" not in (root / "proj" / "arq_worker.py").read_text()


def test_django_worker_imports_the_entry_module_before_the_app_module_and_setup():
    task = _Task("shop.tasks", TaskEntry("count", "shop.tasks.count", None))
    source, _ = render_module("proj.celery.app", [task], {}, Extras(), django=True, entries=["proj"])
    imports = [line for line in source.splitlines() if line.startswith(("import ", "django.setup"))]
    assert imports == [
        "import os",
        "import django",
        "import proj",
        "import proj.celery",
        "django.setup()",
        "import shop.tasks  # noqa: E402",
    ]


def test_real_worker_runs_a_call_through_job_of_the_flask_factory(flaskfactory, redis_url):
    """``python -m celery2arq.shim.worker webapp.arq_worker.WorkerSettings`` in its own process, as
    deployed: ``add`` runs inside ``FlaskTask.__call__`` (without ``make_celery`` imported by the worker
    module, the job fails with CallThroughError)."""
    assert run_rewrite([Path(".")]).errors == []
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "CELERY2ARQ_REDIS_URL": redis_url,
        # create_app() reads these through app.config.from_prefixed_env() (``__`` nests into CELERY)
        "FLASK_CELERY__broker_url": redis_url,
        "FLASK_CELERY__result_backend": redis_url,
    }

    def run(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, *args], cwd=flaskfactory, env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    # the caller creates the app first, as a Flask process does (and as Celery needs: the factory's app
    # is the one that knows the broker; the rewrite configures the shim with it in the factory)
    job_id = run("-c", "import make_celery; from webapp.tasks.math import add; print(add.delay(2, 3).id)")
    run("-m", "celery2arq.shim.worker", "webapp.arq_worker.WorkerSettings", "--burst")
    code = f"from webapp.tasks.math import add; print(repr(add.AsyncResult({job_id!r}).get(timeout=5)))"
    assert run("-c", code) == "5"
