"""The whole shop fixture rewritten, compared byte for byte with fixtures/rewrite/shop_after/.

After a deliberate change, regenerate with
``C2A_UPDATE_GOLDEN=1 pytest tests/rewrite/test_rewrite_golden_shop.py``
and review the diff of ``fixtures/rewrite/shop_after`` by hand.
"""

from __future__ import annotations

from rewrite_codemod_tools import rewrite_project_like_golden


def test_shop_matches_golden(tmp_path, monkeypatch):
    rewrite_project_like_golden("shop", tmp_path, monkeypatch)
