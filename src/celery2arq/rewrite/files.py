"""Which module a file is imported as (the audit's own rule), and from which folder."""

from __future__ import annotations

from pathlib import Path

from celery2arq.scan.modules import module_name


def module_and_root(path: Path, base: Path | None = None) -> tuple[str, Path]:
    """The dotted module of ``path`` (:func:`celery2arq.scan.modules.module_name`, so the task names
    rewrite emits are the audit's) and the folder it is imported from.

    Folders without ``__init__.py`` inside a package under ``base`` are namespace portions and are
    crossed, as Python imports them (saleor's ``saleor/order/migrations/tasks/`` is
    ``saleor.order.migrations.tasks``); ``src/`` layouts work because ``src`` has no ``__init__.py``.
    """
    path = Path(path).resolve()
    module = module_name(path, base)
    depth = module.count(".") + (1 if path.name == "__init__.py" and module != "__init__" else 0)
    root = path.parent
    for _ in range(depth):
        root = root.parent
    return module, root
