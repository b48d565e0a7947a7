"""The compiled engine must agree with the reference engine on random journeys and logs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from journeyctl.engine.placement import place
from journeyctl.events.ingest import read_events
from journeyctl.output.place import place_json
from tests.engine.test_properties import _load
from tests.strategies import csv_text, event_logs, journeys


@given(journeys(), event_logs(max_rows=40), st.integers(0, 3))
def test_fast_equals_reference(journey: dict[str, Any], rows: list[Any], cut: int) -> None:
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
        assert (a.replay.window_start, a.replay.window_begin) == (
            b.replay.window_start,
            b.replay.window_begin,
        )
