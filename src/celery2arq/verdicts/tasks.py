"""Verdicts for task definitions: decorator options, the bound ``self``, blocking calls (mapping §3, §4)."""

from __future__ import annotations

from celery2arq.model import Reason, SelfUse, TaskClass, TaskDef, Value
from celery2arq.rules import get
from celery2arq.verdicts.task_classes import base_reason

# Options that convert exactly (mapping §3): they only need the shim or func(...) arguments.
EXACT_OPTIONS = {
    "name": "name= becomes func(name=...) so enqueuers keep the same string",
    "queue": "queue= becomes the shim's default _queue_name; the queue's worker registers the function",
    "ignore_result": "ignore_result= becomes func(keep_result=0); the shim's get() returns None",
    "default_retry_delay": "default_retry_delay= becomes the shim's default retry defer",
    "track_started": "track_started= is always available (ARQ's in-progress key)",
    "typing": "typing= is kept: the shim checks the call signature at enqueue time",
    "shared": "shared= is registration mechanics; dropped",
    "lazy": "lazy= is registration mechanics; dropped",
    "filter": "filter= is registration mechanics; dropped",
    "reject_on_worker_lost": "reject_on_worker_lost= is ARQ's native behaviour (a crash re-runs the job)",
    "retry_on_worker_lost": "retry_on_worker_lost= is ARQ's native behaviour (a crash re-run counts a try)",
}
AUTORETRY_OPTIONS = (
    "autoretry_for",
    "dont_autoretry_for",
    "retry_kwargs",
    "retry_backoff",
    "retry_backoff_max",
    "retry_jitter",
)
ACKS_OPTIONS = ("acks_late", "acks_on_failure_or_timeout", "acks_on_failure", "acks_on_timeout")
DROPPED_OPTIONS = {
    "throws": "ARQ logs every failure with a traceback",
    "trail": "result.children stays empty",
    "store_errors_even_if_ignored": "ARQ stores both results and errors, or neither",
    "send_events": "Flower/event monitoring is lost",
    "compression": "ARQ does not compress payloads",
    "serializer": "the serializer is per worker and producer pool, not per task",
    "priority": "ARQ queues have no priorities (use a separate queue if it matters)",
    "exchange": "no exchanges on Redis/ARQ",
    "routing_key": "no routing keys on Redis/ARQ; use queue routing",
    "delivery_mode": "no delivery modes on Redis/ARQ",
    "pydantic": "the shim wrapper must validate the arguments itself",
    "pydantic_strict": "the shim wrapper must validate the arguments itself",
    "pydantic_context": "the shim wrapper must validate the arguments itself",
    "pydantic_dump_kwargs": "the shim wrapper must validate the arguments itself",
    "backend": "results always live in the queue's Redis",
    "resultrepr_maxsize": "worker internals",
    "store_eager_result": "eager results are kept by the shim only in eager mode",
}
CELERY_ONLY_OPTIONS = {"Request", "Strategy"}
# Options whose effect depends on their value: a computed value makes the mapping uncertain.
VALUE_SENSITIVE = {
    "max_retries",
    "default_retry_delay",
    "time_limit",
    "soft_time_limit",
    "ignore_result",
    "acks_late",
    "bind",
    "queue",
    "expires",
    "retry_backoff",
    "retry_backoff_max",
    "retry_jitter",
}
KNOWN_OPTIONS = (
    set(EXACT_OPTIONS)
    | set(AUTORETRY_OPTIONS)
    | set(ACKS_OPTIONS)
    | set(DROPPED_OPTIONS)
    | CELERY_ONLY_OPTIONS
    | {"bind", "base", "max_retries", "time_limit", "soft_time_limit", "rate_limit", "expires"}
)

REQUEST_EXACT = {
    "request.id",
    "request.args",
    "request.kwargs",
    "request.is_eager",
    "request.called_directly",
    "request.eta",
    "request.task",
    "request",
    "name",
    "max_retries",
    "default_retry_delay",
    "delay",
    "apply_async",
    "s",
    "si",
    "signature",
    "AsyncResult",
}
REQUEST_APPROX = {
    "request.expires",
    "request.hostname",
    "request.delivery_info",
    "request.timelimit",
    "request.time_limit",
    "request.soft_time_limit",
    "request.origin",
    "request.reply_to",
    "request.correlation_id",
    "request.ignore_result",
    "request.properties",
}
REQUEST_WORKFLOW = {
    "request.root_id",
    "request.parent_id",
    "request.group",
    "request.group_index",
    "request.chord",
    "request.chain",
    "request.callbacks",
    "request.errbacks",
    "request.headers",
    "request.replaced_task_nesting",
    "request.stamps",
    "request.stamped_headers",
}


