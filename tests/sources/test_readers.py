"""The sources of PRODUCT §8 through the library reader: typed values, bad rows, errors."""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from journeyctl.errors import InputError, UsageError
from journeyctl.events.ingest import EventLog, read_accounts, read_events
from journeyctl.events.sources import Frame, SqlQuery
from journeyctl.events.sources.urls import expand_url, scrub, shown_url
from journeyctl.events.timestamps import format_instant


def rows_of(log: EventLog) -> list[dict[str, str]]:
    """Every event as text, in replay order (customer, time, input position)."""
    t = log.table
    out = []
    for k, cid in enumerate(t.customer_ids):
        for i in range(int(t.offsets[k]), int(t.offsets[k + 1])):
            row = {"customer_id": cid, "ts": format_instant(int(t.ts[i]))}
            row["event"] = t.event.values[t.event.codes[i]]
            row.update({n: c.values[c.codes[i]] for n, c in t.props.items()})
            out.append(row)
    return out


def base(count: int = 1, **cols: Any) -> dict[str, Any]:
    return {
        "customer_id": [f"c{i}" for i in range(count)],
        "timestamp": ["2026-03-02T10:00:00Z"] * count,
        "event": ["login"] * count,
        **cols,
    }


def parquet(tmp_path: Path, table: pa.Table, name: str = "e.parquet") -> str:
    path = tmp_path / name
    pq.write_table(table, path)
    return str(path)


def test_typed_values_become_the_text_of_section_8(tmp_path: Path) -> None:
    table = pa.table(
        base(
            4,
            i=pa.array([7, -3, None, 0], pa.int64()),
            f=pa.array([0.1, 2.0, 1e20, math.nan]),
            f32=pa.array([0.1, 2.5, None, 1.0], pa.float32()),
            d=pa.array([decimal.Decimal(x) for x in ("1.50", "-0.01", "100.00", "0.00")]),
            b=pa.array([True, False, None, True]),
            day=pa.array([dt.date(2026, 3, 2)] * 4),
            at=pa.array([dt.datetime(2026, 3, 2, 10, 0, 0, 500)] * 4, pa.timestamp("us", "UTC")),
            s=pa.array(["NA", "", None, " x "]),
        )
    )
    got = rows_of(read_events([parquet(tmp_path, table)]))
    assert [r["i"] for r in got] == ["7", "-3", "", "0"]
    assert [r["f"] for r in got] == ["0.1", "2.0", "1e+20", ""]
    assert [r["f32"] for r in got] == ["0.1", "2.5", "", "1.0"]
    assert [r["d"] for r in got] == ["1.50", "-0.01", "100.00", "0.00"]
    assert [r["b"] for r in got] == ["true", "false", "", "true"]
    assert {r["day"] for r in got} == {"2026-03-02"}
    assert {r["at"] for r in got} == {"2026-03-02T10:00:00.0005Z"}
    assert [r["s"] for r in got] == ["NA", "", "", " x "]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (pa.array([dt.datetime(2026, 3, 2, 11, 0)], pa.timestamp("s", "Europe/Paris")), 0),
        (pa.array([dt.datetime(2026, 3, 2, 10, 0)], pa.timestamp("ns")), 0),
        (pa.array([dt.datetime(2026, 3, 2, 10, 0)], pa.timestamp("ms")), 0),
        (pa.array([dt.date(2026, 3, 2)]), -10 * 3600),
        (pa.array(["2026-03-02 11:00+01:00"]), 0),
    ],
)
def test_timestamp_column_types(tmp_path: Path, column: pa.Array, expected: int) -> None:
    """With a zone: that instant; without: UTC; a date: midnight UTC; text: §3."""
    if pa.types.is_timestamp(column.type) and column.type.tz == "Europe/Paris":
        column = pa.array([dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)], column.type)
    log = read_events([parquet(tmp_path, pa.table({**base(), "timestamp": column}))])
    want = int(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC).timestamp() + expected) * 1_000_000
    assert log.table.ts.tolist() == [want]


def test_bad_rows_are_named_file_row_n(tmp_path: Path) -> None:
    table = pa.table(
        {
            "customer_id": ["a", None, "c", "d", "  "],
            "timestamp": pa.array([1, 2, None, 4, 5], pa.int64()),
            "event": ["x", "x", "x", "", "x"],
        }
    )
    path = parquet(tmp_path, table)
    log = read_events([path])
    assert [(b.where, b.reason) for b in log.bad_rows] == [
        (f"{path}:row 1", "unparseable timestamp '1'"),
        (f"{path}:row 2", "missing customer_id"),
        (f"{path}:row 3", "missing timestamp"),
        (f"{path}:row 4", "missing event"),
        (f"{path}:row 5", "missing customer_id"),
    ]
    assert log.bad_rows[0].cells == ("a", "1", "x")


