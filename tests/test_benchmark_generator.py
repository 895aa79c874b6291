"""The benchmark's synthetic tree is deterministic and holds exactly the tasks it promises.

No timings here: only the generator's output is checked.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic_tree.py"
TASK_DECORATORS = {"shared_task", "app.task", "celery.shared_task", "job", "background_task"}


@pytest.fixture(scope="module")
def synthetic():
    spec = importlib.util.spec_from_file_location("c2a_bench_synthetic_tree", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return ast.unparse(target)


def _count_tasks(tree: ast.Module) -> int:
    """Count task definitions independently of the generator: decorated functions and app.task(fn) calls."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            count += any(_decorator_name(d) in TASK_DECORATORS for d in node.decorator_list)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            count += ast.unparse(node.value.func) == "app.task"
    return count


def test_generator_is_deterministic(synthetic, tmp_path: Path) -> None:
    a = synthetic.generate_tree(tmp_path / "a", files=200, celery_share=0.05, seed=7)
    b = synthetic.generate_tree(tmp_path / "b", files=200, celery_share=0.05, seed=7)
    synthetic.generate_tree(tmp_path / "c", files=200, celery_share=0.05, seed=8)
    assert a.tasks == b.tasks and a.bytes == b.bytes
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_generator_writes_promised_files_and_tasks(synthetic, tmp_path: Path) -> None:
    tree = synthetic.generate_tree(tmp_path, files=400, celery_share=0.05, seed=3)
    on_disk = sorted(tmp_path.rglob("*.py"))
    assert len(on_disk) == tree.files == 400
    assert len(tree.celery_files) == 20
    assert set(tree.forms) == set(synthetic.FORMS)  # every form is used at this size
    assert len(set(tree.tasks)) == len(tree.tasks)  # task names are unique

    counted = 0
    for path in on_disk:
        rel = path.relative_to(tmp_path).as_posix()
        module = ast.parse(path.read_text("utf-8"), rel)  # every file is valid Python
        found = _count_tasks(module)
        if rel in tree.celery_files:
            assert found >= 1, rel
        elif rel not in ("core/worker.py", "core/tasking.py"):
            assert found == 0, rel
        counted += found
    assert counted == len(tree.tasks)


def test_some_task_modules_never_say_celery(synthetic, tmp_path: Path) -> None:
    tree = synthetic.generate_tree(tmp_path, files=400, celery_share=0.05, seed=3)
    silent = [f for f in tree.celery_files if "celery" not in (tmp_path / f).read_text("utf-8").lower()]
    assert silent, "the benchmark must include task modules without the word 'celery'"


def _top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_caller_modules_enqueue_real_tasks(synthetic, tmp_path: Path) -> None:
    """Every enqueue call in a caller module names an object its task module really defines."""
    tree = synthetic.generate_tree(tmp_path, files=400, celery_share=0.05, seed=3)
    assert tree.caller_files and not set(tree.caller_files) & set(tree.celery_files)
    calls = 0
    for rel in tree.caller_files:
        module = ast.parse((tmp_path / rel).read_text("utf-8"))
        imported: dict[str, tuple[str, str | None]] = {}  # local name -> (module, attribute or None)
        for node in module.body:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    imported[alias.asname or alias.name] = (node.module or "", alias.name)
        for node in ast.walk(module):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr not in ("delay", "apply_async"):
                    continue
                calls += 1
                receiver = node.func.value
                if isinstance(receiver, ast.Name):  # from pkg.mod import task_obj
                    mod, obj = imported[receiver.id]
                else:  # from pkg import mod as alias; alias.task_obj
                    assert isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name)
                    package, leaf = imported[receiver.value.id]
                    mod, obj = f"{package}.{leaf}", receiver.attr
                target = tmp_path / (mod.replace(".", "/") + ".py")
                assert f"{mod.replace('.', '/')}.py" in tree.celery_files, (rel, mod)
                assert obj in _top_level_names(target), (rel, mod, obj)
    assert calls == len(tree.calls) > 0


def test_scanner_finds_every_generated_task(synthetic, tmp_path: Path) -> None:
    """What benchmarks/run.py enforces on 5,000 files, on a small tree: every task, nothing else."""
    from celery2arq.scan import scan_paths

    tree = synthetic.generate_tree(tmp_path, files=300, celery_share=0.07, seed=11)
    project = scan_paths([tmp_path], root=tmp_path, jobs=1)
    assert sorted(t.name for t in project.tasks) == tree.tasks
    assert not project.errors
    found_calls = sorted(
        (c.file, c.target)
        for c in project.call_sites
        if c.file in tree.caller_files and c.kind in ("delay", "apply_async") and c.resolved
    )
    assert found_calls == tree.calls
