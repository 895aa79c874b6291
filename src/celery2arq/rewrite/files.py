"""Where a file's import root is (discovery itself is :func:`celery2arq.discovery.discover`)."""

from __future__ import annotations

from pathlib import Path


def import_root(path: Path) -> Path:
    """The folder a file's top package lives in (the first parent without ``__init__.py``)."""
    folder = path.resolve().parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder
