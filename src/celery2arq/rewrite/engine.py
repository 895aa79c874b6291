"""One file through the codemod pipeline: bytes in, bytes out, never a file that does not compile."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from celery2arq.rewrite.inventory import HINT, FileInventory, read_inventory
from celery2arq.scan.modules import package_of
from celery2arq_codemods import PIPELINE
from celery2arq_codemods._names import SCRATCH_CONVERTED, SCRATCH_LEFT


@dataclass
class FileOutcome:
    """What happened to one file; small and picklable so it crosses ``-j`` process boundaries."""

    path: str
    module: str
    original: bytes
    new: bytes
    warnings: list[str] = field(default_factory=list)
    converted: list[dict[str, Any]] = field(default_factory=list)
    left: list[dict[str, Any]] = field(default_factory=list)
    inventory: FileInventory | None = None
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.error is None and self.new != self.original


def rewrite_source(
    source: bytes,
    *,
    path: str = "mod.py",
    module: str = "mod",
    is_package: bool = False,
    scratch: dict[str, Any] | None = None,
    verbose: bool = False,
    commands: tuple[type, ...] = PIPELINE,
) -> FileOutcome:
    """Run every codemod of the pipeline over ``source`` (encoding, BOM and newlines kept)."""
    outcome = FileOutcome(path=path, module=module, original=source, new=source)
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        outcome.error = f"{path}:{exc.editor_line}:{exc.editor_column}: could not parse: {exc.message}"
        return outcome
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        outcome.error = f"{path}: could not read: {exc}"
        return outcome
    context = CodemodContext(
        filename=path,
        full_module_name=module,
        full_package_name=package_of(module, is_package),
        scratch=dict(scratch or {}),
    )
    try:
        for command in commands:
            tree = command(context).transform_module(tree)
    except SkipFile:
        return outcome
    except Exception as exc:  # a codemod bug must not stop the other files
        detail = traceback.format_exc() if verbose else f"{type(exc).__name__}: {exc}"
        outcome.error = f"{path}: internal error in rewrite (please report): {detail}"
        return outcome
    new = tree.bytes
    warnings = [f"{path}: {w}" for w in context.warnings]
    if new != source:
        try:
            compile(new, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            if _compiles(source, path):
                outcome.error = f"{path}: rewritten code does not compile, file left unchanged: {exc}"
                return outcome
            # syntax newer than this Python (PEP 695 on 3.11): LibCST parsed it, compile() cannot judge
            warnings.append(f"{path}: not compile-checked: this Python cannot compile the original either")
    outcome.new = new
    outcome.warnings = warnings
    outcome.converted = list(context.scratch.get(SCRATCH_CONVERTED, []))
    outcome.left = list(context.scratch.get(SCRATCH_LEFT, []))
    outcome.inventory = (
        read_inventory(tree, module, is_package) if HINT.search(new) else FileInventory(module)
    )
    return outcome


def _compiles(source: bytes, path: str) -> bool:
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True
