"""Events CSV ingestion (PRODUCT §3): timestamps, cells as written, bad rows, whole-file errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeyctl.errors import InputError
from journeyctl.events.ingest import read_accounts, read_events
from journeyctl.events.timestamps import format_instant, parse_instant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-02t10:00:00z", "2026-03-02T10:00:00Z"),
        ("2026-03-02 10:00:00", "2026-03-02T10:00:00Z"),
        ("2026-03-02T10:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-02", "2026-03-02T00:00:00Z"),
        ("2026-03-02T10:00:00+01:00", "2026-03-02T09:00:00Z"),
        ("2026-03-02T00:30:00-02:30", "2026-03-02T03:00:00Z"),
        ("2026-03-02T10:00:00.5Z", "2026-03-02T10:00:00.5Z"),
        ("2026-03-02T10:00:00.123456789Z", "2026-03-02T10:00:00.123456Z"),
        ("1900-01-01", "1900-01-01T00:00:00Z"),
        ("2199-12-31T23:59:59Z", "2199-12-31T23:59:59Z"),
    ],
)
def test_valid_timestamps(text: str, expected: str) -> None:
    ts = parse_instant(text)
    assert ts is not None
    assert format_instant(ts) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02T10:00:60Z",  # leap second
        "2026-03-02T10:00:00+0100",  # offset without colon
        "2026-W10-1",  # week date
        "20260302T100000Z",  # basic format
        " 2026-03-02",  # surrounding spaces
        "2026-03-02 ",
        "1899-12-31",
        "2200-01-01",
        "2026-02-30",
        "2026-03-02T24:00:00Z",
        "2026-03-02T10:00:00.Z",
        "2026-03-02+01:00",
        "",
        "yesterday",
        "２０２６-03-02",  # non-ASCII digits
        "2026-03-02T10:00:00Z\n",
    ],
)
def test_unparseable_timestamps(text: str) -> None:
    assert parse_instant(text) is None


@given(st.text(max_size=40))
def test_timestamp_parser_never_raises(text: str) -> None:
    ts = parse_instant(text)
    assert ts is None or isinstance(ts, int)


def _write(tmp_path: Path, text: str, name: str = "e.csv") -> str:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return str(p)


def test_cells_are_used_as_written(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'customer_id,timestamp,event,region,note\r\nc1,2026-01-01,login,NA,"a, ""quoted""\nline"\r\n\r\nc1,2026-01-02,login,N/A,  \r\n',
    )
    log = read_events([path])
    evs = log.customers["c1"]
    assert [e.props["region"] for e in evs] == ["NA", "N/A"]
    assert evs[0].props["note"] == 'a, "quoted"\nline'
    assert evs[1].props["note"] == "  "
    assert log.rows == 2 and not log.bad_rows


def test_bad_rows_have_physical_lines_and_reasons(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "customer_id,timestamp,event\n"
        'c1,2026-01-01,"multi\nline"\n'  # lines 2-3
        "c2,not-a-date,login\n"  # line 4
        ",2026-01-01,login\n"  # line 5
        "c3,2026-01-01,   \n"  # line 6
        "c4,2026-01-01\n"  # line 7: ragged
        "c5,2026-01-01,login,extra\n",  # line 8: ragged
    )
    log = read_events([path])
    assert [(b.line, b.reason.split(" ")[0]) for b in log.bad_rows] == [
        (4, "unparseable"),
        (5, "missing"),
        (6, "missing"),
        (7, "expected"),
        (8, "expected"),
    ]
    assert log.rows == 1


def test_gzip_and_bom(tmp_path: Path) -> None:
    p = tmp_path / "e.csv.gz"
    p.write_bytes(
        gzip.compress("\ufeffcustomer_id,timestamp,event\nc1,2026-01-01,login\n".encode())
    )
    log = read_events([str(p)])
    assert list(log.customers) == ["c1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"customer_id,timestamp\nc1,2026-01-01\n", "missing required column: event"),
        (b"customer_id,timestamp,event,a,a\n", "duplicate column name 'a'"),
        (b"", "empty file"),
        (
            "customer_id,timestamp,event\nc1,2026-01-01,caf\xe9\n".encode("latin-1"),
            ":2: not valid UTF-8",
        ),
        ("customer_id,timestamp,event\n".encode("utf-16"), "UTF-16"),
        (b"customer_id,timestamp,event\nc1,2026-01-01,lo\x00gin\n", ":2: contains a NUL byte"),
        (b'customer_id,timestamp,event\nc1,2026-01-01,"login\n', "invalid CSV"),
    ],
)
def test_whole_file_errors(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "e.csv"
    p.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_events([str(p)])
    assert message in exc.value.message


def test_column_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, "AccountId,When,What\nc1,2026-01-01,login\n")
    log = read_events([path], {"customer_id": "AccountId", "timestamp": "When", "event": "What"})
    assert log.customers["c1"][0].name == "login"


def test_ties_keep_input_order_across_files(tmp_path: Path) -> None:
    a = _write(tmp_path, "customer_id,timestamp,event\nc1,2026-01-02,b\nc1,2026-01-01,a\n", "a.csv")
    b = _write(tmp_path, "customer_id,timestamp,event\nc1,2026-01-01,c\nc1,2026-01-02,d\n", "b.csv")
    log = read_events([a, b])
    assert [e.name for e in log.customers["c1"]] == ["a", "c", "b", "d"]


def test_accounts(tmp_path: Path) -> None:
    path = _write(tmp_path, "customer_id,region,arr\nc1,NA,100\nc2,,5\n")
    acc = read_accounts(path)
    assert acc == {"c1": {"region": "NA", "arr": "100"}, "c2": {"arr": "5"}}
    dup = _write(tmp_path, "customer_id,region\nc1,NA\nc1,EU\n", "dup.csv")
    with pytest.raises(InputError, match="listed twice"):
        read_accounts(dup)


@given(st.integers(min_value=-2208988800 * 10**6, max_value=7258118399999999))
def test_format_instant_matches_datetime(us: int) -> None:
    """The fast formatter agrees with datetime + strftime over the whole 1900-2199 range."""
    from datetime import UTC, datetime, timedelta

    dt = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    expected = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        expected += "." + f"{dt.microsecond:06d}".rstrip("0")
    assert format_instant(us) == expected + "Z"
    assert parse_instant(format_instant(us)) == us
