"""Setting values: literals, environment lookups (``os.environ.get``, ``env("X")``), or undecided calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

from celery2arq.scan.literals import dotted, string_value, to_value
from celery2arq.scan.names import ENV_FUNCTIONS
from celery2arq.scan.schedules import Constants, resolve_constant

_CONVERSIONS = frozenset({"int", "str", "float", "bool"})
QualifiedNames = Callable[[cst.CSTNode], list[str]]


def env_lookup(
    node: cst.BaseExpression, qnames: QualifiedNames, constants: Constants
) -> dict[str, Any] | None:
    """``{"var": NAME, "default": Value|None}`` when the value reads an environment variable."""
    node = resolve_constant(node, constants)
    if isinstance(node, cst.BooleanOperation):
        return env_lookup(node.left, qnames, constants)
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        element = node.slice[0].slice
        if isinstance(element, cst.Index) and "os.environ" in qnames(node.value):
            var = string_value(element.value)
            return {"var": var if var is not None else to_value(element.value).value, "default": None}
        return None
    if not isinstance(node, cst.Call):
        return None
    if isinstance(node.func, cst.Name) and node.func.value in _CONVERSIONS and len(node.args) == 1:
        return env_lookup(node.args[0].value, qnames, constants)  # int(os.environ.get(...))
    func_names = qnames(node.func)
    text = dotted(node.func) or ""
    is_os = any(q in ENV_FUNCTIONS for q in func_names)
    is_env = text == "env" or text.startswith("env.") or any(".Env" in q for q in func_names)
    if not (is_os or is_env):
        return None
    positional = [a for a in node.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    var_node = positional[0].value if positional else keywords.get("key")
    if var_node is None:
        return None
    var = string_value(resolve_constant(var_node, constants))
    default_node = positional[1].value if len(positional) > 1 else keywords.get("default")
    return {
        "var": var if var is not None else to_value(var_node).value,
        "default": to_value(default_node) if default_node is not None else None,
    }


def is_unknown_value(node: cst.BaseExpression, constants: Constants) -> bool:
    """The value is neither a literal nor an environment lookup (a call, an unresolved name, ...)."""
    node = resolve_constant(node, constants)
    if isinstance(node, cst.BooleanOperation):
        return is_unknown_value(node.left, constants)
    return not to_value(node).literal and not isinstance(node, cst.FormattedString)
