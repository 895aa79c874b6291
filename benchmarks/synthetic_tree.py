"""A deterministic synthetic code base for the audit benchmark.

``generate_tree(root, files=5000, celery_share=0.02, seed=...)`` writes a project of ``files``
Python files (packages with ``__init__.py``, varied module kinds and sizes) of which about
``celery_share`` define Celery tasks in the forms real projects use, including task modules that
never spell "celery" (the app is imported from the project's own ``core.worker``, or tasks are
declared with the project's ``core.tasking.background_task`` helper). Non-Celery modules carry
look-alikes that must not count as tasks (invoke's ``@task``, ``@app.get`` on a FastAPI app,
``asyncio.create_task``).

The returned :class:`GeneratedTree` lists every Celery task name a correct scan must find.
Standard library only, so the generator can be imported by a test without the package.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

NOUNS = (
    "account", "address", "audit", "basket", "batch", "billing", "booking", "cache", "campaign",
    "catalog", "channel", "checkout", "claim", "coupon", "customer", "delivery", "device", "document",
    "event", "export", "feed", "fulfilment", "gateway", "intake", "inventory", "invoice", "ledger",
    "listing", "message", "metric", "notification", "order", "partner", "payment", "payout", "plan",
    "policy", "price", "product", "profile", "quote", "rating", "receipt", "refund", "report",
    "reservation", "review", "route", "schedule", "search", "segment", "session", "shipment",
    "snapshot", "stock", "subscription", "supplier", "tenant", "ticket", "token", "upload", "user",
    "vendor", "voucher", "warehouse", "webhook",
)  # fmt: skip
VERBS = (
    "build", "calculate", "check", "cleanup", "collect", "compute", "export", "fetch", "flush",
    "generate", "import", "index", "load", "merge", "notify", "prune", "publish", "rebuild",
    "reconcile", "refresh", "render", "resend", "resize", "retry", "rotate", "scan", "send", "sync",
    "update", "validate", "warm",
)  # fmt: skip
KINDS = ("models", "service", "utils", "views", "api", "schemas", "helpers", "handlers", "tests",
         "constants", "client", "repository", "serializers", "forms", "admin", "tasks")  # fmt: skip


@dataclass
class GeneratedTree:
    """What was written: counts and the Celery task names a scan must find."""

    root: Path
    files: int = 0
    bytes: int = 0
    lines: int = 0
    celery_files: list[str] = field(default_factory=list)  # relative POSIX paths of task modules
    tasks: list[str] = field(default_factory=list)  # Celery task names, sorted
    caller_files: list[str] = field(default_factory=list)  # modules that only enqueue tasks
    calls: list[tuple[str, str]] = field(default_factory=list)  # (caller file, task name) per call site
    forms: dict[str, int] = field(default_factory=dict)  # form name -> number of task modules


# --------------------------------------------------------------------------- plain code blocks


def _ident(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"


def _class_name(rng: random.Random) -> str:
    return rng.choice(NOUNS).capitalize() + rng.choice(("Service", "Manager", "Record", "Client", "View", ""))


def _function_block(rng: random.Random, name: str) -> str:
    noun = rng.choice(NOUNS)
    body = [
        f"def {name}({noun}_id: int, *, limit: int = {rng.randint(10, 500)}, dry_run: bool = False) -> dict:",
        f'    """{name.replace("_", " ").capitalize()} for one {noun}."""',
        f'    items = [x for x in _load_{noun}s({noun}_id) if x.get("active")][:limit]',
        "    totals: dict[str, int] = {}",
        "    for item in items:",
        '        key = str(item.get("kind", "other"))',
        '        totals[key] = totals.get(key, 0) + int(item.get("amount", 0))',
    ]
    if rng.random() < 0.5:
        body += [
            "        if dry_run:",
            f'            logger.debug("dry run for %s: %s", {noun}_id, key)',
            "            continue",
        ]
    if rng.random() < 0.4:
        body += [
            "    try:",
            f"        result = {{'id': {noun}_id, 'totals': totals, 'count': len(items)}}",
            "    except (KeyError, ValueError) as exc:",
            f'        raise RuntimeError(f"{name} failed for {{{noun}_id}}") from exc',
        ]
    else:
        body.append(f"    result = {{'id': {noun}_id, 'totals': totals, 'count': len(items)}}")
    body.append("    return result")
    return "\n".join(body) + "\n"


def _class_block(rng: random.Random, name: str) -> str:
    noun = rng.choice(NOUNS)
    lines = [
        f"class {name}:",
        f'    """Keeps {noun} state between calls."""',
        "",
        f"    default_timeout = {rng.randint(1, 60)}",
        "",
        "    def __init__(self, client=None, timeout: float | None = None) -> None:",
        "        self.client = client",
        "        self.timeout = timeout or self.default_timeout",
        "        self._cache: dict[int, dict] = {}",
    ]
    for _ in range(rng.randint(1, 5)):
        meth = _ident(rng)
        lines += [
            "",
            f"    def {meth}(self, key: int, payload: dict | None = None) -> dict | None:",
            "        if key in self._cache:",
            "            return self._cache[key]",
            "        payload = dict(payload or {})",
            f'        payload.setdefault("{noun}", key)',
            f'        value = self.client.post(f"/api/{noun}/{{key}}", json=payload, timeout=self.timeout)'
            if rng.random() < 0.5
            else "        value = {k: v for k, v in sorted(payload.items())}",
            "        self._cache[key] = value",
            "        return value",
        ]
    return "\n".join(lines) + "\n"


def _dataclass_block(rng: random.Random, name: str) -> str:
    types = ("int", "str", "float", "bool")
    fields = [f"    {rng.choice(NOUNS)}_{i}: {rng.choice(types)}" for i in range(rng.randint(2, 9))]
    fields.append("    tags: tuple[str, ...] = ()")
    return f"@dataclass(frozen=True)\nclass {name}:\n" + "\n".join(fields) + "\n"


def _test_block(rng: random.Random, name: str) -> str:
    noun = rng.choice(NOUNS)
    return (
        f'@pytest.mark.parametrize("value", [0, 1, {rng.randint(2, 99)}])\n'
        f"def test_{name}(value):\n"
        f'    {noun} = {{"id": value, "amount": value * 3}}\n'
        f'    assert {noun}["amount"] == value * 3\n'
    )


def _view_block(rng: random.Random, name: str) -> str:
    noun = rng.choice(NOUNS)
    # FastAPI's @app.get must never count as a Celery task.
    return (
        f'@app.get("/{noun}s/{{item_id}}")\n'
        f"async def {name}(item_id: int):\n"
        f"    background = asyncio.create_task(_audit_{noun}(item_id))\n"
        f'    background.add_done_callback(lambda t: logger.debug("audited %s", item_id))\n'
        f'    return {{"id": item_id, "kind": "{noun}"}}\n'
    )


def _invoke_block(rng: random.Random, name: str) -> str:
    # invoke's @task: a decoy with Celery's decorator name.
    return f'@task\ndef {name}(c):\n    c.run("python -m build --outdir dist/{rng.choice(NOUNS)}")\n'


FASTAPI_APP = "app = FastAPI()\n"
LOGGER = "logger = logging.getLogger(__name__)\n"
HEADERS = {
    "default": "import logging\nimport os\nfrom dataclasses import dataclass\n\n" + LOGGER,
    "views": "import asyncio\nimport logging\n\nfrom fastapi import FastAPI\n\n" + LOGGER + FASTAPI_APP,
    "tests": "import pytest\n",
    "tasks_invoke": "from invoke import task\n",
}


def _plain_module(rng: random.Random, kind: str) -> str:
    """A non-Celery module whose size follows a long-tailed distribution."""
    blocks = max(1, min(120, int(rng.lognormvariate(1.7, 0.9))))
    doc = f'"""{kind.capitalize()} for the {rng.choice(NOUNS)} domain."""\n'
    if kind == "tests":
        header, makers = HEADERS["tests"], [_test_block]
    elif kind in ("views", "api", "handlers") and rng.random() < 0.5:
        header, makers = HEADERS["views"], [_view_block, _function_block]
    elif kind == "constants":
        names = sorted({f"{rng.choice(NOUNS)}_{rng.choice(VERBS)}".upper() for _ in range(blocks * 4)})
        return doc + "\n".join(f"{n} = {rng.randint(0, 10_000)}" for n in names) + "\n"
    else:
        header, makers = HEADERS["default"], [_function_block, _class_block, _dataclass_block]
    parts, used = [doc, header], set()
    for _ in range(blocks):
        maker = rng.choice(makers)
        name = _class_name(rng) if maker in (_class_block, _dataclass_block) else _ident(rng)
        while name in used:
            name += "_x"
        used.add(name)
        parts.append(maker(rng, name))
    return "\n\n".join(parts)


# --------------------------------------------------------------------------- Celery task modules

FormResult = tuple[str, list[str]]  # (module source, Celery task names it defines)
TaskForm = Callable[[random.Random, str, list[str]], FormResult]


def _task_body(rng: random.Random, bound: bool) -> str:
    noun = rng.choice(NOUNS)
    lines = [f"    {noun} = _load_{noun}(item_id)", '    logger.info("processing %s", item_id)']
    if bound:
        lines.append('    logger.debug("task %s try %s", self.request.id, self.request.retries)')
    lines.append(f'    return {{"id": item_id, "{noun}": bool({noun})}}')
    return "\n".join(lines) + "\n"


def _task_options(rng: random.Random) -> tuple[str, bool]:
    """Decorator arguments: empty, or a realistic mix of options. Returns (args, bound)."""
    if rng.random() < 0.35:
        return "", False
    options, bound = [], rng.random() < 0.4
    if bound:
        options.append("bind=True")
    for opt in rng.sample(
        [
            "max_retries=3",
            "default_retry_delay=30",
            "ignore_result=True",
            'queue="default"',
            "acks_late=True",
            "time_limit=300",
            'rate_limit="10/m"',
            "autoretry_for=(ConnectionError,)",
            "retry_backoff=True",
        ],
        k=rng.randint(1, 3),
    ):
        options.append(opt)
    return "(" + ", ".join(options) + ")", bound


def _header(imports: str, extra: str = "") -> str:
    return f"import logging\n\n{imports}\n\n{LOGGER}{extra}\n\n"


def _decorated_tasks(decorator: str, rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    parts, names = [], []
    for func in funcs:
        args, bound = _task_options(rng)
        params = "self, item_id" if bound else "item_id"
        parts.append(f"@{decorator}{args}\ndef {func}({params}):\n{_task_body(rng, bound)}")
        names.append(f"{module}.{func}")
    return "\n\n".join(parts), names


def form_shared_task(rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    body, names = _decorated_tasks("shared_task", rng, module, funcs)
    return _header("from celery import shared_task") + body, names


def form_project_app(rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    """``@app.task`` with the app imported from the project's ``core.worker``: no "celery" anywhere."""
    body, names = _decorated_tasks("app.task", rng, module, funcs)
    return _header("from core.worker import app") + body, names


