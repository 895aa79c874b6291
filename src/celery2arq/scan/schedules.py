"""Beat schedule expressions and ``beat_schedule`` dicts → :class:`Schedule` / :class:`BeatEntry`."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from celery2arq.model import BeatEntry, Schedule, Value
from celery2arq.scan.literals import NotLiteral, literal, source, string_value, to_value
from celery2arq.scan.names import CRONTAB_FIELDS, SCHEDULE_FUNCTIONS

QualifiedNames = Callable[[cst.CSTNode], list[str]]
Constants = dict[str, cst.BaseExpression]

_TIMEDELTA_ORDER = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
_TIMEDELTA_SECONDS = {
    "days": 86400.0,
    "seconds": 1.0,
    "microseconds": 1e-6,
    "milliseconds": 1e-3,
    "minutes": 60.0,
    "hours": 3600.0,
    "weeks": 604800.0,
}


def resolve_constant(node: cst.BaseExpression, constants: Constants) -> cst.BaseExpression:
    """Follow a module-level ``NAME = value`` constant (a few hops) in the same file."""
    for _ in range(5):
        if isinstance(node, cst.Name) and node.value in constants:
            node = constants[node.value]
        else:
            break
    return node


def _number(node: cst.BaseExpression, constants: Constants) -> float | None:
    try:
        value = literal(resolve_constant(node, constants))
    except (NotLiteral, ValueError, TypeError):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _call_kind(call: cst.Call, qnames: QualifiedNames) -> tuple[str | None, bool]:
    """(schedule kind, is crontab.from_string) for a call."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "from_string":
        if any(SCHEDULE_FUNCTIONS.get(q) == "crontab" for q in qnames(func.value)):
            return "crontab", True
    for q in qnames(func):
        if q in SCHEDULE_FUNCTIONS:
            return SCHEDULE_FUNCTIONS[q], False
    return None, False


def timedelta_seconds(call: cst.Call, constants: Constants) -> float | None:
    total = 0.0
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        unit = (
            arg.keyword.value
            if arg.keyword
            else (_TIMEDELTA_ORDER[index] if index < len(_TIMEDELTA_ORDER) else None)
        )
        number = _number(arg.value, constants)
        if unit not in _TIMEDELTA_SECONDS or number is None:
            return None
        total += number * _TIMEDELTA_SECONDS[unit]
    return total


def parse_schedule(
    node: cst.BaseExpression, qnames: QualifiedNames, constants: Constants, relative: bool = False
) -> Schedule:
    """The :class:`Schedule` an expression builds, as far as it can be read statically."""
    text = source(node)
    node = resolve_constant(node, constants)
    number = _number(node, constants)
    if number is not None:
        return Schedule(kind="interval", source=text, seconds=number, relative=relative)
    if not isinstance(node, cst.Call):
        return Schedule(kind="unknown", source=text, relative=relative)
    kind, from_string = _call_kind(node, qnames)
    if kind == "crontab":
        return Schedule(kind="crontab", source=text, fields=_crontab_fields(node, from_string, constants))
    if kind == "solar":
        fields = {}
        for index, arg in enumerate(node.args):
            key = arg.keyword.value if arg.keyword else ("event", "lat", "lon")[min(index, 2)]
            fields[key] = to_value(resolve_constant(arg.value, constants))
        return Schedule(kind="solar", source=text, fields=fields)
    if kind == "interval":
        is_timedelta = any(q == "datetime.timedelta" for q in qnames(node.func))
        if is_timedelta:
            return Schedule(
                kind="interval", source=text, seconds=timedelta_seconds(node, constants), relative=relative
            )
        run_every = None
        for index, arg in enumerate(node.args):
            key = arg.keyword.value if arg.keyword else ("run_every", "relative")[min(index, 1)]
            if key == "run_every":
                run_every = arg.value
            elif key == "relative":
                try:
                    relative = bool(literal(arg.value))
                except (NotLiteral, ValueError, TypeError):
                    pass
        inner = parse_schedule(run_every, qnames, constants, relative) if run_every is not None else None
        seconds = inner.seconds if inner is not None else None
        return Schedule(kind="interval", source=text, seconds=seconds, relative=relative)
    return Schedule(kind="custom", source=text, relative=relative)


def _crontab_fields(call: cst.Call, from_string: bool, constants: Constants) -> dict[str, Value]:
    fields = {name: Value(literal=True, value="*") for name in CRONTAB_FIELDS}
    if from_string:
        text = string_value(resolve_constant(call.args[0].value, constants)) if call.args else None
        parts = text.split() if text else []
        if len(parts) == 5:
            # crontab.from_string('m h dom mon dow')
            order = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
            pairs = zip(order, parts, strict=True)
            fields.update({name: Value(literal=True, value=part) for name, part in pairs})
        elif call.args:
            fields = {"expression": to_value(call.args[0].value)}
        return fields
    for index, arg in enumerate(call.args):
        if arg.star:
            continue
        key = (
            arg.keyword.value
            if arg.keyword
            else (CRONTAB_FIELDS[index] if index < len(CRONTAB_FIELDS) else None)
        )
        if key is not None:
            fields[key] = to_value(resolve_constant(arg.value, constants))
    return fields


def dict_items(node: cst.BaseExpression, constants: Constants) -> list[tuple[str, cst.BaseExpression]] | None:
    """Literal-keyed items of a dict display or ``dict(k=v)`` call; None when not static."""
    node = resolve_constant(node, constants)
    if isinstance(node, cst.Dict):
        items = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = string_value(resolve_constant(element.key, constants))
            if key is None:
                return None
            items.append((key, element.value))
        return items
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        items = []
        for arg in node.args:
            if arg.keyword is None:
                return None
            items.append((arg.keyword.value, arg.value))
        return items
    return None


def beat_entry(
    name: str,
    value: cst.BaseExpression,
    position: tuple[int, int],
    file: str,
    origin: str,
    qnames: QualifiedNames,
    constants: Constants,
) -> tuple[BeatEntry, cst.BaseExpression | None]:
    """One ``beat_schedule`` entry; also returns the ``task`` expression when it is not a literal."""
    entry = BeatEntry(file=file, line=position[0], column=position[1], name=name, origin=origin)
    items = dict_items(value, constants)
    if items is None:
        entry.schedule = Schedule(kind="unknown", source=source(value))
        return entry, None
    fields = dict(items)
    relative = False
    if "relative" in fields:
        try:
            relative = bool(literal(fields["relative"]))
        except (NotLiteral, ValueError, TypeError):
            pass
    task_expr = None
    if "task" in fields:
        task_node = resolve_constant(fields["task"], constants)
        entry.task = string_value(task_node)
        if entry.task is None:
            task_expr = task_node
    if "schedule" in fields:
        entry.schedule = parse_schedule(fields["schedule"], qnames, constants, relative)
    if "args" in fields:
        entry.args = to_value(resolve_constant(fields["args"], constants))
    if "kwargs" in fields:
        entry.kwargs = to_value(resolve_constant(fields["kwargs"], constants))
    if "options" in fields:
        option_items = dict_items(fields["options"], constants)
        if option_items is None:
            entry.options = {"**": to_value(fields["options"])}
        else:
            entry.options = {k: to_value(resolve_constant(v, constants)) for k, v in option_items}
    return entry, task_expr
