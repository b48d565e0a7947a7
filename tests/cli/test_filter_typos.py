"""A typo in a filter is a usage error with the nearest name, never an empty result: "At-risk
accounts: none" after `--journey analytics-enterprise` reads as good news (PRODUCT §4, exit 2)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run
from tests.history import scenario

EVENTS = "sample_journeys/events.csv"
J = ["-j", "sample_journeys"]
JOURNEYS = (
    "analytics-enterprise-na, analytics-smb-emea, durables-post-purchase, services-relationship"
)


def usage_error(*args: str) -> str:
    """The stderr of a run that must stop with exit 2 before printing any result."""
    res = run(*args)
    assert res.exit_code == 2, res.stderr + res.stdout
    assert res.stdout == ""
    return str(res.stderr)


@pytest.mark.parametrize("command", ["place", "analyze"])
def test_unknown_journey_names_the_nearest(command: str) -> None:
    err = usage_error(command, EVENTS, *J, "--journey", "analytics-enterprise")
    assert "unknown journey 'analytics-enterprise'" in err
    assert "did you mean analytics-enterprise-na?" in err


@pytest.mark.parametrize("command", ["place", "analyze"])
def test_unknown_journey_far_from_every_id_lists_them(command: str) -> None:
    err = usage_error(command, EVENTS, *J, "--journey", "analytics-enterprise-na", "--journey", "x")
    assert "unknown journey 'x'" in err and f"known journeys: {JOURNEYS}" in err


def test_unknown_stage_names_the_nearest() -> None:
    err = usage_error("place", EVENTS, *J, "--stage", "renewl", "--format", "csv")
    assert "unknown stage 'renewl'" in err and "did you mean renewal?" in err


def test_a_stage_only_other_journeys_have_is_unknown_under_journey() -> None:
    err = usage_error(
        "place", EVENTS, *J, "--journey", "services-relationship", "--stage", "renewal"
    )
    assert "unknown stage 'renewal' in journey services-relationship" in err
    assert "known stages: reactive, proactive, strategic, partnership, churned, offboarded" in err


def test_known_journey_and_stage_still_filter() -> None:
    args = ["--journey", "analytics-enterprise-na", "--stage", "renewal", "--format", "json"]
    res = run("place", EVENTS, *J, *args)
    assert res.exit_code == 0, res.stderr
    shown = json.loads(res.stdout)["customers"]
    assert shown and {(c["journey"], c["stage"]) for c in shown} == {
        ("analytics-enterprise-na", "renewal")
    }


def test_show_suggests_the_id_that_differs_only_by_case() -> None:
    err = usage_error("show", "C-00039", EVENTS, *J)
    assert "unknown customer 'C-00039'" in err and "did you mean c-00039?" in err


def test_show_says_the_arguments_look_swapped() -> None:
    err = usage_error("show", EVENTS, "c-00039", *J)
    assert "arguments look swapped" in err and "no such file" not in err
    assert "usage: journeyctl show CUSTOMER EVENTS..." in err
    assert f"journeyctl show c-00039 {EVENTS}" in err


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_report_unknown_by_attribute_stores_nothing(history: Path) -> None:
    err = usage_error(*scenario.second_args("h.db", "out"), "--by", "plna")
    assert "unknown attribute 'plna'" in err and "did you mean plan?" in err
    # a usage error leaves no snapshot and no report behind
    assert not (history / "out").exists()
    with sqlite3.connect(history / "h.db") as db:
        assert db.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)


def test_analyze_unknown_by_attribute_is_named() -> None:
    # it grouped every customer under "(none)" with exit 0
    err = usage_error("analyze", EVENTS, *J, "--by", "regoin")
    assert "unknown attribute 'regoin'" in err and "did you mean region?" in err
