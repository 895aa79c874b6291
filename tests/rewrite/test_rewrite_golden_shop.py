"""The whole shop fixture rewritten, compared byte for byte with fixtures/rewrite/shop_after/.

After a deliberate change, regenerate with
``C2A_UPDATE_GOLDEN=1 pytest tests/rewrite/test_rewrite_golden_shop.py``
and review the diff of ``fixtures/rewrite/shop_after`` by hand.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from celery2arq.rewrite import run_rewrite

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rewrite"


def test_shop_matches_golden(tmp_path, monkeypatch):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root)
    monkeypatch.chdir(root)
    result = run_rewrite([Path(".")])
    assert result.errors == []
    golden = FIXTURES / "shop_after"
    if os.environ.get("C2A_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for name in result.changed:
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / name, golden / name)
    expected = sorted(p.relative_to(golden).as_posix() for p in golden.rglob("*.py"))
    assert result.changed == expected
    for name in expected:
        assert (root / name).read_bytes() == (golden / name).read_bytes(), name
