"""A damaged history database stops `report` before it writes (issue 14, item 8).

A JSON cell altered inside a valid SQLite file used to give exit 3 after the new snapshot was
committed; corrupt pages were not noticed and `report` appended to the file (exit 0)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run
from tests.history import scenario

DB = "h.db"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = run(*scenario.first_args(DB, "out1"))
    assert res.exit_code == 0, res.stderr
    return tmp_path


def snapshots(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT as_of FROM snapshots")]
    finally:
        con.close()


def second(work: Path) -> object:
    res = run(*scenario.second_args(DB, "out2"))
    assert res.exit_code == 2, (res.exit_code, res.stderr)
    assert "history database h.db is damaged" in res.stderr
    assert "backup" in res.stderr and "history --check" in res.stderr
    assert not (work / "out2").exists()  # no report of a comparison that could not be made
    return res


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("moves", '[{"at": "soon"'),  # not JSON
        ("moves", '{"at": 1}'),  # JSON of the wrong shape
        ("risks", "[1, 2]"),
        ("milestones", "[" * 5000 + "]" * 5000),
        ("attributes", '["a"]'),
    ],
)
def test_altered_json_cell(work: Path, column: str, value: str) -> None:
    con = sqlite3.connect(work / DB)
    with con:
        con.execute(f"UPDATE placements SET {column} = ? WHERE rowid = 3", (value,))
    con.close()
    second(work)
    assert len(snapshots(work / DB)) == 1  # nothing committed


def test_altered_stages_cell(work: Path) -> None:
    con = sqlite3.connect(work / DB)
    with con:
        con.execute("UPDATE snapshot_journeys SET stages = 'x'")
    con.close()
    second(work)
    assert len(snapshots(work / DB)) == 1


def test_corrupt_pages(work: Path) -> None:
    db = work / DB
    con = sqlite3.connect(db)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'placements'").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page  # the placements table's root page: its cell pointers
    data[start + 8 : start + page] = bytes((i * 37 + 11) % 251 for i in range(page - 8))
    db.write_bytes(bytes(data))
    second(work)
    assert db.read_bytes() == bytes(data)  # not appended to


def test_a_damaged_page_deep_in_the_table(work: Path) -> None:
    """Damage that opening and reading the previous snapshot may not touch: a leaf page."""
    db = work / DB
    con = sqlite3.connect(db)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    last = (pages - 1) * page  # the last page: a leaf of the last table or index written
    data[last : last + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    second(work)
    assert db.read_bytes() == bytes(data)


@pytest.mark.parametrize("db", [":memory:", ":memory:?cache=shared", "/dev/null"])
def test_a_database_that_is_not_a_file_is_a_usage_error(work: Path, db: str) -> None:
    """`--db :memory:` used to be accepted: the snapshot was stored, then lost (issue 14, 10)."""
    res = run(*scenario.second_args(db, "out2"))
    assert res.exit_code == 2, (res.exit_code, res.stderr)
    assert "not a file" in res.stderr or "not a regular file" in res.stderr
    assert not (work / "out2").exists()
    res = run("history", "--db", db)
    assert res.exit_code == 2, (res.exit_code, res.stderr)


def test_history_check(work: Path) -> None:
    res = run("history", "--db", DB, "--check")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("ok: h.db: 1 snapshot")
    con = sqlite3.connect(work / DB)
    with con:
        con.execute("UPDATE placements SET moves = '[{' WHERE rowid = 2")
    con.close()
    res = run("history", "--db", DB, "--check")
    assert res.exit_code == 2, res.stderr
    assert "damaged" in res.stderr and "2026-01-10T00:00:00Z" in res.stderr
    assert "backup" in res.stderr


def test_history_check_finds_corrupt_pages(work: Path) -> None:
    db = work / DB
    con = sqlite3.connect(db)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    data[(pages - 1) * page : (pages - 1) * page + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    res = run("history", "--db", DB, "--check")
    assert res.exit_code == 2, res.stderr
    assert "damaged" in res.stderr or "not a usable" in res.stderr
