"""The same events give byte-identical `place --format json` whatever their source (§8).

Hypothesis draws a journey and an event log whose property, timestamp and id columns have a random
type; the log is written as CSV (its §8 text), Parquet, JSON Lines, Arrow, SQLite, DuckDB and a
DataFrame, and every source must give the CSV's output byte for byte.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import journeyctl
from tests.helpers import run
from tests.strategies import EVENTS, journeys

BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
AS_OF = "2026-02-01T00:00:00Z"

# each property type: (Arrow type, values to draw, the §8 text of a value)
PROPERTY_TYPES: dict[str, tuple[pa.DataType, st.SearchStrategy[Any], Callable[[Any], str]]] = {
    "string": (pa.string(), st.sampled_from(["a", "b", "7", "7.0", "10", "", " x"]), str),
    "int": (pa.int64(), st.sampled_from([7, 10, 0, -3, 2**40]), str),
    "float": (
        pa.float64(),
        st.one_of(st.sampled_from([7.0, 7.5, 0.1, 1e20, -0.0]), st.floats(allow_infinity=False)),
        lambda v: "" if math.isnan(v) else repr(v),
    ),
    "bool": (pa.bool_(), st.booleans(), lambda v: "true" if v else "false"),
    "decimal": (
        pa.decimal128(9, 2),
        st.integers(-50000, 50000).map(lambda n: decimal.Decimal(n).scaleb(-2)),
        lambda v: f"{v:.2f}",
    ),
    "date": (
        pa.date32(),
        st.integers(0, 40).map(lambda d: dt.date(2026, 1, 1) + dt.timedelta(days=d)),
        lambda v: v.isoformat(),
    ),
}
TIMESTAMP_TYPES = ["utc", "paris", "naive_ms", "date", "text"]


@st.composite
def typed_logs(draw: st.DrawFn) -> dict[str, Any]:
    ptype = draw(st.sampled_from(sorted(PROPERTY_TYPES)))
    _, values, _ = PROPERTY_TYPES[ptype]
    ttype = draw(st.sampled_from(TIMESTAMP_TYPES))
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from([1, 2, 3]),
                st.integers(0, 60 * 24 * 21).map(lambda m: m - m % 180),
                st.sampled_from(EVENTS),
                st.one_of(st.none(), values),
            ),
            min_size=1,
            max_size=20,
        )
    )
    return {"ptype": ptype, "ttype": ttype, "int_ids": draw(st.booleans()), "rows": rows}


def _instant(minutes: int, ttype: str) -> dt.datetime:
    at = BASE + dt.timedelta(minutes=minutes)
    return at.replace(hour=0, minute=0) if ttype == "date" else at


def arrow_table(log: dict[str, Any]) -> pa.Table:
    ptype, ttype, rows = log["ptype"], log["ttype"], log["rows"]
    ids = [r[0] if log["int_ids"] else f"c{r[0]}" for r in rows]
    instants = [_instant(r[1], ttype) for r in rows]
    if ttype == "utc":
        ts = pa.array(instants, pa.timestamp("us", tz="UTC"))
    elif ttype == "paris":
        ts = pa.array(instants, pa.timestamp("s", tz="UTC")).cast(
            pa.timestamp("s", tz="Europe/Paris")
        )
    elif ttype == "naive_ms":
        ts = pa.array([i.replace(tzinfo=None) for i in instants], pa.timestamp("ms"))
    elif ttype == "date":
        ts = pa.array([i.date() for i in instants], pa.date32())
    else:
        ts = pa.array(
            [i.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat() for i in instants]
        )
    return pa.table(
        {
            "customer_id": pa.array(ids),
            "timestamp": ts,
            "event": pa.array([r[2] for r in rows]),
            "p": pa.array([r[3] for r in rows], PROPERTY_TYPES[ptype][0]),
        }
    )


def _text(value: Any, ptype: str) -> str:
    return "" if value is None else PROPERTY_TYPES[ptype][2](value)


def csv_twin(log: dict[str, Any]) -> str:
    lines = ["customer_id,timestamp,event,p"]
    for cid, minutes, event, value in log["rows"]:
        at = _instant(minutes, log["ttype"])
        ts = at.date().isoformat() if log["ttype"] == "date" else at.strftime("%Y-%m-%dT%H:%M:%SZ")
        cell = _text(value, log["ptype"])
        cell = f'"{cell}"' if cell != cell.strip() or "," in cell else cell
        lines.append(f"{cid if log['int_ids'] else f'c{cid}'},{ts},{event},{cell}")
    return "\n".join(lines) + "\n"


def write_jsonl(table: pa.Table, log: dict[str, Any], path: Path) -> None:
    """JSON has numbers, strings, booleans and null: decimals and dates go as their text."""
    with path.open("w") as fh:
        for row, raw in zip(table.to_pylist(), log["rows"], strict=True):
            row["timestamp"] = _ts_text(row["timestamp"])
            if log["ptype"] in ("decimal", "date") and row["p"] is not None:
                row["p"] = _text(raw[3], log["ptype"])
            elif log["ptype"] == "float" and row["p"] is not None and math.isnan(row["p"]):
                row["p"] = None  # JSON has no NaN
            fh.write(json.dumps(row) + "\n")


def _ts_text(v: Any) -> str:
    if isinstance(v, dt.datetime):
        return (v if v.tzinfo else v.replace(tzinfo=dt.UTC)).isoformat()
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def write_sqlite(table: pa.Table, log: dict[str, Any], path: Path) -> None:
    """SQLite values are integers, reals, text or null: the others go as their text."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE events (customer_id, timestamp, event, p)")
    out = []
    for row, raw in zip(table.to_pylist(), log["rows"], strict=True):
        p = row["p"]
        if log["ptype"] in ("decimal", "date", "bool") and p is not None:
            p = _text(raw[3], log["ptype"])
        elif isinstance(p, float) and math.isnan(p):
            p = None  # SQLite stores NaN as NULL anyway
        out.append((row["customer_id"], _ts_text(row["timestamp"]), row["event"], p))
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", out)
    con.commit()
    con.close()