def _literal(value: Value | None) -> bool:
    return value is not None and value.literal


def _show(value: Value) -> str:
    return repr(value.value) if value.literal else str(value.value)


def option_reasons(task: TaskDef, classes: dict[str, TaskClass]) -> list[Reason]:
    """One reason per option (or option group) that matters for the migration."""
    reasons: list[Reason] = []
    opts = task.options
    for key in sorted(opts):
        value = opts[key]
        if key in EXACT_OPTIONS:
            reasons.append(get("C2A102").reason(EXACT_OPTIONS[key]))
        elif key in DROPPED_OPTIONS:
            reasons.append(
                get("C2A110").reason(f"{key}= has no ARQ equivalent and is dropped: {DROPPED_OPTIONS[key]}")
            )
        elif key in CELERY_ONLY_OPTIONS:
            reasons.append(
                get("C2A110").reason(
                    f"{key}= replaces Celery worker internals: keep this task on Celery", verdict="celery"
                )
            )
        elif key not in KNOWN_OPTIONS:
            reasons.append(
                get("C2A113").reason(
                    f"{key}= is not a Celery option celery2arq knows: check what reads it before converting"
                )
            )
        if key in VALUE_SENSITIVE and not value.literal:
            reasons.append(
                get("C2A112").reason(
                    f"{key}={value.value} is computed at run time: check the converted setting by hand"
                )
            )
    if "max_retries" in opts and _literal(opts["max_retries"]):
        n = opts["max_retries"].value
        if n is None:
            reasons.append(
                get("C2A103").reason(
                    "max_retries=None retries forever: max_tries becomes 2**31, "
                    "but the job still expires after 1 day"
                )
            )
        else:
            reasons.append(
                get("C2A103").reason(
                    f"max_retries={n} becomes max_tries={n + 1 if isinstance(n, int) else n}; "
                    "crash and SIGTERM re-runs also use up tries"
                )
            )
    autoretry = [k for k in AUTORETRY_OPTIONS if k in opts]
    if autoretry:
        reasons.append(
            get("C2A104").reason(
                f"{', '.join(k + '=' for k in autoretry)} re-implemented by the shim wrapper "
                "with Celery's backoff "
                "formula; retries counted from ARQ tries (crash re-runs count)"
            )
        )
    if "time_limit" in opts:
        reasons.append(
            get("C2A105").reason(
                f"time_limit={_show(opts['time_limit'])} becomes func(timeout=...): "
                "cancellation is cooperative "
                "and the longest timeout delays crash recovery of every job in the worker"
            )
        )
    if "soft_time_limit" in opts:
        body = (
            "an async body can catch CancelledError instead"
            if task.is_async
            else ("a sync body runs in a thread and gets no signal")
        )
        reasons.append(
            get("C2A106").reason(
                f"soft_time_limit={_show(opts['soft_time_limit'])}: "
                f"SoftTimeLimitExceeded is never raised; {body}"
            )
        )
    if "rate_limit" in opts:
        reasons.append(
            get("C2A107").reason(
                f"rate_limit={_show(opts['rate_limit'])} has no ARQ equivalent: "
                "redesign (token bucket in Redis) "
                "or keep this task on Celery"
            )
        )
    if "base" in opts:
        reasons.append(base_reason(opts["base"], classes))
    acks = [k for k in ACKS_OPTIONS if k in opts]
    if acks:
        reasons.append(
            get("C2A109").reason(
                f"{', '.join(k + '=' for k in acks)}: ARQ always re-runs an unfinished job, "
                "after its timeout + 10 s, "
                "and never retries a timed-out job"
            )
        )
    if "expires" in opts:
        reasons.append(
            get("C2A111").reason(
                f"expires={_show(opts['expires'])} becomes the shim's default _expires: an expired job is a "
                "failure result (shown as REVOKED by the shim)"
            )
        )
    return reasons


