"""Which customers each rule tells whom about (PRODUCT §10): values only, no I/O."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import SEVERITY_RANK
from journeyctl.events.timestamps import days_between
from journeyctl.history.model import CustomerRecord, Snapshot
from journeyctl.notify.config import MILESTONE_OVERDUE, Rule, Trigger, is_address


@dataclass(frozen=True, slots=True)
class Notified:
    """One customer in a message, with what the people who act need."""

    customer_id: str
    journey: str | None
    stage: str | None
    status: str
    categories: tuple[str, ...]  # the rule's triggers it meets, in the rule's order
    risk_level: str
    risks: tuple[str, ...]  # titles
    days_in_stage: float | None
    overdue_milestones: tuple[str, ...]
    next_activities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Batch:
    """The customers of one message: one rule, one recipient."""

    rule: Rule
    recipient: str  # a route value, `default_to`, or the rule's own destination
    routed: bool  # recipient comes from route_by / default_to (a channel or an address)
    as_of: int
    previous_as_of: int
    customers: tuple[Notified, ...]  # worst risk first, then id


@dataclass(frozen=True, slots=True)
class Selection:
    batches: tuple[Batch, ...]
    unroutable: Mapping[str, tuple[str, ...]]  # rule -> customers with no usable recipient


def newly_overdue(current: CustomerRecord, previous: CustomerRecord | None) -> tuple[str, ...]:
    """Current milestones overdue now and not overdue (or not there) in the previous snapshot."""
    before = {m.id: m.status for m in previous.milestones} if previous is not None else {}
    return tuple(
        m.id for m in current.milestones if m.status == "overdue" and before.get(m.id) != "overdue"
    )


def _meets(
    t: Trigger,
    cid: str,
    changes: Mapping[str, tuple[str, ...]] | Mapping[str, frozenset[str]],
    level: str,
    overdue: bool,
) -> bool:
    if t.category == MILESTONE_OVERDUE:
        return overdue
    if cid not in changes[t.category]:
        return False
    return t.level is None or SEVERITY_RANK.get(level, 0) >= SEVERITY_RANK[t.level]


def own_recipient(rule: Rule) -> str:
    """Where a rule sends without routing: its addresses, or its URL as `scheme://host`."""
    return ", ".join(rule.to) if rule.channel == "email" else rule.destination


def _recipient(rule: Rule, c: CustomerRecord) -> tuple[str, bool] | None:
    if rule.route_by is None:
        return own_recipient(rule), False
    value = c.attributes.get(rule.route_by, "").strip()
    if value and (rule.channel != "email" or is_address(value)):
        return value, True
    if rule.default_to is not None:
        return rule.default_to, True
    if rule.channel == "email" and not rule.to:
        return None
    return own_recipient(rule), False


def _sort_key(n: Notified) -> tuple[int, str]:
    return (-SEVERITY_RANK.get(n.risk_level, 0), n.customer_id)


def select(
    rules: Sequence[Rule],
    current: Snapshot,
    previous: Snapshot | None,
    changes: Mapping[str, tuple[str, ...]],
    next_activities: Mapping[str, tuple[str, ...]],
) -> Selection:
    """The messages of every rule; none for a first snapshot (nothing to compare)."""
    if previous is None:
        return Selection((), {})
    sets = {k: frozenset(v) for k, v in changes.items()}
    now = {c.customer_id: c for c in current.customers}
    before = {c.customer_id: c for c in previous.customers}
    overdue = {cid: newly_overdue(c, before.get(cid)) for cid, c in now.items()}
    batches: list[Batch] = []
    unroutable: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        groups: dict[tuple[str, bool], list[Notified]] = {}
        lost: list[str] = []
        for cid in sorted(now.keys() | before.keys()):
            # a vanished customer is told as it was last seen
            c = now.get(cid) or before[cid]
            if rule.journeys and not any(
                fnmatch.fnmatchcase(c.journey or "", g) for g in rule.journeys
            ):
                continue
            cats = tuple(
                t.name
                for t in rule.on
                if _meets(t, cid, sets, c.risk_level, bool(overdue.get(cid)))
            )
            if not cats:
                continue
            to = _recipient(rule, c)
            if to is None:
                lost.append(cid)
                continue
            groups.setdefault(to, []).append(
                Notified(
                    customer_id=cid,
                    journey=c.journey,
                    stage=c.stage,
                    status=c.status if cid in now else "vanished",
                    categories=cats,
                    risk_level=c.risk_level,
                    risks=tuple(r.title for r in c.risks),
                    days_in_stage=(
                        days_between(c.entered_at, current.as_of)
                        if c.entered_at is not None and cid in now
                        else None
                    ),
                    overdue_milestones=tuple(
                        m.id for m in c.milestones if m.status == "overdue" and cid in now
                    ),
                    next_activities=tuple(next_activities.get(cid, ())) if cid in now else (),
                )
            )
        for (recipient, routed), members in sorted(groups.items()):
            members.sort(key=_sort_key)
            batches.append(
                Batch(rule, recipient, routed, current.as_of, previous.as_of, tuple(members))
            )
        if lost:
            unroutable[rule.name] = tuple(lost)
    return Selection(tuple(batches), unroutable)
