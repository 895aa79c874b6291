"""Falling back to ARQ's localhost default is said out loud, once (it once sent a job to the wrong Redis)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import warnings
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    from celery2arq.shim.config import redis_url
    first, second = redis_url(), redis_url()
print(first == second == "redis://localhost:6379/0", len(caught), caught[0].message if caught else "")
"""


def test_unconfigured_url_warns_once_naming_the_fix() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CELERY2ARQ_REDIS_URL"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    ok, count, message = done.stdout.strip().split(" ", 2)
    assert ok == "True" and count == "1"
    assert "no Redis URL configured" in message and "CELERY2ARQ_REDIS_URL" in message
