"""The hand-made journey and events the diff tests change one thing at a time.

Events, as-of 2026-01-20 (the latest event), and where each customer stands under BASE:
- a1 (NA): signed, kickoff, renewal_opened, then pushback -> renewal (pushback does nothing)
- b2 (NA): signed 01-12, no kickoff -> onboarding, kickoff due 01-22 (10d): pending, not at risk
- c3 (EMEA): signed, kickoff -> adoption
- d4 (NA): signed, cancelled -> churned
- e5 (NA): only a login -> not started
- f6 (NA): signed 01-02, NPS 3 -> onboarding, kickoff overdue since 01-12, unhappy: at risk (high)
- u9 (APAC): matches no journey -> unmatched
"""

from __future__ import annotations

BASE = """\
# The demo journey.
journey: demo
title: Demo
version: 1
segment:
  plan: pro
  region: [NA, EMEA]
stages:
  - id: onboarding
    enter_when: {event: signed}
    milestones:
      - id: kickoff
        when: {event: kickoff}
        due: 10d
  - id: adoption
    enter_when: {milestones: [kickoff]}
  - id: renewal
    enter_when: {event: renewal_opened}
  - id: churned
    terminal: true
    outcome: churned
transitions:
  - from: "*"
    to: churned
    when: {event: cancelled}
risks:
  - id: unhappy
    when: {latest: nps, where: {score: {lt: 7}}}
    severity: high
"""

EVENTS = """\
customer_id,timestamp,event,plan,region,score
a1,2026-01-01T00:00:00Z,signed,pro,NA,
a1,2026-01-03T00:00:00Z,kickoff,,,
a1,2026-01-10T00:00:00Z,renewal_opened,,,
a1,2026-01-12T00:00:00Z,pushback,,,
b2,2026-01-12T00:00:00Z,signed,pro,NA,
c3,2026-01-02T00:00:00Z,signed,pro,EMEA,
c3,2026-01-04T00:00:00Z,kickoff,,,
d4,2026-01-05T00:00:00Z,signed,pro,NA,
d4,2026-01-06T00:00:00Z,cancelled,,,
e5,2026-01-07T00:00:00Z,login,pro,NA,
f6,2026-01-02T00:00:00Z,signed,pro,NA,
f6,2026-01-15T00:00:00Z,nps,,,3
u9,2026-01-08T00:00:00Z,signed,pro,APAC,
u9,2026-01-20T00:00:00Z,login,,,
"""


def edit(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based line of the one line holding `needle`."""
    hits = [i + 1 for i, ln in enumerate(text.splitlines()) if needle in ln]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


DUE_SHORTENED = edit(BASE, "due: 10d", "due: 5d")

REGRESSION = BASE.replace(
    "    when: {event: cancelled}\n",
    "    when: {event: cancelled}\n  - from: renewal\n    to: adoption\n    when: {event: pushback}\n",
)

NARROWED = edit(BASE, "region: [NA, EMEA]", "region: NA")

INSERTED = edit(
    BASE,
    "  - id: adoption\n",
    "  - id: activated\n    enter_when: {event: activated}\n  - id: adoption\n",
)

REORDERED = edit(
    BASE,
    "  - id: adoption\n    enter_when: {milestones: [kickoff]}\n"
    "  - id: renewal\n    enter_when: {event: renewal_opened}\n",
    "  - id: renewal\n    enter_when: {event: renewal_opened}\n"
    "  - id: adoption\n    enter_when: {milestones: [kickoff]}\n",
)

STAGE_REMOVED = edit(BASE, "  - id: renewal\n    enter_when: {event: renewal_opened}\n", "")

RENAMED = edit(BASE, "journey: demo\n", "journey: demo-renamed\n")

# The same journey reindented, with comments, flow and block styles swapped, quotes and key order
# changed: no change at all.
REFORMATTED = """\
# yaml-language-server: $schema=../schemas/journey.schema.json
version: 1
journey: "demo"
title: 'Demo'      # same title
segment: {region: [NA, EMEA], plan: pro}

stages:
    -   enter_when:
            event: signed
        id: onboarding
        milestones:
            -   due: "10d"
                id: kickoff
                when: {event: "kickoff"}
    -   id: adoption
        enter_when:
            milestones:
                - kickoff
    -   {id: renewal, enter_when: {event: renewal_opened}}
    # the end
    -   id: churned
        outcome: churned
        terminal: true
risks:
    -   id: unhappy
        severity: high
        when:
            latest: nps
            where: {score: {lt: 7}}
transitions:
    -   {from: "*", to: churned, when: {event: cancelled}}
"""
