"""The ``celery2arq`` command line: a click group whose subcommands live in their own modules."""

from __future__ import annotations

import click

from celery2arq import __version__


def _one_line(error: click.UsageError) -> click.ClickException:
    """A usage error as one line that says what and where (click prints three by default)."""
    where = error.ctx.command_path if error.ctx is not None else "celery2arq"
    one_line = click.ClickException(f"{error.format_message()} (see '{where} --help')")
    one_line.exit_code = 2
    return one_line


class OneLineErrors(click.Group):
    """A click group whose usage errors, its own and its subcommands', are one line, exit 2."""

    def make_context(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            raise _one_line(error) from error

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from error


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
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
