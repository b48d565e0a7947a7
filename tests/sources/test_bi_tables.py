"""The four tables of §8 (customers, moves, milestones, risks) hold what the JSON holds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import journeyctl

SAMPLES = Path(__file__).resolve().parents[2] / "sample_journeys"
AS_OF = "2025-12-31T00:00:00Z"


@pytest.fixture(scope="module")
def placement() -> journeyctl.Placement:
    return journeyctl.place(str(SAMPLES), str(SAMPLES / "events.csv"), as_of=AS_OF)


def test_tables_match_the_json(placement: journeyctl.Placement) -> None:
    doc = json.loads(placement.to_json())
    customers = placement.customers
    placed = customers[customers.status != "unmatched"]
    assert placed.customer_id.tolist() == [c["customer_id"] for c in doc["customers"]]
    assert sorted(customers[customers.status == "unmatched"].customer_id) == doc["unmatched"]
    first = doc["customers"][0]
    row = placed.iloc[0]
    assert (row.journey, row.journey_version, row.stage, row.status) == (
        first["journey"],
        first["journey_version"],
        first["stage"],
        first["status"],
    )
    assert row.entered_at == pd.Timestamp(first["entered_at"])
    assert row.days_in_stage == first["days_in_stage"]
    assert list(row.next_activities) == first["next_activities"]
    for key, value in first["attributes"].items():
        assert row[key] == value
    moves = placement.moves
    assert len(moves) == sum(len(c["moves"]) for c in doc["customers"])
    m = first["moves"][0]
    got = moves[moves.customer_id == first["customer_id"]].iloc[0]
    frm = None if pd.isna(got["from"]) else got["from"]  # pandas shows a missing text as NaN
    assert (frm, got["to"], got.direction, list(got.skipped), got.trigger) == (
        m["from"],
        m["to"],
        m["direction"],
        m["skipped"],
        m["trigger"],
    )
    assert got["at"] == pd.Timestamp(m["at"])
    assert len(placement.milestones) == sum(len(c["milestones"]) for c in doc["customers"])
    assert len(placement.risks) == sum(len(c["risks"]) for c in doc["customers"])
    assert placement.summary == doc["summary"]


def test_column_types(placement: journeyctl.Placement) -> None:
    c = placement.customers
    assert str(c.entered_at.dtype) == "datetime64[us, UTC]"
    assert str(c.journey_version.dtype) == "Int64"
    assert str(c.at_risk.dtype) == "boolean"
    assert list(placement.milestones.columns) == [
        "customer_id",
        "stage",
        "milestone",
        "status",
        "due_at",
        "done_at",
    ]
    assert list(placement.risks.columns) == ["customer_id", "risk", "severity", "title"]
    assert list(placement.moves.columns) == [
        "customer_id",
        "at",
        "from",
        "to",
        "direction",
        "skipped",
        "trigger",
    ]
    # an attribute named like a fixed column is prefixed
    assert "attribute_status" in c.columns
