"""Small synthetic journeys and event logs for the predict tests (seeded, a few seconds to run)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

JOURNEY = """\
journey: demo
version: 2
segment: {plan: [pro, basic]}
stages:
  - id: onboarding
    enter_when: {event: signed}
    milestones:
      - id: kickoff
        when: {event: kickoff}
        due: 14d
  - id: adoption
    enter_when: {milestones: [kickoff]}
    milestones:
      - id: breadth
        when: {event: feature_used, distinct: feature, at_least: 3}
        due: 60d
  - id: value
    enter_when: {milestones: [breadth]}
  - id: renewal
    enter_when: {event: renewal_opened}
  - id: churned
    terminal: true
    outcome: churned
transitions:
  - from: renewal
    to: adoption
    when: {event: pushback}
  - from: "*"
    to: churned
    when: {event: cancelled}
risks:
  - id: tickets
    title: Two P1 tickets in 30 days
    when: {event: ticket, where: {priority: P1}, at_least: 2, within: 30d}
    severity: medium
  - id: quiet
    when: {inactive: [login], for: 21d}
    severity: high
"""

START = datetime(2025, 1, 1, tzinfo=UTC)
HEADER = "customer_id,timestamp,event,plan,region,feature,priority\n"


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def customer_rows(cid: str, r: random.Random, days: int) -> list[tuple[datetime, str, str]]:
    """One customer's rows as (time, event, property cells after the event column)."""
    start = START + timedelta(days=r.uniform(0, days * 0.6))
    end = START + timedelta(days=days)
    plan = r.choice(["pro", "basic", "basic"])
    region = r.choice(["NA", "EU"])
    churner = r.random() < 0.45
    cancel = start + timedelta(days=r.uniform(60, 400)) if churner else None
    rate = r.uniform(0.6, 2.4) * (1.3 if plan == "pro" else 1.0)
    rows = [(start, "signed", f"{plan},{region},,")]
    if r.random() < 0.85:
        rows.append((start + timedelta(days=r.uniform(1, 20)), "kickoff", ",,,"))
    t = start
    stop = min(end, cancel) if cancel else end
    while True:
        fade = 1.0
        if cancel is not None:
            left = (cancel - t).days
            fade = min(1.0, max(0.15, left / 90.0))
        t += timedelta(days=r.expovariate(rate * fade / 7.0))
        if t >= stop:
            break
        rows.append((t, "login", ",,,"))
        if r.random() < 0.3:
            rows.append((t + timedelta(minutes=5), "feature_used", f",,{r.choice('abcde')},"))
        if r.random() < (0.08 if fade < 1.0 else 0.03):
            rows.append((t + timedelta(hours=2), "ticket", f",,,{r.choice(['P1', 'P2'])}"))
    renew = start + timedelta(days=r.uniform(150, 330))
    if renew < stop and r.random() < 0.7:
        rows.append((renew, "renewal_opened", ",,,"))
        if r.random() < 0.2:
            rows.append((renew + timedelta(days=10), "pushback", ",,,"))
    if cancel is not None and cancel < end:
        rows.append((cancel, "cancelled", ",,,"))
    rows.sort(key=lambda x: x[0])
    return rows


def synth_csv(customers: int = 300, days: int = 420, seed: int = 3) -> str:
    r = random.Random(seed)
    lines = [HEADER]
    for i in range(customers):
        cid = f"c{i:04d}"
        for t, name, props in customer_rows(cid, r, days):
            lines.append(f"{cid},{_ts(t)},{name},{props}\n")
    return "".join(lines)