def self_use_reasons(uses: list[SelfUse]) -> list[Reason]:
    """One reason per distinct use of ``self`` (at its first line)."""
    reasons: list[Reason] = []
    seen: set[str] = set()
    for use in sorted(uses, key=lambda u: u.line):
        key = use.attr + (repr(sorted(use.call_args)) if use.call_args else "")
        if key in seen:
            continue
        seen.add(key)
        reasons.append(_self_use_reason(use))
    return reasons


def _self_use_reason(use: SelfUse) -> Reason:
    attr, line = use.attr, use.line
    if attr == "request.retries":
        return get("C2A131").reason(
            "self.request.retries becomes ctx['job_try'] - 1, which crash and SIGTERM re-runs inflate",
            line=line,
        )
    if attr in REQUEST_EXACT:
        return get("C2A130").reason(f"self.{attr} is provided exactly by the shim", line=line)
    if attr in REQUEST_APPROX:
        return get("C2A132").reason(
            f"self.{attr} is only approximated by the shim; check how it is used", line=line
        )
    if attr in REQUEST_WORKFLOW:
        return get("C2A133").reason(f"self.{attr} describes a Celery workflow ARQ never has", line=line)
    if attr == "retry":
        args = use.call_args or {}
        if "args" in args or "kwargs" in args:
            return get("C2A135").reason(
                "self.retry(args=/kwargs=) re-runs with a new payload: ARQ's Retry "
                "re-runs the same job; redesign or keep on Celery",
                line=line,
            )
        throw = args.get("throw")
        if throw is not None and throw.literal and throw.value is False:
            return get("C2A135").reason(
                "self.retry(throw=False) keeps running after scheduling the retry: "
                "impossible with ARQ's same-id Retry",
                line=line,
            )
        return get("C2A134").reason(
            "self.retry() becomes raise retry(ctx, ...): same budget and delay, counted by ARQ tries",
            line=line,
        )
    if attr == "update_state":
        return get("C2A136").reason(
            "self.update_state(): custom states/meta survive only through the shim's "
            "state key; readers must use the shim's AsyncResult",
            line=line,
        )
    if attr in ("replace", "add_to_chord"):
        return get("C2A137").reason(f"self.{attr}() changes the running workflow: keep on Celery", line=line)
    return get("C2A138").reason(f"self.{attr}: check the shim provides it", line=line)


def task_reasons(
    task: TaskDef, classes: dict[str, TaskClass], app_task_cls: str | None = None
) -> list[Reason]:
    """Every reason for one task, most specific first; C2A100 when nothing differs.

    ``app_task_cls`` is the ``task_cls=`` of the task's Celery app: the default base of its tasks.
    """
    reasons: list[Reason] = []
    if not task.name_static:
        reasons.append(
            get("C2A901").reason(
                "the task name is computed at run time: register and enqueue it under the same explicit name"
            )
        )
    if task.kind == "class":
        reasons.append(
            get("C2A114").reason(
                f"{task.function} is a Task subclass: the shim runs run() and its hooks inside an ARQ job"
            )
        )
    elif task.kind == "helper":
        reasons.append(
            get("C2A115").reason(
                f"created through the project helper {task.decorator}: check what "
                "the helper adds around Celery's decorator"
            )
        )
    reasons += option_reasons(task, classes)
    if app_task_cls and "base" not in task.options:
        reasons.append(base_reason(Value(literal=False, value=app_task_cls), classes, option="task_cls"))
    reasons += self_use_reasons(task.self_uses)
    for call in task.blocking_calls:
        reasons.append(
            get("C2A600").reason(
                "blocking call in an async task body: it stalls every job of the "
                "worker and ignores the timeout; await an async API or use "
                "asyncio.to_thread",
                line=call.line,
            )
        )
    if task.is_async:
        reasons.insert(0, get("C2A101").reason("async def body: registered with ARQ directly, ctx added"))
    if not any(r.verdict != "ready" for r in reasons):
        reasons.insert(
            0, get("C2A100").reason("plain task: converts to an ARQ function with the same behaviour")
        )
    return reasons
