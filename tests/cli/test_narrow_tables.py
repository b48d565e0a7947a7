"""Tables at 80 columns never cut an id, a journey or stage id or an instant (PRODUCT §4)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.output.tabledata import TableData
from journeyctl.output.tables import print_tables

PLACE = [
    "place",
    "sample_journeys/events.csv",
    "-j",
    "sample_journeys",
    "--accounts",
    "sample_journeys/accounts.csv",
]


# Tokens of a table: what lies between spaces, borders and punctuation.
SPLIT = re.compile(r"[\s\u2500-\u257f,;()\[\]`'\"]+")
# What a person copies from a table: an instant, or an id (c-00046, analytics-enterprise-na,
# installation_onboarding, renewal_pushback).
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ID = re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)+$")
HEADER_LINE = re.compile(r"^┃")
SAMPLE = "sample_journeys/events.csv"
JOURNEYS = ["-j", "sample_journeys", "--accounts", "sample_journeys/accounts.csv"]


def tokens(text: str) -> set[str]:
    return {t for t in SPLIT.split(text) if t}


def header_words(text: str) -> set[str]:
    """The words of every table header (the lines between ┏ and ┡)."""
    return {w for line in text.splitlines() if HEADER_LINE.match(line) for w in tokens(line)}


def at_width(args: list[str], columns: int) -> str:
    res = CliRunner().invoke(app, args, env={"COLUMNS": str(columns)})
    assert res.exit_code == 0, res.stderr
    return res.stdout


def assert_fits_80(args: list[str]) -> None:
    """At 80 columns: no line wider; every id and instant of the wide output, and every word of
    its headers, on one line, whole."""
    wide, narrow = at_width(args, 400), at_width(args, 80)
    long = [line for line in narrow.splitlines() if cell_len(line) > 80]
    assert not long, "\n".join(long)
    seen = tokens(narrow)
    ids = {t for t in tokens(wide) if INSTANT.match(t) or ID.match(t)}
    assert ids
    assert not ids - seen, f"cut at 80 columns: {sorted(ids - seen)[:10]}\n{narrow}"
    words = header_words(wide)
    assert not words - seen, f"header words broken: {sorted(words - seen)}\n{narrow}"
    assert "…" not in narrow


@pytest.fixture(scope="module")
def history_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two snapshots, the later with at-risk customers and their risk ids."""
    d = tmp_path_factory.mktemp("history")
    for as_of in ("2025-06-01T00:00:00Z", "2025-10-31T00:00:00Z"):
        args = ["report", SAMPLE, *JOURNEYS, "--db", str(d / "h.db"), "--out", str(d / as_of)]
        res = CliRunner().invoke(app, [*args, "--as-of", as_of])
        assert res.exit_code == 0, res.stderr
    return d / "h.db"


@pytest.mark.parametrize(
    "args",
    [
        ["place", SAMPLE, *JOURNEYS, "--limit", "120"],  # stage status, regressions, at risk
        ["show", "c-00046", SAMPLE, *JOURNEYS],
        ["analyze", SAMPLE, "-j", "sample_journeys"],
        ["diff", "sample_journeys", "sample_journeys", "--events", SAMPLE, "-f", "table"],
    ],
    ids=["place", "show", "analyze", "diff"],
)
def test_every_table_at_80_columns_keeps_ids_instants_and_header_words_whole(
    args: list[str],
) -> None:
    assert_fits_80(args)


@pytest.mark.parametrize(
    "extra",
    [[], ["--trend"], ["--customer", "c-00046"]],
    ids=["snapshots", "trend", "customer"],
)
def test_history_tables_at_80_columns(history_db: Path, extra: list[str]) -> None:
    assert_fits_80(["history", "--db", str(history_db), "-j", "sample_journeys", *extra])


def test_report_summary_and_breakdown_at_80_columns(tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "h.db"), "--force"]
    args = ["report", SAMPLE, *JOURNEYS, *db, "--by", "tier", "--by", "industry"]
    assert_fits_80([*args, "--out", str(tmp_path / "out")])


