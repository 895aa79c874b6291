"""The one table of names the codemods match and emit.

Celery names are matched by meaning (LibCST qualified names), never by spelling, so
``from celery import shared_task as st`` is found as well as ``celery.shared_task``.
"""

from __future__ import annotations

import builtins

SHIM_MODULE = "celery2arq.shim"

# Decorators that make a Celery task without an app object.
SHARED_TASK_DECORATORS = frozenset(
    {"celery.shared_task", "celery.app.shared_task", "celery.app.base.shared_task"}
)
# Pre-4.0 decorators that carry a Beat schedule (``run_every=``): left on Celery.
PERIODIC_TASK_DECORATORS = frozenset({"celery.task.periodic_task", "celery.decorators.periodic_task"})
# Celery's ``group``: moved to the shim's fan-out in files with a converted task (its signatures are the
# shim's then), unless a group of the file may flow into a chain or chord, which need Celery.
CELERY_GROUP_MODULES = ("celery", "celery.canvas")
CELERY_GROUP = frozenset(f"{module}.group" for module in CELERY_GROUP_MODULES)
CELERY_GROUP_COMBINATORS = frozenset(
    {f"{module}.{name}" for module in CELERY_GROUP_MODULES for name in ("chain", "chord")}
    | {"celery.canvas._chain"}
)
# Classes whose instances are Celery apps (``app = Celery("proj")``).
CELERY_APP_CLASSES = frozenset({"celery.Celery", "celery.app.Celery", "celery.app.base.Celery"})
# Without a project scan, ``<name>.task`` counts as an app decorator only for these names.
CONVENTIONAL_APP_NAMES = frozenset({"app", "celery", "celery_app", "capp"})

# Scratch keys the driver fills (a project-level view the per-file codemod cannot have).
SCRATCH_KNOWN_APPS = "celery2arq.known_apps"  # set of dotted paths of Celery apps in the project
# Tasks whose verdict is ``celery``: their Celery names, and ``def:<module>.<function>`` (for computed names)
SCRATCH_LEAVE_TASKS = "celery2arq.leave_tasks"
SCRATCH_CONVERTED = "celery2arq.converted"  # list of dicts describing what this file converted
SCRATCH_LEFT = "celery2arq.left"  # list of {"name", "function", "code", "message"}: tasks left on Celery
# The scan's tasks of this file (project mode): {function: {"name", "kind", "app", "decorator", "carry",
# "call_through"}}; when set, it decides which functions are tasks (aliased decorators included), not the
# decorator's spelling.
SCRATCH_PROJECT_TASKS = "celery2arq.project_tasks"

# Calls that cannot block the event loop once the body is ``async def``.
# ``print``/``open``/``input``/``getattr`` (properties) and friends are deliberately absent.
_PURE_BUILTIN_NAMES = frozenset(
    {
        "abs",
        "all",
        "any",
        "ascii",
        "bin",
        "bool",
        "bytearray",
        "bytes",
        "chr",
        "complex",
        "dict",
        "divmod",
        "enumerate",
        "float",
        "format",
        "frozenset",
        "hash",
        "hex",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "list",
        "max",
        "min",
        "next",
        "oct",
        "ord",
        "pow",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "slice",
        "sorted",
        "str",
        "sum",
        "tuple",
        "zip",
    }
)
_EXCEPTION_NAMES = frozenset(
    name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
)
PURE_BUILTINS = frozenset(f"builtins.{name}" for name in _PURE_BUILTIN_NAMES | _EXCEPTION_NAMES)

BLOCKING_SLEEP = "time.sleep"
ASYNCIO_RUN = "asyncio.run"

# ``self.retry(...)`` keywords the runtime's ``retry(ctx, ...)`` takes with Celery's meaning.
RETRY_KEYWORDS = frozenset({"exc", "countdown", "eta", "max_retries"})

# Celery decorator options dropped from ``arq_task``: ``ctx`` replaces the bound self; the runtime
# does not run custom Task classes (``base=``), so that one is dropped with a TODO marker.
DROPPED_OPTIONS = frozenset({"bind", "base"})

# The runtime option that runs the body inside the app's Task class ``__call__`` (shim ``call_through``).
CALL_THROUGH_OPTION = "call_through"

# Rule codes (celery2arq.rules) this codemod writes into ``# celery2arq: C2A###`` comments and warnings.
CODE_CUSTOM_BASE = "C2A108"  # custom-task-base
CODE_COMPUTED_OPTION = "C2A112"  # computed-task-option
CODE_UNKNOWN_OPTION = "C2A113"  # unknown-task-option (``**OPTS`` spread into the decorator)
CODE_REQUEST_APPROXIMATE = "C2A132"  # request-approximate
CODE_REQUEST_WORKFLOW = "C2A133"  # request-workflow
CODE_RETRY_NEW_PAYLOAD = "C2A135"  # retry-new-payload
CODE_UPDATE_STATE = "C2A136"  # update-state
CODE_REPLACE_TASK = "C2A137"  # replace-task
CODE_SELF_OTHER = "C2A138"  # self-other
CODE_DYNAMIC_NAME = "C2A901"  # dynamic-task-name
COMMENT_PREFIX = "# celery2arq: "

# ``self.request`` fields about workflows that ARQ never has (the rest are approximations).
REQUEST_WORKFLOW_FIELDS = frozenset(
    {"parent_id", "root_id", "chord", "callbacks", "errbacks", "chain", "group", "group_index", "reply_to"}
)


def self_use_code(use: str) -> str:
    """The rule code for an untranslatable ``self`` use such as ``self.request.hostname``."""
    if use.startswith("self.request."):
        field = use.removeprefix("self.request.").split(".")[0].rstrip("()")
        return CODE_REQUEST_WORKFLOW if field in REQUEST_WORKFLOW_FIELDS else CODE_REQUEST_APPROXIMATE
    if use.startswith("self.update_state"):
        return CODE_UPDATE_STATE
    if use.startswith(("self.replace", "self.add_to_chord")):
        return CODE_REPLACE_TASK
    return CODE_SELF_OTHER
