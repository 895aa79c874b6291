"""Placeholder: `celery2arq audit` and `celery2arq rules` are built here."""

from __future__ import annotations

import click


@click.command()
def audit() -> None:
    """Static report of a Celery code base."""
    raise click.ClickException("not built yet")


@click.command()
def rules() -> None:
    """List rules or print one rule's page."""
    raise click.ClickException("not built yet")
