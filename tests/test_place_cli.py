"""`journeyctl place` and `journeyctl show` through the CLI: formats, filters, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, run_json

JOURNEY = """\
journey: demo
version: 3
segment: {plan: pro}
stages:
  - id: onboarding
    enter_when: {event: signed}
    max_duration: 10d
    milestones:
      - id: kickoff
        when: {event: kickoff}
        due: 3d
    activities: ["=HYPERLINK(\\"x\\")", "Book the kickoff"]
  - id: active
    enter_when: {milestones: [kickoff]}
  - id: renewal
    enter_when: {event: renewal_opened}
  - id: churned
    terminal: true
    outcome: churned
transitions:
  - from: renewal
    to: active
    when: {event: pushback}
  - from: "*"
    to: churned
    when: {event: cancelled}
risks:
  - id: angry
    title: Unhappy
    when: {latest: nps, where: {score: {lt: 7}}}
    severity: high
"""

EVENTS = """\
customer_id,timestamp,event,plan,score
a1,2026-01-01T00:00:00Z,signed,pro,
a1,2026-01-02T00:00:00Z,kickoff,,
a1,2026-01-10T00:00:00Z,renewal_opened,,
a1,2026-01-12T00:00:00Z,pushback,,
a1,2026-01-20T00:00:00Z,nps,,3
b2,2026-01-05T00:00:00Z,signed,pro,
c3,2026-01-06T00:00:00Z,signed,pro,
c3,2026-01-07T00:00:00Z,cancelled,,
-x,2026-01-08T00:00:00Z,signed,pro,
u9,2026-01-08T00:00:00Z,signed,free,
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    (tmp_path / "journeys").mkdir()
    (tmp_path / "journeys" / "demo.yaml").write_text(JOURNEY)
    (tmp_path / "events.csv").write_text(EVENTS)
    return tmp_path


def args(demo: Path, *extra: str) -> list[str]:
    return ["place", str(demo / "events.csv"), "-j", str(demo / "journeys"), *extra]


def test_json_object(demo: Path) -> None:
    out = run_json(*args(demo, "--format", "json"))
    assert out["schema_version"] == 1
    assert out["as_of"] == "2026-01-20T00:00:00Z"
    assert out["summary"] == {
        "customers": 5,
        "events": 10,
        "ignored_after_as_of": 0,
        "unmatched": 1,
        "bad_rows": 0,
    }
    assert out["unmatched"] == ["u9"]
    ids = [c["customer_id"] for c in out["customers"]]
    assert ids == ["-x", "a1", "b2", "c3"]
    a1 = out["customers"][1]
    assert a1["stage"] == "active" and a1["status"] == "active"
    assert [m["direction"] for m in a1["moves"]] == ["forward", "forward", "forward", "backward"]
    assert a1["moves"][3] == {
        "at": "2026-01-12T00:00:00Z",
        "from": "renewal",
        "to": "active",
        "direction": "backward",
        "skipped": [],
        "trigger": "pushback",
    }
    assert a1["risk_level"] == "high" and a1["at_risk"] is True
    b2 = out["customers"][2]
    assert b2["milestones"] == [
        {"id": "kickoff", "status": "overdue", "due_at": "2026-01-08T00:00:00Z", "done_at": None}
    ]
    assert [r["id"] for r in b2["risks"]] == ["overdue_milestone", "stalled"]
    assert b2["days_in_stage"] == 15.0
    c3 = out["customers"][3]
    assert c3["status"] == "churned" and c3["risk_level"] == "none" and c3["next_activities"] == []


def test_filters_do_not_change_summary(demo: Path) -> None:
    out = run_json(*args(demo, "--format", "json", "--at-risk"))
    assert [c["customer_id"] for c in out["customers"]] == ["-x", "a1", "b2"]
    assert out["summary"]["customers"] == 5
    out = run_json(*args(demo, "--format", "json", "--stage", "churned"))
    assert [c["customer_id"] for c in out["customers"]] == ["c3"]
    out = run_json(*args(demo, "--format", "json", "--journey", "demo", "--stage", "renewal"))
    assert out["customers"] == [] and out["summary"]["customers"] == 5
    out = run_json(*args(demo, "--format", "json", "--limit", "1"))
    assert [c["customer_id"] for c in out["customers"]] == ["-x"]


def test_csv_escapes_formulas(demo: Path) -> None:
    res = run(*args(demo, "--format", "csv"))
    assert res.exit_code == 0
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows[0][0] == "customer_id"
    assert rows[1][0] == "'-x"
    assert rows[1][-1] == '\'=HYPERLINK("x")'
    assert rows[1][6] == "12.0"  # days_in_stage written as a number


def test_table_and_markdown(demo: Path) -> None:
    res = run(*args(demo))
    assert res.exit_code == 0
    for title in ("Stage status", "Regressions", "At-risk accounts"):
        assert title in res.stdout
    assert "renewal -> active" in res.stdout
    md = run(*args(demo, "--format", "markdown")).stdout
    assert "## Stage status" in md and "| customer | journey |" in md
    assert "renewal \\-&gt; active" not in md and "renewal -&gt; active" in md


def test_fail_on(demo: Path) -> None:
    assert run(*args(demo, "--fail-on", "at_risk:high")).exit_code == 1
    assert run(*args(demo, "--fail-on", "at-risk:critical")).exit_code == 0
    assert run(*args(demo, "--fail-on", "at_risk>2")).exit_code == 1
    assert run(*args(demo, "--fail-on", "at_risk>3,unmatched>0")).exit_code == 1
    assert run(*args(demo, "--fail-on", "bad_rows>0")).exit_code == 0
    res = run(*args(demo, "--fail-on", "regressed>0"))
    assert res.exit_code == 2 and "at_risk>N" in res.stderr


