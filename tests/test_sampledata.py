"""The sample-data generator: deterministic, matches the committed sample, places cleanly."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl import sampledata
from journeyctl.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_journeys"
# The documented command that made the committed sample (README, sampledata's docstring).
SAMPLE_ARGS = ["--customers", "400", "--seed", "7", "--months", "20"]


def _small(path: Path, seed: int = 3) -> int:
    return sampledata.write_csv(str(path), customers=40, seed=seed, months=6)


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert _small(a) == _small(b) > 0
    assert a.read_bytes() == b.read_bytes()
    _small(c, seed=4)
    assert c.read_bytes() != a.read_bytes()


def test_gzip_output_is_deterministic_and_holds_the_same_rows(tmp_path: Path) -> None:
    plain, gz1, gz2 = tmp_path / "e.csv", tmp_path / "e1.csv.gz", tmp_path / "e2.csv.gz"
    _small(plain)
    _small(gz1)
    _small(gz2)
    assert gz1.read_bytes() == gz2.read_bytes()
    assert gzip.decompress(gz1.read_bytes()) == plain.read_bytes()


def test_spilling_to_disk_gives_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_memory = list(sampledata.generate(40, 3, months=6))
    monkeypatch.setattr(sampledata, "_FLUSH_ROWS", 100)  # spill every few customers
    assert list(sampledata.generate(40, 3, months=6, tmpdir=str(tmp_path))) == in_memory
    assert list(tmp_path.iterdir()) == []  # the spill directory is gone


def test_committed_sample_matches_the_documented_command(tmp_path: Path) -> None:
    events, accounts = tmp_path / "events.csv", tmp_path / "accounts.csv"
    code = sampledata.main(
        [*SAMPLE_ARGS, "--out", str(events), "--accounts", str(accounts), "--quiet"]
    )
    assert code == 0
    assert events.read_bytes() == (SAMPLES / "events.csv").read_bytes(), (
        "sample_journeys/events.csv is stale: regenerate it with "
        "python -m journeyctl.sampledata "
        + " ".join(SAMPLE_ARGS)
        + " --out sample_journeys/events.csv --accounts sample_journeys/accounts.csv"
    )
    assert accounts.read_bytes() == (SAMPLES / "accounts.csv").read_bytes()


def test_place_on_the_committed_sample_warns_of_nothing() -> None:
    """The README's first command is a new user's first sight: no data-check warning (a sample
    that never published a case study made `partnership` warn on every command), nothing else."""
    events, journeys = str(SAMPLES / "events.csv"), str(SAMPLES)
    res = CliRunner().invoke(app, ["place", events, "-j", journeys])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    res = CliRunner().invoke(app, ["place", events, "-j", journeys, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["warnings"] == []


def test_rows_are_in_time_order_and_first_events_carry_the_segment(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    _small(path)
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(sampledata.COLUMNS)
    stamps = [r["timestamp"] for r in rows]
    assert stamps == sorted(stamps)
    for s in stamps:
        dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
    first: dict[str, dict[str, str]] = {}
    for r in rows:
        first.setdefault(r["customer_id"], r)
    assert len(first) == 40
    for r in first.values():
        assert all(r[k] for k in ("product", "size", "region", "industry")), r


def test_accounts_match_the_attributes_of_the_events(tmp_path: Path) -> None:
    events, accounts = tmp_path / "e.csv", tmp_path / "a.csv"
    _small(events)
    assert sampledata.write_accounts(str(accounts), 40, seed=3) == 40
    with accounts.open(newline="") as fh:
        acc = {r["customer_id"]: r for r in csv.DictReader(fh)}
    with events.open(newline="") as fh:
        for r in csv.DictReader(fh):
            if r["product"]:
                a = acc[r["customer_id"]]
                assert [a[k] for k in ("product", "size", "region", "industry")] == [
                    r[k] for k in ("product", "size", "region", "industry")
                ]
    assert {a["tier"] for a in acc.values()} <= {"gold", "silver", "bronze"}
    assert all(a["arr"].isdigit() for a in acc.values())


def test_events_option_gives_about_that_many_events(tmp_path: Path) -> None:
    path = tmp_path / "bench.csv"
    n = sampledata.write_csv(str(path), events=4000, seed=1)
    assert 3000 <= n <= 5000
    with path.open(newline="") as fh:
        ids = {r["customer_id"] for r in csv.DictReader(fh)}
    assert len(ids) == 200  # events / 20


def test_a_small_generated_file_places_with_no_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    n = sampledata.write_csv(str(path), customers=60, seed=11, months=8)
    res = CliRunner().invoke(app, ["place", str(path), "-j", str(SAMPLES), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["summary"]["bad_rows"] == 0
    assert out["summary"]["events"] == n
    assert out["summary"]["customers"] == 60
    assert {c["journey"] for c in out["customers"]} == {
        "analytics-enterprise-na",
        "analytics-smb-emea",
        "services-relationship",
        "durables-post-purchase",
    }
