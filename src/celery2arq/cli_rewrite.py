"""Placeholder: `celery2arq rewrite` is built here."""

from __future__ import annotations

import click


@click.command()
def rewrite() -> None:
    """Rewrite Celery tasks into ARQ workers."""
    raise click.ClickException("not built yet")
