"""docs/api.md is a walk-through whose code blocks run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api.md"


def blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", PAGE.read_text(), flags=re.S | re.M)


def test_the_page_has_the_walk_through() -> None:
    code = "\n".join(blocks())
    for call in ("load_journeys(", "place(", "merge(", "predict(", ".explain(", "Error"):
        assert call in code


def test_api_walk_through_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "docs_api"}
    for i, block in enumerate(blocks(), start=1):
        try:
            exec(compile(block, f"docs/api.md block {i}", "exec"), namespace)
        except Exception as exc:  # name the block: the traceback points into it
            raise AssertionError(f"docs/api.md block {i} failed: {exc!r}\n{block}") from exc
