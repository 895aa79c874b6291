"""The task object: an ``arq.worker.Function`` that also behaves like a Celery task."""

from __future__ import annotations

import inspect
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from arq.worker import Function, Retry

from . import request as requests
from .call_through import run_through
from .config import arq_queue_name, eager_propagates, is_eager, redis_url
from .enqueue import check_options, unsupported
from .errors import MaxRetriesExceededError
from .result import AsyncResult, EagerResult
from .retrying import DEFAULT_RETRY_DELAY, UNLIMITED_TRIES, TaskRetry, exponential_backoff, retry_delay
from .running import in_thread, run_coroutine
from .serializers import TRACEBACK_ATTR, current_pair
from .states import FAILURE, SUCCESS

# Decorator options that change behaviour ARQ cannot reproduce: warned about once (mapping doc §3).
UNSUPPORTED_DEFINITION_OPTIONS = {
    "rate_limit": "no rate limiting in ARQ; use a dedicated queue or a token bucket",
    "priority": "ARQ queues have no priorities; use separate queues",
    "soft_time_limit": "no SoftTimeLimitExceeded; an async body sees CancelledError at time_limit",
    "serializer": "the serializer is per worker/producer: configure(serializer=...)",
    "compression": "ARQ does not compress payloads",
    "exchange": "no AMQP exchanges on ARQ", "routing_key": "no AMQP routing on ARQ",
    "delivery_mode": "no AMQP delivery modes on ARQ",
    "base": "the shim runs no custom Task class or hooks (a wrapping __call__: call_through=)",
    "store_errors_even_if_ignored": "ARQ stores both results and errors, or neither",
    "pydantic": "arguments are not validated by pydantic", "Request": "worker internals",
    "Strategy": "worker internals", "backend": "results live in the queue's Redis",
}
SHIM_ONLY_OPTIONS = ("runs_on", "call_through")
_registry: dict[str, Task] = {}


def registry() -> dict[str, Task]:
    """Every shim task by Celery name (``send_task`` and ``worker_settings`` read it)."""
    return _registry


def task_by_name(name: str, module: str) -> Task:
    """Unpickling helper: import the defining module, then look the task up."""
    import importlib

    importlib.import_module(module)
    return _registry[name]


def celery_task_name(fn: Callable[..., Any]) -> str:
    """Celery's default name: ``module.qualname`` (``__main__`` kept, as Celery without ``main=``)."""
    return f"{fn.__module__}.{fn.__qualname__}"


def _attach_traceback(exc: BaseException) -> None:
    try:
        setattr(exc, TRACEBACK_ATTR, "".join(traceback.format_exception(exc)))
    except Exception:  # exceptions with __slots__ or read-only attributes: no traceback kept
        pass


