"""The shop fixture behaves the same under Celery (original code) and ARQ (rewritten code).

Same results, same exceptions, same retry counts, through the project's unchanged call sites;
and the project's own Celery-style test suite passes before and after the rewrite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from celery2arq.cli import main

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "fixtures" / "rewrite" / "shop"
DRIVER = Path(__file__).with_name("rewrite_e2e_driver.py")


def _env(root: Path, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env["SHOP_REDIS_URL"] = redis_url
    env["CELERY2ARQ_REDIS_URL"] = redis_url
    env.pop("CELERY2ARQ_EAGER", None)
    return env


def _drive(kind: str, root: Path, redis_url: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(DRIVER), kind],
        cwd=root,
        env=_env(root, redis_url),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _rewrite(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["rewrite", "."], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_same_results_exceptions_and_retry_counts(tmp_path, redis_url, monkeypatch):
    original = tmp_path / "celery_side"
    shutil.copytree(SHOP, original)
    under_celery = _drive("celery", original, redis_url)
    redis.Redis.from_url(redis_url).flushall()

    rewritten = tmp_path / "arq_side"
    shutil.copytree(SHOP, rewritten)
    _rewrite(rewritten, monkeypatch)
    under_arq = _drive("arq", rewritten, redis_url)

    expected = {
        "add": ["ok", "5"],
        "add_apply_async": ["ok", "9"],
        "always_fails": ["error", "ValueError", "boom"],
        "checkout": ["ok", "3"],
        "divide": ["error", "ZeroDivisionError", "division by zero"],
        "fetch_double": ["ok", "42"],
        "flaky": ["ok", "2"],
        "lookup": ["error", "KeyError", "'missing'"],
    }
    assert under_celery["results"] == expected
    assert under_celery["attempts"] == {"always_fails": 3, "flaky": 3, "lookup": 3}
    assert under_arq == under_celery


@pytest.mark.parametrize("side", ["before", "after"])
def test_the_projects_own_suite_passes(side, tmp_path, monkeypatch):
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    if side == "after":
        _rewrite(root, monkeypatch)
        assert "async def add(ctx, x, y)" in (root / "shop" / "tasks.py").read_text()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=root,
        env=_env(root, "redis://127.0.0.1:1/0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
