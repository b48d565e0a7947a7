"""`journeyctl history`: snapshots, one customer, the trend; table, json, csv and markdown."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import run
from tests.history import scenario


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("history")
    scenario.write(root)
    # An input whose name a spreadsheet would take for a formula.
    shutil.copy(root / "extra.csv", root / "=cmd.csv")
    return root


@pytest.fixture(autouse=True)
def _in_workdir(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    if not (workdir / "h.db").exists():
        first = ["report", "=cmd.csv", "base.csv", *scenario.first_args("h.db", "o")[3:]]
        assert run(*first).exit_code == 0
        assert run(*scenario.second_args("h.db", "o")).exit_code == 0


def history(*args: str) -> str:
    res = run("history", "--db", "h.db", *args)
    assert res.exit_code == 0, res.stderr
    return str(res.stdout)


def test_snapshots_json() -> None:
    doc = json.loads(history("--format", "json"))
    assert doc["schema_version"] == 1
    one, two = doc["snapshots"]
    assert (one["as_of"], one["customers"], one["at_risk"], one["unmatched"]) == (
        scenario.T1,
        19,
        4,  # with rk1 and rk2 (a poor NPS)
        2,  # u1, and u2 before it moved to the pro plan
    )
    assert (two["as_of"], two["customers"], two["at_risk"], two["unmatched"]) == (
        scenario.T2,
        21,
        3,
        2,  # u1, and rk2 on the free plan
    )
    assert [(j["id"], j["version"]) for j in one["journeys"]] == [("basic", 1), ("flow", 1)]
    assert [(j["id"], j["version"]) for j in two["journeys"]] == [("basic", 1), ("flow", 2)]
    assert all(len(j["content_hash"]) == 64 for j in one["journeys"] + two["journeys"])
    assert one["journeys"][1]["content_hash"] != two["journeys"][1]["content_hash"]
    assert [i["name"] for i in one["inputs"]] == ["=cmd.csv", "base.csv"]
    assert one["inputs"][1]["size"] == Path("base.csv").stat().st_size
    assert one["run_at"].endswith("Z")


def test_snapshots_csv_table_markdown() -> None:
    rows = list(csv.reader(io.StringIO(history("--format", "csv"))))
    assert rows[0] == ["as_of", "run_at", "journeys", "customers", "at_risk", "unmatched", "inputs"]
    assert rows[1][2] == "basic v1, flow v1"
    assert rows[1][3:6] == ["19", "4", "2"]
    assert rows[1][6].startswith("'=cmd.csv (")  # formula-escaped
    assert rows[2][2] == "basic v1, flow v2"
    table = history()
    assert "Snapshots" in table and "2026-01-20T00:00:00Z" in table
    assert "| as of | run at | journeys |" in history("--format", "markdown")


def test_customer_across_snapshots() -> None:
    doc = json.loads(history("--customer", "r1", "--format", "json"))
    assert doc["schema_version"] == 1
    assert doc["customer"]["customer_id"] == "r1"
    assert [(s["as_of"], s["stage"], s["status"]) for s in doc["customer"]["snapshots"]] == [
        (scenario.T1, "renewal", "active"),
        (scenario.T2, "adoption", "active"),
    ]
    absent = json.loads(history("--customer", "v1", "--format", "json"))["customer"]["snapshots"]
    assert [(s["present"], s["journey"], s["status"]) for s in absent] == [
        (True, "flow", "active"),
        (False, None, None),
    ]
    rows = list(csv.reader(io.StringIO(history("--customer", "ar1", "--format", "csv"))))
    assert rows == [
        ["as_of", "journey", "journey_version", "stage", "status", "risk_level", "risks"],
        [scenario.T1, "flow", "1", "adoption", "active", "none", ""],
        [scenario.T2, "flow", "2", "adoption", "active", "high", "unhappy"],
    ]
    unmatched = list(csv.reader(io.StringIO(history("--customer", "u1", "--format", "csv"))))
    assert unmatched[1][1:5] == ["", "", "", "unmatched"]
    table = history("--customer", "v1")
    assert "absent" in table


def test_trend() -> None:
    doc = json.loads(history("--trend", "--format", "json"))
    rows = [
        (r["as_of"][:10], r["journey"], r["stage"], r["customers"], r["at_risk"])
        for r in doc["trend"]
    ]
    t2 = [r for r in rows if r[0] == "2026-01-20"]
    assert t2 == [
        ("2026-01-20", "basic", "start", 1, 0),
        ("2026-01-20", "flow", "onboarding", 6, 2),
        ("2026-01-20", "flow", "adoption", 7, 1),
        ("2026-01-20", "flow", "value", 1, 0),
        ("2026-01-20", "flow", "churned", 3, 0),
        ("2026-01-20", "flow", "done", 1, 0),
        ("2026-01-20", None, None, 2, 0),
    ]
    t1 = [r for r in rows if r[0] == "2026-01-10"]
    assert ("2026-01-10", "flow", None, 1, 0) in t1  # ns1 had not started
    assert ("2026-01-10", "flow", "pilot", 1, 0) in t1
    assert sum(r[3] for r in t1) == 19
    lines = history("--trend", "--format", "csv").splitlines()
    assert lines[0] == "as_of,journey,stage,customers,at_risk"
    assert f"{scenario.T2},flow,onboarding,6,2" in lines
    assert "(unmatched)" in history("--trend")


def test_errors() -> None:
    res = run("history", "--db", "h.db", "--customer", "nobody")
    assert res.exit_code == 2
    assert "unknown customer 'nobody'" in res.stderr
    assert run("history", "--db", "h.db", "--customer", "r1", "--trend").exit_code == 2
    assert run("history", "--db", "h.db", "--format", "yaml").exit_code == 2
