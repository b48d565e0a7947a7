"""A small two-snapshot scenario for notifications, with the expected categories by hand.

As of T1 = 2026-01-10 then T2 = 2026-01-20 (journey `acct`, events.csv):
- a1 (owner ann@example.com): a poor NPS after T1: newly at risk, high;
- b1 (owner bob@example.com): cancelled after T1: churned;
- n1 (no owner): signed 01-08, kickoff due 01-13, pending at T1 and overdue at T2: newly at risk
  (medium, the built-in overdue risk) and milestone_overdue;
- MARKUP (owner ann@example.com): an id full of markup and mrkdwn characters, poor NPS: newly at
  risk, high;
- s1 (owner ann@example.com): nothing changes;
- m001..mNNN (owner bulk@example.com, only with `bulk=N`): poor NPS after T1: newly at risk, high.
"""

from __future__ import annotations

from pathlib import Path

T1 = "2026-01-10T00:00:00Z"
T2 = "2026-01-20T00:00:00Z"
MARKUP = "x<!here>*b*_i_~s~`&amp"
TOKEN = "tok-Sekr3t-9c2e"  # the secret path segment of the webhook URL

JOURNEY = """\
journey: acct
version: 1
segment: {plan: pro}
stages:
  - id: onboarding
    enter_when: {event: signed}
    activities: ["Book the kickoff call", "Send the <setup> guide & checklist"]
    milestones:
      - id: kickoff
        when: {event: kickoff}
        due: 5d
  - id: adoption
    enter_when: {event: adopted}
    activities: ["Run a *training* session"]
  - id: churned
    terminal: true
    outcome: churned
transitions:
  - from: "*"
    to: churned
    when: {event: cancelled}
risks:
  - id: unhappy
    title: Unhappy <b>customer</b> & co
    when: {latest: nps, where: {score: {lt: 7}}}
    severity: high
"""


def _rows(bulk: int) -> list[tuple[str, int, str, str, str, str]]:
    rows = []
    for cid, owner in (("a1", "ann@example.com"), (MARKUP, "ann@example.com")):
        rows += [
            (cid, 1, "signed", "pro", owner, ""),
            (cid, 1, "kickoff", "", "", ""),
            (cid, 2, "adopted", "", "", ""),
            (cid, 12, "nps", "", "", "2"),
        ]
    rows += [
        ("b1", 1, "signed", "pro", "bob@example.com", ""),
        ("b1", 1, "kickoff", "", "", ""),
        ("b1", 2, "adopted", "", "", ""),
        ("b1", 12, "cancelled", "", "", ""),
        ("n1", 8, "signed", "pro", "", ""),
        ("s1", 1, "signed", "pro", "ann@example.com", ""),
        ("s1", 1, "kickoff", "", "", ""),
        ("s1", 2, "adopted", "", "", ""),
    ]
    for i in range(1, bulk + 1):
        cid = f"m{i:03d}"
        rows += [
            (cid, 1, "signed", "pro", "bulk@example.com", ""),
            (cid, 1, "kickoff", "", "", ""),
            (cid, 2, "adopted", "", "", ""),
            (cid, 12, "nps", "", "", "1"),
        ]
    return rows


def write(root: Path, bulk: int = 0) -> None:
    (root / "journeys").mkdir(parents=True, exist_ok=True)
    (root / "journeys" / "acct.yaml").write_text(JOURNEY, encoding="utf-8")
    lines = ["customer_id,timestamp,event,plan,owner,score"]
    lines += [f"{c},2026-01-{d:02d}T09:00:00Z,{e},{p},{o},{s}" for c, d, e, p, o, s in _rows(bulk)]
    (root / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def config(root: Path, rules: str) -> None:
    (root / "journeyctl.toml").write_text('journeys = "journeys"\n\n' + rules, encoding="utf-8")


def report_args(as_of: str, *extra: str) -> list[str]:
    return ["report", "events.csv", "--as-of", as_of, *extra]


def slack_rule(name: str = "cs-slack", *, on: str, route: bool = False, extra: str = "") -> str:
    routing = 'route_by = "owner"\ndefault_to = "#cs-alerts"\n' if route else ""
    return (
        f'[[notify]]\nname = "{name}"\non = [{on}]\nchannel = "slack"\n'
        f'url = "${{HOOK_URL}}"\n{routing}{extra}\n'
    )
