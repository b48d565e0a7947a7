"""Properties of the replay engine over random journeys and logs (hypothesis)."""

from __future__ import annotations

import itertools
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from journeyctl.definitions.load import load_journeys
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import place
from journeyctl.events.ingest import read_events
from journeyctl.output.place import place_json
from tests.strategies import csv_text, event_logs, journeys


def _load(journey: dict[str, Any], tmp: Path) -> JourneySet:
    path = tmp / "j.yaml"
    yaml = YAML(typ="safe")
    with path.open("w") as fh:
        yaml.dump(journey, fh)
    result = load_journeys([str(path)])
    assert not result.errors, result.errors
    return result.journeys


def _place(js: JourneySet, rows: list[tuple[str, int, str, str]], tmp: Path) -> dict[str, Any]:
    path = tmp / "e.csv"
    path.write_text(csv_text(rows))
    log = read_events([str(path)])
    res = place(js, log, log.max_ts or 0)
    return place_json(res, res.customers)


@given(journeys(), event_logs())
def test_deterministic_and_never_crashes(journey: dict[str, Any], rows: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        js = _load(journey, tmp)
        first = _place(js, rows, tmp)
        second = _place(js, rows, tmp)
    assert json.dumps(first) == json.dumps(second)
    for c in first["customers"]:
        assert c["status"] in ("not_started", "active", "churned", "completed")
        assert c["risk_level"] in ("none", "low", "medium", "high", "critical")
        if c["status"] != "active":
            assert c["risks"] == []


@given(journeys(), event_logs(), st.randoms(use_true_random=False))
def test_row_order_with_distinct_timestamps_changes_nothing(
    journey: dict[str, Any], rows: list[Any], rnd: random.Random
) -> None:
    seen: set[tuple[str, int]] = set()
    unique = []
    for r in rows:
        if (r[0], r[1]) not in seen:
            seen.add((r[0], r[1]))
            unique.append(r)
    shuffled = list(unique)
    rnd.shuffle(shuffled)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        js = _load(journey, tmp)
        assert _place(js, unique, tmp) == _place(js, shuffled, tmp)


@given(journeys(), event_logs())
def test_moves_are_consistent(journey: dict[str, Any], rows: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        js = _load(journey, tmp)
        out = _place(js, rows, tmp)
    order = [s["id"] for s in journey["stages"]]
    for c in out["customers"]:
        moves = c["moves"]
        if not moves:
            assert c["stage"] is None
            continue
        assert moves[0]["from"] is None
        assert c["stage"] == moves[-1]["to"]
        assert c["entered_at"] == moves[-1]["at"]
        for a, b in itertools.pairwise(moves):
            assert b["from"] == a["to"]
            assert a["at"] <= b["at"]
        for m in moves:
            if m["from"] is not None:
                fwd = order.index(m["to"]) > order.index(m["from"])
                assert m["direction"] == ("forward" if fwd else "backward")
