"""Outputs that would overwrite inputs (issue 14, item 6): no output path (`--rejects`,
`--save-model`, `--db`, the `report --out` files, `--output`) may be an input file, by inode (so symlinks
and hard links count), or an existing file journeyctl did not make, unless `--force`: exit 2,
naming both paths, and the file left byte-identical."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run
from tests.test_place_cli import EVENTS, JOURNEY

BAD_ROW = "z9,not-a-time,signed,pro,\n"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(JOURNEY)
    (tmp_path / "ev.csv").write_text(EVENTS + BAD_ROW)
    return tmp_path


def _ev(d: Path) -> list[str]:
    return [str(d / "ev.csv"), "-j", str(d / "j"), "--skip-bad-rows"]


def _refused(res: object, *paths: Path) -> None:
    assert res.exit_code == 2, res.output  # type: ignore[attr-defined]
    err = " ".join(res.stderr.split())  # type: ignore[attr-defined]
    for p in paths:
        assert str(p) in err, err
    assert "--force" in err


@pytest.mark.parametrize("cmd", ["place", "show", "report"])
def test_rejects_over_the_events_file(demo: Path, cmd: str) -> None:
    before = (demo / "ev.csv").read_bytes()
    extra = ["a1"] if cmd == "show" else []
    args = [cmd, *extra, *_ev(demo), "--rejects", str(demo / "ev.csv")]
    if cmd == "report":
        args += ["--db", str(demo / "h.db"), "--out", str(demo / "out")]
    _refused(run(*args), demo / "ev.csv")
    assert (demo / "ev.csv").read_bytes() == before


def test_rejects_through_a_symlink_and_a_hard_link(demo: Path) -> None:
    before = (demo / "ev.csv").read_bytes()
    (demo / "link.csv").symlink_to(demo / "ev.csv")
    os.link(demo / "ev.csv", demo / "hard.csv")
    for out in ("link.csv", "hard.csv"):
        _refused(run("place", *_ev(demo), "--rejects", str(demo / out)), demo / out)
        assert (demo / "ev.csv").read_bytes() == before


def test_rejects_over_a_journey_file_or_the_accounts(demo: Path) -> None:
    yaml = demo / "j" / "demo.yaml"
    _refused(run("place", *_ev(demo), "--rejects", str(yaml)), yaml)
    assert yaml.read_text() == JOURNEY
    acc = demo / "accounts.csv"
    acc.write_text("customer_id,plan\na1,pro\n")
    res = run("place", *_ev(demo), "--accounts", str(acc), "--rejects", str(acc))
    _refused(res, acc)
    assert acc.read_text() == "customer_id,plan\na1,pro\n"


def test_rejects_over_a_foreign_file_then_force(demo: Path) -> None:
    notes = demo / "notes.csv"
    notes.write_text("my,own\nprecious,data\n")
    res = run("place", *_ev(demo), "--rejects", str(notes))
    _refused(res, notes)
    assert "not a journeyctl rejects CSV" in " ".join(res.stderr.split())
    assert notes.read_text() == "my,own\nprecious,data\n"
    res = run("place", *_ev(demo), "--rejects", str(notes), "--force")
    assert res.exit_code == 0, res.output
    assert notes.read_text().startswith("file,line,reason")


def test_rejects_may_replace_its_own_file(demo: Path) -> None:
    out = demo / "rejects.csv"
    for _ in range(2):
        res = run("place", *_ev(demo), "--rejects", str(out))
        assert res.exit_code == 0, res.output
    assert out.read_text().startswith("file,line,reason")


def test_db_over_the_events_file(demo: Path) -> None:
    before = (demo / "ev.csv").read_bytes()
    res = run("report", *_ev(demo), "--db", str(demo / "ev.csv"), "--out", str(demo / "out"))
    _refused(res, demo / "ev.csv")
    assert (demo / "ev.csv").read_bytes() == before
    assert not (demo / "out").exists()


def test_db_over_a_foreign_sqlite_file(demo: Path) -> None:
    other = demo / "app.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    res = run("report", *_ev(demo), "--db", str(other), "--out", str(demo / "out"))
    _refused(res, other)
    assert other.read_bytes() == before


def test_report_out_holding_other_files(demo: Path) -> None:
    out = demo / "mine"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    res = run("report", *_ev(demo), "--db", str(demo / "h.db"), "--out", str(out))
    _refused(res, out)
    assert "keep.txt" in res.stderr
    assert sorted(os.listdir(out)) == ["keep.txt"]
    assert not (demo / "h.db").exists()  # refused before the snapshot was stored
    # the report's own directory can be written again and again
    own = demo / "out"
    for _ in range(2):
        res = run("report", *_ev(demo), "--db", str(demo / "h.db"), "--out", str(own))
        assert res.exit_code == 0, res.output
    assert sorted(os.listdir(own)) == ["report.html", "report.json", "report.md"]


def test_report_file_linked_to_an_input(demo: Path) -> None:
    out = demo / "out"
    out.mkdir()
    (out / "report.md").symlink_to(demo / "ev.csv")
    before = (demo / "ev.csv").read_bytes()
    res = run("report", *_ev(demo), "--db", str(demo / "h.db"), "--out", str(out))
    _refused(res, out / "report.md", demo / "ev.csv")
    assert (demo / "ev.csv").read_bytes() == before


def test_save_model_over_a_csv(tmp_path: Path) -> None:
    from tests.predict.synth import JOURNEY as PJ
    from tests.predict.synth import synth_csv

    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(PJ)
    ev = tmp_path / "ev.csv"
    ev.write_text(synth_csv(customers=60))
    before = ev.read_bytes()
    res = run("predict", str(ev), "-j", str(tmp_path / "j"), "--save-model", str(ev))
    _refused(res, ev)
    assert ev.read_bytes() == before
    other = tmp_path / "data.csv"
    other.write_text("a,b\n1,2\n")
    res = run("predict", str(ev), "-j", str(tmp_path / "j"), "--save-model", str(other))
    _refused(res, other)
    assert "not a journeyctl model file" in " ".join(res.stderr.split())
    assert other.read_text() == "a,b\n1,2\n"


def test_signatures_agree_with_the_writers() -> None:
    """fileio recognises journeyctl's files by constants kept beside it: they must be the
    writers' own."""
    from journeyctl import fileio
    from journeyctl.history.migrations import APPLICATION_ID
    from journeyctl.predict.modelio import FORMAT

    assert fileio.HISTORY_APPLICATION_ID == APPLICATION_ID
    assert fileio.MODEL_FORMAT == FORMAT


