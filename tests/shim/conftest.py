"""Shim test fixtures: clean shim settings per test; worker helpers live in shim_helpers.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from celery2arq.shim import config, configure, connection, enqueue  # noqa: E402


@pytest.fixture(autouse=True)
def shim_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts from default shim settings (no Redis yet: tests that need it take `shim_redis`)."""
    for name in ("CELERY2ARQ_REDIS_URL", "CELERY2ARQ_EAGER"):
        monkeypatch.delenv(name, raising=False)
    config.reset()
    connection.reset_clients()
    enqueue._warned.clear()
    config._apps.clear()
    yield
    config.reset()
    config._apps.clear()
    connection.reset_clients()


@pytest.fixture
def shim_redis(redis_url: str) -> str:
    configure(redis_url=redis_url)
    return redis_url
