"""LibCST codemods that turn Celery tasks into ARQ workers.

A leaf package: it imports only libcst, the standard library and celery2arq's static
modules, so it runs under ``python -m libcst.tool codemod`` with nothing else loaded.
"""
