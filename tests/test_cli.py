"""The command group: one-line usage errors, exit 2, and ``python -m celery2arq``."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from celery2arq.cli import main


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["audit", ".", "--format", "xml"], "Invalid value for '--format'"),
        (["audit", ".", "--fail-on", "bogus"], "Invalid value for '--fail-on'"),
        (["rewrite", "-j", "0", "."], "Invalid value for '-j'"),
        (["nope"], "No such command 'nope'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and says in lines[0] and "--help" in lines[0]
    assert "Traceback" not in result.output


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "celery2arq", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.startswith("celery2arq, version ")
