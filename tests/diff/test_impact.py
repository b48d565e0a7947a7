"""Impact: the same events replayed under both sides, in real git repositories (PRODUCT §4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.diff import cases
from tests.diff.cases import edit, line_of
from tests.diff.conftest import GitRepo
from tests.helpers import run

COUNTS = (
    "forward",
    "backward",
    "stage_removed",
    "changed_journey",
    "newly_unmatched",
    "newly_matched",
    "newly_at_risk",
    "no_longer_at_risk",
)


def cell(fj: str | None, fs: str | None, tj: str | None, ts: str | None, n: int) -> dict[str, Any]:
    return {"from_journey": fj, "from_stage": fs, "to_journey": tj, "to_stage": ts, "customers": n}


def identity(journey: str = "demo", head_journey: str | None = None) -> list[dict[str, Any]]:
    """The matrix when nobody moves: every pair that occurs under BASE."""
    hj = head_journey or journey
    return [
        cell(journey, None, hj, None, 1),
        cell(journey, "onboarding", hj, "onboarding", 2),
        cell(journey, "adoption", hj, "adoption", 1),
        cell(journey, "renewal", hj, "renewal", 1),
        cell(journey, "churned", hj, "churned", 1),
        cell(None, None, None, None, 1),
    ]


def counts(**nonzero: list[str]) -> dict[str, Any]:
    return {
        name: {"count": len(nonzero.get(name, [])), "examples": nonzero.get(name, [])}
        for name in COUNTS
    }


def diff_json(repo: GitRepo, head_text: str, *args: str) -> dict[str, Any]:
    """Commit BASE, then HEAD's text; `diff HEAD~1 HEAD --events events.csv --format json`."""
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit("base")
    repo.write("journeys/demo.yaml", head_text)
    repo.commit("head")
    res = run("diff", "HEAD~1", "HEAD", "--events", "events.csv", "--format", "json", *args)
    assert res.exit_code == 0, res.stderr + res.stdout
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def impact_of(out: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    imp = dict(out["impact"])
    assert imp.pop("customers") == 7
    assert imp.pop("as_of") == "2026-01-20T00:00:00Z"
    return imp.pop("matrix"), imp


def test_due_date_shortened_turns_a_milestone_overdue(repo: GitRepo) -> None:
    out = diff_json(repo, cases.DUE_SHORTENED)
    assert out["schema_version"] == 1
    assert (out["base"], out["head"], out["invalid"]) == ("HEAD~1", "HEAD", [])
    assert out["journeys"] == [
        {
            "id": "demo",
            "change": "changed",
            "renamed_from": None,
            "file": "journeys/demo.yaml",
            "version": {"base": 1, "head": 1, "bumped": False},
            "changes": [
                {
                    "path": "stages.onboarding.milestones.kickoff.due",
                    "kind": "changed",
                    "base": "10d",
                    "head": "5d",
                    "line": line_of(cases.DUE_SHORTENED, "due: 5d"),
                }
            ],
        }
    ]
    matrix, cnt = impact_of(out)
    assert matrix == identity()
    # b2 signed on 01-12: kickoff due 01-22 under 10d, 01-17 under 5d: overdue at 01-20.
    assert cnt == counts(newly_at_risk=["b2"])


def test_new_regression_transition_moves_backward(repo: GitRepo) -> None:
    out = diff_json(repo, cases.REGRESSION)
    assert [c["path"] for c in out["journeys"][0]["changes"]] == ["transitions[1]"]
    matrix, cnt = impact_of(out)
    expected = identity()
    expected[3] = cell("demo", "renewal", "demo", "adoption", 1)
    assert matrix == expected
    assert cnt == counts(backward=["a1"])


def test_segment_narrowed_leaves_customers_unmatched(repo: GitRepo) -> None:
    out = diff_json(repo, cases.NARROWED)
    matrix, cnt = impact_of(out)
    expected = identity()
    expected[2] = cell("demo", "adoption", None, None, 1)
    assert matrix == expected
    assert cnt == counts(newly_unmatched=["c3"])


def test_segment_widened_is_newly_matched(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.NARROWED)
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    repo.write("journeys/demo.yaml", cases.BASE)
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "json")
    matrix, cnt = impact_of(json.loads(res.stdout))
    assert cell(None, None, "demo", "adoption", 1) in matrix
    assert matrix[-1] == cell(None, None, None, None, 1)
    assert cnt == counts(newly_matched=["c3"])


def test_inserted_stage_changes_nothing_for_customers(repo: GitRepo) -> None:
    out = diff_json(repo, cases.INSERTED)
    assert [(c["path"], c["kind"]) for c in out["journeys"][0]["changes"]] == [
        ("stages.activated", "added")
    ]
    matrix, cnt = impact_of(out)
    assert (matrix, cnt) == (identity(), counts())


def test_reorder_compares_in_the_head_order(repo: GitRepo) -> None:
    out = diff_json(repo, cases.REORDERED)
    assert out["journeys"][0]["changes"] == [
        {
            "path": "stages.adoption",
            "kind": "moved",
            "base": 1,
            "head": 2,
            "line": line_of(cases.REORDERED, "id: adoption"),
        }
    ]
    matrix, cnt = impact_of(out)
    expected = identity()
    expected[3] = cell("demo", "renewal", "demo", "adoption", 1)
    assert matrix == expected
    # renewal is now stage 1 and adoption stage 2: a1 moves forward in the head order.
    assert cnt == counts(forward=["a1"])


def test_stage_removed(repo: GitRepo) -> None:
    matrix, cnt = impact_of(diff_json(repo, cases.STAGE_REMOVED))
    assert cell("demo", "renewal", "demo", "adoption", 1) in matrix
    assert cnt == counts(stage_removed=["a1"])


