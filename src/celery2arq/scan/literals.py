"""CST expression → :class:`~celery2arq.model.Value`: safe literal evaluation, source text otherwise."""

from __future__ import annotations

from typing import Any

import libcst as cst

from celery2arq.model import Value

_EMPTY = cst.Module(body=[])


class NotLiteral(Exception):
    """The expression is not a plain literal."""


def source(node: cst.CSTNode) -> str:
    """The source text of a node (normalised to one logical expression)."""
    return _EMPTY.code_for_node(node).strip()


def literal(node: cst.BaseExpression) -> Any:
    """The Python value of a literal expression; raises :class:`NotLiteral` otherwise.

    Tuples and sets become lists so that the value stays JSON-friendly.
    """
    if isinstance(node, cst.Integer | cst.Float):
        return node.evaluated_value
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        if value is None:
            raise NotLiteral
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus | cst.Plus):
        inner = literal(node.expression)
        if not isinstance(inner, int | float) or isinstance(inner, bool):
            raise NotLiteral
        return -inner if isinstance(node.operator, cst.Minus) else inner
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        items = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                raise NotLiteral
            items.append(literal(element.value))
        return items
    if isinstance(node, cst.Dict):
        result: dict[Any, Any] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                raise NotLiteral
            key = literal(element.key)
            if isinstance(key, list):
                raise NotLiteral
            result[key] = literal(element.value)
        return result
    raise NotLiteral


def to_value(node: cst.BaseExpression) -> Value:
    """A literal :class:`Value` when possible, else the expression's source text."""
    try:
        return Value(literal=True, value=literal(node))
    except (NotLiteral, ValueError, TypeError):
        return Value(literal=False, value=source(node))


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The string if ``node`` is a string literal, else None."""
    if node is None:
        return None
    try:
        value = literal(node)
    except (NotLiteral, ValueError, TypeError):
        return None
    return value if isinstance(value, str) else None


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None
