"""The history database: round trip, replace, previous, trend, migrations, refusals."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from journeyctl.engine.replay import MilestoneStatus, Move
from journeyctl.history import HistoryStore, default_db_path
from journeyctl.history.errors import HistoryError, HistoryVersionError
from journeyctl.history.migrations import SCHEMA_VERSION
from journeyctl.history.model import (
    CustomerRecord,
    InputRecord,
    JourneyRecord,
    RiskRecord,
    Snapshot,
    StageRecord,
    TrendRow,
)
from tests.helpers import run

DAY = 86_400_000_000
JOURNEY = JourneyRecord(
    "j", 3, "j/j.yaml", "ab" * 32, (StageRecord("a", False), StageRecord("end", True))
)


def customer(cid: str, stage: str | None, risk: str = "none", **attrs: str) -> CustomerRecord:
    return CustomerRecord(
        customer_id=cid,
        journey="j",
        journey_version=3,
        stage=stage,
        status="active" if stage == "a" else ("completed" if stage else "not_started"),
        entered_at=5 * DAY if stage else None,
        risk_level=risk,
        risks=(RiskRecord("r", risk, "Risky <title>", False),) if risk != "none" else (),
        milestones=(MilestoneStatus("m", "overdue", 6 * DAY, None),),
        moves=(Move(5 * DAY, None, "a", "forward", ("x",), "signed"),),
        attributes=attrs,
    )


def snap(day: int, *customers: CustomerRecord) -> Snapshot:
    return Snapshot(
        day * DAY,
        day * DAY + 1,
        (JOURNEY,),
        (InputRecord("events.csv", 123), InputRecord("-", 4)),
        tuple(customers),
    )


def test_round_trip(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    s = snap(
        10,
        customer("c1", "a", "high", region="NA"),
        customer("c2", None),
        CustomerRecord("u", None, None, None, "unmatched", None, "none", (), (), (), {"x": "y"}),
    )
    with HistoryStore.open(db) as store:
        assert store.save(s, "test") is False
        assert store.load(10 * DAY) == s
        assert store.load(11 * DAY) is None


def test_same_as_of_replaces_in_place(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    with HistoryStore.open(db) as store:
        store.save(snap(10, customer("old", "a")), "t")
        store.save(snap(20, customer("other", "a")), "t")
        assert store.save(snap(10, customer("new", "end")), "t") is True
        assert [s.as_of for s in store.snapshots()] == [10 * DAY, 20 * DAY]
        loaded = store.load(10 * DAY)
        assert loaded is not None
        assert [c.customer_id for c in loaded.customers] == ["new"]
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM placements").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM snapshot_journeys").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM snapshot_inputs").fetchone()[0] == 4


def test_previous_is_greatest_as_of_strictly_before(tmp_path: Path) -> None:
    with HistoryStore.open(str(tmp_path / "h.db")) as store:
        for day in (10, 30, 20):
            store.save(snap(day, customer(f"c{day}", "a")), "t")
        prev = store.previous(25 * DAY)  # a backfill between 20 and 30
        assert prev is not None and prev.as_of == 20 * DAY
        prev = store.previous(20 * DAY)
        assert prev is not None and prev.as_of == 10 * DAY
        assert store.previous(10 * DAY) is None


def test_trend_and_customer_history(tmp_path: Path) -> None:
    with HistoryStore.open(str(tmp_path / "h.db")) as store:
        store.save(snap(10, customer("c1", None), customer("c2", "a", "medium")), "t")
        store.save(snap(20, customer("c1", "a", "low"), customer("c2", "end")), "t")
        store.save(snap(30, customer("c2", "end")), "t")
        assert store.trend(up_to=20 * DAY, limit=5) == [
            TrendRow(10 * DAY, "j", None, 1, 0),
            TrendRow(10 * DAY, "j", "a", 1, 1),
            TrendRow(20 * DAY, "j", "a", 1, 0),
            TrendRow(20 * DAY, "j", "end", 1, 0),
        ]
        assert [r.as_of for r in store.trend(limit=1)] == [30 * DAY]
        rows = store.customer("c1")
        assert [(r.present, r.stage, r.status, r.risk_level) for r in rows] == [
            (True, None, "not_started", "none"),
            (True, "a", "active", "low"),
            (False, None, None, None),
        ]
        assert rows[1].risks == ("r",)
        assert store.customer("nobody") == []


# The v1 schema exactly as journeyctl 0.1 wrote it: placements had no `attributes`.
V1 = """
CREATE TABLE snapshots (id INTEGER PRIMARY KEY, as_of INTEGER NOT NULL UNIQUE,
    run_at INTEGER NOT NULL, tool_version TEXT NOT NULL);
