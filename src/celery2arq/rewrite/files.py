"""Which module a file is imported as, and from which folder."""

from __future__ import annotations

from pathlib import Path


def module_and_root(path: Path, base: Path | None = None) -> tuple[str, Path]:
    """The dotted module of ``path`` and the folder it is imported from.

    The root is the parent of the highest folder (up to ``base``) that has an ``__init__.py``;
    folders without one *inside* a package are namespace portions and are crossed, as Python
    imports them (saleor's ``saleor/order/migrations/tasks/`` is ``saleor.order.migrations.tasks``).
    ``src/`` layouts work because ``src`` itself has no ``__init__.py``.
    """
    path = path.resolve()
    stop = base.resolve() if base is not None else None
    top: Path | None = None
    folder = path.parent
    while True:
        if (folder / "__init__.py").is_file():
            top = folder
        if folder == stop or folder.parent == folder:
            break
        folder = folder.parent
    root = top.parent if top is not None else path.parent
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts), root