def test_rename_is_the_same_journey(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    repo.git("mv", "journeys/demo.yaml", "journeys/renamed.yaml")
    repo.write("journeys/renamed.yaml", cases.RENAMED)
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "json")
    out = json.loads(res.stdout)
    assert [(j["id"], j["change"], j["renamed_from"], j["file"]) for j in out["journeys"]] == [
        ("demo-renamed", "renamed", "demo", "journeys/renamed.yaml")
    ]
    matrix, cnt = impact_of(out)
    assert matrix == identity("demo", "demo-renamed")
    assert cnt == counts()


def test_reformat_is_no_change_and_no_impact(repo: GitRepo) -> None:
    out = diff_json(repo, cases.REFORMATTED)
    assert [(j["change"], j["changes"], j["version"]) for j in out["journeys"]] == [
        ("unchanged", [], {"base": 1, "head": 1, "bumped": False})
    ]
    assert impact_of(out) == (identity(), counts())


def test_changed_journey_and_risk_recovery(repo: GitRepo) -> None:
    # A more specific journey for NA takes the NA customers; f6 is at risk only under demo
    # (its `unhappy` risk is not in the new journey, and it has no overdue milestone there).
    na = """\
journey: demo-na
version: 1
segment: {plan: pro, region: NA}
priority: 1
stages:
  - id: onboarding
    enter_when: {event: signed}
  - id: churned
    terminal: true
    outcome: churned
transitions:
  - {from: "*", to: churned, when: {event: cancelled}}
"""
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    repo.write("journeys/demo-na.yaml", na)
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "json")
    out = json.loads(res.stdout)
    assert [(j["id"], j["change"]) for j in out["journeys"]] == [
        ("demo", "unchanged"),
        ("demo-na", "added"),
    ]
    matrix, cnt = impact_of(out)
    assert matrix == [
        cell("demo", None, "demo-na", None, 1),
        cell("demo", "onboarding", "demo-na", "onboarding", 2),
        cell("demo", "adoption", "demo", "adoption", 1),
        cell("demo", "renewal", "demo-na", "onboarding", 1),
        cell("demo", "churned", "demo-na", "churned", 1),
        cell(None, None, None, None, 1),
    ]
    assert cnt == counts(changed_journey=["a1", "b2", "d4", "e5", "f6"], no_longer_at_risk=["f6"])


def test_examples_are_the_first_five_sorted(repo: GitRepo) -> None:
    rows = "".join(f"z{i:02d},2026-01-0{1 + i % 5}T00:00:00Z,signed,pro,EMEA,\n" for i in range(8))
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS + rows)
    repo.commit()
    repo.write("journeys/demo.yaml", cases.NARROWED)
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "json")
    imp = json.loads(res.stdout)["impact"]
    assert imp["newly_unmatched"] == {
        "count": 9,
        "examples": ["c3", "z00", "z01", "z02", "z03"],
    }


def test_as_of_accounts_and_columns(repo: GitRepo) -> None:
    events = cases.EVENTS.replace("customer_id,", "account,", 1)
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", events)
    repo.write("accounts.csv", "account,plan,region\nb2,pro,NA\n")
    repo.commit()
    repo.write("journeys/demo.yaml", cases.DUE_SHORTENED)
    args = ["diff", "HEAD", "--events", "events.csv", "--column", "customer_id=account"]
    res = run(*args, "--as-of", "2026-01-16T00:00:00Z", "--format", "json")
    imp = json.loads(res.stdout)["impact"]
    # At 01-16 b2's kickoff (due 01-17 under 5d) is not overdue yet.
    assert (imp["as_of"], imp["customers"], imp["newly_at_risk"]["count"]) == (
        "2026-01-16T00:00:00Z",
        7,
        0,
    )
    res = run(*args, "--accounts", "accounts.csv", "--format", "json")
    imp = json.loads(res.stdout)["impact"]
    # With accounts only b2 has attributes: everyone else is unmatched on both sides.
    assert imp["matrix"] == [
        cell("demo", "onboarding", "demo", "onboarding", 1),
        cell(None, None, None, None, 6),
    ]
    assert imp["newly_at_risk"] == {"count": 1, "examples": ["b2"]}


@pytest.mark.parametrize("side", ["base", "head"])
def test_invalid_side_has_no_impact(repo: GitRepo, side: str) -> None:
    broken = edit(cases.BASE, "severity: high", "severity: urgent")
    repo.write("journeys/demo.yaml", broken if side == "base" else cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    repo.write("journeys/demo.yaml", cases.BASE if side == "base" else broken)
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "json")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["impact"] is None
    label = "HEAD" if side == "base" else "working tree"
    assert out["impact_note"] == (
        f"impact not computed: the definitions on the {side} ({label}) side have errors "
        "(listed under invalid)"
    )
    assert [(p["side"], p["rule"], p["severity"]) for p in out["invalid"]] == [
        (side, "schema", "error")
    ]
    assert "warning: impact not computed" in res.stderr


def test_events_problems_are_exit_2(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS + "x9,not-a-time,signed,pro,NA,\n")
    repo.commit()
    res = run("diff", "HEAD", "--events", "events.csv")
    assert res.exit_code == 2 and "1 bad row" in res.stderr
    res = run("diff", "HEAD", "--events", "events.csv", "--skip-bad-rows", "--format", "json")
    assert res.exit_code == 0 and "skipped 1 bad row" in res.stderr
    assert json.loads(res.stdout)["impact"]["customers"] == 7
    assert run("diff", "HEAD", "--events", "missing.csv").exit_code == 2
    assert run("diff", "HEAD", "--events", "events.csv", "--as-of", "soon").exit_code == 2
