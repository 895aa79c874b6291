"""Blank out irrelevant statements in the source text *before* LibCST parses it.

:mod:`celery2arq.scan.reduce` decides on a LibCST tree, so LibCST must first parse (and print back) the
whole module: on a 200 KB ``views.py`` that costs more than everything else. Here the same decisions
are taken on statement boundaries from CPython's own parser (``ast``, in C, several times faster), and
every dropped statement is replaced by a string literal spanning the same lines. LibCST then parses only
what matters, and since line numbers and columns do not move, no position mapping is needed.

Returns None when the fast path does not apply (``ast`` rejects the file, e.g. syntax newer than the
running Python, or old Mac ``\\r`` line endings): the caller then parses the whole file and reduces
the tree with :func:`celery2arq.scan.reduce.reduce_module`.
"""

from __future__ import annotations

import ast
import re
import warnings

from celery2arq.scan.reduce import _ASSIGNED, _IMPORT_LINE, _TASK_BY_CALL, _TASK_WORD, STATEMENT_VOCABULARY

_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Try,
    ast.With,
    ast.AsyncWith,
    *((ast.Match,) if hasattr(ast, "Match") else ()),
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)


def _start(statement: ast.stmt) -> int:
    """First line of a statement, decorators included (1-based)."""
    decorators = getattr(statement, "decorator_list", None)
    return min([statement.lineno, *(d.lineno for d in decorators)]) if decorators else statement.lineno


def _chunks(statements: list[ast.stmt], lines: list[str], first: int) -> list[tuple[ast.stmt, int, int, str]]:
    """``(statement, start, end, code)``; ``code`` also covers the comment lines just above it, as
    LibCST's ``leading_lines`` do (0-based, end exclusive)."""
    chunks = []
    previous_end = first
    for statement in statements:
        start, end = _start(statement) - 1, statement.end_lineno or statement.lineno
        code = "".join(lines[max(previous_end, 0) : end])
        chunks.append((statement, start, end, code))
        previous_end = max(previous_end, end)
    return chunks


def _local_names(chunks: list[tuple[ast.stmt, int, int, str]]) -> re.Pattern[str] | None:
    """Same as :func:`celery2arq.scan.reduce._local_names`, from ``ast`` statements."""
    names: set[str] = set()
    for statement, _, _, code in chunks:
        if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            if statement.module.split(".")[0] == "celery":
                names.update((a.asname or a.name).split(".")[0] for a in statement.names if a.name != "*")
        elif isinstance(statement, ast.Import):
            names.update(
                a.asname or a.name.split(".")[0] for a in statement.names if a.name.split(".")[0] == "celery"
            )
        elif isinstance(statement, ast.Assign | ast.AnnAssign) and STATEMENT_VOCABULARY.search(code):
            names.update(_ASSIGNED.findall(code.strip()))
    names.discard("")
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")


def _relevant(code: str, patterns: list[re.Pattern[str]]) -> bool:
    return any(pattern.search(code) for pattern in patterns)


def _segment(lines: list[str], node: ast.expr) -> str:
    """Source text of an expression (``ast`` columns are UTF-8 byte offsets)."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    if first == last:
        return lines[first].encode()[node.col_offset : node.end_col_offset].decode(errors="replace")
    text = [lines[first].encode()[node.col_offset :].decode(errors="replace"), *lines[first + 1 : last]]
    text.append(lines[last].encode()[: node.end_col_offset].decode(errors="replace"))
    return "".join(text)


def _blank(lines: list[str], start: int, end: int) -> None:
    """Replace lines ``start:end`` by one string statement spanning as many lines.

    Line numbers stay put, and LibCST reads one token where thousands of empty lines would each be a
    node for the parser and for every metadata pass.
    """
    first = lines[start]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if end - start == 1:
        lines[start] = indent + '""\n'
        return
    lines[start] = indent + '"""\n'
    for index in range(start + 1, end - 1):
        lines[index] = "\n"
    lines[end - 1] = '"""\n'


def prune_source(text: str, project: re.Pattern[str] | None = None) -> tuple[str, list[int]] | None:
    """``(source with irrelevant statements blanked out, first line of each top-level statement)``,
    or None when the fast path does not apply.

    Statements sharing a line (``a = 1; b = 2``) are one LibCST statement: one entry in the list.
    """
    if "\r" in text:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = text.splitlines(keepends=True)
    if len(lines) != text.count("\n") + (0 if text.endswith("\n") or not text else 1):
        return None  # form feeds or other separators that splitlines() treats as line breaks
    chunks = _chunks(tree.body, lines, 0)
    local = _local_names(chunks)
    patterns = [p for p in (STATEMENT_VOCABULARY, project, local) if p is not None]
    keep = [
        not isinstance(statement, _COMPOUND)
        or _relevant(code, patterns)
        or (
            not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and _IMPORT_LINE.search(code) is not None
        )
        for statement, _, _, code in chunks
    ]
    wanted = {
        name
        for (_, _, _, code), kept in zip(chunks, keep, strict=True)
        if kept
        for pair in _TASK_BY_CALL.findall(code)
        for name in pair
        if name
    }
    pruned = list(lines)
    changed = False
    firsts: list[int] = []
    previous_end = 0
    for (statement, start, end, _), kept in zip(chunks, keep, strict=True):
        if not kept and isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            kept = statement.name in wanted
        if not kept:
            _blank(pruned, start, end)
            changed = True
        elif isinstance(statement, ast.ClassDef):
            changed = _prune_class(statement, lines, pruned, patterns) or changed
        if start + 1 != previous_end:  # not sharing a line with the previous statement
            firsts.append(start + 1)
        previous_end = end
    return ("".join(pruned) if changed else text), firsts


def _prune_class(
    node: ast.ClassDef, lines: list[str], pruned: list[str], patterns: list[re.Pattern[str]]
) -> bool:
    """Blank the methods of a non-Task class that do not matter (as :func:`reduce._reduce_class`)."""
    if any(_relevant(_segment(lines, base), [*patterns, _TASK_WORD]) for base in node.bases):
        return False
    body_start = _start(node.body[0]) - 1
    chunks = _chunks(node.body, lines, body_start)
    kept = [not isinstance(s, _COMPOUND) or _relevant(code, patterns) for s, _, _, code in chunks]
    kept_defs = [
        s
        for (s, _, _, _), k in zip(chunks, kept, strict=True)
        if k and isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    if all(kept) or not kept_defs:
        return False
    for (_, start, end, _), keep in zip(chunks, kept, strict=True):
        if not keep:
            _blank(pruned, start, end)
    return True
