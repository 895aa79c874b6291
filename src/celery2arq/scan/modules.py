"""File paths → dotted module names, and relative-import resolution, the way Python imports them."""

from __future__ import annotations

from pathlib import Path


def module_name(path: Path, root: Path | None = None) -> str:
    """The dotted module a file is imported as: walk up while the folder has an ``__init__.py``.

    This handles ``src/`` layouts (``src`` has no ``__init__.py``) and single files. Inside the scan
    ``root``, a folder without ``__init__.py`` below a regular package is a namespace package
    (saleor's ``saleor/order/migrations/tasks/``, which Celery's autodiscovery imports), so the walk
    goes on through it.
    """
    path = Path(path)
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    stop = Path(root).resolve() if root is not None else None
    while True:
        if (folder / "__init__.py").is_file() or _namespace_inside_package(folder, stop):
            parts.append(folder.name)
            if folder.parent == folder:
                break
            folder = folder.parent
        else:
            break
    return ".".join(reversed(parts)) or path.stem


def _namespace_inside_package(folder: Path, root: Path | None) -> bool:
    """A folder without ``__init__.py`` that has a regular package above it, inside the scan root."""
    if root is None:
        return False
    folder = folder.resolve()
    if folder == root or root not in folder.parents:
        return False
    current = folder.parent
    while current != root and root in current.parents:
        if (current / "__init__.py").is_file():
            return True
        current = current.parent
    return False


def is_package_file(path: str | Path) -> bool:
    return Path(path).name == "__init__.py"


def package_of(module: str, is_package: bool) -> str:
    """The package a module's relative imports start from."""
    if is_package:
        return module
    return module.rpartition(".")[0]


def resolve_relative(name: str, module: str, is_package: bool) -> str:
    """Make a LibCST qualified name absolute: ``.celery.app`` in ``proj.tasks`` → ``proj.celery.app``.

    Names without leading dots are returned unchanged. A relative import that climbs above the top
    package keeps what is left (best effort, as the file could not be imported either).
    """
    if not name.startswith("."):
        return name
    level = len(name) - len(name.lstrip("."))
    rest = name[level:]
    base = package_of(module, is_package).split(".") if module else []
    if level > 1:
        base = base[: max(0, len(base) - (level - 1))]
    return ".".join(p for p in (*base, rest) if p)


def importable(module: str) -> bool:
    """A dotted name ``import`` accepts: files such as ``a-b.py`` (test data, scripts) have none."""
    return bool(module) and all(part.isidentifier() for part in module.split("."))
