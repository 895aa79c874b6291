"""The Celery worker's entry module, which the generated ``arq_worker.py`` imports before the tasks.

Flask's documented pattern creates the Celery app inside a factory (``celery_init_app(app)``, called
from ``create_app()``); ``celery -A make_celery worker`` imports ``make_celery``, whose module-level
``flask_app = create_app()`` makes the app. An ARQ worker that imports only the task modules never
creates it, so every ``call_through="app"`` job fails (``CallThroughError``). Found statically, as the
rest of the rewrite: a project module whose module-level code calls the factory, directly or through
at most ``MAX_HOPS`` project functions, names resolved with LibCST and the scan's ``Index`` (imports and
re-exports). Only files naming a function of the chain are parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, QualifiedNameSource

from celery2arq.scan.modules import importable, resolve_relative
from celery2arq.scan.project import Index

MAX_HOPS = 3  # project functions between the module-level call and the factory (create_app → init → Celery)
LOCALS = ".<locals>."
TEST_PARTS = frozenset({"test", "tests", "conftest"})


@dataclass
class _Facts:
    """One module: what its import runs and what its functions call."""

    bindings: dict[str, str] = field(default_factory=dict)  # module-level import: local name → target
    calls: set[str] = field(default_factory=set)  # called by module-level code run on import
    functions: dict[str, set[str]] = field(default_factory=dict)  # top-level function path → calls
    hint: bool = False  # ``X = <app>.extensions["celery"]``: Flask's worker entry point


def factories(app_paths: Iterable[str]) -> set[str]:
    """The functions that construct an app at run time: ``pkg.mod.init.<locals>.app`` → ``pkg.mod.init``."""
    return {path.partition(LOCALS)[0] for path in app_paths if LOCALS in path}


def _is_main_guard(test: cst.BaseExpression) -> bool:
    """``if __name__ == "__main__":`` (either order): its body does not run on import."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = [test.left, test.comparisons[0].comparator]
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    strings = [s for s in sides if isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__"]
    return isinstance(test.comparisons[0].operator, cst.Equal) and bool(names) and bool(strings)


def _is_extensions_celery(value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.Subscript) or len(value.slice) != 1:
        return False
    key = value.slice[0].slice
    return (
        isinstance(value.value, cst.Attribute)
        and value.value.attr.value == "extensions"
        and isinstance(key, cst.Index)
        and isinstance(key.value, cst.SimpleString)
        and key.value.evaluated_value == "celery"
    )


class _Reader(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, module: str, is_package: bool, facts: _Facts) -> None:
        super().__init__()
        self.module, self.is_package, self.facts = module, is_package, facts
        self.function: cst.FunctionDef | None = None  # the enclosing top-level function
        self.calls = facts.calls

    def _absolute(self, name: str) -> str:
        return resolve_relative(name, self.module, self.is_package)

    def _qnames(self, node: cst.CSTNode) -> set[str]:
        """Absolute qualified names, as the scan's ``FileVisitor.qnames`` makes them."""
        names = set()
        for qname in self.get_metadata(QualifiedNameProvider, node, set()):
            if qname.source == QualifiedNameSource.LOCAL:
                names.add(f"{self.module}.{qname.name}")
            else:
                names.add(self._absolute(qname.name))
        return names

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self.function is None:
            self.function = node
            self.calls = self.facts.functions.setdefault(f"{self.module}.{node.name.value}", set())
        return True  # nested functions' calls count for the enclosing one

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        if original_node is self.function:
            self.function, self.calls = None, self.facts.calls

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False  # methods are not followed

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return self.function is not None  # a module-level lambda does not run on import

    def visit_If(self, node: cst.If) -> bool:
        return self.function is not None or not _is_main_guard(node.test)

    def visit_Call(self, node: cst.Call) -> None:
        self.calls |= self._qnames(node.func)

    def visit_Import(self, node: cst.Import) -> None:
        if self.function is None:
            for alias in node.names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    target = get_full_name_for_node(alias.name) or ""
                    self.facts.bindings[alias.asname.name.value] = target

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self.function is not None or isinstance(node.names, cst.ImportStar):
            return
        dotted = get_full_name_for_node(node.module) if node.module is not None else None
        base = "." * len(node.relative) + (dotted or "")
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            local = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(local, cst.Name):
                joined = f"{base}.{name}" if dotted else base + name
                self.facts.bindings[local.value] = self._absolute(joined)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.function is None and _is_extensions_celery(node.value):
            self.facts.hint = True


def _read(path: Path, module: str, is_package: bool) -> _Facts | None:
    try:
        tree = cst.parse_module(path.read_bytes())
    except (OSError, cst.ParserSyntaxError):
        return None  # the audit reports it
    facts = _Facts()
    MetadataWrapper(tree, unsafe_skip_copy=True).visit(_Reader(module, is_package, facts))
    return facts


def _test_like(module: str) -> bool:
    return any(p in TEST_PARTS or p.startswith("test_") or p.endswith("_test") for p in module.split("."))


@dataclass
class Detection:
    """The entry module to import (or None) and every candidate found, for the ambiguity warning."""

    module: str | None
    candidates: list[str] = field(default_factory=list)


def detect(factory_paths: set[str], files: Iterable[tuple[Path, str, bool]]) -> Detection:
    """The project module whose import creates the app: ``files`` are (path, module, is package).

    Among several, a module assigning ``<app>.extensions["celery"]`` wins, then the fewest dotted parts;
    a tie is ambiguous (no module). Test modules never count.
    """
    files = [(path, module, is_package) for path, module, is_package in files if importable(module)]
    creators = set(factory_paths)
    names = {path.rpartition(".")[2] for path in creators}
    parsed: dict[str, _Facts] = {}
    index = Index([])
    for hop in range(MAX_HOPS + 1):
        pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\b")
        for path, module, is_package in files:
            if module not in parsed and _mentions(path, pattern):
                facts = _read(path, module, is_package)
                if facts is not None:
                    parsed[module] = facts
        index.bindings = {module: facts.bindings for module, facts in parsed.items()}
        if hop == MAX_HOPS:
            break
        new = {
            function
            for facts in parsed.values()
            for function, calls in facts.functions.items()
            if function not in creators and any(index.canonical(call) in creators for call in calls)
        }
        if not new:
            break
        creators |= new
        names = {function.rpartition(".")[2] for function in new}
    found = sorted(
        (not facts.hint, module.count("."), module)
        for module, facts in parsed.items()
        if not _test_like(module) and any(index.canonical(call) in creators for call in facts.calls)
    )
    if not found:
        return Detection(None)
    best = [module for hint, dots, module in found if (hint, dots) == found[0][:2]]
    return Detection(best[0] if len(best) == 1 else None, [module for *_, module in found])


def _mentions(path: Path, pattern: re.Pattern[bytes]) -> bool:
    try:
        return pattern.search(path.read_bytes()) is not None
    except OSError:
        return False


def entry_module(spec: str, modules: set[str]) -> str:
    """A ``--worker-import`` value as ``celery -A`` takes it (``pkg.mod``, ``pkg.mod:app``, ``pkg.mod.app``)
    → the module to import; raises ``ValueError`` when it is not a dotted name."""
    module = spec.partition(":")[0]
    if not importable(module) or (":" in spec and not importable(spec.partition(":")[2])):
        raise ValueError(f"{spec!r} is not a module (pkg.module or pkg.module:attribute)")
    parent = module.rpartition(".")[0]
    if module not in modules and parent in modules:  # ``celery -A make_celery.celery_app``
        return parent
    return module