def test_timestamps_outside_the_range_are_bad_rows(tmp_path: Path) -> None:
    ts = pa.array([dt.datetime(1850, 1, 1), dt.datetime(2026, 1, 1)], pa.timestamp("s"))
    log = read_events([parquet(tmp_path, pa.table({**base(2), "timestamp": ts}))])
    assert [b.reason for b in log.bad_rows] == [
        "timestamp 1850-01-01T00:00:00Z is outside 1900-2199"
    ]
    assert log.rows == 1


def test_nested_columns_are_left_out_with_one_warning(tmp_path: Path) -> None:
    table = pa.table(base(2, tags=[[1, 2], []], meta=[{"a": 1}, {"a": 2}], plan=["pro", "free"]))
    log = read_events([parquet(tmp_path, table)])
    assert log.columns == ("plan",)
    assert len(log.warnings) == 2
    assert "'tags'" in log.warnings[0] and "left out" in log.warnings[0]
    assert "'meta'" in log.warnings[1]


def test_nested_required_column_is_an_error(tmp_path: Path) -> None:
    table = pa.table({**base(1), "event": [["login"]]})
    with pytest.raises(InputError, match=r"'event' .* holds nested values"):
        read_events([parquet(tmp_path, table)])


def test_missing_columns_list_the_columns_found(tmp_path: Path) -> None:
    path = parquet(tmp_path, pa.table({"AccountId": ["a"], "ts": ["2026-01-01"], "event": ["x"]}))
    with pytest.raises(InputError) as err:
        read_events([path])
    assert err.value.message == f"{path}: missing required columns: customer_id, timestamp"
    assert err.value.details == ["columns found: AccountId, ts, event"]
    log = read_events([path], {"customer_id": "AccountId", "timestamp": "ts"})
    assert log.table.customer_ids == ("a",)


def test_mislabelled_and_truncated_files(tmp_path: Path) -> None:
    fake = tmp_path / "e.parquet"
    fake.write_text("customer_id,timestamp,event\na,2026-01-01,x\n")
    with pytest.raises(InputError, match=r"e.parquet: not a valid Parquet file"):
        read_events([str(fake)])
    good = parquet(tmp_path, pa.table(base(100)), "good.parquet")
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(Path(good).read_bytes()[:-40])
    with pytest.raises(InputError, match=r"cut.parquet: not a valid Parquet file"):
        read_events([str(cut)])
    arrow = tmp_path / "e.arrow"
    arrow.write_bytes(b"not arrow at all")
    with pytest.raises(InputError, match=r"e.arrow: not a valid Arrow IPC file"):
        read_events([str(arrow)])
    # the CSV read as what it is
    assert read_events([str(fake)], input_format="csv").rows == 1


def test_hive_dataset_files_by_sorted_path_and_partition_columns(tmp_path: Path) -> None:
    root = tmp_path / "events"
    for region, day, cid in (("NA", "2", "b"), ("EMEA", "1", "a"), ("NA", "1", "c")):
        d = root / f"region={region}" / f"day={day}"
        d.mkdir(parents=True)
        pq.write_table(
            pa.table(base(1, customer_id=[cid], event=[f"e-{cid}"])), d / "part-0.parquet"
        )
    (root / "_SUCCESS").write_text("")
    log = read_events([str(root)])
    assert [(r["customer_id"], r["region"], r["day"]) for r in rows_of(log)] == [
        ("a", "EMEA", "1"),
        ("b", "NA", "2"),
        ("c", "NA", "1"),
    ]
    # input positions follow the sorted paths: EMEA/1, NA/1, NA/2
    t = log.table
    assert dict(zip(t.customer_ids, t.seq.tolist(), strict=True)) == {"a": 0, "c": 1, "b": 2}


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a directory with no Parquet file"):
        read_events([str(tmp_path)])


def test_json_lines_plain_and_gzip_with_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"customer_id": "a", "timestamp": "2026-01-01", "event": "x", "n": 1}),
        "[1, 2]",
        "",
        "{broken",
        json.dumps(
            {"customer_id": "b", "timestamp": "2026-01-02", "event": "y", "n": 2.5, "ok": True}
        ),
        json.dumps({"customer_id": "c", "timestamp": 5, "event": "z"}),
    ]
    text = "\n".join(lines) + "\n"
    plain = tmp_path / "e.jsonl"
    plain.write_text(text)
    packed = tmp_path / "e.ndjson.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    for path in (plain, packed):
        log = read_events([str(path)])
        assert [b.where for b in log.bad_rows] == [f"{path}:2", f"{path}:4", f"{path}:6"]
        reasons = [b.reason for b in log.bad_rows]
        assert reasons[0] == "not a JSON object (an array)"
        assert reasons[1].startswith("not valid JSON")
        assert reasons[2] == "unparseable timestamp '5'"
        assert [(r["customer_id"], r["n"], r["ok"]) for r in rows_of(log)] == [
            ("a", "1", ""),
            ("b", "2.5", "true"),
        ]


