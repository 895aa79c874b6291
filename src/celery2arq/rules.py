"""The rule registry: every reason code the audit can give, in one place.

Each rule has a stable code (``C2A`` + three digits), a kebab-case name, the verdict it gives
by default, a one-line summary and the ``rewrite`` codemod that handles it (or None). The long
page for each rule ships inside the package (``celery2arq/rule_pages/C2A###.md``) so that
``celery2arq rules CODE`` and ``audit --explain CODE`` work from an installed wheel;
``docs/rules/C2A###.md`` is the same text (a test keeps them equal).

Families: 1xx task definition, 2xx calling, 3xx canvas, 4xx results and control,
5xx configuration and Beat, 6xx async hygiene, 9xx what the scan cannot decide and meta findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from celery2arq.model import Reason, Verdict

DOCS_URL = "https://github.com/celery2arq/celery2arq/blob/main/docs/rules/{code}.md"

FAMILIES = {
    "1": "task definition",
    "2": "calling",
    "3": "canvas",
    "4": "results and control",
    "5": "configuration and Beat",
    "6": "async hygiene",
    "9": "undecidable and meta",
}


# What ``fixed_by`` names: a codemod of ``celery2arq_codemods`` or a step of ``celery2arq rewrite``.
FIXERS = {
    "convert_task": "`celery2arq rewrite` (codemod `convert_task`)",
    "worker_settings": "`celery2arq rewrite` (the generated `WorkerSettings`)",
}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    verdict: Verdict
    summary: str
    fixed_by: str | None = None

    @property
    def family(self) -> str:
        return FAMILIES[self.code[3]]

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(code=self.code)

    def reason(self, message: str, verdict: Verdict | None = None, line: int | None = None) -> Reason:
        """A reason with this rule's code (and its default verdict unless told otherwise)."""
        return Reason(code=self.code, message=message, verdict=verdict or self.verdict, line=line)