@pytest.mark.parametrize("cmd", ["place", "analyze"])
def test_output_over_an_input_or_a_foreign_file(demo: Path, cmd: str) -> None:
    # found by the second attack: -o over the events, a journey file or any file destroyed it
    ev = [str(demo / "ev.csv"), "-j", str(demo / "j"), "--skip-bad-rows"]
    (demo / "notes.txt").write_text("my notes\n")
    (demo / "link.csv").symlink_to(demo / "ev.csv")
    for target in (
        demo / "ev.csv",
        demo / "link.csv",
        demo / "j" / "demo.yaml",
        demo / "notes.txt",
    ):
        before = target.read_bytes()
        _refused(run(cmd, *ev, "-o", str(target)), target)
        assert target.read_bytes() == before
    assert run(cmd, *ev, "-o", str(demo / "notes.txt"), "--force").exit_code == 0
    assert (demo / "notes.txt").read_bytes() != b"my notes\n"


@pytest.mark.parametrize(
    ("cmd", "formats"),
    [
        ("place", ["table", "json", "csv", "markdown"]),
        ("analyze", ["table", "json", "markdown", "html"]),
    ],
)
def test_output_replaces_its_own_earlier_output(demo: Path, cmd: str, formats: list[str]) -> None:
    ev = [str(demo / "ev.csv"), "-j", str(demo / "j"), "--skip-bad-rows"]
    for fmt in formats:
        out = demo / f"out.{fmt}"
        for _ in range(2):  # the second run replaces the first run's file
            res = run(cmd, *ev, "-f", fmt, "-o", str(out))
            assert res.exit_code == 0, (fmt, res.stderr)