class Task(Function):
    """A Celery-style task that is also an ARQ ``Function`` (``WorkerSettings.functions = [task]`` works).

    ``style="celery"``: body ``f(*args)`` (``f(self, *args)`` with ``bind=True``); ``style="arq"``: body
    ``f(ctx, *args)``. Sync bodies run in a thread, async bodies are awaited.
    """

    def __init__(self, body: Callable[..., Any], *, style: str = "celery", name: str | None = None,
                 bind: bool = False, app: Any = None, **options: Any) -> None:
        self.body = body
        self.style = style
        self.bind = bind
        self.app = app
        self.options = dict(options)
        self.is_async = inspect.iscoroutinefunction(body)
        self.max_retries: int | None = options.get("max_retries", 3)
        self.default_retry_delay: float = options.get("default_retry_delay", DEFAULT_RETRY_DELAY)
        self.autoretry_for: tuple[type[BaseException], ...] = tuple(options.get("autoretry_for", ()))
        self.dont_autoretry_for: tuple[type[BaseException], ...] = tuple(
            options.get("dont_autoretry_for", ()))
        self.retry_kwargs: dict[str, Any] = dict(options.get("retry_kwargs") or {})
        self.retry_backoff: bool | float = options.get("retry_backoff", False)
        self.retry_backoff_max: int = options.get("retry_backoff_max", 600)
        self.retry_jitter: bool = options.get("retry_jitter", True)
        self.ignore_result: bool = bool(options.get("ignore_result", _conf(app, "task_ignore_result", False)))
        self.time_limit: float | None = options.get("time_limit", _conf(app, "task_time_limit", None))
        self.queue: str | None = options.get("queue")
        self.expires: Any = options.get("expires")
        self.typing: bool = options.get("typing", True)
        self.runs_on: str | None = options.get("runs_on")
        self.call_through: Any = options.get("call_through")  # a Task class, its name, or "app"
        for option, why in UNSUPPORTED_DEFINITION_OPTIONS.items():
            if options.get(option) not in (None, False):
                unsupported(option, why)
        super().__init__(
            name=name or celery_task_name(body),
            coroutine=self._run_job,
            timeout_s=self.time_limit,
            keep_result_s=0 if self.ignore_result else None,
            keep_result_forever=None,
            max_tries=_arq_max_tries(self.max_retries, self.retry_kwargs),
        )
        self.__name__ = getattr(body, "__name__", self.name)
        self.__qualname__ = getattr(body, "__qualname__", self.name)
        self.__module__ = getattr(body, "__module__", __name__)
        self.__doc__ = body.__doc__
        self.__wrapped__ = body
        params = list(inspect.signature(body).parameters.values())
        if (style == "arq" or bind) and params:
            params = params[1:]
        self._call_signature = inspect.Signature(params)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<@task: {self.name} of celery2arq>"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by reference (module + name), as Celery tasks are."""
        return (task_by_name, (self.name, self.__module__))

    @property
    def request(self) -> requests.Request:
        return requests.current()

    # -- running ---------------------------------------------------------------------------------
    def _body_call(self, ctx: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Call the body; returns its value or, for async bodies, the coroutine."""
        if self.call_through is not None:
            return self._call_through(ctx, args, kwargs)
        if self.style == "arq":
            return self.body(ctx, *args, **kwargs)
        if self.bind:
            return self.body(self, *args, **kwargs)
        return self.body(*args, **kwargs)

    def _call_through(self, ctx: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The body inside the Task class's own ``__call__`` (sync: an async body runs to completion in
        it, so a context the wrapper opens stays open while the body runs)."""

        def run(*run_args: Any, **run_kwargs: Any) -> Any:
            if self.style == "arq":
                value = self.body(ctx, *run_args, **run_kwargs)
            elif self.bind:
                value = self.body(self, *run_args, **run_kwargs)
            else:
                value = self.body(*run_args, **run_kwargs)
            return run_coroutine(value) if self.is_async else value

        return run_through(self.call_through, self.app, self.name, run, args, kwargs)

    def _handle_error(self, exc: Exception) -> None:
        """Celery's autoretry: turn listed exceptions into ``retry()`` (which raises)."""
        if isinstance(exc, Retry) or not self.autoretry_for:
            return
        if not isinstance(exc, self.autoretry_for) or isinstance(exc, self.dont_autoretry_for or ()):
            return
        retry_kwargs = dict(self.retry_kwargs)
        if self.retry_backoff:
            retry_kwargs["countdown"] = exponential_backoff(
                int(max(1.0, float(self.retry_backoff))), self.request.retries, self.retry_backoff_max,
                self.retry_jitter)
        self.retry(exc=exc, **retry_kwargs)

    async def _run_job(self, ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        """What ARQ runs: build ``self.request`` from ``ctx``, run the body, apply Celery's retry rules."""
        ctx["celery2arq_task"] = self
        token = requests.push(requests.from_ctx(ctx, self.name, args, kwargs, self.time_limit))
        try:
            if self.is_async and self.call_through is None:
                return await self._body_call(ctx, args, kwargs)
            return await in_thread(ctx, self._body_call, ctx, args, kwargs)
        except Retry:
            raise
        except Exception as exc:
            try:
                self._handle_error(exc)
            except Retry:
                raise
            except BaseException as final:
                _attach_traceback(final)
                raise
            _attach_traceback(exc)
            raise
        finally:
            requests.pop(token)

    def _run_inline(self, req: requests.Request, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Direct and eager calls: body in this thread, async bodies run to completion."""
        ctx = _inline_ctx(self, req)
        token = requests.push(req)
        try:
            try:
                value = self._body_call(ctx, args, kwargs)
                return run_coroutine(value) if self.is_async and self.call_through is None else value
            except Retry:
                raise
            except Exception as exc:
                self._handle_error(exc)
                raise
        finally:
            requests.pop(token)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A direct call runs the body here and returns its value, as in Celery."""
        return self._run_inline(requests.Request(args=args, kwargs=kwargs, task=self.name), args, kwargs)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        return self(*args, **kwargs)

    # -- retry / state ---------------------------------------------------------------------------
    def retry(self, args: Any = None, kwargs: Any = None, exc: BaseException | None = None,
              throw: bool = True, eta: Any = None, countdown: float | None = None,
              max_retries: int | None = None, **options: Any) -> TaskRetry:
        """Celery's ``self.retry``: raises ``TaskRetry`` (ARQ ``Retry`` with the delay), or, with the budget
        spent, ``exc`` or ``MaxRetriesExceededError`` inside this attempt (trap 3)."""
        req = self.request
        if req.called_directly:
            if exc is not None:
                raise exc
            raise TaskRetry(0, None)
        if args is not None or kwargs is not None:
            unsupported("retry(args=, kwargs=)", "an ARQ retry re-runs the same payload")
        if not throw:
            unsupported("retry(throw=False)", "the retry is raised anyway")
        check_options(options)
        limit = self.max_retries if max_retries is None else max_retries
        arq_budget = self.max_tries - 1 if self.max_tries and self.max_tries < UNLIMITED_TRIES else None
        if arq_budget is not None and (limit is None or limit > arq_budget):
            limit = arq_budget  # ARQ would refuse the next start (trap 3): end in this attempt instead
        if limit is not None and req.retries + 1 > limit:
            if exc is not None:
                raise exc
            raise MaxRetriesExceededError(
                f"Can't retry {self.name}[{req.id}] args:{req.args} kwargs:{req.kwargs}")
        raise TaskRetry(retry_delay(eta, countdown, self.default_retry_delay), exc)

    def update_state(self, task_id: str | None = None, state: str | None = None, meta: Any = None,
                     **_celery_only: Any) -> None:
        """Write a custom state (e.g. ``PROGRESS``) shown by ``AsyncResult.state/info`` until the job ends."""
        from .state_store import write_state

        task_id = task_id or self.request.id
        if task_id is not None:
            write_state(redis_url(self.app), task_id, state or "PENDING", meta)

    # -- calling ---------------------------------------------------------------------------------
    def check_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Celery's ``typing=True``: arguments that do not bind to the body's signature fail at call time."""
        if self.typing:
            try:
                self._call_signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{self.name}() {exc}") from None

    def delay(self, *args: Any, **kwargs: Any) -> Any:
        return self.apply_async(args, kwargs)

    def apply_async(self, args: Any = None, kwargs: Any = None, task_id: str | None = None,
                    **options: Any) -> Any:
        """Enqueue for an ARQ worker (or hand to Celery / run eagerly); returns the result handle."""
        from .dispatch import dispatch

        return dispatch(self.name, tuple(args or ()), dict(kwargs or {}), task=self, task_id=task_id,
                        options=options)

    async def adelay(self, *args: Any, **kwargs: Any) -> Any:
        return await self.aapply_async(args, kwargs)

    async def aapply_async(self, args: Any = None, kwargs: Any = None, task_id: str | None = None,
                           **options: Any) -> Any:
        from .dispatch import adispatch

        return await adispatch(self.name, tuple(args or ()), dict(kwargs or {}), task=self, task_id=task_id,
                               options=options)

    def apply(self, args: Any = None, kwargs: Any = None, task_id: str | None = None,
              **options: Any) -> EagerResult:
        """Run inline now, like Celery's ``apply()``/eager mode: args round-trip through the serializer and
        retries run immediately; returns a ready ``EagerResult``."""
        args, kwargs = _round_trip(tuple(args or ()), dict(kwargs or {}))
        task_id = task_id or uuid.uuid4().hex
        retries = 0
        while True:
            req = requests.Request(id=task_id, retries=retries, args=args, kwargs=kwargs, is_eager=True,
                                   called_directly=False, task=self.name, hostname=requests.HOSTNAME)
            try:
                value = self._run_inline(req, args, kwargs)
            except TaskRetry:
                retries += 1
                continue
            except Exception as exc:
                if eager_propagates(self.app):
                    raise
                return EagerResult(task_id, exc, FAILURE, "".join(traceback.format_exception(exc)), retries,
                                   self.name)
            return EagerResult(task_id, value, SUCCESS, None, retries, self.name)

    def AsyncResult(self, task_id: str) -> AsyncResult:  # noqa: N802 - Celery's name
        return AsyncResult(task_id, app=self.app, task_name=self.name)

    # -- canvas ----------------------------------------------------------------------------------
    def s(self, *args: Any, **kwargs: Any) -> Any:
        from .signature import Signature

        return Signature(self, args, kwargs)

    def si(self, *args: Any, **kwargs: Any) -> Any:
        from .signature import Signature

        return Signature(self, args, kwargs, immutable=True)

    def signature(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        from .signature import Signature

        return Signature(self, tuple(args or ()), dict(kwargs or {}), options=options)

    subtask = signature

    def eager(self) -> bool:
        return is_eager(self.app)

    def arq_queue(self, queue: str | None = None) -> str:
        return arq_queue_name(queue or self.queue, self.app)



def _arq_max_tries(max_retries: int | None, retry_kwargs: dict[str, Any]) -> int:
    """ARQ's ``max_tries``: the largest retry budget the task can use + 1 (trap 1). ``retry_kwargs``'
    ``max_retries`` (autoretry) counts too, or ARQ would refuse the attempts Celery allows."""
    if max_retries is None:
        return UNLIMITED_TRIES
    override = retry_kwargs.get("max_retries")  # None there means "the task's", as in Celery's retry()
    return max(max_retries, override if override is not None else max_retries) + 1


def _conf(app: Any, key: str, default: Any) -> Any:
    conf = getattr(app, "conf", None)
    value = conf.get(key) if conf is not None else None
    return default if value is None else value


def _inline_ctx(task: Task, req: requests.Request) -> dict[str, Any]:
    return {"job_id": req.id, "job_try": req.retries + 1, "enqueue_time": None, "score": None, "redis": None,
            "celery2arq_task": task}


def _round_trip(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Serialize and deserialize like a real enqueue (json turns tuples into lists, as Celery eager does)."""
    import pickle

    dumps, loads = current_pair()
    data = {"a": args, "k": kwargs}
    back = (loads or pickle.loads)((dumps or pickle.dumps)(data))
    return tuple(back["a"]), dict(back["k"])

