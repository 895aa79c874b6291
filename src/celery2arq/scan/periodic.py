"""``add_periodic_task(schedule, sig, args=, kwargs=, name=, **opts)``: what the signature ``sig`` runs.

Celery (``Celery._sig_to_periodic_task_entry``) clones ``sig`` with the call's ``args``/``kwargs``
(prepended / merged, ignored when the signature is immutable), merges ``opts`` into its options, and
keys the Beat entry ``name or repr(sig)``; ``repr(sig)`` is ``reprcall(task, args, kwargs)``, e.g.
``pkg.tasks.rollup('weekly', n=1)``. This module reads the signature spellings statically:

* ``task.s(1, 2)`` / ``task.si(...)`` / ``task.signature((1, 2), {"k": 1}, queue=...)`` on a task object;
* ``app.signature("pkg.tasks.rollup", args=(...), kwargs={...})`` (``sender`` in ``on_after_configure``),
  ``signature("name", ...)`` / ``Signature(...)`` from ``celery``;
* a task object itself (``add_periodic_task(10, ping)``) or a variable bound to ``task.s(...)``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from celery2arq.scan.literals import source, string_value
from celery2arq.scan.names import SIGNATURE_FUNCTIONS

# Signature(task, args, kwargs, options, type, subtask_type, immutable)
_CONSTRUCTOR_ORDER = ("task", "args", "kwargs", "options")
# Task.signature(args, kwargs, options) (it calls signature(self, args, *starargs, **starkwargs))
_METHOD_ORDER = ("args", "kwargs", "options")
_NOT_OPTIONS = frozenset({"task", "args", "kwargs", "options", "immutable", "type", "subtask_type", "app"})


@dataclass
class PeriodicSignature:
    """What a periodic task's signature says, as far as it is static."""

    receivers: list[str] = field(default_factory=list)  # qualified names of the task object
    task: str | None = None  # literal task name (``app.signature("name")``)
    args: list[cst.BaseExpression] | None = field(default_factory=list)  # None: not a static sequence
    kwargs: dict[str, cst.BaseExpression] | None = field(default_factory=dict)  # None: not static
    args_text: str = ""  # source of the args when not static (``args``, ``sig.args``)
    kwargs_text: str = ""
    options: dict[str, cst.BaseExpression] = field(default_factory=dict)
    immutable: bool = False
    calls: list[cst.Call] = field(default_factory=list)  # the signature call(s): not call sites of their own


def sequence(node: cst.BaseExpression | None) -> list[cst.BaseExpression] | None:
    """Elements of a tuple/list display without ``*``; None when not static."""
    if node is None:
        return []
    if isinstance(node, cst.Tuple | cst.List) and not any(
        isinstance(e, cst.StarredElement) for e in node.elements
    ):
        return [element.value for element in node.elements]
    if isinstance(node, cst.Name) and node.value == "None":
        return []
    return None


def mapping(node: cst.BaseExpression | None) -> dict[str, cst.BaseExpression] | None:
    """String-keyed items of a dict display or ``dict(k=v)``; None when not static."""
    if node is None:
        return {}
    if isinstance(node, cst.Dict):
        items = {}
        for element in node.elements:
            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None
            items[key] = element.value
        return items
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        if any(arg.keyword is None for arg in node.args):
            return None
        return {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
    if isinstance(node, cst.Name) and node.value == "None":
        return {}
    return None


def _arguments(call: cst.Call, order: tuple[str, ...]) -> dict[str, cst.BaseExpression] | None:
    found: dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args):
        return None
    for name, arg in zip(order, positional, strict=False):
        found[name] = arg.value
    if len(positional) > len(order):
        return None
    for arg in call.args:
        if arg.keyword is not None:
            found[arg.keyword.value] = arg.value
    return found


def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _from_arguments(found: dict[str, cst.BaseExpression], signature: PeriodicSignature) -> None:
    signature.args = sequence(found.get("args"))
    signature.kwargs = mapping(found.get("kwargs"))
    signature.args_text = source(found["args"]) if "args" in found else ""
    signature.kwargs_text = source(found["kwargs"]) if "kwargs" in found else ""
    signature.options = mapping(found.get("options")) or {}
    signature.options.update({k: v for k, v in found.items() if k not in _NOT_OPTIONS})
    signature.immutable = _is_true(found.get("immutable"))


def read_signature(
    sig: cst.BaseExpression,
    qnames: Callable[[cst.CSTNode], list[str]],
    variables: dict[str, list[str]],
) -> PeriodicSignature | None:
    """The signature facts of ``sig``; None when it is not one of the static spellings."""
    if isinstance(sig, cst.Call):
        func = sig.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("s", "si"):
            if any(a.star for a in sig.args):
                return None
            return PeriodicSignature(
                receivers=qnames(func.value),
                args=[a.value for a in sig.args if a.keyword is None],
                kwargs={a.keyword.value: a.value for a in sig.args if a.keyword is not None},
                immutable=func.attr.value == "si",
                calls=[sig],
            )
        constructor = any(q in SIGNATURE_FUNCTIONS for q in qnames(func))
        method = isinstance(func, cst.Attribute) and func.attr.value in ("signature", "subtask")
        if not (constructor or method):
            return None
        first = sig.args[0] if sig.args and sig.args[0].keyword is None else None
        named = next((a.value for a in sig.args if a.keyword is not None and a.keyword.value == "task"), None)
        if constructor or (first is not None and string_value(first.value) is not None) or named is not None:
            # app.signature("name", ...) / signature(task_or_name, ...): Signature's own parameters
            found = _arguments(sig, _CONSTRUCTOR_ORDER)
            if found is None or "task" not in found:
                return None
            signature = PeriodicSignature(calls=[sig], task=string_value(found["task"]))
            if signature.task is None:
                signature.receivers = qnames(found["task"])
        else:
            # task.signature(args, kwargs, **options)
            found = _arguments(sig, _METHOD_ORDER)
            if found is None:
                return None
            signature = PeriodicSignature(calls=[sig], receivers=qnames(func.value))  # type: ignore[union-attr]
        _from_arguments(found, signature)
        return signature
    if isinstance(sig, cst.Name) and sig.value in variables:
        return PeriodicSignature(
            receivers=variables[sig.value],
            args=None,
            kwargs=None,
            args_text=f"{sig.value}.args",
            kwargs_text=f"{sig.value}.kwargs",
        )
    if isinstance(sig, cst.Name | cst.Attribute):
        names = qnames(sig)
        return PeriodicSignature(receivers=names) if names else None
    return None


def _repr(node: cst.BaseExpression) -> str:
    """``repr()`` of a literal as Celery's ``reprcall`` prints it (tuples stay tuples); else its source."""
    text = source(node)
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def repr_arguments(args: list[cst.BaseExpression], kwargs: dict[str, cst.BaseExpression]) -> str:
    """The inside of ``reprcall(task, args, kwargs)``: ``'weekly', 2, n=1``."""
    parts = [_repr(a) for a in args] + [f"{k}={_repr(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)
