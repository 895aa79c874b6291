"""``[tool.celery2arq]`` in the nearest pyproject.toml: defaults for ``celery2arq audit``.

Unknown keys are refused (a typo must not silently change nothing), with a one-line error
naming the key and the file. Command-line options override these values; ``--exclude`` and
``--include`` add to them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery2arq.model import VERDICTS
from celery2arq.rules import RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FORMATS = ("text", "json", "markdown", "sarif")


class ConfigError(Exception):
    """Bad configuration: the message is one line naming what and where."""


@dataclass
class Config:
    format: str = "text"
    fail_on: str | None = None
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    jobs: int | None = None
    ignore: tuple[str, ...] = ()
    source: str | None = None  # the file the values came from, for messages


def _strings(key: str, value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _check_format(value: Any, where: str) -> str:
    if value not in FORMATS:
        raise ConfigError(f"{where}: format must be one of {', '.join(FORMATS)}, not {value!r}")
    return value


def _check_fail_on(value: Any, where: str) -> str:
    if value not in VERDICTS:
        raise ConfigError(f"{where}: fail-on must be one of {', '.join(VERDICTS)}, not {value!r}")
    return value


def _check_jobs(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: jobs must be a positive integer, not {value!r}")
    return value


def _check_ignore(value: Any, where: str) -> tuple[str, ...]:
    codes = tuple(c.upper() for c in _strings("ignore", value, where))
    unknown = [c for c in codes if c not in RULES]
    if unknown:
        raise ConfigError(f"{where}: ignore names unknown rule code {unknown[0]}")
    return codes


KEYS = ("format", "fail-on", "exclude", "include", "jobs", "ignore")


def from_table(table: dict[str, Any], where: str) -> Config:
    """Validate one ``[tool.celery2arq]`` table."""
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} in [tool.celery2arq] (known: {', '.join(KEYS)})")
    config = Config(source=where)
    if "format" in table:
        config.format = _check_format(table["format"], where)
    if "fail-on" in table:
        config.fail_on = _check_fail_on(table["fail-on"], where)
    if "exclude" in table:
        config.exclude = _strings("exclude", table["exclude"], where)
    if "include" in table:
        config.include = _strings("include", table["include"], where)
    if "jobs" in table:
        config.jobs = _check_jobs(table["jobs"], where)
    if "ignore" in table:
        config.ignore = _check_ignore(table["ignore"], where)
    return config


def read_file(path: Path) -> Config:
    """A config file: a pyproject.toml (its ``[tool.celery2arq]`` table) or a bare TOML of the same keys."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    tool = data.get("tool")
    if isinstance(tool, dict) and "celery2arq" in tool:
        table = tool["celery2arq"]
    elif path.name == "pyproject.toml":
        table = {}
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.celery2arq] must be a table")
    return from_table(table, where)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a ``[tool.celery2arq]`` table, from ``start`` upwards."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "celery2arq" in candidate.read_text(encoding="utf-8", errors="replace"):
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{candidate}: invalid TOML: {exc}") from None
            if isinstance(data.get("tool"), dict) and "celery2arq" in data["tool"]:
                return candidate
    return None


def load(config_file: str | Path | None, start: str | Path = ".") -> Config:
    """The explicit ``--config`` file, else the nearest pyproject.toml, else defaults."""
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return read_file(path)
    found = find_pyproject(Path(start))
    return read_file(found) if found else Config()