def test_as_of(demo: Path) -> None:
    out = run_json(*args(demo, "--format", "json", "--as-of", "2026-01-05T00:00:00Z"))
    assert out["summary"]["ignored_after_as_of"] == 7
    assert [c["customer_id"] for c in out["customers"]] == ["a1", "b2"]
    assert out["customers"][0]["stage"] == "active"
    res = run(*args(demo, "--as-of", "yesterday"))
    assert res.exit_code == 2 and "bad --as-of" in res.stderr
    out = run_json(*args(demo, "--format", "json", "--as-of", "now"))
    assert out["summary"]["ignored_after_as_of"] == 0


def test_bad_rows_stop_or_skip(demo: Path) -> None:
    (demo / "events.csv").write_text(EVENTS + "z1,nonsense,signed,pro,\nz2,2026-01-01,,pro,\n")
    res = run(*args(demo))
    assert res.exit_code == 2
    assert "events.csv:12: unparseable timestamp 'nonsense'" in res.stderr
    assert "events.csv:13: missing event" in res.stderr
    rejects = demo / "rejects.csv"
    res = run(*args(demo, "--skip-bad-rows", "--rejects", str(rejects), "--format", "json"))
    assert res.exit_code == 0
    assert json.loads(res.stdout)["summary"]["bad_rows"] == 2
    assert "skipped 2 bad rows" in res.stderr
    rows = list(csv.reader(rejects.open()))
    assert rows[0][:3] == ["file", "line", "reason"]
    assert [r[1] for r in rows[1:]] == ["12", "13"]


def test_missing_column_is_not_skippable(demo: Path) -> None:
    (demo / "events.csv").write_text("customer_id,timestamp\nc1,2026-01-01\n")
    res = run(*args(demo, "--skip-bad-rows"))
    assert res.exit_code == 2 and "missing required column: event" in res.stderr


def test_column_mapping_and_config(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (demo / "mapped.csv").write_text(EVENTS.replace("customer_id,", "AccountId,", 1))
    res = run(
        "place",
        str(demo / "mapped.csv"),
        "-j",
        str(demo / "journeys"),
        "--column",
        "customer_id=AccountId",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.stderr
    (demo / "journeyctl.toml").write_text(
        'journeys = "journeys"\n[columns]\ncustomer_id = "AccountId"\n'
    )
    monkeypatch.chdir(demo)
    out = run_json("place", "mapped.csv", "--format", "json")
    assert out["summary"]["customers"] == 5
    res = run("place", "mapped.csv", "--column", "customer=AccountId")
    assert res.exit_code == 2 and "bad --column" in res.stderr


def test_invalid_journeys_exit_2(demo: Path) -> None:
    (demo / "journeys" / "demo.yaml").write_text(JOURNEY.replace("due: 3d", "due: 3 days"))
    res = run(*args(demo))
    assert res.exit_code == 2
    assert "demo.yaml:11:14:" in res.stderr and "is not a duration" in res.stderr


def test_missing_paths_exit_2(demo: Path) -> None:
    assert run("place", str(demo / "nope.csv"), "-j", str(demo / "journeys")).exit_code == 2
    assert run("place", str(demo / "events.csv"), "-j", str(demo / "nope")).exit_code == 2
    assert run("place", str(demo), "-j", str(demo / "journeys")).exit_code == 2


def test_no_valid_events(demo: Path) -> None:
    (demo / "events.csv").write_text("customer_id,timestamp,event\n")
    res = run(*args(demo))
    assert res.exit_code == 2 and "no valid event" in res.stderr
    out = run_json(*args(demo, "--as-of", "2026-01-01", "--format", "json"))
    assert out["customers"] == [] and out["summary"]["customers"] == 0


def test_stdin_and_subprocess(demo: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "journeyctl",
            "place",
            "-",
            "-j",
            str(demo / "journeys"),
            "--format",
            "json",
        ],
        input=EVENTS.encode(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["events"] == 10
    assert b"Traceback" not in proc.stderr


def test_show(demo: Path) -> None:
    base = ["show", "a1", str(demo / "events.csv"), "-j", str(demo / "journeys")]
    res = run(*base)
    assert res.exit_code == 0
    assert "REGRESSION" in res.stdout and "renewal -> active" in res.stdout
    assert "Unhappy" not in res.stdout or "angry" in res.stdout
    out = json.loads(run(*base, "--format", "json").stdout)
    assert out["customer_id"] == "a1" and out["stage"] == "active"
    kinds = [t["kind"] for t in out["timeline"]]
    assert kinds[:2] == ["event", "move"]
    assert out["risk_reasons"][0]["risk"] == "angry"
    assert out["risk_reasons"][0]["explanation"]["events"] == [
        {"at": "2026-01-20T00:00:00Z", "event": "nps"}
    ]
    targets = [n["to"] for n in out["next_moves"]]
    assert targets == ["churned", "renewal"]
    b2 = json.loads(
        run(
            "show", "b2", str(demo / "events.csv"), "-j", str(demo / "journeys"), "--format", "json"
        ).stdout
    )
    texts = [n["explanation"]["text"] for n in b2["next_moves"]]
    assert "waiting for milestone kickoff (overdue, due 2026-01-08)" in texts
    assert run(*base, "--format", "csv").exit_code == 0
    assert "## Timeline" in run(*base, "--format", "markdown").stdout


def test_show_unknown_and_unmatched(demo: Path) -> None:
    ev, j = str(demo / "events.csv"), str(demo / "journeys")
    res = run("show", "nobody", ev, "-j", j)
    assert res.exit_code == 2 and "unknown customer 'nobody'" in res.stderr
    res = run("show", "u9", ev, "-j", j)
    assert res.exit_code == 0 and "unmatched" in res.stdout
