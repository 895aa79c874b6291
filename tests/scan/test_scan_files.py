"""Files on disk: module names, errors, encodings, new syntax, suppressions, discovery, the prefilter."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from celery2arq.discovery import Prefilter, ScanInputError, discover
from celery2arq.scan import scan_paths, scan_source
from celery2arq.scan.modules import module_name, resolve_relative


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")


TASK = "from celery import shared_task\n\n@shared_task\ndef work(): ...\n"


def test_module_names(tmp_path: Path):
    write(
        tmp_path,
        {
            "src/proj/__init__.py": "",
            "src/proj/sub/__init__.py": "",
            "src/proj/sub/m.py": "",
            "script.py": "",
            "nopkg/x.py": "",
        },
    )
    assert module_name(tmp_path / "src/proj/sub/m.py") == "proj.sub.m"
    assert module_name(tmp_path / "src/proj/sub/__init__.py") == "proj.sub"
    assert module_name(tmp_path / "script.py") == "script"
    assert module_name(tmp_path / "nopkg/x.py") == "x"


def test_resolve_relative():
    assert resolve_relative(".celery.app", "proj.tasks", False) == "proj.celery.app"
    assert resolve_relative("..celery.app", "proj.sub.tasks", False) == "proj.celery.app"
    assert resolve_relative(".celery.app", "proj", True) == "proj.celery.app"
    assert resolve_relative("celery.app", "proj", True) == "celery.app"


def test_scan_paths_src_layout_relative_imports_and_locations(tmp_path: Path):
    write(
        tmp_path,
        {
            "src/proj/__init__.py": "",
            "src/proj/worker.py": "from celery import Celery\napp = Celery('proj')\n",
            "src/proj/jobs/__init__.py": "",
            "src/proj/jobs/mail.py": """
            from ..worker import app

            @app.task
            def send(): ...
        """,
        },
    )
    project = scan_paths([tmp_path], jobs=1)
    (task,) = project.tasks
    assert (task.file, task.line, task.name, task.app) == (
        "src/proj/jobs/mail.py",
        4,
        "proj.jobs.mail.send",
        "proj.worker.app",
    )
    assert project.root == tmp_path.resolve().as_posix()


def test_single_file(tmp_path: Path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/tasks.py": TASK})
    project = scan_paths([tmp_path / "pkg/tasks.py"])
    assert [(t.file, t.name) for t in project.tasks] == [("tasks.py", "pkg.tasks.work")]


def test_missing_path_is_a_one_line_error(tmp_path: Path):
    with pytest.raises(ScanInputError, match="no such file or directory: .*nope"):
        scan_paths([tmp_path / "nope"])


def test_errors_do_not_stop_the_run(tmp_path: Path):
    write(
        tmp_path,
        {
            "ok.py": TASK,
            "broken.py": "import celery\ndef f(:\n    pass\n",
            "latin.py": b"import celery\nx = '\xe9t\xe9'\n",
            "cookie.py": b"# -*- coding: latin-1 -*-\nimport celery\nx = '\xe9t\xe9'\n",
            "bom.py": b"\xef\xbb\xbf" + TASK.replace("work", "bom_work").encode(),
        },
    )
    project = scan_paths([tmp_path], jobs=1)
    errors = {e.file: e for e in project.errors}
    assert set(errors) == {"broken.py", "latin.py"}
    assert (
        errors["broken.py"].message.startswith("could not parse: ") and errors["broken.py"].line is not None
    )
    assert "\n" not in errors["broken.py"].message
    assert errors["latin.py"].message.startswith("not UTF-8") and errors["latin.py"].line == 2
    assert sorted(t.name for t in project.tasks) == ["bom.bom_work", "ok.work"]


def test_new_syntax_the_host_ast_rejects_is_scanned():
    source = textwrap.dedent("""
        from celery import shared_task

        type Payload = dict[str, int]

        class Box[T]:
            item: T

        @shared_task
        def first[T](x: T) -> T:
            return x
    """)
    try:
        ast.parse(source)
    except SyntaxError:
        pass  # the host Python is older than 3.12: exactly the case this test is about
    project = scan_source(source)
    assert [t.name for t in project.tasks] == ["mod.first"] and project.errors == []


def test_suppression_comments():
    project = scan_source(
        textwrap.dedent("""
        from celery import shared_task

        @shared_task  # celery2arq: ignore[C2A101]
        def a(): ...  # celery2arq: ignore[C2A101, C2A205]
    """).lstrip()
    )
    assert [(s.line, s.codes) for s in project.suppressions] == [(3, ["C2A101"]), (4, ["C2A101", "C2A205"])]


def test_discovery_default_excludes_gitignore_and_globs(tmp_path: Path):
    write(
        tmp_path,
        {
            "app/tasks.py": TASK,
            "app/migrations/0001_initial.py": TASK,
            "app/migrations/tasks/fix.py": TASK,
            ".venv/lib/x.py": TASK,
            "myenv/pyvenv.cfg": "",
            "myenv/lib/y.py": TASK,
            "node_modules/z.py": TASK,
            "build/b.py": TASK,
            "generated/g.py": TASK,
            "logs/keep/k.py": TASK,
            "tests/test_x.py": TASK,
            "docs/conf.py": TASK,
            ".gitignore": "generated/\n/logs/*\n!/logs/keep/\n*.tmp.py\n",
            "app/scratch.tmp.py": TASK,
        },
    )
    root, files = discover([tmp_path])
    assert root == tmp_path.resolve()
    found = sorted(f.relative_to(root).as_posix() for f in files)
    assert found == [
        "app/migrations/tasks/fix.py",
        "app/tasks.py",
        "docs/conf.py",
        "logs/keep/k.py",
        "tests/test_x.py",
    ]
    _, files = discover([tmp_path], exclude=["tests", "*conf.py"])
    assert sorted(f.relative_to(root).as_posix() for f in files) == [
        "app/migrations/tasks/fix.py",
        "app/tasks.py",
        "logs/keep/k.py",
    ]
    _, files = discover([tmp_path], include=["app/*"])
    assert sorted(f.relative_to(root).as_posix() for f in files) == [
        "app/migrations/tasks/fix.py",
        "app/tasks.py",
    ]


def test_prefilter_keeps_files_that_use_a_project_app_without_mentioning_celery(tmp_path: Path):
    write(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/worker.py": "from celery import Celery\nqueue_app = Celery('proj')\n",
            "proj/reexport.py": "from proj.worker import queue_app as jobs\n",
            "proj/a.py": "from proj.worker import queue_app\n\nqueue_app.conf.timezone = 'UTC'\n",
            "proj/b.py": "from proj.reexport import jobs\n\njobs.register_task(Thing())\n",
            "proj/deco.py": (
                "from proj.worker import queue_app\n\ndef job(**kw):\n    return queue_app.task(**kw)\n"
            ),
            "proj/c.py": "from proj.deco import job\n\n@job()\ndef work(): ...\n",
            "proj/unrelated.py": "def f():\n    return 1\n",
        },
    )
    sources = {p.name: p.read_bytes() for p in (tmp_path / "proj").glob("*.py")}
    prefilter = Prefilter.from_sources(sources.values())
    assert {name for name, data in sources.items() if prefilter.wants(data)} == {
        "worker.py",
        "reexport.py",
        "a.py",
        "b.py",
        "deco.py",
        "c.py",
    }
    project = scan_paths([tmp_path], jobs=1)
    assert [t.name for t in project.tasks] == ["proj.c.work"]
    assert project.files_scanned == 8 and project.files_parsed == 6


def test_parallel_scan_matches_serial(tmp_path: Path):
    files = {"proj/__init__.py": ""}
    for index in range(30):
        files[f"proj/m{index}.py"] = TASK.replace("work", f"work{index}")
    write(tmp_path, files)
    serial = scan_paths([tmp_path], jobs=1)
    parallel = scan_paths([tmp_path], jobs=2)
    assert [t.name for t in parallel.tasks] == [t.name for t in serial.tasks]
    assert len(parallel.tasks) == 30


def test_namespace_folder_inside_a_package_keeps_the_package_prefix(tmp_path: Path):
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/order/__init__.py": "",
            "shop/order/migrations/__init__.py": "",
            "shop/order/migrations/tasks/v3.py": "",
        },
    )
    path = tmp_path / "shop/order/migrations/tasks/v3.py"
    assert module_name(path, tmp_path) == "shop.order.migrations.tasks.v3"
    assert module_name(path) == "v3"


def test_scanning_a_subfolder_honours_the_repository_gitignore(tmp_path: Path):
    write(tmp_path, {".gitignore": "gen/\n", "app/gen/x.py": TASK, "app/tasks.py": TASK})
    (tmp_path / ".git").mkdir()
    root, files = discover([tmp_path / "app"])
    assert [f.relative_to(root).as_posix() for f in files] == ["tasks.py"]
