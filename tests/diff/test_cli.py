"""`journeyctl diff` through the CLI: every format, every --fail-on form, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.diff import cases
from tests.diff.cases import edit, line_of
from tests.diff.conftest import GitRepo
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]
BROKEN = edit(cases.BASE, "severity: high", "severity: urgent")


@pytest.fixture
def changed(repo: GitRepo) -> GitRepo:
    """BASE committed with the events; the working tree has the due date shortened."""
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit("base")
    repo.write("journeys/demo.yaml", cases.DUE_SHORTENED)
    return repo


def test_text_is_the_default_off_a_terminal(changed: GitRepo) -> None:
    res = run("diff", "HEAD", "--events", "events.csv")
    assert res.exit_code == 0, res.stderr
    assert res.stdout == (
        "diff HEAD -> working tree: 1 journey: 1 changed, 0 added, 0 removed, 0 renamed, "
        "0 unchanged; 0 errors, 0 warnings; 1 version not bumped\n"
        "journeys/demo.yaml: demo changed (version 1, not bumped)\n"
        '  journeys/demo.yaml:14: stages.onboarding.milestones.kickoff.due changed: "10d" -> "5d"\n'
        "impact on 7 customers as of 2026-01-20T00:00:00Z:\n"
        "  forward: 0\n"
        "  backward: 0\n"
        "  stage_removed: 0\n"
        "  changed_journey: 0\n"
        "  newly_unmatched: 0\n"
        "  newly_matched: 0\n"
        "  newly_at_risk: 1 (b2)\n"
        "  no_longer_at_risk: 0\n"
        "  matrix (base -> head: customers):\n"
        "    7 customers in the same stage on both sides (not listed)\n"
    )
    assert res.stdout == run("diff", "HEAD", "--events", "events.csv", "-f", "text").stdout


def test_text_lists_removals_problems_and_unchanged(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    other = cases.BASE.replace("journey: demo", "journey: other").replace("NA, EMEA", "APAC")
    repo.write("journeys/other.yaml", other)
    repo.commit()
    repo.write(
        "journeys/demo.yaml",
        BROKEN.replace("  - id: renewal\n    enter_when: {event: renewal_opened}\n", ""),
    )
    res = run("diff", "HEAD")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[1:] == [
        "journeys/demo.yaml: demo changed (version 1, not bumped)",
        f"  journeys/demo.yaml:{line_of(cases.BASE, 'id: renewal')} (base): stages.renewal removed: "
        '{"id": "renewal", "enter_when": {"event": "renewal_opened"}}',
        f"  journeys/demo.yaml:{line_of(BROKEN, 'urgent') - 2}: risks.unhappy.severity changed: "
        '"high" -> "urgent"',
        "unchanged: other",
        "problems on the head (working tree) side:",
        *[ln for ln in run("validate", "journeys", "-f", "text").stdout.splitlines()],
    ]
    assert any(ln.startswith("journeys/demo.yaml:") and " error schema: " in ln for ln in lines)


def test_json(changed: GitRepo) -> None:
    out = json.loads(run("diff", "HEAD", "--format", "json").stdout)
    assert list(out) == [
        "schema_version",
        "base",
        "head",
        "journeys",
        "invalid",
        "impact",
        "impact_note",
        "warnings",
    ]
    assert (out["schema_version"], out["base"], out["head"], out["impact"]) == (
        1,
        "HEAD",
        "working tree",
        None,
    )


def test_json_invalid_is_validate_json_with_a_side(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", BROKEN)
    repo.commit()
    repo.write("journeys/demo.yaml", cases.BASE)
    out = json.loads(run("diff", "HEAD", "--format", "json").stdout)
    repo.write("journeys/demo.yaml", BROKEN)
    validate = json.loads(run("validate", "journeys", "--format", "json").stdout)
    assert out["invalid"] == [{"side": "base", **p} for p in validate["problems"]]


def test_table(changed: GitRepo) -> None:
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "table")
    assert res.exit_code == 0
    for text in (
        "Journeys",
        "Changes",
        "stages.onboarding.milestones.kickoff.due",
        "Impact on 7 customers as of 2026-01-20T00:00:00Z",
        "newly_at_risk",
        "Stage-to-stage matrix (base -> head)",
        "7 customers in the same stage on both sides (not listed)",  # no pair moved
    ):
        assert text in res.stdout
    assert "\x1b[" not in res.stdout


def test_markdown_escapes_everything_from_the_data(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    head = edit(
        cases.BASE,
        "        due: 10d\n",
        "        due: 10d\n    activities: ['*Call* <b>them</b> | now']\n",
    )
    repo.write("journeys/demo.yaml", head)
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "markdown")
    assert res.exit_code == 0
    md = res.stdout
    assert md.startswith("**journeyctl diff** HEAD → working tree: 1 journey: 1 changed")
    assert "## Changes" in md and "## Impact on 7 customers" in md
    row = next(ln for ln in md.splitlines() if "activities" in ln)
    assert row == (
        f"| demo | {line_of(head, 'activities')} | stages.onboarding.activities | added |  | "
        '\\["\\*Call\\* &lt;b&gt;them&lt;/b&gt; \\| now"\\] |'
    )
    assert "| newly\\_at\\_risk | 0 |  |" in md
    assert "<b>" not in md


def test_github_annotations(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write(
        "journeys/gone.yaml",
        cases.BASE.replace("journey: demo", "journey: gone").replace("NA, EMEA", "APAC"),
    )
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    repo.remove("journeys/gone.yaml")
    repo.write("journeys/demo.yaml", edit(cases.REGRESSION, "version: 1", "version: 2"))
    repo.write("journeys/new.yaml", BROKEN.replace("journey: demo", "journey: new"))
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "github")
    assert res.exit_code == 0
    line = line_of(cases.REGRESSION, "from: renewal")
    err = line_of(BROKEN, "urgent")
    assert res.stdout.splitlines() == [
        f"::notice file=journeys/demo.yaml,line={line},title=demo%3A transitions[1] added::"
        'transitions[1] added: {"from": "renewal", "to": "adoption", "when": {"event": "pushback"}}',
        "::notice title=journey gone removed::journeys/gone.yaml: gone removed (version 1)",
        "::notice file=journeys/new.yaml,line=1,title=journey new added::"
        "journeys/new.yaml: new added (version 1)",
        f"::error file=journeys/new.yaml,line={err},col=15,title=schema::"
        + (lambda p: f"{p['message']} (hint: {p['hint']})")(
            json.loads(run("validate", "journeys", "-f", "json").stdout)["problems"][0]
        ),
        "::warning title=journeyctl diff impact::impact not computed: the definitions on the head "
        "(working tree) side have errors (listed under invalid)",
    ]


def test_github_base_problems_and_impact_notice(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", "journey: demo\nversion: [\n")
    repo.write("events.csv", cases.EVENTS)
    first = repo.commit()
    repo.write("journeys/demo.yaml", cases.DUE_SHORTENED)
    repo.commit()
    res = run("diff", first, "--events", "events.csv", "--format", "github")
    out = res.stdout.splitlines()
    # The base file did not parse: on the structural side the journey is new.
    assert out[0] == (
        "::notice file=journeys/demo.yaml,line=1,title=journey demo added::"
        "journeys/demo.yaml: demo added (version 1)"
    )
    # A base-side problem names its revision and position in the message, not as a location.
    assert out[1].startswith(
        f"::error title=yaml-syntax (base)::base ({first}): journeys/demo.yaml:"
    )
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit()
    repo.write("journeys/demo.yaml", cases.DUE_SHORTENED)
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "github")
    assert res.stdout.splitlines()[-1] == (
        "::notice title=journeyctl diff impact::7 customers as of 2026-01-20T00:00:00Z: forward 0, "
        "backward 0, stage_removed 0, changed_journey 0, newly_unmatched 0, newly_matched 0, "
        "newly_at_risk 1, no_longer_at_risk 0"
    )
    assert res.stdout.splitlines()[1] == (
        f"::warning file=journeys/demo.yaml,line={line_of(cases.BASE, 'version:')},"
        "title=demo%3A version not bumped::demo changed but its version is still 1: bump `version`"
    )


def test_unknown_format_is_exit_2(changed: GitRepo) -> None:
    res = run("diff", "HEAD", "--format", "csv")
    assert res.exit_code == 2 and "unknown format 'csv'" in res.stderr


@pytest.mark.parametrize(
    ("head", "fail_on", "code"),
    [
        (cases.DUE_SHORTENED, ["version_not_bumped"], 1),
        (cases.DUE_SHORTENED, ["version-not-bumped"], 1),
        (edit(cases.DUE_SHORTENED, "version: 1", "version: 2"), ["version_not_bumped"], 0),
        (cases.REFORMATTED, ["version_not_bumped"], 0),
        (cases.RENAMED, ["version_not_bumped"], 0),
        (cases.REGRESSION, ["backward>0"], 1),
        (cases.REGRESSION, ["backward>1"], 0),
        (cases.REORDERED, ["forward>0"], 1),
        (cases.NARROWED, ["newly_unmatched>0"], 1),
        (cases.NARROWED, ["newly-unmatched>0"], 1),
        (cases.NARROWED, ["newly_unmatched>1"], 0),
        (cases.STAGE_REMOVED, ["stage_removed>0"], 1),
        (cases.DUE_SHORTENED, ["newly_at_risk>0"], 1),
        (cases.DUE_SHORTENED, ["newly_at_risk:medium"], 1),
        (cases.DUE_SHORTENED, ["newly_at_risk:high"], 0),
        (cases.DUE_SHORTENED, ["changed_journey>0", "newly_matched>0", "no_longer_at_risk>0"], 0),
        (cases.DUE_SHORTENED, ["backward>5,version_not_bumped"], 1),
        (cases.REGRESSION, ["backward>5", "newly_unmatched>0"], 0),
        (cases.DUE_SHORTENED, ["invalid"], 0),
        (BROKEN, ["invalid"], 1),
        (BROKEN, [], 0),
        (BROKEN, ["backward>0"], 0),
    ],
)
def test_fail_on(repo: GitRepo, head: str, fail_on: list[str], code: int) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    repo.write("journeys/demo.yaml", head)
    args = [a for f in fail_on for a in ("--fail-on", f)]
    res = run("diff", "HEAD", "--events", "events.csv", "--format", "json", *args)
    assert res.exit_code == code, res.stderr
    json.loads(res.stdout)  # the output is written either way
    if code:
        assert "fail-on met: " in res.stderr
    if head is BROKEN and "backward>0" in fail_on:
        assert "warning: not evaluated without an impact: backward>0" in res.stderr


def test_fail_on_quiet_prints_only_the_met_condition(changed: GitRepo) -> None:
    # PRODUCT §4: a met --fail-on condition is always printed to stderr, even with --quiet
    res = run("diff", "HEAD", "--fail-on", "version_not_bumped", "--quiet", "-f", "json")
    assert (res.exit_code, res.stderr) == (1, "fail-on met: version_not_bumped\n")


def test_fail_on_invalid_in_the_base_side(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", BROKEN)
    repo.commit()
    repo.write("journeys/demo.yaml", cases.BASE)
    assert run("diff", "HEAD", "--fail-on", "invalid").exit_code == 1
    assert run("diff", "HEAD").exit_code == 0


def test_warnings_are_listed_but_not_invalid(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("journeys/catalog.yaml", "events:\n  - name: signed\n")
    repo.commit()
    res = run("diff", "HEAD", "--fail-on", "invalid", "-f", "json")
    assert res.exit_code == 0
    problems = json.loads(res.stdout)["invalid"]
    assert {(p["side"], p["severity"], p["rule"]) for p in problems} == {
        ("base", "warning", "unknown-event"),
        ("head", "warning", "unknown-event"),
    }


@pytest.mark.parametrize(
    ("fail_on", "message"),
    [
        ("moved-backward>1", "unknown --fail-on condition 'moved-backward>1'"),
        ("unmatched>1", "unknown --fail-on condition 'unmatched>1'"),
        ("invalid>1", "unknown --fail-on condition 'invalid>1'"),
        ("backward", "unknown --fail-on condition 'backward'"),
        ("backward>x", "bad --fail-on 'backward>x'"),
        ("newly_at_risk:severe", "bad level in --fail-on 'newly_at_risk:severe'"),
    ],
)
def test_fail_on_unknown_is_exit_2_listing_the_valid_ones(
    changed: GitRepo, fail_on: str, message: str
) -> None:
    res = run("diff", "HEAD", "--events", "events.csv", "--fail-on", fail_on)
    assert res.exit_code == 2
    assert message in res.stderr
    if "unknown" in message:
        assert "valid: forward>N, backward>N, stage_removed>N" in res.stderr
        assert "newly_at_risk:LEVEL, version_not_bumped, invalid" in res.stderr


def test_impact_conditions_need_events(changed: GitRepo) -> None:
    res = run("diff", "HEAD", "--fail-on", "backward>0")
    assert res.exit_code == 2
    assert "--fail-on backward>0 needs the impact: give --events" in res.stderr


def test_bad_events_win_over_fail_on(changed: GitRepo) -> None:
    res = run("diff", "HEAD", "--events", "nope.csv", "--fail-on", "version_not_bumped")
    assert res.exit_code == 2


def test_two_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "demo.yaml").write_text(cases.BASE)
    (tmp_path / "new" / "demo.yaml").write_text(cases.REGRESSION)
    (tmp_path / "events.csv").write_text(cases.EVENTS)
    monkeypatch.chdir(tmp_path)
    res = run("diff", "old", "new", "--events", "events.csv", "--format", "json")
    out = json.loads(res.stdout)
    assert (out["base"], out["head"], out["journeys"][0]["file"]) == ("old", "new", "new/demo.yaml")
    assert out["impact"]["backward"] == {"count": 1, "examples": ["a1"]}


def test_subprocess_in_a_real_repository(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit("base")
    repo.write("journeys/demo.yaml", cases.INSERTED)
    repo.commit("insert a stage")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "journeyctl", "diff", "HEAD~1"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "journeys/demo.yaml: demo changed (version 1, not bumped)",
        f"  journeys/demo.yaml:{line_of(cases.INSERTED, 'id: activated')}: stages.activated added: "
        '{"id": "activated", "enter_when": {"event": "activated"}}',
    ]


@pytest.mark.parametrize("fmt", ["table", "markdown", "text"])
def test_every_customer_moves(tmp_path: Path, fmt: str) -> None:
    # the matrix had no unchanged pair to count, and the table renderer read the count's line:
    # exit 3 (IndexError) for table and markdown
    journey = (
        "journey: small\nversion: {v}\nstages:\n  - id: start\n    enter_when: {{event: signed_up}}\n"
        "  - id: active\n    enter_when: {{event: {e}}}\n"
    )
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "base" / "small.yaml").write_text(journey.format(v=1, e="used"))
    (tmp_path / "head" / "small.yaml").write_text(journey.format(v=2, e="signed_up"))
    (tmp_path / "one.csv").write_text(
        "customer_id,timestamp,event\nc1,2026-01-01T00:00:00Z,signed_up\n"
    )
    res = run("diff", str(tmp_path / "base"), str(tmp_path / "head"), "--events",
              str(tmp_path / "one.csv"), "-f", fmt)  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert "start" in res.stdout and "active" in res.stdout
    assert "same stage on both sides" not in res.stdout
