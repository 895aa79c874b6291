"""Verdict rules on small inputs: every rule code fires in at least one test here."""

from __future__ import annotations

import pytest
from audit_helpers import HEADER_LINES, fired, judge

from celery2arq.model import (
    CallSite,
    CanvasUse,
    ProjectScan,
    SignalHandler,
    TaskDef,
    Undecided,
    Value,
)
from celery2arq.rules import RULES
from celery2arq.verdicts import assign

# (code, snippet appended to audit_helpers.HEADER)
SNIPPETS: list[tuple[str, str]] = [
    ("C2A100", "@app.task\ndef plain(x):\n    return x\n"),
    ("C2A101", "@shared_task\nasync def refresh(key):\n    return key\n"),
    ("C2A102", "@shared_task(name='billing.charge', ignore_result=True)\ndef charge(i): pass\n"),
    ("C2A103", "@shared_task(max_retries=3)\ndef fetch(url): pass\n"),
    ("C2A104", "@shared_task(autoretry_for=(IOError,), retry_backoff=True)\ndef feed(i): pass\n"),
    ("C2A105", "@shared_task(time_limit=3600)\ndef rebuild(): pass\n"),
    ("C2A106", "@shared_task(soft_time_limit=50)\ndef export(): pass\n"),
    ("C2A107", "@shared_task(rate_limit='10/m')\ndef partner(p): pass\n"),
    (
        "C2A108",
        "class DBTask(Task):\n    def after_return(self, *a, **k): pass\n"
        "@app.task(base=DBTask)\ndef rows(p): pass\n",
    ),
    ("C2A109", "@shared_task(acks_late=True)\ndef settle(o): pass\n"),
    ("C2A110", "@shared_task(priority=9)\ndef urgent(x): pass\n"),
    ("C2A111", "@shared_task(expires=600)\ndef quote(s): pass\n"),
    ("C2A112", "@shared_task(max_retries=settings.RETRIES)\ndef fetch(url): pass\n"),
    ("C2A113", "@shared_task(audit_category='billing')\ndef charge(i): pass\n"),
    (
        "C2A114",
        "class Export(Task):\n    name = 'exports.run'\n    def run(self, x): pass\n"
        "app.register_task(Export())\n",
    ),
    (
        "C2A115",
        "def instrumented_task(**opts):\n    return shared_task(bind=True, **opts)\n"
        "@instrumented_task(queue='io')\ndef crawl(self, url): pass\n",
    ),
    ("C2A120", "@task_prerun.connect\ndef before(**kw): pass\n"),
    ("C2A130", "@shared_task(bind=True)\ndef log_id(self):\n    return self.request.id\n"),
    ("C2A131", "@shared_task(bind=True)\ndef poll(self):\n    return self.request.retries\n"),
    ("C2A132", "@shared_task(bind=True)\ndef where(self):\n    return self.request.hostname\n"),
    ("C2A133", "@shared_task(bind=True)\ndef step(self):\n    return self.request.chord\n"),
    ("C2A134", "@shared_task(bind=True)\ndef fetch(self):\n    raise self.retry(countdown=60)\n"),
    ("C2A135", "@shared_task(bind=True)\ndef page(self):\n    raise self.retry(kwargs={'c': 1})\n"),
    ("C2A136", "@shared_task(bind=True)\ndef up(self):\n    self.update_state(state='PROGRESS')\n"),
    ("C2A137", "@shared_task(bind=True)\ndef fan(self):\n    raise self.replace(None)\n"),
    ("C2A138", "@shared_task(bind=True)\ndef stats(self):\n    return self.app\n"),
    ("C2A200", "@shared_task\ndef a(x): pass\na.delay(1)\n"),
    ("C2A201", "@shared_task\ndef a(x): pass\na.apply_async((1,), expires=30)\n"),
    ("C2A202", "@shared_task\ndef a(x): pass\na.apply_async((1,), task_id='x')\n"),
    ("C2A203", "@shared_task\ndef a(x): pass\na.apply_async((1,), priority=9)\n"),
    ("C2A204", "@shared_task\ndef a(x): pass\na.apply_async((1,), link=a.s())\n"),
    ("C2A205", "app.send_task('other.service.task', args=[1])\n"),
    ("C2A206", "@shared_task\ndef a(x): pass\na.apply((1,))\n"),
    ("C2A300", "@shared_task\ndef a(x): pass\nsig = a.s(1)\n"),
    ("C2A301", "@shared_task\ndef a(x): pass\nchain(a.s(1), a.s()).delay()\n"),
    ("C2A302", "@shared_task\ndef a(x): pass\ngroup(a.s(1), a.s(2)).delay()\n"),
    ("C2A303", "@shared_task\ndef a(x): pass\nchord([a.s(1)])(a.s())\n"),
    ("C2A304", "@shared_task\ndef a(x): pass\nsig = a.s(1)\nsig.link(a.s())\n"),
    ("C2A305", "@shared_task\ndef a(x): pass\na.chunks([(1,)], 1).delay()\n"),
    ("C2A306", "@shared_task\ndef a(x): pass\n(a.s(1) | a.s()).delay()\n"),
    ("C2A400", "AsyncResult('x').forget()\n"),
    ("C2A401", "AsyncResult('x').get(timeout=1)\n"),
    ("C2A402", "AsyncResult('x').revoke()\n"),
    ("C2A403", "app.control.inspect().active()\n"),
    ("C2A500", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': crontab(day_of_week=7)}}\n"),
    ("C2A501", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': crontab(hour=3, minute=0)}}\n"),
    ("C2A502", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': 300}}\n"),
    ("C2A503", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': 420}}\n"),
    ("C2A504", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': solar('sunset', 1, 2)}}\n"),
    ("C2A505", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': BusinessHours()}}\n"),
    ("C2A506", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': schedule(900, relative=True)}}\n"),
    ("C2A507", "app.conf.beat_scheduler = 'django_celery_beat.schedulers:DatabaseScheduler'\n"),
    ("C2A508", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': 300, 'args': (1,)}}\n"),
    ("C2A509", "app.conf.beat_schedule = {'a': {'task': 't', 'schedule': 300, 'options': {'queue': 'q'}}}\n"),
    ("C2A510", "app.conf.broker_url = 'redis://localhost:6379/0'\n"),
    ("C2A511", "app.conf.result_backend = 'db+sqlite:///results.db'\n"),
    ("C2A512", "app.conf.task_time_limit = 1800\n"),
    ("C2A513", "app.conf.worker_concurrency = 8\n"),
    ("C2A514", "app.conf.task_serializer = 'json'\n"),
    ("C2A515", "app.conf.task_always_eager = True\n"),
    ("C2A516", "app.conf.task_default_rate_limit = '100/m'\n"),
    ("C2A517", "app.conf.task_annotations = {'tasks.add': {'rate_limit': '10/s'}}\n"),
    ("C2A518", "app.conf.worker_max_tasks_per_child = 100\n"),
    ("C2A519", "app.conf.timezone = 'Europe/Berlin'\n"),
    ("C2A520", "app.conf.beat_cron_starting_deadline = 600\n"),
    ("C2A521", "app.conf.task_default_priority = 5\n"),
    ("C2A529", "app.conf.worker_hijack_root_logger = False\n"),
    ("C2A600", "@shared_task\nasync def notify(url):\n    time.sleep(1)\n"),
    ("C2A901", "PREFIX = 'x'\n@shared_task(name=f'{PREFIX}.charge')\ndef charge(i): pass\n"),
    ("C2A902", "app.conf.beat_schedule = load_schedule()\n"),
    ("C2A903", "app.conf.broker_url = get_secret('BROKER')\n"),
    ("C2A905", "def f(name):\n    app.send_task(name, args=[1])\n"),
    ("C2A910", "x = 1  # celery2arq: ignore[C2A107]\n"),
]


def _hand_built() -> dict[str, ProjectScan]:
    """Records the scanner does not produce from a snippet (yet): built directly."""

    def project(**lists: list) -> ProjectScan:
        return ProjectScan(root=".", **lists)

    return {
        "C2A209": project(call_sites=[CallSite(file="m.py", line=1, kind="maybe_throw", target="r")]),
        "C2A309": project(canvas=[CanvasUse(file="m.py", line=1, kind="dmap", tasks=["m.a"])]),
        "C2A404": project(call_sites=[CallSite(file="m.py", line=1, kind="children", target="r")]),
        "C2A904": project(
            undecided=[Undecided(file="m.py", line=1, code="C2A904", message="app2.task cannot be resolved")]
        ),
    }


HAND_BUILT = _hand_built()


@pytest.mark.parametrize(("code", "body"), SNIPPETS, ids=[c for c, _ in SNIPPETS])
def test_snippet_fires_code(code: str, body: str) -> None:
    assert code in fired(judge(body))


@pytest.mark.parametrize("code", sorted(HAND_BUILT))
def test_hand_built_record_fires_code(code: str) -> None:
    project = HAND_BUILT[code]
    assign(project)
    assert code in fired(project)


def test_every_rule_code_fires_in_a_test() -> None:
    covered = {c for c, _ in SNIPPETS} | set(HAND_BUILT)
    assert covered == set(RULES)


def _task(project: ProjectScan, function: str) -> TaskDef:
    return next(t for t in project.tasks if t.function == function)


def test_plain_task_is_ready_with_one_reason() -> None:
    task = _task(judge("@app.task\ndef plain(x):\n    return x\n"), "plain")
    assert task.verdict == "ready"
    assert [r.code for r in task.reasons] == ["C2A100"]
    assert "same behaviour" in task.reasons[0].message


def test_rate_limit_is_celery_and_removes_plain_reason() -> None:
    task = _task(judge("@shared_task(rate_limit='10/m')\ndef p(x): pass\n"), "p")
    assert task.verdict == "celery"
    assert "C2A100" not in {r.code for r in task.reasons}


def test_max_retries_message_gives_max_tries() -> None:
    task = _task(judge("@shared_task(max_retries=3)\ndef f(u): pass\n"), "f")
    (reason,) = [r for r in task.reasons if r.code == "C2A103"]
    assert "max_tries=4" in reason.message
    assert task.verdict == "review"


def test_task_in_chord_is_at_least_review() -> None:
    project = judge("@shared_task\ndef a(x): pass\n@shared_task\ndef b(xs): pass\nchord([a.s(1)])(b.s())\n")
    for name in ("a", "b"):
        assert _task(project, name).verdict == "review"
        assert "C2A306" in {r.code for r in _task(project, name).reasons}
    assert {c.verdict for c in project.canvas if c.kind == "chord"} == {"celery"}


def _reason(task, code: str):  # type: ignore[no-untyped-def]
    (reason,) = [r for r in task.reasons if r.code == code]
    return reason


def test_base_overriding_request_is_celery_but_call_and_hooks_are_review() -> None:
    hooks = judge("class H(Task):\n    def on_failure(self, *a): pass\n@app.task(base=H)\ndef t(): pass\n")
    call = judge("class C(Task):\n    def __call__(self, *a): pass\n@app.task(base=C)\ndef t(): pass\n")
    request = judge("class R(Task):\n    Request = 'x.MyRequest'\n@app.task(base=R)\ndef t(): pass\n")
    assert _task(hooks, "t").verdict == "review"
    assert "the shim does not call Task hooks" in _reason(_task(hooks, "t"), "C2A108").message
    assert _task(call, "t").verdict == "review"
    assert "its __call__ wraps every run" in _reason(_task(call, "t"), "C2A108").message
    assert [c.verdict for c in call.task_classes] == ["review"]
    assert _task(request, "t").verdict == "celery"
    assert [c.verdict for c in request.task_classes] == ["celery"]


def test_update_state_is_review_and_reason_points_at_its_line() -> None:
    task = _task(judge("@shared_task(bind=True)\ndef up(self):\n    self.update_state(state='P')\n"), "up")
    (reason,) = [r for r in task.reasons if r.code == "C2A136"]
    assert reason.verdict == "review"
    assert reason.line == HEADER_LINES + 3


@pytest.mark.parametrize(
    ("url", "verdict"),
    [("redis://h:6379/0", "ready"), ("sentinel://h:26379", "review"), ("amqp://guest@h//", "celery")],
)
def test_broker_url_verdict_by_scheme(url: str, verdict: str) -> None:
    project = judge(f"app.conf.broker_url = {url!r}\n")
    assert [s.verdict for s in project.settings if s.name == "broker_url"] == [verdict]


def test_class_based_config_settings_get_verdicts() -> None:
    """``app.config_from_object(Config)``: the class's attributes are judged like any other setting."""
    project = judge(
        "class Config:\n"
        "    broker_url = 'amqp://guest@h//'\n"
        "    task_serializer = 'pickle'\n"
        "app.config_from_object(Config)\n"
    )
    assert {s.name: (s.verdict, s.line) for s in project.settings} == {
        "broker_url": ("celery", HEADER_LINES + 2),
        "task_serializer": ("review", HEADER_LINES + 3),
    }


def test_result_backend_on_broker_redis_is_ready() -> None:
    project = judge("app.conf.broker_url = 'redis://h/0'\napp.conf.result_backend = 'redis://h/0'\n")
    assert {s.name: s.verdict for s in project.settings}["result_backend"] == "ready"


def test_pickle_serializer_is_review() -> None:
    project = judge("app.conf.task_serializer = 'pickle'\n")
    assert [s.verdict for s in project.settings] == ["review"]


def test_beat_crontab_gets_cron_and_description() -> None:
    project = judge("app.conf.beat_schedule = {'n': {'task': 't', 'schedule': crontab(hour=3, minute=0)}}\n")
    (entry,) = project.beat
    assert [{k: set(v) for k, v in job.items()} for job in entry.cron_jobs] == [
        {"hour": {3}, "minute": {0}, "second": {0}}
    ]
    assert entry.description == "at 03:00"
    assert entry.verdict == "review"


def test_beat_interval_no_cron_is_celery() -> None:
    (entry,) = judge("app.conf.beat_schedule = {'n': {'task': 't', 'schedule': 420}}\n").beat
    assert entry.verdict == "celery"
    assert entry.cron_jobs == []


def test_database_scheduler_is_celery() -> None:
    project = judge("app.conf.beat_scheduler = 'django_celery_beat.schedulers:DatabaseScheduler'\n")
    assert [s.verdict for s in project.settings] == ["celery"]


def test_signal_without_arq_equivalent_is_celery() -> None:
    project = judge("@beat_init.connect\ndef b(**kw): pass\n@task_prerun.connect\ndef p(**kw): pass\n")
    assert {h.signal: h.verdict for h in project.signals} == {"beat_init": "celery", "task_prerun": "review"}


def test_hand_built_signal_and_task_records() -> None:
    project = ProjectScan(
        root=".",
        tasks=[
            TaskDef(file="m.py", line=1, name="m.t", function="t", options={"rate_limit": Value(True, "1/s")})
        ],
        signals=[SignalHandler(file="m.py", line=5, signal="worker_ready", function="m.h")],
    )
    assign(project)
    assert project.tasks[0].verdict == "celery"
    assert project.signals[0].verdict == "review"
    assert "on_startup" in project.signals[0].reasons[0].message


def test_app_task_cls_is_the_default_base_of_its_tasks() -> None:
    project = judge(
        "class Base(Task):\n    def __call__(self, *a, **k): pass\n"
        "app2 = Celery('x', task_cls=Base)\n@app2.task\ndef t(): pass\n"
    )
    task = _task(project, "t")
    assert task.verdict == "review"
    assert [r.message.split(" ")[0] for r in task.reasons if r.code == "C2A108"] == ["task_cls=Base"]
    # only a __call__, on the app's class: rewrite carries it (call_through="app"), no TODO by hand
    assert 'rewrite runs it around the ARQ job body (call_through="app")' in _reason(task, "C2A108").message
    (cls,) = project.task_classes
    assert "rewrite runs it around the ARQ job body" in cls.reasons[0].message


def test_base_inherits_call_override_from_project_base() -> None:
    project = judge(
        "class Timed(Task):\n    def __call__(self, *a, **k): pass\n"
        "class Db(Timed):\n    def after_return(self, *a): pass\n"
        "@app.task(base=Db)\ndef t(): pass\n"
    )
    assert _task(project, "t").verdict == "review"
    assert {c.path: c.verdict for c in project.task_classes} == {"mod.Timed": "review", "mod.Db": "review"}
    (reason,) = [r for r in _task(project, "t").reasons if r.code == "C2A108"]
    assert "its __call__ (inherited from mod.Timed) wraps every run" in reason.message


def _call(project: ProjectScan, kind: str) -> list:
    return [c for c in project.call_sites if c.kind == kind]


def test_apply_is_ready_unless_it_passes_options_the_shim_drops() -> None:
    project = judge(
        "@shared_task\ndef a(x): pass\n"
        "a.apply((1,))\n"
        "a.apply((1,), countdown=5, queue='q', task_id='t')\n"
        "a.apply((1,), throw=True)\n"
        "a.apply((1,), link=a.s())\n"
        "a.apply((1,), stamped_headers=['x'])\n"
    )
    plain, enqueue_options, throw, link, unknown = _call(project, "apply")
    assert [(r.code, r.verdict) for r in plain.reasons] == [("C2A206", "ready")]
    assert "EagerResult" in plain.reasons[0].message
    assert [(r.code, r.verdict) for r in enqueue_options.reasons] == [("C2A206", "ready")]
    assert (throw.verdict, [r.code for r in throw.reasons]) == ("review", ["C2A206"])
    assert "task_eager_propagates" in throw.reasons[0].message
    assert (link.verdict, [r.code for r in link.reasons]) == ("celery", ["C2A204"])
    assert unknown.verdict == "review" and "stamped_headers=" in unknown.reasons[0].message


def test_get_on_an_eager_result_is_not_reported_as_polling() -> None:
    project = judge(
        "@shared_task\ndef a(x): pass\nr = a.apply((1,))\nr.get()\na.apply((2,)).get()\na.delay(3).get()\n"
    )
    (polled,) = _call(project, "get")
    assert polled.line == HEADER_LINES + 6
    assert [r.code for r in polled.reasons] == ["C2A401"]
    assert [r.code for c in _call(project, "apply") for r in c.reasons] == ["C2A206", "C2A206"]


def test_celery_setting_without_a_mapping_is_review_and_known_ones_keep_their_rule() -> None:
    project = judge(
        "app.conf.task_acks_on_failure_or_timeout = False\n"
        "app.conf.update(CELERYD_MAX_TASKS_PER_CHILD=10, worker_prefetch_multiplier=1)\n"
    )
    got = {s.spelled: (s.verdict, [r.code for r in s.reasons]) for s in project.settings}
    assert got == {
        "task_acks_on_failure_or_timeout": ("review", ["C2A529"]),
        "CELERYD_MAX_TASKS_PER_CHILD": ("review", ["C2A518"]),
        "worker_prefetch_multiplier": ("review", ["C2A513"]),
    }
    (unknown,) = [s for s in project.settings if s.name == "task_acks_on_failure_or_timeout"]
    assert "no ARQ equivalent known" in unknown.reasons[0].message
