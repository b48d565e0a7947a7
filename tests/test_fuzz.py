"""Property-based fuzzing (issue #7): any input either works or ends in the project's own error
type (or a finding) with a message; never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from journeyctl.definitions.load import load_journeys
from journeyctl.errors import JourneyctlError
from journeyctl.events.ingest import read_events

KEYS = [
    "event",
    "latest",
    "inactive",
    "milestones",
    "all",
    "any",
    "not",
    "where",
    "at_least",
    "distinct",
    "within",
    "for",
    "eq",
    "lt",
    "in",
    "exists",
    "x",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["7d", "12h", "login", "a", "0", "-1"]),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(json_like, json_like, json_like)
def test_condition_parser_never_crashes(enter: Any, when: Any, risk: Any) -> None:
    journey = {
        "journey": "fuzz",
        "version": 1,
        "stages": [
            {
                "id": "a",
                "enter_when": enter,
                "milestones": [{"id": "m", "when": when, "due": "7d"}],
            },
            {"id": "b", "enter_when": {"milestones": ["m"]}},
        ],
        "risks": [{"id": "r", "when": risk, "severity": "low"}],
    }
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "j.yaml"
        with path.open("w") as fh:
            YAML(typ="safe").dump(journey, fh)
        result = load_journeys([str(path)])
    for p in result.problems:
        assert p.message and p.rule and p.line >= 1 and p.col >= 1


@given(st.binary(max_size=400))
def test_csv_reader_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "e.csv"
        path.write_bytes(b"customer_id,timestamp,event,p\n" + raw)
        try:
            log = read_events([str(path)])
        except JourneyctlError as err:
            assert err.message
            return
    assert log.rows + len(log.bad_rows) >= 0
    for b in log.bad_rows:
        assert b.line >= 2 and b.reason


cells = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["2026-01-01", "2026-01-01T10:00:00Z", "", " ", '"', "\n", ",", "c1"]),
)


@given(st.lists(st.lists(cells, min_size=0, max_size=5), max_size=12))
def test_csv_reader_rows(rows: list[list[str]]) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["customer_id", "timestamp", "event", "p"])
    w.writerows(rows)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "e.csv"
        path.write_text(buf.getvalue())
        try:
            log = read_events([str(path)])
        except JourneyctlError as err:
            assert err.message
            return
    valid = log.rows
    assert valid + len(log.bad_rows) <= len(rows) + 1
