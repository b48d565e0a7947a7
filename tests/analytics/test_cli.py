"""`journeyctl analyze` beyond the scenarios: formats, errors, escaping, and the library call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeyctl.analytics import analyze
from journeyctl.analytics.numbers import percentiles, ratio, round_half_up
from journeyctl.definitions.load import load_journeys, require_valid
from journeyctl.inputs import EventInputs
from journeyctl.pipeline import run_place
from tests.helpers import run

CASE = Path(__file__).parent / "scenarios" / "01-funnel-with-skips"
ARGS = [str(CASE / "events.csv"), "-j", str(CASE / "journeys")]


def test_rounding_is_half_up_on_the_decimal_value() -> None:
    assert ratio(1, 8) == 0.125  # exact: no rounding needed
    assert ratio(1, 3) == 0.3333 and ratio(2, 3) == 0.6667
    assert ratio(1, 20000) == 0.0001  # 0.00005 rounds up, not to even
    assert ratio(0, 0) is None
    assert round_half_up(2.675, 2) == 2.68  # round() gives 2.67 (binary 2.67499...)
    assert round_half_up(0.05, 1) == 0.1
    assert percentiles([0.0, 10.0], (50, 90)) == [5.0, 9.0]
    assert percentiles([], (50,)) == [None]


def test_the_library_call_matches_the_cli() -> None:
    js = require_valid(load_journeys([str(CASE / "journeys")]))
    placed = run_place(js, EventInputs((str(CASE / "events.csv"),)))
    a = analyze(placed.result, placed.log.table)
    doc = json.loads(run("analyze", *ARGS, "--format", "json").stdout)
    assert [f.reached for f in a.journeys[0].tables.funnel] == [
        f["reached"] for f in doc["journeys"][0]["funnel"]
    ]


def test_unknown_journey_is_a_usage_error() -> None:
    res = run("analyze", *ARGS, "--journey", "nope")
    assert res.exit_code == 2
    assert "unknown journey 'nope'" in res.stderr and "known journeys: funnel" in res.stderr


def test_unknown_format_is_a_usage_error() -> None:
    res = run("analyze", *ARGS, "--format", "csv")
    assert res.exit_code == 2
    assert "table, json, markdown, html" in res.stderr


def test_output_file_and_unwritable_output(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    res = run("analyze", *ARGS, "--format", "json", "--output", str(out))
    assert res.exit_code == 0 and res.stdout == ""
    assert json.loads(out.read_text())["schema_version"] == 1
    (tmp_path / "file").write_text("x")
    res = run("analyze", *ARGS, "--output", str(tmp_path / "file" / "a.txt"))
    assert res.exit_code == 2
    assert "cannot write" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_tables_for_people(fmt: str) -> None:
    res = run("analyze", *ARGS, "--format", fmt)
    assert res.exit_code == 0, res.stderr
    text = res.stdout.replace("\\", "")  # Markdown escapes the parentheses
    assert "funnel (5 customers, 1 not started)" in text
    assert "paths (2 of 4 as designed, 50.0%)" in text


def test_markdown_escapes_values_from_the_log(tmp_path: Path) -> None:
    events = tmp_path / "e.csv"
    events.write_text(
        "customer_id,timestamp,event,region\nc1,2026-01-01T00:00:00Z,start,<b>x</b>|*y*\n",
        encoding="utf-8",
    )
    res = run(
        "analyze", str(events), "-j", str(CASE / "journeys"), "--by", "region", "-f", "markdown"
    )
    assert res.exit_code == 0, res.stderr
    assert "<b>" not in res.stdout and "|*y*" not in res.stdout
    assert "&lt;b&gt;x&lt;/b&gt;\\|\\*y\\*" in res.stdout


def test_bad_journeys_stop_the_command(tmp_path: Path) -> None:
    (tmp_path / "j.yaml").write_text(
        "journey: j\nversion: 1\nstages:\n  - id: a\n    enter_when: {event: x}\n"
        "kpis:\n  - id: nps\n    mean: {event: nps}\n",
        encoding="utf-8",
    )
    res = run("analyze", str(CASE / "events.csv"), "-j", str(tmp_path))
    assert res.exit_code == 2
    assert "kpi-property" in res.stderr


def test_json_lists_the_data_checks_warnings(tmp_path: Path) -> None:
    # PRODUCT §4: every command that reads events lists its data-check warnings in its JSON
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(
        "journey: demo\nversion: 1\nstages:\n  - id: onboarding\n    enter_when: {event: signed}\n"
        "  - id: live\n    enter_when: {event: subscription_start}\n"
    )
    (tmp_path / "ev.csv").write_text(
        "customer_id,timestamp,event\nc1,2026-01-01T00:00:00Z,signed\n"
        "c1,2026-01-02T00:00:00Z,subscription_started\n"
    )
    res = run("analyze", str(tmp_path / "ev.csv"), "-j", str(tmp_path / "j"), "-f", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert [w["check"] for w in doc["warnings"]] == ["event-not-in-input"], doc
    assert "'subscription_start'" in doc["warnings"][0]["message"]
    assert "subscription_start" in res.stderr
    clean = json.loads(run("analyze", *ARGS, "--format", "json").stdout)
    assert clean["warnings"] == []
