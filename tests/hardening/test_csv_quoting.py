"""Every CSV journeyctl writes quotes a cell holding CR or LF (issue 14, item 1).

A spreadsheet ends a row at a bare CR as well as at LF: an unquoted CR in a customer id would split
the row, and the text after it would start a new row without the `'` formula prefix."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeyctl.output.files import csv_cell, csv_line, csv_text
from tests.helpers import run

JOURNEY = """\
journey: demo
version: 1
stages:
  - id: onboarding
    enter_when: {event: signed}
"""
# ids whose text after a CR or LF would be a formula if it started a row of its own
EVIL = ["a\r=1+1", "b\n@SUM(A1)", "c\n-2", "\r+3", 'd",\r"=x']

cells = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    st.sampled_from(["\r", "\n", "\r\n", '"', ",", "=", "'", "", " "]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
    st.booleans(),
)


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def _expected(value: str | int | float | bool | None) -> str:
    cell = csv_cell(value)
    return repr(cell) if isinstance(cell, float) else str(cell)


@given(st.lists(st.lists(cells, min_size=1, max_size=5), max_size=5))
def test_cells_round_trip_and_no_row_is_split(rows: list[list[object]]) -> None:
    header = ["customer_id", "note"]
    text = csv_text(header, rows)  # type: ignore[arg-type]
    parsed = _parse(text)
    assert parsed == [header] + [[_expected(c) for c in row] for row in rows]  # type: ignore[arg-type]
    # a spreadsheet's view: outside quotes, CR and LF only ever end a row
    inside = False
    line_ends = 0
    for i, ch in enumerate(text):
        if ch == '"':
            inside = not inside
        elif not inside and ch in "\r\n":
            assert ch == "\n", f"bare CR outside quotes at {i}: {text!r}"
            line_ends += 1
    assert line_ends == len(rows) + 1


@given(st.text(max_size=20))
def test_the_formula_prefix_survives_quoting(text: str) -> None:
    (cell,) = _parse(csv_line([text]))[0]
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert cell == "'" + text
    else:
        assert cell == text


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(JOURNEY)
    body = "".join(
        f'"{e.replace(chr(34), chr(34) * 2)}",2026-01-0{i + 1}T00:00:00Z,signed\n'
        for i, e in enumerate(EVIL)
    )
    (tmp_path / "ev.csv").write_bytes(("customer_id,timestamp,event\n" + body).encode())
    return tmp_path


def _ids(stdout: str) -> list[str]:
    rows = _parse(stdout)
    col = rows[0].index("customer_id")
    return [r[col] for r in rows[1:]]


@pytest.mark.parametrize("stream", [[], ["--memory-limit", "1M"]])
def test_place_csv_quotes_ids(files: Path, stream: list[str]) -> None:
    res = run("place", str(files / "ev.csv"), "-j", str(files / "j"), "-f", "csv", *stream)
    assert res.exit_code == 0, res.stderr
    assert sorted(_ids(res.stdout)) == sorted(str(csv_cell(e)) for e in EVIL)
    assert "\r" not in res.stdout.replace('"', "").split(",")[0]


def test_show_csv_quotes_event_names(files: Path) -> None:
    ev = files / "ev.csv"
    ev.write_bytes(ev.read_bytes() + b'"a\r=1+1",2026-01-09T00:00:00Z,"login\r=2+2"\n')
    res = run("show", EVIL[0], str(ev), "-j", str(files / "j"), "-f", "csv")
    assert res.exit_code == 0, res.stderr
    rows = _parse(res.stdout)
    assert all(len(r) == len(rows[0]) for r in rows)
    assert "login\r=2+2" in [c for r in rows for c in r]


def test_history_csv_quotes_input_names(files: Path) -> None:
    db = str(files / "h.db")
    named = files / "x\r=cmd.csv"  # the inputs column lists the file names
    named.write_bytes((files / "ev.csv").read_bytes())
    res = run("report", str(named), "-j", str(files / "j"), "--db", db, "--out", str(files / "o"))
    assert res.exit_code == 0, res.stderr
    res = run("history", "--db", db, "-f", "csv")
    assert res.exit_code == 0, res.stderr
    rows = _parse(res.stdout)
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    assert rows[1][rows[0].index("inputs")].endswith("x\r=cmd.csv (215 bytes)")


def test_rejects_quote_cells(files: Path) -> None:
    bad = files / "bad.csv"
    bad.write_bytes(b'customer_id,timestamp,event\n"x\r=1+1",yesterday,"e\r@2"\n')
    out = files / "rejects.csv"
    res = run("place", str(bad), "-j", str(files / "j"), "--skip-bad-rows", "--as-of",
              "2026-01-01", "--rejects", str(out))  # fmt: skip
    assert res.exit_code == 0, res.stderr
    rows = _parse(out.read_bytes().decode())
    assert len(rows) == 2
    assert rows[1][3:] == ["x\r=1+1", "yesterday", "e\r@2"]
