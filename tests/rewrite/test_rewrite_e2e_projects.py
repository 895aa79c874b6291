"""Every fixture project behaves the same under Celery (original code) and ARQ (rewritten code).

For each scenario in ``e2e_scenarios/``: copy the project, drive its unchanged call sites against a
real Celery worker; copy it again, ``rewrite`` it, drive the same call sites against real ARQ workers
on the generated ``WorkerSettings``. Same results, same exceptions, same retry counts — and the
Celery side must match the scenario's stated expectations, so a driver that sees nothing fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import redis
from project_e2e_driver import run_in_subprocess

from celery2arq.rewrite import run_rewrite

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).with_name("e2e_scenarios")
NAMES = sorted(p.stem for p in SCENARIOS.glob("*.py") if not p.name.startswith("_"))


def _load(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"scenario_{name}", SCENARIOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drive(name: str, kind: str, root: Path, redis_url: str, settings: list[str]) -> dict:
    env = getattr(_load(name), "ENV", {})
    return run_in_subprocess(SCENARIOS / f"{name}.py", kind, root, redis_url, settings, env)


@pytest.mark.parametrize("name", NAMES)
def test_same_behaviour_under_celery_and_after_rewrite_under_arq(name, tmp_path, redis_url, monkeypatch):
    scenario = _load(name)
    project = REPO / scenario.PROJECT
    original = tmp_path / "celery_side"
    shutil.copytree(project, original)
    under_celery = _drive(name, "celery", original, redis_url, [])
    assert under_celery["refused_6379"] == []  # the driver's guard: nothing reached the default Redis
    assert under_celery["results"] == scenario.EXPECTED
    assert under_celery["attempts"] == getattr(scenario, "EXPECTED_ATTEMPTS", {})
    redis.Redis.from_url(redis_url).flushall()

    rewritten = tmp_path / "arq_side"
    shutil.copytree(project, rewritten)
    monkeypatch.chdir(rewritten)
    # REWRITE_EXCLUDE: files neither side can import here (as `rewrite --exclude` would skip them)
    result = run_rewrite([Path(".")], exclude=tuple(getattr(scenario, "REWRITE_EXCLUDE", ())))
    assert result.worker_settings, result.errors
    for label in getattr(scenario, "CONVERTED", ()):
        assert any(label == c["function"] for o in result.outcomes for c in o.converted), label
    under_arq = _drive(name, "arq", rewritten, redis_url, result.worker_settings)
    assert under_arq == under_celery
