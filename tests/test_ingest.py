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


# ---- a CSV with another separator (issue 15): said as such, in every command and path --------

SEMICOLON = "customer_id;timestamp;event\nc1;2026-01-01T00:00:00Z;signup\n"
TAB = "customer_id\ttimestamp\tevent\nc1\t2026-01-01T00:00:00Z\tsignup\n"
QUOTED = '"customer_id";"timestamp";"event"\n"c1";"2026-01-01T00:00:00Z";"signup"\n'


def _events_command(command: str, events: str, tmp_path: Path) -> list[str]:
    js = ["-j", "sample_journeys"]
    db, out = str(tmp_path / "h.db"), str(tmp_path / "out")
    return {
        "place": ["place", events, *js],
        "streaming": ["place", events, *js, "--memory-limit", "1M"],
        "show": ["show", "c1", events, *js],
        "report": ["report", events, *js, "--db", db, "--out", out],
        "analyze": ["analyze", events, *js],
        "predict": ["predict", events, *js],
        "diff": ["diff", "sample_journeys", "sample_journeys", "--events", events],
    }[command]


@pytest.mark.parametrize(
    "command", ["place", "streaming", "show", "report", "analyze", "predict", "diff"]
)
@pytest.mark.parametrize(
    ("text", "name", "delimiter"),
    [(SEMICOLON, "semicolon", '";"'), (TAB, "tab", '"\\t"'), (QUOTED, "semicolon", '";"')],
)
def test_a_csv_with_another_separator_is_named_so(
    tmp_path: Path, command: str, text: str, name: str, delimiter: str
) -> None:
    from tests.helpers import run

    path = _write(tmp_path, text, "export.csv")
    res = run(*_events_command(command, path, tmp_path))
    assert res.exit_code == 2, res.stderr
    assert f"{path}:1: the file looks {name}-separated; journeyctl reads comma-separated" in (
        res.stderr
    )
    assert '"CSV (comma delimited)"' in res.stderr
    assert f"delimiter={delimiter}))' < " in res.stderr
    assert "missing required" not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("text", [SEMICOLON.replace("event", "region"), QUOTED])
def test_an_accounts_file_with_another_separator_is_named_so(tmp_path: Path, text: str) -> None:
    from tests.helpers import run

    accounts = _write(tmp_path, text.replace("customer_id", "customer_id", 1), "acc.csv")
    for extra in ((), ("--memory-limit", "1M")):
        res = run(
            "place",
            "sample_journeys/events.csv",
            "-j",
            "sample_journeys",
            "--accounts",
            accounts,
            *extra,
        )
        assert res.exit_code == 2, res.stderr
        assert f"{accounts}:1: the file looks semicolon-separated" in res.stderr


def test_the_suggested_conversion_makes_a_readable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-liner, run as printed, turns the file into one every command reads."""
    import subprocess

    from tests.helpers import run

    journeys = str(Path("sample_journeys").resolve())
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, 'customer_id;timestamp;event;note\nc1;2026-01-01;signup;"a, b"\n')
    res = run("place", "e.csv", "-j", journeys)
    command = res.stderr.split("\n  convert: ", 1)[1].split("\n", 1)[0]
    assert command.startswith("python3 -c ") and command.endswith(" < e.csv > e-comma.csv")
    subprocess.run(command, shell=True, check=True)
    log = read_events(["e-comma.csv"])
    assert log.customers["c1"][0].name == "signup" and log.columns == ("note",)
    assert dict(log.customers["c1"][0].props) == {"note": "a, b"}
