"""Non-CSV sources through the CLI: output, bad rows, rejects, errors and exit codes (§8)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeyctl.events.convert import convert
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_journeys"
J = ("-j", str(SAMPLES))
AS_OF = ("--as-of", "2025-12-31T00:00:00Z")


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("twins")
    for name in ("events.parquet", "events.jsonl", "events.arrow"):
        convert(str(SAMPLES / "events.csv"), str(d / name))
    return d


def test_streaming_mode_reads_typed_sources_alike(twins: Path) -> None:
    base = ("place", str(twins / "events.parquet"), str(twins / "events.jsonl"), *J, *AS_OF)
    memory = run(*base, "--format", "json")
    streamed = run(*base, "--format", "json", "--memory-limit", "1M")
    assert memory.exit_code == streamed.exit_code == 0, memory.stderr + streamed.stderr
    assert memory.stdout == streamed.stdout
    assert json.loads(memory.stdout)["summary"]["events"] == 2 * 48604


def bad_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "bad.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": ["c-1", None, "c-3"],
                "timestamp": ["2025-03-02T10:00:00Z", "2025-03-02T10:00:00Z", "someday"],
                "event": ["deal_closed", "login", "login"],
                "seats": pa.array([25, 3, None], pa.int32()),
            }
        ),
        path,
    )
    return path


def test_bad_rows_stop_with_their_row(tmp_path: Path) -> None:
    path = bad_parquet(tmp_path)
    res = run("place", str(path), *J)
    assert res.exit_code == 2
    assert res.stderr == (
        "error: 2 bad rows in the events input\n"
        f"  {path}:row 2: missing customer_id\n"
        f"  {path}:row 3: unparseable timestamp 'someday'\n"
        "  hint: fix them, or run with --skip-bad-rows (and --rejects FILE to keep them)\n"
    )


def test_skip_and_reject_typed_rows(tmp_path: Path) -> None:
    path = bad_parquet(tmp_path)
    rejects = tmp_path / "rejects.csv"
    res = run("place", str(path), *J, "--skip-bad-rows", "--rejects", str(rejects), "-f", "json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["summary"]["bad_rows"] == 2
    rows = list(csv.reader(io.StringIO(rejects.read_text())))
    assert rows[1:] == [
        [str(path), "2", "missing customer_id", "", "2025-03-02T10:00:00Z", "login", "3"],
        [str(path), "3", "unparseable timestamp 'someday'", "c-3", "someday", "login", ""],
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "fake.parquet",
            b"customer_id,timestamp,event\n",
            "fake.parquet: not a valid Parquet file",
        ),
        ("cut.arrow", b"ARROW1\x00\x00garbage", "cut.arrow: not a valid Arrow IPC file"),
        ("fake.jsonl", b"PAR1\x00\x01\x02\n\x03\x04\n", "fake.jsonl: not a JSON Lines file"),
    ],
)
def test_mislabelled_files_exit_2(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    res = run("place", str(path), *J)
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_columns_exit_2_listing_those_found(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"AccountId": ["a"], "ts": ["2025-01-01"], "event": ["x"]}), path)
    res = run("place", str(path), *J)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[:2] == [
        f"error: {path}: missing required columns: customer_id, timestamp",
        "  columns found: AccountId, ts, event",
    ]
    ok = run(
        "place", str(path), *J, "--column", "customer_id=AccountId", "--column", "timestamp=ts"
    )
    assert ok.exit_code == 0, ok.stderr


def test_truncated_parquet_exit_2(tmp_path: Path, twins: Path) -> None:
    cut = tmp_path / "cut.parquet"
    cut.write_bytes((twins / "events.parquet").read_bytes()[:-100])
    res = run("place", str(cut), *J)
    assert res.exit_code == 2
    assert f"{cut}: not a valid Parquet file" in res.stderr


def test_a_missing_file_exit_2(tmp_path: Path) -> None:
    res = run("place", str(tmp_path / "none.parquet"), *J)
    assert res.exit_code == 2
    assert res.stderr.startswith(f"error: {tmp_path / 'none.parquet'}: no such file")
