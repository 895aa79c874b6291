"""Signatures used to defer one call (``task.s(...)``, ``signature("name", ...)``) and fire-and-forget
``group``s of them; no chains or chords."""

from __future__ import annotations

import time
from typing import Any


class Signature(dict):  # type: ignore[type-arg]  # a dict, as Celery's, so it survives JSON
    """A task name with partial arguments and options; ``.delay()``/``.apply_async()`` enqueue it."""

    def __init__(self, task: Any, args: Any = None, kwargs: Any = None, options: Any = None, *,
                 immutable: bool = False, **extra_options: Any) -> None:
        name = task if isinstance(task, str) else task.name
        super().__init__(task=name, args=tuple(args or ()), kwargs=dict(kwargs or {}),
                         options={**(options or {}), **extra_options}, immutable=immutable)
        self._task_obj = None if isinstance(task, str) else task

    name = property(lambda self: self["task"])
    task = name
    args = property(lambda self: self["args"])
    kwargs = property(lambda self: self["kwargs"])
    options = property(lambda self: self["options"])
    immutable = property(lambda self: self["immutable"])

    def __reduce__(self) -> tuple[Any, ...]:
        return (signature, (dict(self),))

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(parts)})"

    @property
    def type(self) -> Any:
        from .task import registry

        return self._task_obj or registry().get(self.name)

    def clone(self, args: Any = None, kwargs: Any = None, **options: Any) -> Signature:
        """Celery's merge: partial args go *before* the signature's own (``add.s(1).delay(2)`` runs
        ``add(2, 1)``, which is how a chain passes the parent's result first); kwargs are updated."""
        args, kwargs = tuple(args or ()), dict(kwargs or {})
        if not self.immutable:
            args, kwargs = args + self.args, {**self.kwargs, **kwargs}
        else:
            args, kwargs = self.args, self.kwargs
        clone = Signature(self._task_obj or self.name, args, kwargs, {**self.options, **options},
                          immutable=self.immutable)
        return clone

    def set(self, immutable: bool | None = None, **options: Any) -> Signature:
        if immutable is not None:
            self["immutable"] = immutable
        self.options.update(options)
        return self

    def delay(self, *args: Any, **kwargs: Any) -> Any:
        return self.apply_async(args, kwargs)

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        """Through the task's own ``apply_async`` when there is one, as Celery does (so patching
        ``task.apply_async`` in a test also sees signatures and groups)."""
        from .dispatch import dispatch

        sig = self.clone(args, kwargs, **options)
        opts = dict(sig.options)
        task_id = opts.pop("task_id", None)
        task = self.type
        if task is not None:
            return task.apply_async(sig.args, sig.kwargs, task_id=task_id, **opts)
        return dispatch(sig.name, sig.args, sig.kwargs, task=task, task_id=task_id, options=opts)

    async def aapply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        from .dispatch import adispatch

        sig = self.clone(args, kwargs, **options)
        opts = dict(sig.options)
        task_id = opts.pop("task_id", None)
        task = self.type
        if task is not None:
            return await task.aapply_async(sig.args, sig.kwargs, task_id=task_id, **opts)
        return await adispatch(sig.name, sig.args, sig.kwargs, task=task, task_id=task_id, options=opts)

    async def adelay(self, *args: Any, **kwargs: Any) -> Any:
        return await self.aapply_async(args, kwargs)

    def apply(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        sig = self.clone(args, kwargs)
        task = self.type
        if task is None:
            raise LookupError(f"cannot run {self.name!r} inline: no shim task carries that name")
        return task.apply(sig.args, sig.kwargs, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        sig = self.clone(args, kwargs)  # an immutable signature ignores partial args here too (Celery)
        task = self.type
        if task is None:
            raise LookupError(f"cannot call {self.name!r}: no shim task carries that name")
        return task(*sig.args, **sig.kwargs)

    def __or__(self, other: Any) -> Any:
        raise NotImplementedError("chains (|) need Celery: ARQ has no canvas (mapping doc §5.3)")


def signature(varies: Any, args: Any = None, kwargs: Any = None, options: Any = None,
              **extra: Any) -> Signature:
    """``signature("name", args=, kwargs=, options=)`` or ``signature(task, ...)`` or from a dict."""
    if isinstance(varies, dict) and not isinstance(varies, Signature):
        return Signature(varies["task"], varies.get("args"), varies.get("kwargs"), varies.get("options"),
                         immutable=bool(varies.get("immutable")))
    if isinstance(varies, Signature):
        return varies.clone()
    return Signature(varies, args, kwargs, options, **extra)


class group:  # noqa: N801 - Celery's name, so `from celery2arq.shim import group` reads as before
    """Celery's ``group(...)`` as a fan-out (C2A302): ``apply_async()`` enqueues each signature on its own.

    No group id, barrier or chord. Members may also be Celery signatures (tasks left on Celery): each is
    sent by its own ``apply_async``, so converting one task never breaks a group that names it.
    """

    def __init__(self, *tasks: Any, **options: Any) -> None:
        if len(tasks) == 1 and isinstance(tasks[0], group):
            tasks = tasks[0].tasks
        elif len(tasks) == 1 and not isinstance(tasks[0], dict):  # group([a, b]) / group(generator)
            tasks = tuple(tasks[0])
        self.tasks = tuple(tasks)
        self.options = options

    def __repr__(self) -> str:
        return f"group({list(self.tasks)!r})"

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> GroupResult:
        options = {**self.options, **options}
        return GroupResult([sig.apply_async(args, kwargs, **options) for sig in self.tasks])

    def delay(self, *args: Any, **kwargs: Any) -> GroupResult:
        return self.apply_async(args, kwargs)

    def __call__(self, *partial_args: Any, **options: Any) -> GroupResult:
        return self.apply_async(partial_args, **options)

    def __or__(self, other: Any) -> Any:
        raise NotImplementedError("a group in a chain or chord needs Celery (mapping doc §5.3)")


class GroupResult(list):  # type: ignore[type-arg]
    """The members' result handles, in order; ``get()``/``join()`` wait for each job in turn."""

    id = None

    @property
    def results(self) -> list[Any]:
        return list(self)

    def get(self, timeout: float | None = None, propagate: bool = True, **_celery_only: Any) -> list[Any]:
        """Every member's result; ``timeout`` bounds the whole wait, as Celery's ``ResultSet.get``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        values = []
        for result in self:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            values.append(result.get(timeout=left, propagate=propagate))
        return values

    join = get

    def ready(self) -> bool:
        return all(result.ready() for result in self)

    def successful(self) -> bool:
        return all(result.successful() for result in self)

    def failed(self) -> bool:
        return any(result.failed() for result in self)

    def completed_count(self) -> int:
        return sum(1 for result in self if result.successful())
