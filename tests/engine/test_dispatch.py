"""Which engine `place` uses: small inputs and journeys past the kernel's 64 atoms go to the
reference engine, with the same output; a complex journey is found before any placing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import journeyctl.engine.placement as placement
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.compiled import MAX_ATOMS, TooComplex
from journeyctl.events.ingest import read_events
from journeyctl.output.place import place_json
from tests.engine.test_properties import _load
from tests.engines import force_engine
from tests.strategies import csv_text

DAY = 24 * 60  # minutes, as `csv_text` reads them


def _journey(jid: str, n_risks: int) -> dict[str, Any]:
    return {
        "journey": jid,
        "version": 1,
        "segment": {"p": jid},
        "stages": [
            {"id": "onboarding", "enter_when": {"event": "signup"}, "max_duration": "2d"},
            {"id": "active", "enter_when": {"event": "login", "at_least": 2}},
        ],
        # each risk reads its own event: one atom each
        "risks": [
            {"id": f"r{i}", "when": {"event": f"e{i}"}, "severity": "high"} for i in range(n_risks)
        ],
    }


def _setup(tmp: Path) -> tuple[JourneySet, Any]:
    """A simple journey first, then one with more atoms than the kernel can hold."""
    simple = _load(_journey("simple", 1), tmp / "a")
    complex_ = _load(_journey("complex", MAX_ATOMS + 1), tmp / "b")
    js = JourneySet((*simple.journeys, *complex_.journeys), None)
    rows = []
    for c, tier in enumerate(["simple", "complex"] * 3):
        rows.append((f"c{c}", 0, "signup", tier))
        rows.append((f"c{c}", DAY, "login", tier))
        rows.append((f"c{c}", 3 * DAY, f"e{c * 13}", tier))
    path = tmp / "e.csv"
    path.write_text(csv_text(rows))
    return js, read_events([str(path)])


def test_past_64_atoms_falls_back_to_reference_before_placing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    js, log = _setup(tmp_path)
    as_of = log.max_ts
    expected = placement.place(js, log, as_of, engine="reference")
    ran = force_engine(monkeypatch, "fast")
    got = placement.place(js, log, as_of)
    # the kernel never ran: the complex journey was compiled before the simple one was placed
    assert ran == ["reference"]
    assert place_json(got, got.customers) == place_json(expected, expected.customers)
    risks = {c.customer_id: [r.id for r in c.risks] for c in got.customers}
    assert risks["c3"] == ["r39", "stalled"]
    with pytest.raises(TooComplex):
        placement.place(js, log, as_of, engine="fast")


def test_small_input_uses_the_reference_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    js, log = _setup(tmp_path)
    simple = JourneySet(js.journeys[:1], None)
    ran = force_engine(monkeypatch, "reference")
    monkeypatch.setattr(placement, "SMALL_INPUT_EVENTS", log.rows + 1)
    small = placement.place(simple, log, log.max_ts)
    monkeypatch.setattr(placement, "SMALL_INPUT_EVENTS", log.rows)
    big = placement.place(simple, log, log.max_ts)
    assert ran == ["reference", "fast"]
    assert place_json(small, small.customers) == place_json(big, big.customers)
