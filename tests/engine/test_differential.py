"""The compiled engine must agree with the reference engine on random journeys and logs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import journeyctl.engine.fast as fast_engine
from journeyctl.engine.placement import place
from journeyctl.events.ingest import read_events
from journeyctl.output.place import place_json
from tests.engine.test_properties import _load
from tests.strategies import csv_text, event_logs, journeys


@given(journeys(), event_logs(max_rows=40), st.integers(0, 3), st.sampled_from([0, 1 << 40]))
def test_fast_equals_reference(
    journey: dict[str, Any], rows: list[Any], cut: int, scan_max: int
) -> None:
    # the kernel reads a window by scanning it or, past SCAN_MAX rows, by binary search over
    # each atom's rows: both ways are held to the reference (0: always search; 2**40: scan)
    saved = fast_engine.SCAN_MAX
    fast_engine.SCAN_MAX = scan_max
    try:
        _fast_equals_reference(journey, rows, cut)
    finally:
        fast_engine.SCAN_MAX = saved


def _fast_equals_reference(journey: dict[str, Any], rows: list[Any], cut: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        js = _load(journey, tmp)
        path = tmp / "e.csv"
        path.write_text(csv_text(rows))
        log = read_events([str(path)])
        assert log.max_ts is not None
        # as-of at the latest event, or a little earlier / later
        as_of = log.max_ts + (cut - 1) * 5 * 3600 * 1_000_000
        ref = place(js, log, as_of, engine="reference")
        fast = place(js, log, as_of, engine="fast")
    assert place_json(fast, fast.customers) == place_json(ref, ref.customers)
    for a, b in zip(fast.customers, ref.customers, strict=True):
        assert a.replay.attempts == b.replay.attempts
        # every move whole, with the final status of each attempt of the stage it left
        assert a.moves == b.moves
        assert (a.replay.window_start, a.replay.window_begin) == (
            b.replay.window_start,
            b.replay.window_begin,
        )


def test_full_move_buffers_and_many_chunks_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny move buffers (grown and resumed many times) and tiny chunks on several threads give
    the same placements as the defaults, and as the reference engine."""
    import journeyctl.engine.fast as fast
    from journeyctl.definitions.load import load_journeys, require_valid

    root = Path(__file__).resolve().parents[2] / "sample_journeys"
    js = require_valid(load_journeys([str(root)]))
    log = read_events([str(root / "events.csv")])
    as_of = log.max_ts
    assert as_of is not None
    default = place(js, log, as_of, engine="fast")
    monkeypatch.setattr(fast, "MIN_MOVES", 1)
    monkeypatch.setattr(fast, "CHUNK", 7)
    small = place(js, log, as_of, engine="fast")
    assert small.customers == default.customers
    monkeypatch.setattr(fast, "SCAN_MAX", 0)  # every window by binary search
    assert place(js, log, as_of, engine="fast").customers == default.customers
    reference = place(js, log, as_of, engine="reference")
    assert [c.moves for c in small.customers] == [c.moves for c in reference.customers]


def test_both_engines_keep_every_attempt(tmp_path: Path) -> None:
    """A customer that leaves a stage twice: each move carries the attempts it closed, the same
    in both engines (pending ones become missed; done and late stay)."""
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "j.yaml").write_text(
        "journey: j\nversion: 1\nstages:\n"
        "  - id: onboarding\n    enter_when: {event: start}\n    milestones:\n"
        "      - id: kickoff\n        when: {event: kickoff}\n        due: 7d\n"
        "      - id: training\n        when: {event: training}\n"
        "  - id: adoption\n    enter_when: {milestones: [kickoff]}\n    milestones:\n"
        "      - id: breadth\n        when: {event: feature_used}\n        due: 10d\n"
        "transitions:\n  - from: adoption\n    to: onboarding\n    when: {event: reset}\n"
    )
    (tmp_path / "e.csv").write_text(
        "customer_id,timestamp,event\n"
        "c1,2026-01-01T00:00:00Z,start\n"
        "c1,2026-01-03T00:00:00Z,kickoff\n"
        "c1,2026-01-05T00:00:00Z,reset\n"
        "c1,2026-01-09T00:00:00Z,training\n"
        "c1,2026-01-15T00:00:00Z,kickoff\n"
        "c1,2026-01-20T00:00:00Z,feature_used\n"
    )
    from journeyctl.definitions.load import load_journeys, require_valid

    js = require_valid(load_journeys([str(tmp_path / "j")]))
    log = read_events([str(tmp_path / "e.csv")])
    assert log.max_ts is not None
    closed = [
        [(m.from_stage, m.closed) for m in place(js, log, log.max_ts, engine=e).customers[0].moves]
        for e in ("reference", "fast")
    ]
    assert (
        closed[0]
        == closed[1]
        == [
            (None, ()),
            ("onboarding", ("done", "missed")),
            ("adoption", ("missed",)),
            ("onboarding", ("late", "done")),
        ]
    )