def test_a_file_that_is_not_json_lines_at_all(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text("customer_id,timestamp,event\na,2026-01-01,x\n")
    with pytest.raises(InputError, match="not a JSON Lines file"):
        read_events([str(path)])


def test_arrow_file_feather_and_stream(tmp_path: Path) -> None:
    table = pa.table(base(3, n=[1, 2, 3]))
    feather.write_feather(table, tmp_path / "a.arrow")
    feather.write_feather(table, tmp_path / "b.feather")
    with ipc.new_stream(tmp_path / "c.arrow", table.schema) as w:
        w.write_table(table)
    for name in ("a.arrow", "b.feather", "c.arrow"):
        assert [r["n"] for r in rows_of(read_events([str(tmp_path / name)]))] == ["1", "2", "3"]


def _sqlite(tmp_path: Path) -> str:
    path = tmp_path / "e.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE events (customer_id TEXT, timestamp TEXT, event TEXT, n, f REAL)")
    con.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
        [("a", "2026-01-01T00:00:00Z", "x", 3, 0.1), ("b", "bad", "y", None, 2.0)],
    )
    con.commit()
    con.close()
    return str(path)


def test_sqlite_query(tmp_path: Path) -> None:
    url = f"sqlite:///{_sqlite(tmp_path)}"
    log = read_events([SqlQuery(url, "SELECT * FROM events ORDER BY rowid")])
    assert [(b.where, b.reason) for b in log.bad_rows] == [
        ("query:row 2", "unparseable timestamp 'bad'")
    ]
    assert [(r["n"], r["f"]) for r in rows_of(log)] == [("3", "0.1")]
    assert log.files == [f"sqlite:///{tmp_path}/e.db"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * FROM nope", "no such table: nope"),
        ("SELEC 1", 'near "SELEC": syntax error'),
    ],
)
def test_sqlite_errors(tmp_path: Path, query: str, message: str) -> None:
    url = f"sqlite:///{_sqlite(tmp_path)}"
    with pytest.raises(InputError, match=message):
        read_events([SqlQuery(url, query)])


def test_sqlite_missing_file_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such database file"):
        read_events([SqlQuery(f"sqlite:///{tmp_path}/none.db", "SELECT 1")])
    assert not (tmp_path / "none.db").exists()


def test_duckdb_query_keeps_types(tmp_path: Path) -> None:
    path = tmp_path / "e.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE events AS SELECT 'a' AS customer_id, TIMESTAMPTZ '2026-01-01 10:00:00+02' "
        "AS timestamp, 'x' AS event, 1.50::DECIMAL(5,2) AS price, [1, 2] AS tags"
    )
    con.close()
    log = read_events([SqlQuery(f"duckdb:///{path}", "SELECT * FROM events")])
    assert rows_of(log) == [
        {"customer_id": "a", "ts": "2026-01-01T08:00:00Z", "event": "x", "price": "1.50"}
    ]
    assert log.warnings == [
        "query: column 'tags' holds nested values (lists, structs or maps); it is left out"
    ]
    with pytest.raises(InputError, match="Table with name nope does not exist"):
        read_events([SqlQuery(f"duckdb:///{path}", "SELECT * FROM nope")])


def test_dataframes(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            **base(3),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "f": [0.5, np.nan, 2.0],
            "mixed": ["a", 1, None],
            "cat": pd.Categorical(["x", "y", "x"]),
        }
    )
    want = [("1", "0.5", "a", "x"), ("", "", "1", "y"), ("3", "2.0", "", "x")]
    for frame in (
        df,
        pl.from_pandas(df.drop(columns="mixed").assign(mixed=["a", "1", None])),
        pa.Table.from_pandas(df.assign(mixed=["a", "1", None]), preserve_index=False),
    ):
        log = read_events([Frame(frame)])
        assert [(r["n"], r["f"], r["mixed"], r["cat"]) for r in rows_of(log)] == want


def test_accounts_from_parquet(tmp_path: Path) -> None:
    path = parquet(
        tmp_path, pa.table({"customer_id": ["a", "b"], "seats": [10, None]}), "acc.parquet"
    )
    assert read_accounts(path) == {"a": {"seats": "10"}, "b": {}}
    dup = parquet(tmp_path, pa.table({"customer_id": ["a", "a"]}), "dup.parquet")
    with pytest.raises(InputError, match=r"dup.parquet:row 2: customer 'a' is listed twice"):
        read_accounts(dup)


def test_urls_are_shown_without_secrets() -> None:
    url = "postgresql://bob:p%40ss@db.example.com:5432/sales?sslmode=require"
    assert shown_url(url) == "postgresql://db.example.com/sales"
    assert shown_url("sqlite:///data/e.db") == "sqlite:///data/e.db"
    message = f"could not connect to {url} with p@ss or p%40ss"
    cleaned = scrub(message, url)
    assert "p@ss" not in cleaned and "p%40ss" not in cleaned and "bob" not in cleaned


def test_env_substitution() -> None:
    assert expand_url("postgresql://u:${PW}@h/db", {"PW": "x"}) == "postgresql://u:x@h/db"
    with pytest.raises(UsageError, match=r"environment variable PW is not set"):
        expand_url("postgresql://u:${PW}@h/db", {})