CREATE TABLE snapshot_journeys (snapshot_id INTEGER NOT NULL REFERENCES snapshots(id)
    ON DELETE CASCADE, position INTEGER NOT NULL, journey TEXT NOT NULL, version INTEGER NOT NULL,
    file TEXT NOT NULL, content_hash TEXT, stages TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, position));
CREATE TABLE snapshot_inputs (snapshot_id INTEGER NOT NULL REFERENCES snapshots(id)
    ON DELETE CASCADE, position INTEGER NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, position));
CREATE TABLE placements (snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL, journey TEXT, journey_version INTEGER, stage TEXT,
    status TEXT NOT NULL, entered_at INTEGER, risk_level TEXT NOT NULL, risks TEXT NOT NULL,
    milestones TEXT NOT NULL, moves TEXT NOT NULL, PRIMARY KEY (snapshot_id, customer_id));
INSERT INTO snapshots VALUES (1, 864000000000, 864000000001, '0.1.0');
INSERT INTO snapshot_journeys VALUES (1, 0, 'j', 3, 'j/j.yaml', NULL,
    '[{"id":"a","terminal":false},{"id":"end","terminal":true}]');
INSERT INTO snapshot_inputs VALUES (1, 0, 'events.csv', 99);
INSERT INTO placements VALUES (1, 'c1', 'j', 3, 'a', 'active', 432000000000, 'high',
    '[{"id":"r","severity":"high","title":"R"}]', '[]', '[]');
PRAGMA user_version = 1;
"""


def make_v1(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(V1)
    con.close()


def test_migrates_a_v1_database(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    make_v1(db)
    res = run("history", "--db", str(db), "--format", "json")
    assert res.exit_code == 0, res.stderr
    snaps = json.loads(res.stdout)["snapshots"]
    assert [(s["as_of"], s["customers"], s["at_risk"]) for s in snaps] == [
        ("1970-01-11T00:00:00Z", 1, 1)
    ]
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    cols = [r[1] for r in con.execute("PRAGMA table_info(placements)")]
    assert cols[-1] == "attributes"
    assert con.execute("SELECT attributes FROM placements").fetchone()[0] == "{}"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with HistoryStore.open(str(db)) as store:
        old = store.load(10 * DAY)
        assert old is not None
        assert old.customers[0].risks == (RiskRecord("r", "high", "R", False),)
        assert old.customers[0].attributes == {}
        store.save(snap(20, customer("c1", "a", region="EU")), "t")  # the new column works
        prev = store.previous(20 * DAY)
        assert prev is not None and prev.customers[0].customer_id == "c1"


def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    make_v1(db)
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    res = run("history", "--db", str(db))
    assert res.exit_code == 2
    assert "made by a newer journeyctl" in res.stderr
    assert f"schema version {SCHEMA_VERSION + 1}" in res.stderr
    with pytest.raises(HistoryVersionError):
        HistoryStore.open(str(db))


def test_foreign_files_are_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE mine (x)")
    con.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, just some text that is long enough\n" * 20)
    before = text.read_bytes()
    for path, needle in ((other, "not a journeyctl history database"), (text, "not a usable")):
        res = run("history", "--db", str(path))
        assert res.exit_code == 2, res.stderr
        assert needle in res.stderr
    assert text.read_bytes() == before
    con = sqlite3.connect(other)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["mine"]


def test_history_without_database(tmp_path: Path) -> None:
    res = run("history", "--db", str(tmp_path / "missing.db"))
    assert res.exit_code == 2
    assert "no history database" in res.stderr
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(HistoryError):
        HistoryStore.open(str(tmp_path / "missing.db"), create=False)


def test_default_location(tmp_path: Path) -> None:
    toml = tmp_path / "proj" / "journeyctl.toml"
    assert default_db_path(str(toml), ["elsewhere"]) == str(
        tmp_path / "proj" / ".journeyctl" / "history.db"
    )
    assert default_db_path(None, [str(tmp_path / "cs" / "journeys"), "x"]) == str(
        tmp_path / "cs" / ".journeyctl" / "history.db"
    )
    assert default_db_path(None, [str(tmp_path / "cs" / "journeys") + "/"]) == str(
        tmp_path / "cs" / ".journeyctl" / "history.db"
    )
