"""Verdicts for call sites (mapping §5.1, §5.2) and canvas uses (§5.3)."""

from __future__ import annotations

from celery2arq.model import CallSite, CanvasUse, ProjectScan, Reason
from celery2arq.rules import get

ENQUEUE_KINDS = {"delay", "apply_async", "send_task"}
SIGNATURE_KINDS = {"signature", "s", "si"}
RESULT_KINDS = {"AsyncResult", "forget", "ready", "successful", "failed", "result", "info", "id", "exists"}
STATE_KINDS = {"state", "status"}
CONTROL_KINDS = {"control", "inspect", "purge", "broadcast"}
GRAPH_KINDS = {"children", "parent", "collect", "graph", "then"}

# Call options that map exactly (countdown -> _defer_by, eta -> _defer_until, queue -> _queue_name ...).
EXACT_CALL_OPTIONS = {
    "args",
    "kwargs",
    "countdown",
    "eta",
    "queue",
    "retry",
    "retry_policy",
    "shadow",
    "add_to_parent",
    "producer",
    "connection",
    "publisher",
}
DROPPED_CALL_OPTIONS = {
    "priority",
    "routing_key",
    "exchange",
    "exchange_type",
    "delivery_mode",
    "mandatory",
    "immediate",
    "headers",
    "ignore_result",
    "serializer",
    "compression",
    "time_limit",
    "soft_time_limit",
}
LINK_OPTIONS = ("link", "link_error")
# Task.apply() options that behave the same with the shim: the ones it honours (args, kwargs, task_id)
# and the enqueue options Celery's apply() ignores too, since it sends nothing (countdown, queue, ...).
APPLY_SAME = (
    {"args", "kwargs", "task_id", "logfile", "loglevel", "expires"}
    | EXACT_CALL_OPTIONS
    | (DROPPED_CALL_OPTIONS - {"headers"})
)
APPLY_NOT_HONOURED = {
    "throw": "the shim's apply() re-raises only when task_eager_propagates is set",
    "retries": "the shim's apply() starts self.request.retries at 0",
    "headers": "the shim's apply() gives the task's request no headers",
}

CANVAS_RULES = {
    "chain": ("C2A301", "chain(): redesign as one orchestrator job, or let each task enqueue the next"),
    "pipe": ("C2A301", "the | operator builds a chain: redesign as one orchestrator job"),
    "|": ("C2A301", "the | operator builds a chain: redesign as one orchestrator job"),
    "group": ("C2A302", "group(): each task is enqueued separately; collecting results polls every job"),
    "chord": ("C2A303", "chord(): no callback when a group finishes; redesign or keep on Celery"),
    "link": ("C2A304", "link(): no success callbacks in ARQ"),
    "link_error": ("C2A304", "link_error(): no error callbacks in ARQ"),
    "on_error": ("C2A304", "on_error(): no error callbacks in ARQ"),
    "chunks": ("C2A305", "chunks(): becomes one generated job per chunk that loops over its items"),
    "map": ("C2A305", "map(): becomes one generated job that loops over the items"),
    "starmap": ("C2A305", "starmap(): becomes one generated job that loops over the items"),
    "xmap": ("C2A305", "xmap(): becomes one generated job that loops over the items"),
    "xstarmap": ("C2A305", "xstarmap(): becomes one generated job that loops over the items"),
}
# Canvas kinds whose members drive other tasks: their tasks are at least `review`.
WORKFLOW_KINDS = {"chain", "pipe", "|", "chord", "link", "link_error", "on_error"}


def call_reasons(call: CallSite, project: ProjectScan) -> list[Reason]:
    kind = call.kind
    if kind in ENQUEUE_KINDS or kind in SIGNATURE_KINDS:
        return _enqueue_reasons(call, project)
    if kind == "apply":
        return _apply_reasons(call)
    if kind in RESULT_KINDS:
        return [get("C2A400").reason(f"{kind}: the shim reads ARQ's job and result keys")]
    if kind in STATE_KINDS:
        return [
            get("C2A400").reason(
                f"{kind}: derived from ARQ's keys; STARTED/RETRY granularity differs", verdict="review"
            )
        ]
    if kind in ("get", "join", "wait"):
        where = (
            " inside a task: waiting slots can deadlock the worker (all max_jobs waiting)"
            if call.in_task
            else ""
        )
        return [get("C2A401").reason(f"{kind}() polls ARQ's result key every interval{where}")]
    if kind == "revoke":
        term = call.options.get("terminate")
        if term is not None and term.literal and term.value:
            return [
                get("C2A402").reason(
                    "revoke(terminate=True) becomes Job.abort(): needs allow_abort_jobs=True "
                    "and cannot stop a sync body running in a thread"
                )
            ]
        return [
            get("C2A402").reason(
                "revoke() deletes the job if it has not started; a started job keeps running"
            )
        ]
    if kind in CONTROL_KINDS:
        return [get("C2A403").reason(f"{kind}: ARQ workers have no remote control; keep on Celery or drop")]
    if kind in GRAPH_KINDS:
        return [get("C2A404").reason(f"{kind}: ARQ keeps no parent/child graph of jobs")]
    return [get("C2A209").reason(f"{kind}: no mapping entry; check it by hand")]