def test_stage_status_at_80_columns_shows_each_journey_as_a_heading() -> None:
    # the repeated journey column gives way to a heading row a journey, its stages under it
    out = at_width(["place", SAMPLE, *JOURNEYS], 80)
    status = out[: out.index("Regressions")]
    assert "│ analytics-enterprise-na " in status and "│   onboarding " in status, status
    assert status.count("analytics-enterprise-na") == 1, status
    wide = at_width(["place", SAMPLE, *JOURNEYS], 160)  # wide enough: a journey column again
    assert "│ analytics-enterprise-na │ onboarding " in wide


def test_place_tables_at_80_columns_keep_every_id_and_instant_whole() -> None:
    # the at-risk table's reasons wrap; its ids and the regressions' instants stay whole
    runner = CliRunner()
    res = runner.invoke(app, [*PLACE, "--limit", "120"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.stderr
    assert "…" not in res.stdout
    doc = json.loads(runner.invoke(app, [*PLACE, "--limit", "120", "-f", "json"]).stdout)
    lines = res.stdout
    at_risk = [c for c in doc["customers"] if c["at_risk"]]
    assert at_risk
    for c in at_risk:  # the at-risk table: customer, journey and stage ids, each on one line
        assert f"│ {c['customer_id']} " in lines
        assert f"│ {c['journey']} " in lines
        assert f"│ {c['stage']} " in lines
    for c in doc["customers"]:
        for m in c["moves"]:
            if m["direction"] == "backward":
                assert f"│ {m['at']} │" in lines  # the regressions table's instants


def test_prose_wraps_and_ids_stay_whole_on_a_console_80_wide() -> None:
    out = io.StringIO()
    table = TableData(
        "At-risk accounts",
        ("customer", "journey", "stage", "reasons", "days"),
        (
            (
                "c-000123456",
                "analytics-enterprise-na",
                "onboarding",
                "Repeated late payments or an open invoice dispute, and NPS below 7",
                "12.5",
            ),
        ),
    )
    print_tables(Console(file=out, width=80, no_color=True), [table])
    text = out.getvalue()
    assert "…" not in text
    for whole in table.rows[0][:3]:
        assert whole in text, text
    assert "Repeated late payments" not in text  # the prose column wrapped instead


def test_diff_matrix_hides_unchanged_pairs_in_text_and_table_but_json_keeps_them() -> None:
    args = ["diff", "sample_journeys", "sample_journeys", "--events", "sample_journeys/events.csv"]
    runner = CliRunner()
    doc = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    matrix = doc["impact"]["matrix"]
    assert matrix and all(
        (m["from_journey"], m["from_stage"]) == (m["to_journey"], m["to_stage"]) for m in matrix
    )
    same = sum(m["customers"] for m in matrix)
    for fmt in ("text", "table"):
        out = runner.invoke(app, [*args, "-f", fmt]).stdout
        assert f"{same} customers in the same stage on both sides (not listed)" in out, out
        assert "onboarding -> " not in out and "│ onboarding" not in out, out


def test_validate_problems_keep_their_ids_at_80(tmp_path: Path) -> None:
    """validate's Problems table cut rule ids (`dupl…`) at 80 columns: where the ids do not fit
    whole beside the message, the problems are the text format's lines, coloured."""
    bad = tmp_path / "j.yaml"
    bad.write_text(
        "journey: demo\nversion: 1\nstages:\n  - id: onboarding\n    enter_when: {event: a}\n"
        "transitions:\n  - {from: nowhere_at_all_really, to: onboarding, when: {event: b}}\n"
    )
    args = ["validate", str(tmp_path), "--format", "table"]
    for columns in (80, 200):
        res = CliRunner().invoke(app, args, env={"COLUMNS": str(columns)})
        assert res.exit_code == 1, res.stdout
        assert "…" not in res.stdout
        assert all(cell_len(line) <= columns for line in res.stdout.splitlines())
        flat = " ".join(res.stdout.split())
        assert "unknown-stage" in flat and str(bad) in flat, res.stdout
    assert "Problems" in CliRunner().invoke(app, args, env={"COLUMNS": "200"}).stdout


def test_place_md_shows_the_80_column_layout_as_printed() -> None:
    """docs/place.md's 80-column excerpt is the tool's output (it drifted once already)."""
    doc = Path("docs/place.md").read_text()
    block = doc.split("At 80 columns the sample's **Stage status** looks like this:")[1]
    shown = block.split("```text\n")[1].split("…\n```")[0]
    printed = at_width(["place", SAMPLE, "-j", "sample_journeys"], 80)
    assert printed.startswith(shown)
