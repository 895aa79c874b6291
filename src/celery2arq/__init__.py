"""celery2arq: audit, rewrite and shim for migrating Celery tasks to ARQ.

Kept tiny on purpose: migrated production code imports ``celery2arq.shim`` and must not
pay for libcst or click.
"""

__version__ = "0.1.0"
