"""Signatures used to defer one call (``task.s(...)``, ``signature("name", ...)``); no chains or groups."""

from __future__ import annotations

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
        args, kwargs = tuple(args or ()), dict(kwargs or {})
        if not self.immutable:
            args, kwargs = self.args + args, {**self.kwargs, **kwargs}
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
        from .dispatch import dispatch

        sig = self.clone(args, kwargs, **options)
        opts = dict(sig.options)
        task_id = opts.pop("task_id", None)
        task = self.type
        return dispatch(sig.name, sig.args, sig.kwargs, task=task, task_id=task_id, options=opts)

    async def aapply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        from .dispatch import adispatch

        sig = self.clone(args, kwargs, **options)
        opts = dict(sig.options)
        task_id = opts.pop("task_id", None)
        return await adispatch(sig.name, sig.args, sig.kwargs, task=self.type, task_id=task_id, options=opts)

    async def adelay(self, *args: Any, **kwargs: Any) -> Any:
        return await self.aapply_async(args, kwargs)

    def apply(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        sig = self.clone(args, kwargs)
        task = self.type
        if task is None:
            raise LookupError(f"cannot run {self.name!r} inline: no shim task carries that name")
        return task.apply(sig.args, sig.kwargs, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        sig = self.clone(args, kwargs)
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
