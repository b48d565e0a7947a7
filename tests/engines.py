"""Run a test under one named engine, and check that it really ran (scenarios, fallback)."""

from __future__ import annotations

from typing import Any

import pytest

import journeyctl.engine.fast as fast
import journeyctl.engine.placement as placement

ENGINES = ("reference", "fast")


def force_engine(monkeypatch: pytest.MonkeyPatch, engine: str) -> list[str]:
    """Make `place(engine="auto")` (what the CLI calls) use `engine`, whatever the input's size.

    Returns the list of engines that ran, appended to on every `place`."""
    ran: list[str] = []
    ref, fst = placement.place_reference, fast.place_fast

    def reference(*args: Any, **kwargs: Any) -> Any:
        ran.append("reference")
        return ref(*args, **kwargs)

    def compiled(*args: Any, **kwargs: Any) -> Any:
        ran.append("fast")
        return fst(*args, **kwargs)

    monkeypatch.setattr(placement, "place_reference", reference)
    monkeypatch.setattr(fast, "place_fast", compiled)
    threshold = 0 if engine == "fast" else 1 << 62
    monkeypatch.setattr(placement, "SMALL_INPUT_EVENTS", threshold)
    return ran