def _enqueue_reasons(call: CallSite, project: ProjectScan) -> list[Reason]:
    reasons: list[Reason] = []
    opts = call.options
    if call.target is None:
        reasons.append(
            get("C2A905").reason(
                "the task enqueued here is computed at run time: check that its "
                "ARQ worker registers every possible name"
            )
        )
    elif not call.resolved and call.kind in ENQUEUE_KINDS and _canvas_on_line(call, project):
        reasons.append(
            get("C2A200").reason(
                f"{call.kind}() starts the canvas built on this line: its verdict is in the canvas section"
            )
        )
        return reasons
    elif not call.resolved and project.task_by_name(call.target) is None:
        reasons.append(
            get("C2A205").reason(
                f"{call.target} is not a task of the scanned project (another code base, or a canvas or "
                "variable the scan cannot follow): the ARQ worker that serves it must register that name"
            )
        )
    if "expires" in opts:
        reasons.append(
            get("C2A201").reason(
                "expires= becomes _expires: an expired job is a failure result (the shim reports REVOKED)"
            )
        )
    if "task_id" in opts:
        reasons.append(
            get("C2A202").reason(
                "task_id= becomes _job_id: ARQ refuses the id while the job or its "
                "result exists (1 h by default)"
            )
        )
    for key in LINK_OPTIONS:
        if key in opts:
            reasons.append(
                get("C2A204").reason(f"{key}= callback: ARQ has no callbacks; redesign or keep on Celery")
            )
    dropped = sorted(k for k in opts if k in DROPPED_CALL_OPTIONS)
    unknown = sorted(
        k
        for k in opts
        if k not in DROPPED_CALL_OPTIONS
        and k not in EXACT_CALL_OPTIONS
        and k not in ("expires", "task_id", *LINK_OPTIONS)
    )
    if dropped:
        reasons.append(
            get("C2A203").reason(
                f"{', '.join(k + '=' for k in dropped)} has no per-job ARQ equivalent and is dropped"
            )
        )
    if unknown:
        reasons.append(
            get("C2A203").reason(
                f"{', '.join(k + '=' for k in unknown)} is not a call option "
                "celery2arq knows; check it by hand"
            )
        )
    if not any(r.verdict != "ready" for r in reasons):
        if call.kind in SIGNATURE_KINDS:
            reasons.insert(
                0,
                get("C2A300").reason(
                    f".{call.kind}(): the shim's signature object defers the call the same way"
                ),
            )
        else:
            exact = sorted(k for k in opts if k in EXACT_CALL_OPTIONS)
            extra = f" ({', '.join(k + '=' for k in exact)} mapped exactly)" if exact else ""
            reasons.insert(
                0, get("C2A200").reason(f"{call.kind}(): converts to an ARQ enqueue through the shim{extra}")
            )
    return reasons


def _apply_reasons(call: CallSite) -> list[Reason]:
    """``task.apply()`` runs inline in Celery and in the shim: only options the shim drops need a look."""
    rule = get("C2A206")
    reasons: list[Reason] = []
    for key in LINK_OPTIONS:
        if key in call.options:
            reasons.append(
                get("C2A204").reason(f"{key}= callback on apply(): the shim runs no callbacks; redesign")
            )
    for key, why in APPLY_NOT_HONOURED.items():
        if key in call.options:
            reasons.append(rule.reason(f"apply({key}=...): {why}", verdict="review"))
    unknown = sorted(
        k
        for k in call.options
        if k not in APPLY_SAME and k not in APPLY_NOT_HONOURED and k not in LINK_OPTIONS
    )
    if unknown:
        reasons.append(
            rule.reason(
                f"{', '.join(k + '=' for k in unknown)} is not an apply() option celery2arq knows; "
                "check it by hand",
                verdict="review",
            )
        )
    if not reasons:
        reasons.append(rule.reason("apply(): the shim runs the task inline too and returns an EagerResult"))
    return reasons


def _canvas_on_line(call: CallSite, project: ProjectScan) -> bool:
    return any(use.file == call.file and use.line == call.line for use in project.canvas)


def canvas_reasons(use: CanvasUse) -> list[Reason]:
    code, message = CANVAS_RULES.get(use.kind, ("C2A309", f"{use.kind}: no mapping entry; check it by hand"))
    return [get(code).reason(message)]


def workflow_tasks(project: ProjectScan) -> dict[str, tuple[str, str, int]]:
    """Task name -> (what, file, line) for tasks whose outcome drives other tasks."""
    found: dict[str, tuple[str, str, int]] = {}
    for use in project.canvas:
        if use.kind in WORKFLOW_KINDS:
            for name in use.tasks:
                found.setdefault(name, (use.kind, use.file, use.line))
    for call in project.call_sites:
        if call.target and any(k in call.options for k in LINK_OPTIONS):
            found.setdefault(call.target, ("link=", call.file, call.line))
    return found