def form_module_alias(rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    body, names = _decorated_tasks("celery.shared_task", rng, module, funcs)
    return _header("import celery") + body, names


def form_renamed_import(rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    body, names = _decorated_tasks("job", rng, module, funcs)
    return _header("from celery import shared_task as job") + body, names


def form_helper(rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    """The project's own ``@background_task(name=...)`` helper (returns ``shared_task(...)``)."""
    parts, names = [], []
    for func in funcs:
        name = f"jobs.{module}.{func}"
        parts.append(f'@background_task(name="{name}")\ndef {func}(item_id):\n{_task_body(rng, False)}')
        names.append(name)
    return _header("from core.tasking import background_task") + "\n\n".join(parts), names


def form_call_registration(rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    """Plain functions registered with ``app.task(fn)`` at the bottom of the module."""
    parts = [f"def {func}(item_id):\n{_task_body(rng, False)}" for func in funcs]
    regs = [f"{func}_task = app.task({func})" for func in funcs]
    header = _header("from core.worker import app as worker_app", extra="app = worker_app\n")
    return header + "\n\n".join(parts) + "\n\n" + "\n".join(regs) + "\n", [f"{module}.{f}" for f in funcs]


def form_with_callers(rng: random.Random, module: str, funcs: list[str]) -> FormResult:
    """``@shared_task`` tasks plus the code that enqueues them (delay, apply_async, chain)."""
    body, names = _decorated_tasks("shared_task", rng, module, funcs)
    callers = [
        f"def enqueue_{f}(item_id):\n    return {f}.apply_async((item_id,), countdown={rng.randint(1, 90)})"
        for f in funcs
    ]
    pipeline = f"chain({funcs[0]}.s(item_id), {funcs[-1]}.si(item_id))"
    callers.append(f"def run_all(item_id):\n    return {pipeline}.delay()")
    text = _header("from celery import chain, shared_task") + body + "\n\n" + "\n\n\n".join(callers) + "\n"
    return text, names


FORMS: dict[str, TaskForm] = {
    "shared_task": form_shared_task,
    "project_app": form_project_app,
    "module_alias": form_module_alias,
    "renamed_import": form_renamed_import,
    "helper": form_helper,
    "call_registration": form_call_registration,
    "with_callers": form_with_callers,
}

CORE_WORKER = '''"""The Celery application of the synthetic project."""
import os

from celery import Celery

app = Celery("core", broker=os.environ.get("BROKER_URL", "redis://localhost:6379/0"))
app.conf.update(timezone="UTC", task_acks_late=True)
app.autodiscover_tasks()
'''
CORE_TASKING = '''"""Project helpers for declaring background jobs."""
from celery import shared_task


def background_task(name, **options):
    """Every job gets an explicit name and late acks."""
    options.setdefault("acks_late", True)
    return shared_task(name=name, **options)
'''


# --------------------------------------------------------------------------- the tree


CORE_FILES = ("core/worker.py", "core/tasking.py")


def _plural(noun: str) -> str:
    return noun + ("es" if noun.endswith(("s", "ch")) else "s")


def _layout(rng: random.Random, files: int) -> tuple[list[str], list[str]]:
    """Package directories (POSIX, relative) and module paths, exactly ``files`` paths in all."""
    n_dirs = max(3, files // 25)
    tops = sorted({_plural(rng.choice(NOUNS)) for _ in range(max(2, int(n_dirs**0.5)))})
    dirs = ["core", *tops]
    while len(dirs) < n_dirs:
        parent = rng.choice(dirs)
        leaf = rng.choice(NOUNS)
        child = f"{parent}/{leaf}"
        if child not in dirs and child.count("/") < 4 and not parent.endswith(leaf):
            dirs.append(child)
    dirs.sort()
    modules: set[str] = set(CORE_FILES)
    remaining = files - len(dirs)
    while len(modules) < remaining:
        directory = rng.choice(dirs)
        modules.add(f"{directory}/{rng.choice(NOUNS)}_{rng.choice(KINDS)}.py")
    return dirs, sorted(modules)


def _task_modules(
    rng: random.Random, celery_files: list[str]
) -> dict[str, tuple[str, str, list[tuple[str, str]]]]:
    """rel -> (form, source, [(object name, Celery task name)]) for every task module."""
    form_names, result = list(FORMS), {}
    for index, rel in enumerate(celery_files):
        module = rel[: -len(".py")].replace("/", ".")
        form = form_names[index % len(form_names)]
        funcs: list[str] = []
        wanted = rng.randint(1, 6)
        while len(funcs) < wanted:
            func = _ident(rng)
            if func not in funcs:
                funcs.append(func)
        text, names = FORMS[form](rng, module, funcs)
        objects = [f"{f}_task" if form == "call_registration" else f for f in funcs]
        pairs = list(zip(objects, names, strict=True))
        result[rel] = (form, f'"""Background jobs: {module}."""\n' + text, pairs)
    return result


def _caller_module(rng: random.Random, targets: list[tuple[str, str, str]]) -> tuple[str, list[str]]:
    """A module that enqueues tasks of other modules. targets: (task module, object, task name)."""
    imports, calls, names, direct = [], [], [], set()
    for index, (module, obj, name) in enumerate(targets):
        if index % 2 or obj in direct:  # import the module and go through its attribute
            package, _, leaf = module.rpartition(".")
            alias = f"{leaf}_jobs_{index}"
            imports.append(
                f"from {package} import {leaf} as {alias}" if package else f"import {leaf} as {alias}"
            )
            receiver = f"{alias}.{obj}"
        else:
            imports.append(f"from {module} import {obj}")
            receiver = obj
            direct.add(obj)
        call = (
            f"{receiver}.delay(item_id)"
            if rng.random() < 0.5
            else (f"{receiver}.apply_async((item_id,), countdown={rng.randint(5, 600)})")
        )
        calls.append(f"    {call}")
        names.append(name)
    noun = rng.choice(NOUNS)
    text = (
        f'"""Enqueues background work when a {noun} changes."""\nimport logging\n\n'
        + "\n".join(sorted(imports))
        + f"\n\n{LOGGER}\n\ndef on_{noun}_changed(item_id):\n"
        + f'    logger.info("{noun} %s changed", item_id)\n'
        + "\n".join(calls)
        + "\n\n\n"
        + _function_block(rng, _ident(rng))
    )
    return text, names


def generate_tree(
    root: Path, files: int = 5000, celery_share: float = 0.02, seed: int = 20261125
) -> GeneratedTree:
    """Write the synthetic project under ``root`` (must be empty or absent); same arguments, same bytes.

    About ``celery_share`` of the files define tasks; half as many again only enqueue them
    (``.delay`` / ``.apply_async`` on imported tasks, half of them through a module alias).
    """
    if files < 10:
        raise ValueError("files must be at least 10")
    rng = random.Random(seed)
    dirs, modules = _layout(rng, files)
    candidates = [m for m in modules if m not in CORE_FILES]
    n_celery = max(1, round(files * celery_share))
    celery_files = sorted(rng.sample(candidates, min(n_celery, len(candidates))))
    others = [m for m in candidates if m not in set(celery_files)]
    caller_files = sorted(rng.sample(others, min(max(1, n_celery // 2), len(others))))
    tree = GeneratedTree(root=root, celery_files=celery_files, caller_files=caller_files)
    task_modules = _task_modules(rng, celery_files)
    callable_tasks = [
        (rel[: -len(".py")].replace("/", "."), obj, name)
        for rel, (form, _, pairs) in task_modules.items()
        for obj, name in pairs
        if form != "helper"  # helper tasks are reached by name elsewhere; keep callers to plain imports
    ]

    def write(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        tree.files += 1
        tree.bytes += len(data)
        tree.lines += text.count("\n")

    for directory in dirs:
        write(f"{directory}/__init__.py", "" if rng.random() < 0.7 else f'"""The {directory} package."""\n')
    write("core/worker.py", CORE_WORKER)
    write("core/tasking.py", CORE_TASKING)
    callers = set(caller_files)
    for rel in modules:
        if rel in CORE_FILES:
            continue
        if rel in task_modules:
            form, text, pairs = task_modules[rel]
            tree.tasks.extend(name for _, name in pairs)
            tree.forms[form] = tree.forms.get(form, 0) + 1
            write(rel, text)
        elif rel in callers:
            text, called = _caller_module(
                rng, rng.sample(callable_tasks, min(rng.randint(1, 3), len(callable_tasks)))
            )
            tree.calls.extend((rel, name) for name in called)
            write(rel, text)
        elif rel.endswith("_tasks.py") and rng.random() < 0.1:
            write(rel, HEADERS["tasks_invoke"] + "\n\n" + _invoke_block(rng, _ident(rng)))
        else:
            write(rel, _plain_module(rng, rel.rsplit("_", 1)[-1][: -len(".py")]))
    tree.tasks.sort()
    tree.calls.sort()
    return tree
