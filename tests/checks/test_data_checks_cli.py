"""The data checks of PRODUCT §4 through the CLI: typos that would give silently wrong answers
are warnings on stderr and in every command's JSON, and `--fail-on warnings>0` fails on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run

JOURNEY = """\
journey: team-na
version: 1
segment: {tier: team, region: NA}
stages:
  - id: onboarding
    enter_when: {event: subscription_start}
    milestones:
      - id: kickoff
        when: {event: kickoff, where: {channel: video}}
        due: 7d
  - id: adoption
    enter_when: {event: feature_used, distinct: feature, at_least: 2}
risks:
  - id: quiet
    when: {inactive: [login], for: 21d}
    severity: high
"""

EVENTS = """\
customer_id,timestamp,event,tier,region,feature
c-1,2026-01-01T00:00:00Z,subscription_started,team,NA,
c-1,2026-01-02T00:00:00Z,login,,,
c-2,2026-01-01T00:00:00Z,subscription_started,team,na,
c-3,2026-01-02T00:00:00Z,feature_used,team,NA,x
c-3,2026-01-03T00:00:00Z,kickoff,,,
"""


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "team.yaml").write_text(JOURNEY, encoding="utf-8")
    (tmp_path / "e.csv").write_text(EVENTS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def checks(doc: dict[str, Any]) -> list[str]:
    return [w["check"] for w in doc["warnings"]]


def test_typo_in_an_event_name_is_a_warning_with_a_suggestion(work: Path) -> None:
    res = run("place", "e.csv", "-j", "j")
    assert res.exit_code == 0, res.stderr
    line = (
        "j/team.yaml:6:17: warning event-not-in-input: event 'subscription_start' (team-na stage "
        "onboarding enter_when) occurs nowhere in the input: conditions on it never hold"
    )
    assert line in res.stderr.splitlines()
    assert "  hint: did you mean 'subscription_started'?" in res.stderr.splitlines()
    doc = json.loads(run("place", "e.csv", "-j", "j", "-f", "json").stdout)
    first = doc["warnings"][0]
    assert first == {
        "check": "event-not-in-input",
        "message": line.split("event-not-in-input: ", 1)[1],
        "hint": "did you mean 'subscription_started'?",
        "file": "j/team.yaml",
        "line": 6,
        "col": 17,
    }


def test_missing_columns_for_where_and_segment(work: Path) -> None:
    doc = json.loads(run("place", "e.csv", "-j", "j", "-f", "json").stdout)
    messages = [w["message"] for w in doc["warnings"] if w["check"] == "column-not-in-input"]
    assert messages == [
        "property 'channel' (team-na milestone kickoff where) is not a column of the events: "
        "it is always empty"
    ]
    (work / "e.csv").write_text(EVENTS.replace("tier,", "plan,"), encoding="utf-8")
    doc = json.loads(run("place", "e.csv", "-j", "j", "-f", "json").stdout)
    seg = [w for w in doc["warnings"] if "'tier'" in w["message"]]
    assert len(seg) == 1 and "(team-na segment)" in seg[0]["message"]
    assert seg[0]["line"] == 3
    # a column of --accounts is a column too
    (work / "acc.csv").write_text("customer_id,tier,region\nc-1,team,NA\n", encoding="utf-8")
    doc = json.loads(run("place", "e.csv", "-j", "j", "--accounts", "acc.csv", "-f", "json").stdout)
    assert not [w for w in doc["warnings"] if "'tier'" in w["message"]]


def test_fail_on_warnings(work: Path) -> None:
    res = run("place", "e.csv", "-j", "j", "--fail-on", "warnings>0")
    assert res.exit_code == 1
    assert "fail-on met: warnings>0" in res.stderr
    assert run("place", "e.csv", "-j", "j", "--fail-on", "warnings>5").exit_code == 0
    good = JOURNEY.replace("subscription_start}", "subscription_started}").replace(
        "where: {channel: video}", "where: {feature: x}"
    )
    (work / "j" / "team.yaml").write_text(good, encoding="utf-8")
    (work / "e.csv").write_text(EVENTS.replace(",na,", ",NA,"), encoding="utf-8")
    res = run("place", "e.csv", "-j", "j", "--fail-on", "warnings>0")
    assert res.exit_code == 0, res.stderr
    assert "warning" not in res.stderr


def test_case_near_miss_in_show_and_in_the_unmatched_warning(work: Path) -> None:
    res = run("show", "c-2", "e.csv", "-j", "j")
    assert res.exit_code == 0, res.stderr
    assert "matches no journey's segment (unmatched)" in res.stdout
    assert "hint: region 'na' is not 'NA' (journey team-na): letter case differs" in res.stdout
    doc = json.loads(run("show", "c-2", "e.csv", "-j", "j", "-f", "json").stdout)
    assert doc["near_miss"] == "region 'na' is not 'NA' (journey team-na): letter case differs"
    near = [w for w in doc["warnings"] if w["check"] == "case-near-miss"]
    assert near and "c-2: region 'na' is not 'NA'" in near[0]["message"]
    assert "1 unmatched customer (of 1) matches a journey but for letter case" in (
        run("place", "e.csv", "-j", "j").stderr
    )


def test_catalog_lists_input_events_it_does_not_know(work: Path) -> None:
    names = ["subscription_start", "kickoff", "feature_used", "login"]
    catalog = "events:\n" + "".join(f"  - name: {n}\n" for n in names)
    catalog = catalog.replace(
        "  - name: kickoff\n", "  - name: kickoff\n    properties:\n      channel: {}\n"
    )
    (work / "j" / "catalog.yaml").write_text(catalog, encoding="utf-8")
    rows = "".join(f"c-9,2026-01-03T00:00:00Z,odd_{k:02d},,,\n" for k in range(12))
    (work / "e.csv").write_text(EVENTS + rows, encoding="utf-8")
    doc = json.loads(run("place", "e.csv", "-j", "j", "-f", "json").stdout)
    (w,) = [w for w in doc["warnings"] if w["check"] == "uncatalogued-events"]
    listed = ", ".join(f"odd_{k:02d}" for k in range(10))
    assert w["message"] == (
        f"13 event names in the input are not in the catalog j/catalog.yaml: {listed}, ..."
    )


def test_every_command_that_reads_events_has_warnings_in_json(work: Path) -> None:
    (work / "h").mkdir()
    rep = run("report", "e.csv", "-j", "j", "--db", "h/h.db", "--out", "out", "-f", "json")
    assert rep.exit_code == 0, rep.stderr
    assert "event-not-in-input" in checks(json.loads(rep.stdout))
    assert json.loads((work / "out" / "report.json").read_text())["warnings"]
    assert "event-not-in-input" in rep.stderr
    assert (
        run(
            "report",
            "e.csv",
            "-j",
            "j",
            "--db",
            "h/h.db",
            "--out",
            "out",
            "--fail-on",
            "warnings>0",
        ).exit_code
        == 1
    )
    show = json.loads(run("show", "c-1", "e.csv", "-j", "j", "-f", "json").stdout)
    assert "event-not-in-input" in checks(show)
    diff = run("diff", "j", "j", "--events", "e.csv", "-f", "json")
    assert diff.exit_code == 0, diff.stderr
    assert "event-not-in-input" in checks(json.loads(diff.stdout))
    assert run("diff", "j", "j", "--events", "e.csv", "--fail-on", "warnings>0").exit_code == 1


def test_kpi_events_and_properties_are_checked_against_the_input(work: Path) -> None:
    journey = JOURNEY + (
        "kpis:\n"
        "  - id: nps\n"
        "    mean: {event: nps_submited, property: score}\n"
        "  - id: p1_tickets\n"
        "    count: {event: login, where: {priority: P1}}\n"
    )
    (work / "j" / "team.yaml").write_text(journey, encoding="utf-8")
    doc = json.loads(run("place", "e.csv", "-j", "j", "-f", "json").stdout)
    messages = [w["message"] for w in doc["warnings"]]
    assert any("'nps_submited' (team-na kpi nps)" in m for m in messages), messages
    assert any("'score' (team-na kpi nps property)" in m for m in messages), messages
    assert any("'priority' (team-na kpi p1_tickets where)" in m for m in messages), messages
