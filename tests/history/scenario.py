"""A hand-made two-snapshot scenario: every §5 change category, with the expected lists by hand.

Snapshot 1: as of T1 = 2026-01-10, journeys1/ (flow v1 has a `pilot` stage), events base.csv and
extra.csv (v1's rows). Snapshot 2: as of T2 = 2026-01-20, journeys2/ (flow v2 without `pilot`),
base.csv only. Every `flow` customer passing through onboarding gets its kickoff, so that only the
customers meant to be at risk are (an overdue kickoff is the built-in medium risk).
"""

from __future__ import annotations

from pathlib import Path

T1 = "2026-01-10T00:00:00Z"
T2 = "2026-01-20T00:00:00Z"

_STAGES_HEAD = """\
journey: flow
segment: {plan: pro}
stages:
  - id: onboarding
    enter_when: {event: signed}
    milestones:
      - id: kickoff
        when: {event: kickoff}
        due: 5d
"""
_PILOT = """\
  - id: pilot
    enter_when: {event: piloted}
"""
_STAGES_TAIL = """\
  - id: adoption
    enter_when: {event: adopted}
  - id: value
    enter_when: {event: valued}
  - id: renewal
    enter_when: {event: renewal_opened}
  - id: churned
    terminal: true
    outcome: churned
  - id: done
    terminal: true
    outcome: completed
transitions:
  - from: renewal
    to: adoption
    when: {event: pushback}
  - from: "*"
    to: churned
    when: {event: cancelled}
  - from: "*"
    to: done
    when: {event: finished}
risks:
  - id: unhappy
    title: Unhappy <b>customer</b>
    when: {latest: nps, where: {score: {lt: 7}}}
    severity: high
kpis:
  - id: nps
    title: Latest NPS
    latest: {event: nps, property: score}
  - id: logins
    count: {event: login}
"""
FLOW_V1 = "version: 1\n" + _STAGES_HEAD + _PILOT + _STAGES_TAIL
FLOW_V2 = "version: 2\n" + _STAGES_HEAD + _STAGES_TAIL
BASIC = """\
journey: basic
version: 1
segment: {plan: basic}
stages:
  - id: start
    enter_when: {event: signed}
  - id: end
    enter_when: {event: finished}
"""

# customer, day of January 2026, event, plan, score
_ROWS = [
    # p1: onboarding -> adoption: progressed
    ("p1", 1, "signed", "pro", ""),
    ("p1", 2, "kickoff", "", ""),
    ("p1", 12, "adopted", "", ""),
    # r1: renewal -> adoption by a pushback after T1: regressed (position and move)
    ("r1", 1, "signed", "pro", ""),
    ("r1", 1, "kickoff", "", ""),
    ("r1", 5, "renewal_opened", "", ""),
    ("r1", 15, "pushback", "", ""),
    # r2: adoption at both, via value and renewal and back: regressed by the backward move only
    ("r2", 1, "signed", "pro", ""),
    ("r2", 1, "kickoff", "", ""),
    ("r2", 2, "adopted", "", ""),
    ("r2", 11, "valued", "", ""),
    ("r2", 12, "renewal_opened", "", ""),
    ("r2", 14, "pushback", "", ""),
    # s1: onboarding -> value, skipping adoption: progressed and skipped
    ("s1", 1, "signed", "pro", ""),
    ("s1", 2, "kickoff", "", ""),
    ("s1", 12, "valued", "", ""),
    # sw1: plan changes to basic: switched_journey
    ("sw1", 1, "signed", "pro", ""),
    ("sw1", 1, "kickoff", "", ""),
    ("sw1", 12, "login", "basic", ""),
    # ch1: adoption -> churned
    ("ch1", 1, "signed", "pro", ""),
    ("ch1", 1, "kickoff", "", ""),
    ("ch1", 2, "adopted", "", ""),
    ("ch1", 12, "cancelled", "", ""),
    # co1: value -> done (completed)
    ("co1", 1, "signed", "pro", ""),
    ("co1", 1, "kickoff", "", ""),
    ("co1", 2, "adopted", "", ""),
    ("co1", 3, "valued", "", ""),
    ("co1", 12, "finished", "", ""),
    # ar1: a poor NPS after T1: newly at risk (high)
    ("ar1", 1, "signed", "pro", ""),
    ("ar1", 1, "kickoff", "", ""),
    ("ar1", 2, "adopted", "", ""),
    ("ar1", 12, "nps", "", "2"),
    # rc1: poor NPS before T1, good after: recovered
    ("rc1", 1, "signed", "pro", ""),
    ("rc1", 1, "kickoff", "", ""),
    ("rc1", 2, "adopted", "", ""),
    ("rc1", 3, "nps", "", "3"),
    ("rc1", 12, "nps", "", "9"),
    # rk1: a poor NPS before T1 (at risk), cancelled after it: churned, not recovered
    ("rk1", 1, "signed", "pro", ""),
    ("rk1", 1, "kickoff", "", ""),
    ("rk1", 2, "adopted", "", ""),
    ("rk1", 3, "nps", "", "3"),
    ("rk1", 12, "cancelled", "", ""),
    # rk2: a poor NPS before T1 (at risk), on the free plan after it: unmatched, not recovered
    ("rk2", 1, "signed", "pro", ""),
    ("rk2", 1, "kickoff", "", ""),
    ("rk2", 2, "adopted", "", ""),
    ("rk2", 3, "nps", "", "3"),
    ("rk2", 12, "login", "free", ""),
    # u1: unmatched at both: nothing
    ("u1", 1, "signed", "free", ""),
    # u2: unmatched, then matched: no category
    ("u2", 1, "signed", "free", ""),
    ("u2", 1, "kickoff", "", ""),
    ("u2", 12, "login", "pro", ""),
    # sr1: in `pilot`, which flow v2 removes: stage_removed
    ("sr1", 1, "signed", "pro", ""),
    ("sr1", 1, "kickoff", "", ""),
    ("sr1", 2, "piloted", "", ""),
    # st1: adoption at both: nothing
    ("st1", 1, "signed", "pro", ""),
    ("st1", 1, "kickoff", "", ""),
    ("st1", 2, "adopted", "", ""),
    # ns1: not started -> onboarding: progressed
    ("ns1", 2, "login", "pro", ""),
    ("ns1", 12, "signed", "", ""),
    ("ns1", 13, "kickoff", "", ""),
    # ov1: kickoff overdue at both: at risk at both, nothing
    ("ov1", 2, "signed", "pro", ""),
    # nm1: kickoff due 01-13, pending at T1, overdue at T2: newly at risk (medium)
    ("nm1", 8, "signed", "pro", ""),
    # n1: new
    ("n1", 15, "signed", "pro", ""),
    ("n1", 15, "kickoff", "", ""),
    # n2: new, first move straight to adoption: skipped
    ("n2", 15, "adopted", "pro", ""),
    # ch0: new and churned
    ("ch0", 13, "signed", "pro", ""),
    ("ch0", 14, "cancelled", "", ""),
]
_EXTRA = [("v1", 1, "signed", "pro", ""), ("v1", 1, "kickoff", "", "")]

