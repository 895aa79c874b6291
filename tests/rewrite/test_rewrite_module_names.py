from __future__ import annotations

from pathlib import Path

from celery2arq.rewrite.files import module_and_root


def touch(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")


def test_namespace_portion_inside_a_package(tmp_path):
    touch(tmp_path, "shop/__init__.py", "shop/order/__init__.py", "shop/order/migrations/tasks/v3.py")
    module, root = module_and_root(tmp_path / "shop/order/migrations/tasks/v3.py", tmp_path)
    assert (module, root) == ("shop.order.migrations.tasks.v3", tmp_path.resolve())


def test_src_layout_and_package_init(tmp_path):
    touch(tmp_path, "src/docs/__init__.py", "src/docs/tasks.py")
    assert module_and_root(tmp_path / "src/docs/tasks.py", tmp_path) == (
        "docs.tasks",
        (tmp_path / "src").resolve(),
    )
    assert module_and_root(tmp_path / "src/docs/__init__.py", tmp_path)[0] == "docs"


def test_loose_script(tmp_path):
    touch(tmp_path, "scripts/run.py")
    assert module_and_root(tmp_path / "scripts/run.py", tmp_path) == ("run", (tmp_path / "scripts").resolve())
