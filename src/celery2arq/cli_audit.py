"""``celery2arq audit`` and ``celery2arq rules``: thin click layers over audit, report and rules."""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from pathlib import Path

import click

from celery2arq.config import FORMATS, Config, ConfigError, load
from celery2arq.model import VERDICT_RANK, VERDICTS, ProjectScan
from celery2arq.rules import RULES, UnknownRuleError, get, render_page

DEFAULT_WIDTH = 110  # text report width when not on a terminal and COLUMNS is unset
MIN_WIDTH = 60
INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class InputError(click.ClickException):
    """Bad input (a missing path, a bad config): one ``Error: ...`` line and exit 2, no usage text."""

    exit_code = 2


class InternalError(InputError):
    """A bug: one line (the traceback with -v); exit 2 as docs/exit-codes.md says, since 1 is --fail-on."""


def _page_or_exit(code: str) -> str:
    try:
        return render_page(get(code).code)
    except UnknownRuleError:
        raise InputError(f"unknown rule code {code!r}; `celery2arq rules` lists them") from None


def tripped(project: ProjectScan, fail_on: str) -> bool:
    """True when any unsuppressed finding is at least as severe as ``fail_on``."""
    threshold = VERDICT_RANK[fail_on]
    for section in ("tasks", "beat", "canvas", "call_sites", "settings", "task_classes", "signals"):
        if any(VERDICT_RANK[r.verdict] >= threshold for r in getattr(project, section)):
            return True
    return any(not u.suppressed and VERDICT_RANK["review"] >= threshold for u in project.undecided)


def _merge(
    config: Config,
    fmt: str | None,
    fail_on: str | None,
    jobs: int | None,
    exclude: tuple[str, ...],
    include: tuple[str, ...],
) -> Config:
    return Config(
        format=fmt or config.format,
        fail_on=fail_on or config.fail_on,
        exclude=(*config.exclude, *exclude),
        include=(*config.include, *include),
        jobs=jobs or config.jobs,
        ignore=config.ignore,
        source=config.source,
    )


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Report format (default: text).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
@click.option(
    "--fail-on", type=click.Choice(VERDICTS), help="Exit 1 when any finding is at least this verdict."
)
@click.option("--explain", metavar="CODE", help="Print the page of one rule code and exit.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for the scan.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching paths (adds to the config).")
@click.option(
    "--include", multiple=True, metavar="GLOB", help="Scan only matching files (adds to the config)."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="A TOML config file instead of the nearest pyproject.toml.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def audit(
    paths: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    fail_on: str | None,
    explain: str | None,
    jobs: int | None,
    exclude: tuple[str, ...],
    include: tuple[str, ...],
    config_file: Path | None,
    verbose: bool,
) -> None:
    """Static report of a Celery code base: every task, Beat entry and canvas use gets a verdict.

    Verdicts: ready (converts with the same behaviour), review (converts, behaviour differs as
    stated), celery (needs Celery or a redesign). Exit 0; 1 when --fail-on trips; 2 on usage,
    configuration or internal errors; 130 when interrupted. The text report is COLUMNS wide
    (110 when COLUMNS is unset and stdout is not a terminal).
    """
    if explain:
        click.echo(_page_or_exit(explain), nl=False)
        return
    if not paths:
        raise click.UsageError("give at least one PATH to audit (or --explain CODE)")
    if Path("-") in paths:
        raise InputError("reading source from stdin ('-') is not supported: give a file or a folder")
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(f"path does not exist: {missing[0]}")
    try:
        config = _merge(load(config_file, start=paths[0]), fmt, fail_on, jobs, exclude, include)
    except ConfigError as exc:
        raise InputError(str(exc)) from None
    from celery2arq.discovery import ScanInputError

    try:
        project, text = _run(paths, config, output)
    except ScanInputError as exc:
        raise InputError(str(exc)) from None
    except (click.ClickException, click.exceptions.Exit):
        raise
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(INTERRUPTED)
    except Exception as exc:  # an internal error: one line, the traceback only when asked
        if verbose:
            traceback.print_exc(file=sys.stderr)
        hint = "" if verbose else " (run with -v for details)"
        raise InternalError(f"internal error: {type(exc).__name__}: {exc}{hint}") from None
    if project.files_scanned == 0:
        filtered = " after --include/--exclude" if config.include or config.exclude else ""
        where = ", ".join(str(p) for p in paths)
        click.echo(f"Warning: no Python files to scan in {where}{filtered}", err=True)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)
    if config.fail_on and tripped(project, config.fail_on):
        sys.exit(1)


def _run(paths: tuple[Path, ...], config: Config, output: Path | None) -> tuple[ProjectScan, str]:
    from celery2arq.audit import run_audit
    from celery2arq.report import render

    project = run_audit(list(paths), config, progress=sys.stderr.isatty())  # the bar goes to stderr
    on_terminal = output is None and sys.stdout.isatty()
    color = config.format == "text" and on_terminal and "NO_COLOR" not in os.environ
    return project, render(project, config.format, color=color, width=text_width(on_terminal))


def text_width(terminal: bool) -> int:
    """``COLUMNS`` when set, else the terminal's width, else 110: the same bytes for the same input."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    if terminal:
        return max(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, MIN_WIDTH)
    return DEFAULT_WIDTH


@click.command()
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """List the rules, or print the page of one rule CODE."""
    if code:
        click.echo(_page_or_exit(code), nl=False)
        return
    for rule in RULES.values():
        fix = "fix" if rule.fixed_by else "   "
        click.echo(f"{rule.code}  {rule.verdict:<6}  {fix}  {rule.name:<28} {rule.summary}")