EXPECTED_CHANGES = {
    "new": ["ch0", "n1", "n2"],
    "vanished": ["v1"],
    "progressed": ["ns1", "p1", "s1"],
    "regressed": ["r1", "r2"],
    "skipped": ["n2", "s1"],
    "switched_journey": ["sw1"],
    "stage_removed": ["sr1"],
    "churned": ["ch0", "ch1", "rk1"],
    "completed": ["co1"],
    "newly_at_risk": ["ar1", "nm1"],
    "recovered": ["rc1"],
}

# Snapshot 2, counted by hand from the comments above; journeys in file order (basic.yaml first).
EXPECTED_JOURNEYS = [
    {
        "id": "basic",
        "version": 1,
        "not_started": 0,
        "stages": [
            {"id": "start", "customers": 1, "at_risk": 0, "overdue_milestones": 0},
            {"id": "end", "customers": 0, "at_risk": 0, "overdue_milestones": 0},
        ],
    },
    {
        "id": "flow",
        "version": 2,
        "not_started": 0,
        "stages": [
            {"id": "onboarding", "customers": 6, "at_risk": 2, "overdue_milestones": 2},
            {"id": "adoption", "customers": 7, "at_risk": 1, "overdue_milestones": 0},
            {"id": "value", "customers": 1, "at_risk": 0, "overdue_milestones": 0},
            {"id": "renewal", "customers": 0, "at_risk": 0, "overdue_milestones": 0},
            {"id": "churned", "customers": 3, "at_risk": 0, "overdue_milestones": 0},
            {"id": "done", "customers": 1, "at_risk": 0, "overdue_milestones": 0},
        ],
    },
]

FIRST_SNAPSHOT_CUSTOMERS = sorted(
    [
        "p1",
        "r1",
        "r2",
        "s1",
        "sw1",
        "ch1",
        "co1",
        "ar1",
        "rc1",
        "rk1",
        "rk2",
        "u1",
        "u2",
        "sr1",
        "st1",
        "ns1",
        "ov1",
        "nm1",
        "v1",
    ]
)


def _csv(rows: list[tuple[str, int, str, str, str]]) -> str:
    lines = ["customer_id,timestamp,event,plan,score"]
    lines += [f"{c},2026-01-{d:02d}T09:00:00Z,{e},{p},{s}" for c, d, e, p, s in rows]
    return "\n".join(lines) + "\n"


def write(root: Path) -> None:
    """journeys1/, journeys2/, base.csv and extra.csv under `root`."""
    for name, flow in (("journeys1", FLOW_V1), ("journeys2", FLOW_V2)):
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "flow.yaml").write_text(flow, encoding="utf-8")
        (d / "basic.yaml").write_text(BASIC, encoding="utf-8")
    (root / "base.csv").write_text(_csv(_ROWS), encoding="utf-8")
    (root / "extra.csv").write_text(_csv(_EXTRA), encoding="utf-8")


def first_args(db: str, out: str) -> list[str]:
    return [
        "report", "base.csv", "extra.csv", "-j", "journeys1", "--as-of", T1,
        "--db", db, "--out", out,
    ]  # fmt: skip


def second_args(db: str, out: str) -> list[str]:
    return ["report", "base.csv", "-j", "journeys2", "--as-of", T2, "--db", db, "--out", out]
