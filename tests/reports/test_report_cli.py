"""`journeyctl report` end to end: the exact comparison, files, formats, replace, --by, settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from journeyctl.history.compare import CATEGORIES
from tests.helpers import run, subset_mismatches
from tests.history import scenario

DB = "hist/h.db"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report(*args: str) -> Any:
    res = run(*args)
    assert res.exit_code == 0, res.stderr + res.stdout
    return res


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_two_snapshots_give_exactly_the_hand_made_changes(work: Path) -> None:
    report(*scenario.first_args(DB, "out1"), "--format", "json")
    first = load(work / "out1" / "report.json")
    assert first["previous_as_of"] is None
    assert first["changes"] == {
        k: scenario.FIRST_SNAPSHOT_CUSTOMERS if k == "new" else [] for k in CATEGORIES
    }

    res = report(*scenario.second_args(DB, "out2"), "--format", "json")
    doc = load(work / "out2" / "report.json")
    assert json.loads(res.stdout) == doc  # stdout json is the report.json object
    assert list(doc)[:7] == [
        "schema_version",
        "as_of",
        "previous_as_of",
        "run_at",
        "customers",
        "at_risk",
        "journeys",
    ]
    assert doc["schema_version"] == 1
    assert doc["as_of"] == scenario.T2
    assert doc["previous_as_of"] == scenario.T1
    assert doc["changes"] == scenario.EXPECTED_CHANGES
    assert list(doc["changes"]) == list(CATEGORIES)
    assert subset_mismatches(scenario.EXPECTED_JOURNEYS, doc["journeys"]) == []
    assert doc["unmatched"] == 2  # u1, and rk2 (on the free plan now)
    assert (doc["customers"], doc["at_risk"]) == (21, 3)
    flow = doc["journeys"][1]
    assert flow["changes"]["new"] == 3 and flow["changes"]["switched_journey"] == 0
    assert doc["journeys"][0]["changes"]["switched_journey"] == 1  # counted where it is now
    for name in ("report.md", "report.json", "report.html"):
        assert (work / "out2" / name).stat().st_size > 0
    assert not list((work / "out2").glob(".journeyctl-*"))  # no temporary file left behind


def test_same_as_of_replaces_and_backfill_compares_with_the_one_before(work: Path) -> None:
    report(*scenario.first_args(DB, "out1"))
    report(*scenario.second_args(DB, "out2"))
    res = report(*scenario.second_args(DB, "out2"))
    assert "replaced the snapshot" in res.stderr
    assert load(work / "out2" / "report.json")["changes"] == scenario.EXPECTED_CHANGES
    snaps = json.loads(report("history", "--db", DB, "--format", "json").stdout)["snapshots"]
    assert [s["as_of"] for s in snaps] == [scenario.T1, scenario.T2]
    # A backfill between the two compares with T1 (the greatest as-of before it), not with T2.
    report(
        "report", "base.csv", "-j", "journeys2", "--as-of", "2026-01-13", "--db", DB, "--out", "o3"
    )
    back = load(work / "o3" / "report.json")
    assert back["previous_as_of"] == scenario.T1
    # ch0 signs up on the 13th, cancels on the 14th
    assert back["changes"]["churned"] == ["ch1", "rk1"]
    assert back["changes"]["new"] == []
    # The T2 report is unchanged by the backfill until it is re-run; then T2 compares with the 13th.
    report(*scenario.second_args(DB, "out2"))
    again = load(work / "out2" / "report.json")
    assert again["previous_as_of"] == "2026-01-13T00:00:00Z"
    assert again["changes"]["churned"] == ["ch0"]


def test_by_attribute(work: Path) -> None:
    report(*scenario.first_args(DB, "out1"))
    # `nothing`: a column of the events that no customer has a value in
    base = (work / "base.csv").read_text(encoding="utf-8").splitlines()
    with_empty = [base[0] + ",nothing", *(row + "," for row in base[1:])]
    (work / "base.csv").write_text("\n".join(with_empty) + "\n", encoding="utf-8")
    res = report(*scenario.second_args(DB, "out2"), "--by", "plan", "--by", "nothing")
    assert "warning: no customer has the attribute 'nothing'" in res.stderr
    by = load(work / "out2" / "report.json")["by"]
    zero = dict.fromkeys(CATEGORIES, 0)
    assert by["plan"][0] == {
        "value": "basic",
        "customers": 1,
        "at_risk": 0,
        "changes": {**zero, "switched_journey": 1},
    }
    assert by["plan"][1] == {"value": "free", "customers": 2, "at_risk": 0, "changes": zero}
    pro = by["plan"][2]
    assert (pro["value"], pro["customers"], pro["at_risk"]) == ("pro", 18, 3)
    assert pro["changes"]["vanished"] == 1  # v1, by its attributes in the previous snapshot
    assert pro["changes"]["new"] == 3
    assert [r["value"] for r in by["nothing"]] == [None]
    md = (work / "out2" / "report.md").read_text(encoding="utf-8")
    assert "## By plan" in md and "## By nothing" in md


def test_summary_formats_and_quiet(work: Path) -> None:
    report(*scenario.first_args(DB, "out1"))
    res = report(*scenario.second_args(DB, "out2"))
    assert "Changes as of 2026-01-20T00:00:00Z (since 2026-01-10T00:00:00Z)" in res.stdout
    assert "Regressed" in res.stdout and "r1, r2" in res.stdout
    assert "\x1b[" not in res.stdout + res.stderr  # no colour off a terminal
    assert f"in {DB}; wrote out2/report.json, out2/report.md, out2/report.html" in res.stderr
    res = report(*scenario.second_args(DB, "out2"), "--format", "markdown")
    assert "| Newly at risk | 2 | ar1, nm1 |" in res.stdout
    res = report(*scenario.second_args(DB, "out2"), "--quiet")
    assert res.stdout == "" and res.stderr == ""
    assert run(*scenario.second_args(DB, "out2"), "--format", "csv").exit_code == 2


def test_markdown_escapes_log_data(work: Path) -> None:
    report(*scenario.first_args(DB, "out1"))
    report(*scenario.second_args(DB, "out2"))
    md = (work / "out2" / "report.md").read_text(encoding="utf-8")
    assert "Unhappy &lt;b&gt;customer&lt;/b&gt;" in md
    assert "<b>" not in md


def test_settings_from_journeyctl_toml(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (work / "journeyctl.toml").write_text(
        'journeys = "journeys2"\ndb = "store/h.db"\nout = "site"\nwait = 5\n'
        '[report]\nby = ["plan"]\nfail_on = "new>0"\n',
        encoding="utf-8",
    )
    (work / "sub").mkdir()
    monkeypatch.chdir(work / "sub")  # cron starts elsewhere; the config is found in a parent
    res = run("report", "../base.csv", "--as-of", scenario.T2)
    assert res.exit_code == 1, res.stderr  # fail_on from the config
    assert "fail-on met: new>0" in res.stderr
    assert (work / "store" / "h.db").is_file()
    doc = load(work / "site" / "report.json")
    assert [r["value"] for r in doc["by"]["plan"]] == ["basic", "free", "pro"]
    assert (
        run("report", "../base.csv", "--as-of", scenario.T2, "--fail-on", "churned>5").exit_code
        == 0
    )
    (work / "journeyctl.toml").write_text('journeys = "journeys2"\n[report]\nby = 3\n')
    res = run("report", "../base.csv")
    assert res.exit_code == 2
    assert "[report] `by` must be a string or a list of strings, not 3" in res.stderr


def test_default_locations(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Beside journeyctl.toml...
    (work / "journeyctl.toml").write_text('journeys = "journeys2"\n', encoding="utf-8")
    report("report", "base.csv", "--as-of", scenario.T2)
    assert (work / ".journeyctl" / "history.db").is_file()
    assert (work / ".journeyctl" / "journeyctl-report" / "report.html").is_file()
    # ...else in the directory that holds the first journeys path.
    (work / "journeyctl.toml").unlink()
    (work / "cs").mkdir()
    (work / "journeys2").rename(work / "cs" / "journeys")
    (work / "elsewhere").mkdir()
    monkeypatch.chdir(work / "elsewhere")
    report("report", "../base.csv", "-j", str(work / "cs" / "journeys"), "--as-of", scenario.T2)
    assert (work / "cs" / ".journeyctl" / "history.db").is_file()
    assert (work / "cs" / ".journeyctl" / "journeyctl-report" / "report.md").is_file()
    res = report("history", "-j", str(work / "cs" / "journeys"), "--format", "json")
    assert len(json.loads(res.stdout)["snapshots"]) == 1


def test_unwritable_out_is_exit_2(work: Path) -> None:
    (work / "blocker").write_text("a file where the directory should be")
    res = run(*scenario.first_args(DB, "blocker/out"))
    assert res.exit_code == 2
    assert "cannot write blocker/out/report.json" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_by_breakdown_is_printed_on_stdout_too(work: Path, fmt: str) -> None:
    report(*scenario.first_args(DB, "out1"))
    res = report(*scenario.second_args(DB, "out2"), "--by", "plan", "-f", fmt)
    assert "By plan" in res.stdout, res.stdout
    cells = [line.replace("|", " ").replace("│", " ").replace("┃", " ").split()
             for line in res.stdout.splitlines()]  # fmt: skip
    if fmt == "markdown":  # a row per value, as in report.md
        for value, customers in (("basic", "1"), ("free", "2"), ("pro", "18")):
            assert [value, customers] in [c[:2] for c in cells], res.stdout
    else:  # on a terminal, few values are the columns, so 80 columns keep every header whole
        assert ["plan", "basic", "free", "pro"] in cells, res.stdout
        assert ["customers", "1", "2", "18"] in cells, res.stdout


def test_transposed_table_swaps_rows_and_columns() -> None:
    from journeyctl.output.tabledata import TableData

    t = TableData(
        "By plan", ("plan", "customers", "at risk"), (("free", "2", "0"), ("pro", "18", "3"))
    )
    assert t.transposed() == TableData(
        "By plan", ("plan", "free", "pro"), (("customers", "2", "18"), ("at risk", "0", "3"))
    )
