"""The ``celery2arq`` command line: a click group whose subcommands live in their own modules."""

from __future__ import annotations

import click

from celery2arq import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="celery2arq")
def main() -> None:
    """Migrate Celery tasks to ARQ: audit, rewrite, and a shim for the gradual path."""


def _register() -> None:
    from celery2arq.cli_audit import audit, rules
    from celery2arq.cli_rewrite import rewrite

    main.add_command(audit)
    main.add_command(rules)
    main.add_command(rewrite)


_register()
