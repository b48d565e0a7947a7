"""`journeyctl show --since/--moves-only/--last` (the timeline filters) and `--all-attributes`
through the CLI, on a 14-entry timeline worked out by hand below."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run

JOURNEY = """\
journey: demo
version: 1
segment: {plan: pro}
stages:
  - id: onboarding
    enter_when: {event: signed}
    milestones:
      - id: kickoff
        when: {event: kickoff}
        due: 3d
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
"""

EVENTS = """\
customer_id,timestamp,event,plan,region
a1,2026-01-01T00:00:00Z,signed,pro,EU
a1,2026-01-02T00:00:00Z,login,,
a1,2026-01-03T00:00:00Z,kickoff,,
a1,2026-01-05T00:00:00Z,login,,
a1,2026-01-10T00:00:00Z,renewal_opened,,
a1,2026-01-11T00:00:00Z,login,,
a1,2026-01-12T00:00:00Z,pushback,,
a1,2026-01-15T00:00:00Z,login,,
a1,2026-01-20T00:00:00Z,cancelled,,
u9,2026-01-08T00:00:00Z,signed,free,US
"""

# a1's whole timeline, 14 entries: each event, and each move right after the event causing it.
E, M = "event", "move"
TIMELINE = [
    ("2026-01-01", E, "signed"),  # 1
    ("2026-01-01", M, "(start) -> onboarding"),  # 2
    ("2026-01-02", E, "login"),  # 3
    ("2026-01-03", E, "kickoff"),  # 4
    ("2026-01-03", M, "onboarding -> active"),  # 5: the kickoff milestone is done
    ("2026-01-05", E, "login"),  # 6
    ("2026-01-10", E, "renewal_opened"),  # 7
    ("2026-01-10", M, "active -> renewal"),  # 8
    ("2026-01-11", E, "login"),  # 9
    ("2026-01-12", E, "pushback"),  # 10
    ("2026-01-12", M, "renewal -> active"),  # 11: backward
    ("2026-01-15", E, "login"),  # 12
    ("2026-01-20", E, "cancelled"),  # 13
    ("2026-01-20", M, "active -> churned"),  # 14: churn is a move too
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "j.yaml").write_text(JOURNEY)
    (tmp_path / "e.csv").write_text(EVENTS)
    (tmp_path / "accounts.csv").write_text("customer_id,plan,owner\na1,pro,ann\nu9,free,bob\n")
    return tmp_path


def show(files: Path, *extra: str, customer: str = "a1") -> Any:
    return run("show", customer, str(files / "e.csv"), "-j", str(files / "j.yaml"), *extra)


def entries(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The JSON timeline as (day, kind, what) like TIMELINE."""
    out = []
    for t in doc["timeline"]:
        day = t["at"][:10]
        what = t["event"] if t["kind"] == E else f"{t['from'] or '(start)'} -> {t['to']}"
        out.append((day, t["kind"], what))
    return out


def pick(*numbers: int) -> list[tuple[str, str, str]]:
    return [TIMELINE[n - 1] for n in numbers]


CASES = [
    # (options, entries shown (1-based in TIMELINE), hidden, the note)
    ([], list(range(1, 15)), 0, None),
    (
        ["--moves-only"],
        [2, 5, 8, 11, 14],
        9,
        "9 of 14 timeline entries hidden: 9 events (--moves-only)",
    ),
    (
        ["--since", "2026-01-10"],  # at or after: entries 7 and 8 are at 2026-01-10T00:00:00Z
        list(range(7, 15)),
        6,
        "6 of 14 timeline entries hidden: 6 before 2026-01-10T00:00:00Z (--since)",
    ),
    (
        ["--since", "2026-01-12T00:00:01Z"],
        [12, 13, 14],
        11,
        "11 of 14 timeline entries hidden: 11 before 2026-01-12T00:00:01Z (--since)",
    ),
    (["--last", "3"], [12, 13, 14], 11, "11 of 14 timeline entries hidden: 11 earlier (--last)"),
    (["--last", "14"], list(range(1, 15)), 0, None),
    (["--last", "20"], list(range(1, 15)), 0, None),
    # since first (7..14: 5 events, moves 8, 11, 14), then moves only (5 hidden), then the last 2
    (
        ["--last", "2", "--moves-only", "--since", "2026-01-10"],
        [11, 14],
        12,
        "12 of 14 timeline entries hidden: 6 before 2026-01-10T00:00:00Z (--since), "
        "5 events (--moves-only), 1 earlier (--last)",
    ),
    (
        ["--since", "2027-01-01"],
        [],
        14,
        "14 of 14 timeline entries hidden: 14 before 2027-01-01T00:00:00Z (--since)",
    ),
]


