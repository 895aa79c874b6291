"""Keep only the top-level statements that can matter before the (costly) scope analysis.

LibCST parses fast (native parser) but its Python-side metadata passes (scopes, positions) cost several
times a parse. Most of a big module (a 5 000-line ``views.py``) never touches Celery, so the scanner
runs them on a reduced module: every simple statement (imports, assignments, settings), plus compound
statements (``def``, ``class``, ``if``, ``try``) whose source mentions Celery vocabulary or one of the
project's own app/helper/Task-class names. Line numbers are mapped back with one offset per kept
statement, so every record keeps its position in the original file.
"""

from __future__ import annotations

import re

import libcst as cst

# Imports inside try/if blocks at module level bind names; imports local to a def only matter when the
# def matters for another reason.
_IMPORT_LINE = re.compile(r"^[ \t]*(?:from|import)[ \t]", re.M)
STATEMENT_VOCABULARY = re.compile(
    r"[Cc]elery|CELERY|BROKER_|ENABLE_UTC|\bTask\b|\.task\b|shared_task|\.delay\(|\.apply_async\(|\.si?\("
    r"|\.apply\(|\.signature\(|AsyncResult|crontab|beat_schedule|add_periodic_task|send_task|@[ \t]*\w*task"
    r"|\.connect\b|\b(?:chain|group|chord|chunks|signature|Signature|subtask|xmap|xstarmap)\(",
    re.M,
)
_TASK_BY_CALL = re.compile(r"task\(\s*(\w+)\s*[,)]|task\([^()]*\)\(\s*(\w+)\s*\)")
_ASSIGNED = re.compile(r"^(\w+)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)


def _local_names(tree: cst.Module, codes: list[str]) -> re.Pattern[str] | None:
    """Names this module binds to Celery things: ``from celery import shared_task as st``,
    ``import celery as c``, ``deco = app.task(queue="x")``; statements using them are kept too."""
    names: set[str] = set()
    for statement, code in zip(tree.body, codes, strict=True):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                module = cst.Module([]).code_for_node(small.module)
                if module.split(".")[0] == "celery" and not isinstance(small.names, cst.ImportStar):
                    names.update(_bound(alias) for alias in small.names)
            elif isinstance(small, cst.Import):
                names.update(
                    _bound(alias)
                    for alias in small.names
                    if cst.Module([]).code_for_node(alias.name).split(".")[0] == "celery"
                )
            elif isinstance(small, cst.Assign | cst.AnnAssign) and STATEMENT_VOCABULARY.search(code):
                names.update(_ASSIGNED.findall(code.strip()))
    names.discard("")
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.Module([]).code_for_node(alias.name).split(".")[0]


def reduce_module(
    tree: cst.Module, project: re.Pattern[str] | None = None
) -> tuple[cst.Module, dict[int, int]]:
    """``(module, offsets)``: the relevant statements and, per kept statement id, its line offset."""
    codes = [tree.code_for_node(statement) for statement in tree.body]
    local = _local_names(tree, codes)
    patterns = [p for p in (STATEMENT_VOCABULARY, project, local) if p is not None]
    keep = [
        isinstance(statement, cst.SimpleStatementLine)
        or _relevant(code, patterns)
        or (
            not isinstance(statement, cst.FunctionDef | cst.ClassDef)
            and _IMPORT_LINE.search(code) is not None
        )
        for statement, code in zip(tree.body, codes, strict=True)
    ]
    # functions registered with `name = app.task(fn)` keep their definition (params, async)
    wanted = {
        name
        for code, kept in zip(codes, keep, strict=True)
        if kept
        for pair in _TASK_BY_CALL.findall(code)
        for name in pair
        if name
    }
    if wanted:
        keep = [
            kept or (isinstance(statement, cst.FunctionDef) and statement.name.value in wanted)
            for statement, kept in zip(tree.body, keep, strict=True)
        ]
    offsets: dict[int, int] = {}
    body: list[cst.BaseStatement] = []
    original = reduced = 0
    changed = False
    for statement, code, kept in zip(tree.body, codes, keep, strict=True):
        lines = _line_count(code)
        if kept:
            new = statement
            if isinstance(statement, cst.ClassDef):
                new = _reduce_class(tree, statement, code, original, reduced, patterns, offsets)
            offsets[id(new)] = original - reduced
            body.append(new)
            reduced += new is statement and lines or _line_count(tree.code_for_node(new))
            changed = changed or new is not statement
        else:
            changed = True
        original += lines
    if not changed:
        return tree, {}
    return tree.with_changes(body=body), offsets


def _relevant(code: str, patterns: list[re.Pattern[str]]) -> bool:
    return any(pattern.search(code) for pattern in patterns)


def _reduce_class(
    tree: cst.Module,
    node: cst.ClassDef,
    code: str,
    original: int,
    reduced: int,
    patterns: list[re.Pattern[str]],
    offsets: dict[int, int],
) -> cst.ClassDef:
    """A test class or a view with hundreds of methods keeps only the methods that matter.

    Task-like classes (a base mentions ``Task`` or a project name) stay whole: their methods are facts.
    """
    block = node.body
    if not isinstance(block, cst.IndentedBlock):
        return node
    if any(_relevant(tree.code_for_node(base.value), patterns + [_TASK_WORD]) for base in node.bases):
        return node
    inner_codes = [tree.code_for_node(statement) for statement in block.body]
    kept = [
        isinstance(statement, cst.SimpleStatementLine) or _relevant(inner, patterns)
        for statement, inner in zip(block.body, inner_codes, strict=True)
    ]
    kept_defs = [s for s, k in zip(block.body, kept, strict=True) if k and isinstance(s, cst.FunctionDef)]
    if all(kept) or not kept_defs:
        return node
    header = _line_count(code) - sum(_line_count(c) for c in inner_codes) - len(block.footer)
    position_original = original + header
    position_reduced = reduced + header
    body = []
    for statement, inner, keep in zip(block.body, inner_codes, kept, strict=True):
        lines = _line_count(inner)
        if keep:
            offsets[id(statement)] = position_original - position_reduced
            body.append(statement)
            position_reduced += lines
        position_original += lines
    return node.with_changes(body=block.with_changes(body=body))


_TASK_WORD = re.compile(r"Task\b")
_NEWLINE = re.compile(r"\r\n?|\n")


def _line_count(code: str) -> int:
    """Line breaks as Python counts them (``\\r\\n``, ``\\r`` or ``\\n``), as LibCST's positions do."""
    return len(_NEWLINE.findall(code))
