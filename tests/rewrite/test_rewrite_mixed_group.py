"""Mixed projects: a view's Celery ``group`` over a converted task becomes the shim's fan-out ``group``.

When a task stays on Celery the app-wide import conversion does not run, so a file without tasks kept
``from celery import group`` while ``resize.s(i)`` became a shim signature, and Celery's ``group``
raised ``AttributeError: 'Signature' object has no attribute 'app'``. Golden files for the rewrite, then
the rewritten view run against real workers (ARQ for the converted task, Celery for the one left on
Celery), with the same results as the original project under Celery.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from project_e2e_driver import run_in_subprocess

from celery2arq.rewrite import run_rewrite

PROJECT = {
    "shop/__init__.py": "",
    "shop/celery.py": 'from celery import Celery\n\napp = Celery("shop", include=["shop.tasks"])\n',
    "shop/tasks.py": (
        "from shop.celery import app\n\n\n"
        "@app.task\ndef resize(image_id):\n    return image_id * 10\n\n\n"
        '@app.task(rate_limit="10/m")  # C2A107: stays on Celery\n'
        "def throttled(image_id):\n    return image_id + 1\n"
    ),
    # a view: no task here, groups over a converted task, a task left on Celery, a signature by name
    "shop/views.py": '''"""Views that fan work out."""
from celery import group, signature

from shop.tasks import resize, throttled


def resize_all(ids):
    return group(resize.s(i) for i in ids).apply_async()


def both(i):
    return group([resize.s(i), throttled.s(i)]).apply_async()


def by_name(i):
    return group(signature("shop.tasks.resize", args=(i,)), throttled.si(i)).apply_async()


def single_by_name(i):
    return signature("shop.tasks.resize", args=(i,)).apply_async()
''',
    "shop/fanout.py": (
        "from celery.canvas import group as fan, chunks\n\nfrom shop.tasks import resize\n\n\n"
        "def fan_out(ids):\n    return fan(resize.si(i) for i in ids).apply_async()\n"
    ),
    # a group feeds a chain: Celery's group stays for the whole file (C2A302 warning)
    "shop/reports.py": (
        "from celery import chain, group\n\nfrom shop.tasks import resize, throttled\n\n\n"
        "def pipeline(ids):\n    return chain(group(throttled.s(i) for i in ids), throttled.s())\n\n\n"
        "def fan(ids):\n    return group(resize.si(i) for i in ids).apply_async()\n"
    ),
    # chain and chord only over other signatures (fastapisvc's pipelines.py): the fan-out moves to the shim
    "shop/pipelines.py": (
        "from celery import chain, chord, group\n\nfrom shop.tasks import resize, throttled\n\n\n"
        "def twice(i):\n    return chain(throttled.s(i), throttled.s()).apply_async()\n\n\n"
        "def gather(ids):\n    return chord([throttled.s(i) for i in ids])(throttled.s())\n\n\n"
        "def ping(ids):\n    fan = group(resize.si(i) for i in ids)\n    return fan.apply_async()\n"
    ),
    # signs only the task left on Celery: Celery's group (with its group id) stays
    "shop/only_celery.py": (
        "from celery import group\n\nfrom shop.tasks import throttled\n\n\n"
        "def fan(ids):\n    return group(throttled.s(i) for i in ids).apply_async()\n"
    ),
}

VIEWS_AFTER = '''"""Views that fan work out."""
from celery import signature

from shop.tasks import resize, throttled
from celery2arq.shim import group


def resize_all(ids):
    return group(resize.s(i) for i in ids).apply_async()


def both(i):
    return group([resize.s(i), throttled.s(i)]).apply_async()


def by_name(i):
    return group(signature("shop.tasks.resize", args=(i,)), throttled.si(i)).apply_async()


def single_by_name(i):
    return signature("shop.tasks.resize", args=(i,)).apply_async()
'''

FANOUT_AFTER = (
    "from celery.canvas import chunks\n\nfrom shop.tasks import resize\n"
    "from celery2arq.shim import group as fan\n\n\n"
    "def fan_out(ids):\n    return fan(resize.si(i) for i in ids).apply_async()\n"
)

PIPELINES_AFTER = (
    "from celery import chain, chord\n\nfrom shop.tasks import resize, throttled\n"
    "from celery2arq.shim import group\n\n\n"
    "def twice(i):\n    return chain(throttled.s(i), throttled.s()).apply_async()\n\n\n"
    "def gather(ids):\n    return chord([throttled.s(i) for i in ids])(throttled.s())\n\n\n"
    "def ping(ids):\n    fan = group(resize.si(i) for i in ids)\n    return fan.apply_async()\n"
)

SCENARIO = """
CELERY_APP = "shop.celery:app"
QUEUES = ["celery"]
MIXED = True


def drive():
    from shop import fanout, pipelines, views

    return {
        "resize_all": views.resize_all([1, 2, 3]),
        "both": views.both(4),
        "by_name": views.by_name(5),
        "single_by_name": views.single_by_name(6),
        "fan_out": fanout.fan_out([7, 8]),
        "ping": pipelines.ping([1, 2]),
    }
"""

EXPECTED = {
    "resize_all": ["ok", "[10, 20, 30]"],
    "both": ["ok", "[40, 5]"],
    "by_name": ["ok", "[50, 6]"],
    "single_by_name": ["ok", "60"],
    "fan_out": ["ok", "[70, 80]"],
    "ping": ["ok", "[10, 20]"],
}


def _write_project(root: Path) -> None:
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_mixed_project_views_import_the_shim_group(tmp_path, monkeypatch):
    _write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    first = run_rewrite([Path(".")])
    assert not first.errors
    assert [t["function"] for t in first.left_tasks] == ["throttled"]
    assert Path("shop/views.py").read_text() == VIEWS_AFTER
    assert Path("shop/fanout.py").read_text() == FANOUT_AFTER
    assert Path("shop/pipelines.py").read_text() == PIPELINES_AFTER
    assert Path("shop/reports.py").read_text() == PROJECT["shop/reports.py"]
    assert Path("shop/only_celery.py").read_text() == PROJECT["shop/only_celery.py"]
    assert any(w.startswith("shop/reports.py: `group` is combined") and "C2A302" in w for w in first.warnings)
    assert not any(w.startswith("shop/pipelines.py") and "C2A302" in w for w in first.warnings)
    assert "configure(celery_app=app)" in Path("shop/celery.py").read_text()  # the app is kept
    written = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    second = run_rewrite([Path(".")])
    assert second.changed == []
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == written


def _drive(kind: str, root: Path, redis_url: str, settings: list[str]) -> dict:
    (root / "scenario.py").write_text(SCENARIO)
    return run_in_subprocess(root / "scenario.py", kind, root, redis_url, settings)


@pytest.mark.integration
def test_mixed_project_group_runs_on_real_workers(tmp_path, redis_url, monkeypatch):
    """The rewritten view's groups give what the original gave under Celery: the converted task's members
    run on the ARQ worker, the members left on Celery (by task or by name) through Celery's worker."""
    original = tmp_path / "celery_side"
    _write_project(original)
    under_celery = _drive("celery", original, redis_url, [])
    assert under_celery["results"] == EXPECTED

    rewritten = tmp_path / "arq_side"
    _write_project(rewritten)
    monkeypatch.chdir(rewritten)
    result = run_rewrite([Path(".")])
    assert result.worker_settings == ["shop.arq_worker.WorkerSettings"]
    under_arq = _drive("arq", rewritten, redis_url, result.worker_settings)
    assert under_arq == under_celery