def write_duckdb(table: pa.Table, path: Path) -> None:
    con = duckdb.connect(str(path))
    con.register("src", table)
    con.execute("CREATE TABLE events AS SELECT * FROM src")
    con.close()


@settings(max_examples=20)
@given(journeys(), typed_logs())
def test_every_source_gives_the_csv_output(journey: dict[str, Any], log: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "j").mkdir()
        YAML().dump(journey, d / "j" / "j.yaml")
        table = arrow_table(log)
        (d / "e.csv").write_text(csv_twin(log))
        pq.write_table(table, d / "e.parquet")
        feather.write_feather(table, d / "e.arrow")
        write_jsonl(table, log, d / "e.jsonl")
        write_sqlite(table, log, d / "e.db")
        write_duckdb(table, d / "e.duckdb")
        jdir = str(d / "j")

        def cli(*source: str) -> str:
            res = run("place", *source, "-j", jdir, "--as-of", AS_OF, "--format", "json")
            assert res.exit_code == 0, res.stderr
            return str(res.stdout)

        want = cli(str(d / "e.csv"))
        for name in ("e.parquet", "e.arrow", "e.jsonl"):
            assert cli(str(d / name)) == want, name
        for url, query in (
            (f"sqlite:///{d}/e.db", "SELECT * FROM events ORDER BY rowid"),
            (f"duckdb:///{d}/e.duckdb", "SELECT * FROM events"),
        ):
            assert cli("--db-url", url, "--sql", query) == want, url
        js = journeyctl.load_journeys(jdir)
        frame = table.to_pandas(types_mapper=pd.ArrowDtype)
        assert journeyctl.place(js, frame, as_of=AS_OF).to_json() == want, "pandas"
        assert journeyctl.place(js, table, as_of=AS_OF).to_json() == want, "arrow table"
