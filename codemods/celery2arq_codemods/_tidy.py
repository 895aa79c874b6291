"""Layout clean-up after LibCST's import removal."""

from __future__ import annotations

import libcst as cst


def _leading_blank(module: cst.Module) -> bool:
    if module.header or not module.body:
        return False
    lines = module.body[0].leading_lines
    return bool(lines) and all(line.comment is None for line in lines)


def strip_new_leading_blank_lines(before: cst.Module, after: cst.Module) -> cst.Module:
    """A file must not start with blank lines just because its first import was removed."""
    if after is before or _leading_blank(before) or not _leading_blank(after):
        return after
    first = after.body[0].with_changes(leading_lines=[])
    return after.with_changes(body=[first, *after.body[1:]])
