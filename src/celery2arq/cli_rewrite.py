"""``celery2arq rewrite``: Celery tasks → ARQ functions, plus generated WorkerSettings.

Exit codes: 0 nothing to do or everything written; 1 changes pending (``--check``/``--diff``);
2 a file could not be read, parsed or rewritten (2 wins over 1).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

import click


def _module_names(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """``--worker-import`` values are module names (``celery -A``'s forms): a usage error otherwise."""
    from celery2arq.rewrite.entry import entry_module

    for spec in value:
        try:
            entry_module(spec, set())
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--diff", "show_diff", is_flag=True, help="Print unified diffs; write nothing.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when something would change.")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Parallel processes (default: CPUs)."
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files or folders (repeatable).")
@click.option(
    "--no-audit", is_flag=True, help="Do not run the audit first (tasks with verdict celery get converted)."
)
@click.option(
    "--worker-import",
    "worker_imports",
    multiple=True,
    metavar="MODULE",
    callback=_module_names,
    help="The module `celery -A MODULE` names: the generated workers import it first, so it creates the app "
    "(repeatable; default: found when the app is made by a factory).",
)
@click.option("-v", "--verbose", is_flag=True, help="Per-file lines for unchanged files too; tracebacks.")
def rewrite(
    paths: tuple[Path, ...],
    show_diff: bool,
    check: bool,
    output_format: str,
    jobs: int | None,
    exclude: tuple[str, ...],
    no_audit: bool,
    worker_imports: tuple[str, ...],
    verbose: bool,
) -> None:
    """Rewrite Celery tasks under PATH... into ARQ functions and generate arq_worker.py modules."""
    from celery2arq.rewrite import run_rewrite

    mode = "diff" if show_diff else "check" if check else "write"
    started = time.monotonic()
    try:
        result = run_rewrite(
            paths,
            mode=mode,
            jobs=jobs,
            exclude=exclude,
            verbose=verbose,
            use_audit=not no_audit,
            worker_imports=worker_imports,
        )
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        raise click.ClickException(f"rewrite failed: {type(exc).__name__}: {exc}") from None
    elapsed = time.monotonic() - started
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        for diff in result.diffs:
            click.echo(diff, nl=False)
        verb = "rewrote" if mode == "write" else "would rewrite"
        for path in result.changed:
            click.echo(f"{verb} {path}", err=True)
        if verbose:
            for outcome in result.outcomes:
                if not outcome.changed and not outcome.error:
                    click.echo(f"unchanged {outcome.path}", err=True)
        for line in [*result.warnings, *result.errors]:
            click.echo(line, err=True)
        for task in result.left_tasks:
            if task["by"] != "codemod":  # the codemod's own already came as warnings
                code = f"{task['code']}: " if task["code"] else ""
                line = f"{task['file']}: left on Celery: {task['name']}: {code}{task['message']}"
                click.echo(line, err=True)
        for dotted in result.worker_settings:
            click.echo(f"worker settings: arq {dotted}", err=True)
        click.echo(
            f"{len(result.changed)} file(s) {'changed' if mode == 'write' else 'to change'}, "
            f"{result.converted} task(s) converted, {result.left} left on Celery, "
            f"{len(result.errors)} error(s) in {elapsed:.1f}s",
            err=True,
        )
    if result.errors:
        sys.exit(2)
    if mode != "write" and result.changed:
        sys.exit(1)
