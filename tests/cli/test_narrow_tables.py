"""Tables at 80 columns never cut an id, a journey or stage id or an instant (PRODUCT §4)."""

from __future__ import annotations

import io
import json

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
