"""Scan one file: read, decode (PEP 263 cookie, BOM), parse with LibCST, visit once."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from celery2arq.model import FileError, FileScan, Suppression
from celery2arq.scan.facts import FileFacts
from celery2arq.scan.modules import is_package_file
from celery2arq.scan.prune import prune_source
from celery2arq.scan.reduce import reduce_module
from celery2arq.scan.visitor import FileVisitor

_SUPPRESSION = re.compile(r"#\s*celery2arq:\s*ignore\[([^\]]*)\]")


def decode(data: bytes) -> str:
    """Source bytes → text, honouring a UTF-8 BOM and a PEP 263 coding cookie.

    Raises ``UnicodeDecodeError`` (with the failing offset) or ``SyntaxError`` for an unknown encoding.
    """
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text.removeprefix("\ufeff")


def suppressions(text: str, file: str) -> list[Suppression]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "celery2arq" not in line:
            continue
        for match in _SUPPRESSION.finditer(line):
            codes = [c.strip() for c in match.group(1).split(",") if c.strip()]
            found.append(Suppression(file=file, line=number, column=match.start() + 1, codes=codes))
    return found


def scan_text(
    text: str,
    file: str,
    module: str,
    is_package: bool = False,
    project_names: str | None = None,
    reduce: bool = True,
) -> tuple[FileFacts, FileError | None]:
    """Parse and visit already-decoded source.

    ``project_names`` is a regex of the project's own app/helper/Task-class names (from the
    prefilter): statements that mention them are kept by :func:`reduce_module`.
    """
    facts = FileFacts(scan=FileScan(file=file, module=module), is_package=is_package)
    facts.scan.suppressions = suppressions(text, file)
    pattern = re.compile(project_names) if project_names else None
    # Fast path: blank irrelevant statements out of the text, so that LibCST parses only what matters.
    pruned = prune_source(text, pattern) if reduce else None
    try:
        tree = cst.parse_module(pruned[0] if pruned is not None else text)
    except cst.ParserSyntaxError as error:
        first = str(error.message).splitlines()[0] if error.message else "syntax error"
        return facts, FileError(
            file=file, message=f"could not parse: {first}", line=error.editor_line, column=error.editor_column
        )
    reduced, offsets = (tree, {})
    if reduce and pruned is None:
        reduced, offsets = reduce_module(tree, pattern)
    starts = None
    if pruned is not None and len(pruned[1]) == len(tree.body):
        # where LibCST's codegen of each statement starts: its first token minus its leading lines
        starts = [first - len(s.leading_lines) for first, s in zip(pruned[1], tree.body, strict=True)]
    wrapper = MetadataWrapper(reduced, unsafe_skip_copy=True)
    wrapper.visit(FileVisitor(facts, text, offsets, starts))
    return facts, None


def scan_file(
    path: Path,
    file: str,
    module: str,
    project_names: str | None = None,
) -> tuple[FileFacts, FileError | None]:
    """Scan one file on disk; every problem becomes a one-line :class:`FileError` (the run goes on)."""
    is_package = is_package_file(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _empty(file, module, is_package), FileError(
            file=file, message=f"could not read: {error.strerror}"
        )
    try:
        text = decode(data)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return _empty(file, module, is_package), FileError(
            file=file,
            message=f"not {_encoding_label(error.encoding)}: invalid byte 0x{data[error.start]:02x}",
            line=line,
            column=column,
        )
    except SyntaxError as error:
        return _empty(file, module, is_package), FileError(
            file=file, message=f"could not decode: {error.msg}"
        )
    try:
        return scan_text(text, file, module, is_package, project_names)
    except RecursionError:
        return _empty(file, module, is_package), FileError(
            file=file, message="could not parse: nesting too deep"
        )
    except Exception as error:  # noqa: BLE001 - one bad file must not stop a project scan
        message = f"internal error: {type(error).__name__}: {error}".splitlines()[0]
        return _empty(file, module, is_package), FileError(file=file, message=message)


def _empty(file: str, module: str, is_package: bool) -> FileFacts:
    return FileFacts(scan=FileScan(file=file, module=module), is_package=is_package)


def _encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