@pytest.mark.parametrize(("options", "shown", "hidden", "note"), CASES)
def test_timeline_filters_json(
    files: Path, options: list[str], shown: list[int], hidden: int, note: str | None
) -> None:
    res = show(files, *options, "-f", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert entries(doc) == pick(*shown)
    assert doc["timeline_hidden"] == hidden
    assert len(doc["moves"]) == 5  # the placement's moves are never filtered


@pytest.mark.parametrize(("options", "shown", "hidden", "note"), CASES)
def test_timeline_filters_table_say_what_is_hidden(
    files: Path, options: list[str], shown: list[int], hidden: int, note: str | None
) -> None:
    res = show(files, *options)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    notes = [ln for ln in lines if "timeline entries hidden" in ln]
    assert notes == ([note] if note else [])
    rows = [ln for ln in lines if ln.startswith("│ 2026-")]
    assert len(rows) == len(shown)
    if shown:
        last = TIMELINE[shown[-1] - 1]
        assert last[2] in rows[-1]
    else:
        assert "Timeline: none" in lines


@pytest.mark.parametrize(("options", "shown", "hidden", "note"), CASES)
def test_timeline_filters_csv_rows_and_the_note_on_stderr(
    files: Path, options: list[str], shown: list[int], hidden: int, note: str | None
) -> None:
    res = show(files, *options, "-f", "csv")
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    got = [(r["at"][:10], r["kind"]) for r in rows]
    assert got == [(d, k) for d, k, _ in pick(*shown)]
    assert res.stderr == (f"note: {note}\n" if note else "")
    assert show(files, *options, "-f", "csv", "--quiet").stderr == ""


def test_moves_only_keeps_the_regression_and_the_churn_in_markdown(files: Path) -> None:
    res = show(files, "--since", "2026-01-10", "--moves-only", "--last", "2", "-f", "markdown")
    assert res.exit_code == 0
    section = res.stdout.split("## Timeline\n", 1)[1].split("## Milestones", 1)[0]
    assert section == (
        "\n| at | kind | what | details |\n"
        "|---|---|---|---|\n"
        "| 2026-01-12T00:00:00Z | REGRESSION | renewal -&gt; active | trigger: pushback |\n"
        "| 2026-01-20T00:00:00Z | move | active -&gt; churned | trigger: cancelled |\n"
        "\n"
        "_12 of 14 timeline entries hidden: 6 before 2026-01-10T00:00:00Z \\(--since\\), "
        "5 events \\(--moves-only\\), 1 earlier \\(--last\\)_\n\n"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--last", "0"], "bad --last 0: it must be at least 1"),
        (["--last", "-3"], "bad --last -3: it must be at least 1"),
        (["--since", "last week"], "bad --since 'last week'"),
        (["--since", "2026-13-01"], "bad --since '2026-13-01'"),
    ],
)
def test_bad_filters_are_usage_errors(files: Path, options: list[str], message: str) -> None:
    res = show(files, *options)
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


# -- attributes: the segment keys (plan) and the --accounts columns (owner); region is hidden --
# With --accounts the file alone gives the attributes (docs/place.md): all of them are its columns.


@pytest.mark.parametrize(
    ("options", "attributes", "hidden"),
    [
        ([], {"plan": "pro"}, 1),
        (["--accounts", "{accounts}"], {"owner": "ann", "plan": "pro"}, 0),
        (["--all-attributes"], {"plan": "pro", "region": "EU"}, 0),
        (["--all-attributes", "--accounts", "{accounts}"], {"owner": "ann", "plan": "pro"}, 0),
    ],
)
def test_attributes_shown(
    files: Path, options: list[str], attributes: dict[str, str], hidden: int
) -> None:
    opts = [o.format(accounts=files / "accounts.csv") for o in options]
    doc = json.loads(show(files, *opts, "-f", "json").stdout)
    assert doc["attributes"] == attributes
    assert doc["attributes_hidden"] == hidden
    lines = show(files, *opts).stdout.splitlines()
    listed = {ln.split()[2]: ln.split()[4] for ln in lines if ln.startswith("│ attribute ")}
    assert listed == attributes
    note = "1 other attribute (event properties) hidden: --all-attributes shows them"
    assert (note in lines) == bool(hidden)


def test_unmatched_customer_lists_the_segment_keys_and_says_what_is_hidden(files: Path) -> None:
    res = show(files, customer="u9")
    assert res.exit_code == 0
    assert res.stdout == (
        "u9: matches no journey's segment (unmatched)\n"
        "attributes: plan=free\n"
        "1 other attribute (event properties) hidden: --all-attributes shows them\n"
    )
    res = show(files, "--all-attributes", customer="u9")
    assert res.stdout.splitlines()[1] == "attributes: plan=free, region=US"
    doc = json.loads(show(files, "-f", "json", customer="u9").stdout)
    assert (doc["attributes"], doc["attributes_hidden"]) == ({"plan": "free"}, 1)