_RULES = (
    # 1xx task definition
    Rule(
        "C2A100",
        "plain-task",
        "ready",
        "A task with nothing ARQ lacks: converts to an ARQ function with the same behaviour.",
        "convert_task",
    ),
    Rule(
        "C2A101",
        "async-task-body",
        "ready",
        "The task body is already `async def`: it is registered with ARQ directly.",
        "convert_task",
    ),
    Rule(
        "C2A102",
        "exact-task-option",
        "ready",
        "A task option with an exact ARQ or shim equivalent (name, queue, ignore_result, ...).",
        "convert_task",
    ),
    Rule(
        "C2A103",
        "retry-budget",
        "review",
        "max_retries becomes max_tries = N + 1, and crash or SIGTERM re-runs use up tries.",
        "convert_task",
    ),
    Rule(
        "C2A104",
        "autoretry",
        "review",
        "autoretry_for / retry_backoff are re-implemented by the shim wrapper; counting differs.",
        "convert_task",
    ),
    Rule(
        "C2A105",
        "time-limit",
        "review",
        "time_limit becomes a cooperative ARQ timeout that also sets the crash-recovery delay.",
        "convert_task",
    ),
    Rule(
        "C2A106",
        "soft-time-limit",
        "review",
        "soft_time_limit has no ARQ equivalent: SoftTimeLimitExceeded is never raised.",
        None,
    ),
    Rule(
        "C2A107",
        "rate-limit",
        "celery",
        "rate_limit has no ARQ equivalent: the task needs a redesign or stays on Celery.",
        None,
    ),
    Rule(
        "C2A108",
        "custom-task-base",
        "review",
        "A custom Task base class: its hooks must run in the shim wrapper (or it needs Celery).",
        "convert_task",
    ),
    Rule(
        "C2A109",
        "acks-late",
        "review",
        "acks_late and related options: ARQ always re-runs unfinished jobs, with its own delays.",
        None,
    ),
    Rule(
        "C2A110",
        "dropped-task-option",
        "review",
        "A task option ARQ has no equivalent for; rewrite drops it.",
        "convert_task",
    ),
    Rule(
        "C2A111",
        "task-expires",
        "review",
        "Decorator expires= becomes the job expiry; an expired job is a failure, not REVOKED.",
        "convert_task",
    ),
    Rule(
        "C2A112",
        "computed-task-option",
        "review",
        "A task option whose value is computed at run time: its effect cannot be checked statically.",
        None,
    ),
    Rule(
        "C2A113",
        "unknown-task-option",
        "review",
        "A task option celery2arq does not know; it becomes a class attribute in Celery.",
        "convert_task",
    ),
    Rule(
        "C2A114",
        "class-based-task",
        "review",
        "A task written as a Task subclass with run(): the shim wraps it, hooks and state included.",
        None,
    ),
    Rule(
        "C2A115",
        "task-factory-helper",
        "review",
        "A task created through a project helper that wraps Celery's decorator.",
        None,
    ),
    Rule(
        "C2A120",
        "signal-handler",
        "review",
        "A Celery signal handler: ARQ has hooks only at worker start-up/shutdown and job start/end.",
        None,
    ),
    Rule(
        "C2A130",
        "request-exact",
        "ready",
        "A self.request field or task attribute the shim provides exactly (id, args, kwargs, ...).",
        "convert_task",
    ),
    Rule(
        "C2A131",
        "request-retries",
        "review",
        "self.request.retries becomes ctx['job_try'] - 1, inflated by crash and SIGTERM re-runs.",
        "convert_task",
    ),
    Rule(
        "C2A132",
        "request-approximate",
        "review",
        "A self.request field the shim can only approximate (hostname, delivery_info, expires, ...).",
        None,
    ),
    Rule(
        "C2A133",
        "request-workflow",
        "celery",
        "A self.request field about workflows (parent_id, chord, callbacks, ...) that ARQ never has.",
        None,
    ),
    Rule(
        "C2A134",
        "self-retry",
        "review",
        "self.retry() becomes the shim's retry(ctx, ...): same budget and delay, counted by ARQ tries.",
        "convert_task",
    ),
    Rule(
        "C2A135",
        "retry-new-payload",
        "celery",
        "self.retry(args=/kwargs=/throw=False) cannot be expressed with ARQ's same-id Retry.",
        None,
    ),
    Rule(
        "C2A136",
        "update-state",
        "review",
        "self.update_state(): custom states and progress meta are kept only through the shim's state key.",
        "convert_task",
    ),
    Rule(
        "C2A137",
        "replace-task",
        "celery",
        "self.replace() / add_to_chord() rewrite the running workflow: ARQ has no workflows.",
        None,
    ),
    Rule(
        "C2A138",
        "self-other",
        "review",
        "Another use of the bound task instance that the shim may not provide.",
        None,
    ),
    # 2xx calling
    Rule(
        "C2A200",
        "enqueue",
        "ready",
        "delay / apply_async / send_task converts to an ARQ enqueue with the same options.",
        None,
    ),
    Rule(
        "C2A201",
        "call-expires",
        "review",
        "expires= on a call: an expired ARQ job ends as a failure result, not REVOKED.",
        None,
    ),
    Rule(
        "C2A202",
        "call-task-id",
        "review",
        "task_id= on a call: ARQ refuses a job id while the job or its result exists.",
        None,
    ),
    Rule(
        "C2A203",
        "dropped-call-option",
        "review",
        "A call option ARQ has no per-job equivalent for (priority, routing_key, headers, ...).",
        None,
    ),
    Rule(
        "C2A204",
        "call-link",
        "celery",
        "link= / link_error= callbacks on a call: ARQ has no callbacks.",
        None,
    ),
    Rule(
        "C2A205",
        "unresolved-call-target",
        "review",
        "The enqueued task is not a task of the scanned project: its ARQ worker must register that name.",
        None,
    ),
    Rule(
        "C2A206",
        "eager-apply",
        "ready",
        "task.apply() runs the task inline: the shim's apply() does the same and returns an EagerResult.",
        None,
    ),
    Rule("C2A209", "other-call", "review", "A Celery call the mapping has no entry for.", None),
    # 3xx canvas
    Rule(
        "C2A300",
        "signature",
        "ready",
        "A signature used to defer a single call converts to the shim's signature object.",
        None,
    ),
    Rule(
        "C2A301",
        "chain",
        "celery",
        "chain() or the | operator: ARQ has no workflows; an orchestrator job must replace it.",
        None,
    ),
    Rule(
        "C2A302",
        "group",
        "review",
        "group(): each task is enqueued on its own; waiting for all results must poll each job.",
        None,
    ),
    Rule("C2A303", "chord", "celery", "chord(): ARQ cannot run a callback when a group finishes.", None),
    Rule(
        "C2A304",
        "link-callback",
        "celery",
        "sig.link() / link_error(): ARQ has no success or error callbacks.",
        None,
    ),
    Rule(
        "C2A305",
        "chunks-map",
        "review",
        "chunks / map / starmap become one generated job that loops over the items.",
        None,
    ),
    Rule(
        "C2A306",
        "task-in-workflow",
        "review",
        "This task is part of a chain, chord or callback, so its outcome drives other tasks.",
        None,
    ),
    Rule("C2A309", "other-canvas", "review", "A canvas primitive the mapping has no entry for.", None),
    # 4xx results and control
    Rule(
        "C2A400",
        "async-result",
        "ready",
        "AsyncResult by id, ready()/successful()/forget(): the shim reads ARQ's result key.",
        None,
    ),
    Rule(
        "C2A401",
        "result-get",
        "review",
        "result.get() polls ARQ's result every interval; inside a task it can deadlock the worker.",
        None,
    ),
    Rule(
        "C2A402",
        "revoke",
        "review",
        "revoke() deletes a queued job; terminate=True needs allow_abort_jobs and is cooperative.",
        None,
    ),
    Rule(
        "C2A403",
        "worker-control",
        "celery",
        "app.control / inspect: ARQ workers have no remote-control channel.",
        None,
    ),
    Rule(
        "C2A404",
        "result-graph",
        "celery",
        "result.children / parent / collect(): ARQ keeps no task graph.",
        None,
    ),
    # 5xx configuration and Beat (501-509 are given by the Beat converter)
    Rule(
        "C2A500",
        "beat-invalid-schedule",
        "celery",
        "A crontab Celery itself refuses (bad field, impossible date): fix the schedule first.",
        None,
    ),
    Rule(
        "C2A501",
        "beat-crontab",
        "review",
        "A crontab entry converts to an arq cron with identical fire times; no catch-up after downtime.",
        "worker_settings",
    ),
    Rule(
        "C2A502",
        "beat-interval",
        "review",
        "An interval converts to wall-clock crons: the period is exact, the phase is not.",
        "worker_settings",
    ),
    Rule(
        "C2A503",
        "beat-interval-no-cron",
        "celery",
        "An interval that divides neither a day nor a week, or needs more than 24 crons: "
        "no practical cron set fires at that period.",
        None,
    ),
    Rule(
        "C2A504",
        "beat-solar",
        "celery",
        "A solar schedule (sunrise, sunset...): ARQ crons cannot express it.",
        None,
    ),
    Rule(
        "C2A505",
        "beat-custom-schedule",
        "celery",
        "A custom schedule class: its is_due() logic has no cron form.",
        None,
    ),
    Rule(
        "C2A506",
        "beat-relative",
        "celery",
        "relative=True rounds each deadline to the interval's unit from the last run: no cron repeats it.",
        None,
    ),
    Rule(
        "C2A507",
        "beat-database-scheduler",
        "celery",
        "A database scheduler (django-celery-beat): schedules edited at run time have no ARQ form.",
        None,
    ),
    Rule(
        "C2A508",
        "beat-arguments",
        "ready",
        "Entry args/kwargs are baked into a generated wrapper (arq crons take no arguments).",
        "worker_settings",
    ),
    Rule(
        "C2A509",
        "beat-options",
        "review",
        "Entry options: queue is honoured, expires/countdown are mapped, priority/headers are dropped.",
        "worker_settings",
    ),
    Rule(
        "C2A510",
        "broker-url",
        "ready",
        "The broker URL: Redis converts to RedisSettings; other brokers need Celery.",
        "worker_settings",
    ),
    Rule(
        "C2A511",
        "result-backend",
        "review",
        "The result backend: ARQ keeps results in the queue's Redis.",
        "worker_settings",
    ),
    Rule(
        "C2A512",
        "time-limit-setting",
        "review",
        "task_time_limit / task_soft_time_limit: job_timeout is cooperative and never unlimited.",
        "worker_settings",
    ),
    Rule(
        "C2A513",
        "concurrency-setting",
        "review",
        "worker_concurrency / prefetch: ARQ runs coroutines in one process (max_jobs, queue_read_limit).",
        "worker_settings",
    ),
    Rule(
        "C2A514",
        "serializer-setting",
        "ready",
        "Serializer settings: ARQ pickles by default; configure(serializer=\"json\") keeps Celery's JSON.",
        "worker_settings",
    ),
    Rule(
        "C2A515",
        "eager-mode",
        "review",
        "task_always_eager: the shim's eager mode runs tasks inline, round-tripping arguments.",
        None,
    ),
    Rule("C2A516", "default-rate-limit", "celery", "task_default_rate_limit: ARQ has no rate limits.", None),
    Rule(
        "C2A517",
        "task-annotations",
        "review",
        "task_annotations: fold the annotated options into each function's settings.",
        None,
    ),
    Rule(
        "C2A518",
        "process-recycling",
        "review",
        "worker_max_tasks_per_child / max_memory_per_child: ARQ never recycles its process.",
        None,
    ),
    Rule(
        "C2A519",
        "exact-setting",
        "ready",
        "A setting with an exact WorkerSettings or shim equivalent (queue, routes, timezone, ...).",
        "worker_settings",
    ),
    Rule(
        "C2A520",
        "beat-starting-deadline",
        "review",
        "beat_cron_starting_deadline: ARQ crons never catch up a missed run.",
        None,
    ),
    Rule(
        "C2A521",
        "default-priority",
        "review",
        "task_default_priority: ARQ queues have no priorities; the setting is dropped.",
        None,
    ),
    Rule(
        "C2A529",
        "other-setting",
        "review",
        "A Celery setting with no known ARQ equivalent: check it by hand.",
        None,
    ),
    # 6xx async hygiene
    Rule(
        "C2A600",
        "blocking-call-in-async",
        "review",
        "A blocking call inside an async task body stalls every job of the worker.",
        None,
    ),
    # 9xx undecidable and meta
    Rule(
        "C2A901",
        "dynamic-task-name",
        "review",
        "The task name is computed at run time, so enqueuers and the worker cannot be matched statically.",
        None,
    ),
    Rule(
        "C2A902",
        "dynamic-beat-schedule",
        "review",
        "The Beat schedule is not static (built at run time or read from a database).",
        None,
    ),
    Rule(
        "C2A903",
        "dynamic-setting",
        "review",
        "A setting's value comes from a function the scan cannot evaluate.",
        None,
    ),
    Rule(
        "C2A904",
        "unresolved-celery-object",
        "review",
        "A decorator or app object looks like Celery but cannot be resolved.",
        None,
    ),
    Rule(
        "C2A905",
        "dynamic-call-target",
        "review",
        "The target of a delay/apply_async/send_task call is computed at run time.",
        None,
    ),
    Rule(
        "C2A910",
        "unused-suppression",
        "review",
        "A `# celery2arq: ignore[...]` comment that silences nothing.",
        None,
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


class UnknownRuleError(KeyError):
    """A code that names no rule."""


def get(code: str) -> Rule:
    try:
        return RULES[code.upper()]
    except KeyError:
        raise UnknownRuleError(code) from None


def page_body(code: str) -> str:
    """The hand-written sections of a rule's page, read from the package."""
    return resources.files("celery2arq").joinpath("rule_pages", f"{code}.md").read_text(encoding="utf-8")


def render_page(code: str) -> str:
    """The full Markdown page of a rule: a header from the registry, then its sections."""
    rule = get(code)
    fix = FIXERS.get(rule.fixed_by or "", "not rewritten automatically")
    header = (
        f"# {rule.code} {rule.name}\n\n"
        f"- Family: {rule.family} ({rule.code[3]}xx)\n"
        f"- Default verdict: **{rule.verdict}**\n"
        f"- Fixed by: {fix}\n\n"
        f"{rule.summary}\n\n"
    )
    return header + page_body(rule.code).strip() + "\n"
