"""The scan's tasks as the codemod sees them: the C2A108 carry text names the class and its overrides."""

from __future__ import annotations

from celery2arq.config import Config
from celery2arq.rewrite.accounting import tasks_by_file
from celery2arq.scan import scan_sources
from celery2arq.verdicts import assign

BASE = """\
from celery import Task


class WriterTask(Task):
    def __call__(self, *args, **kwargs):
        return super().__call__(*args, **kwargs)
"""


def _info(app_source: str, key: str = "carry", base: str = BASE) -> dict[str, str | None]:
    project = scan_sources(
        {
            "proj/__init__.py": "",
            "proj/base.py": base,
            "proj/celeryconf.py": app_source,
            "proj/tasks.py": "from proj.celeryconf import app\n\n\n@app.task\ndef job():\n    return 1\n",
        }
    )
    assign(project, Config())
    return {fn: info[key] for tasks in tasks_by_file(project).values() for fn, info in tasks.items()}


def _carry(app_source: str) -> dict[str, str | None]:
    return _info(app_source)


def test_task_cls_given_by_name_module_colon_class():
    source = 'from celery import Celery\n\napp = Celery("proj", task_cls="proj.base:WriterTask")\n'
    assert _carry(source) == {"job": "WriterTask.__call__"}


def test_task_cls_given_as_the_class():
    source = (
        "from celery import Celery\n\nfrom proj.base import WriterTask\n\n"
        'app = Celery("proj", task_cls=WriterTask)\n'
    )
    assert _carry(source) == {"job": "WriterTask.__call__"}


def test_plain_app_has_nothing_to_carry():
    assert _carry('from celery import Celery\n\napp = Celery("proj")\n') == {"job": None}


def test_an_app_task_cls_wrapping_only_call_is_run_through_by_the_shim():
    source = 'from celery import Celery\n\napp = Celery("proj", task_cls="proj.base:WriterTask")\n'
    assert _info(source, "call_through") == {"job": "app"}
    with_hook = BASE + "\n    def on_failure(self, *args):\n        pass\n"
    assert _info(source, "call_through", with_hook) == {"job": None}  # hooks stay a TODO
    assert _info('from celery import Celery\n\napp = Celery("proj")\n', "call_through") == {"job": None}
