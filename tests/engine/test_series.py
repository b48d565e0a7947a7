"""One replay gives every checkpoint's state: each equals a replay of the log cut at it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from journeyctl.engine.placement import place_customer, place_customer_series
from journeyctl.events.ingest import read_events
from journeyctl.output.place import customer_json
from tests.engine.test_properties import _load
from tests.strategies import csv_text, event_logs, journeys

HOUR = 3600 * 1_000_000


@settings(max_examples=25)
@given(journeys(), event_logs(), st.lists(st.integers(0, 24 * 21), min_size=1, max_size=4))
def test_series_equals_cut_replays(
    journey: dict[str, Any], rows: list[Any], hours: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        js = _load(journey, tmp)
        path = tmp / "e.csv"
        path.write_text(csv_text(rows))
        log = read_events([str(path)])
    j = js.journeys[0]
    events = log.customers["c1"] if "c1" in log.customers else next(iter(log.customers.values()))
    start = events[0].ts
    cps = sorted({start + h * HOUR for h in hours})
    as_of = max(events[-1].ts, cps[-1])
    series = place_customer_series(j, "c", events, cps, as_of)
    for cp, got in zip(cps, series, strict=True):
        upto = [e for e in events if e.ts <= cp]
        assert got.replay.events_used == len(upto)
        want = place_customer(j, "c", got.attributes, upto, cp)
        assert customer_json(got, cp) == customer_json(want, cp)
