"""Compare a snapshot with the previous one (PRODUCT §5): the change lists and the flows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from journeyctl.history.model import CustomerRecord, JourneyRecord, Snapshot

CATEGORIES = (
    "new",
    "vanished",
    "progressed",
    "regressed",
    "skipped",
    "switched_journey",
    "stage_removed",
    "churned",
    "completed",
    "newly_at_risk",
    "recovered",
)

# Where a customer stands, for the flows: in a stage, not started in a journey, unmatched, or
# absent from the snapshot.
IN_STAGE, NOT_STARTED, UNMATCHED, ABSENT = "in_stage", "not_started", "unmatched", "absent"


@dataclass(frozen=True, slots=True, order=True)
class Position:
    state: str
    journey: str = ""
    stage: str = ""


@dataclass(frozen=True, slots=True)
class Flow:
    source: Position  # in the previous snapshot
    target: Position  # in this one
    customers: int


@dataclass(frozen=True, slots=True)
class Comparison:
    previous_as_of: int | None
    changes: Mapping[str, tuple[str, ...]]  # every category of CATEGORIES, ids sorted
    flows: tuple[Flow, ...]  # every observed (previous, current) pair, most customers first


def position(c: CustomerRecord | None) -> Position:
    if c is None:
        return Position(ABSENT)
    if c.journey is None:
        return Position(UNMATCHED)
    if c.stage is None:
        return Position(NOT_STARTED, c.journey)
    return Position(IN_STAGE, c.journey, c.stage)


def _rank(j: JourneyRecord, stage: str | None) -> int | None:
    """Order in the current definition; not started comes first; None for a removed stage."""
    return -1 if stage is None else j.stage_index(stage)


def _terminal(j: JourneyRecord, stage: str | None) -> bool:
    return stage is not None and j.is_terminal(stage)


def _moves(c: CustomerRecord, j: JourneyRecord, since: int, out: dict[str, set[str]]) -> None:
    """The move-based rules: any backward move, and any skip, after the previous as-of."""
    for m in c.moves:
        if m.at <= since:
            continue
        if m.skipped:
            out["skipped"].add(c.customer_id)
        if (
            m.direction == "backward"
            and m.from_stage is not None
            and not _terminal(j, m.from_stage)
            and not _terminal(j, m.to_stage)
        ):
            out["regressed"].add(c.customer_id)


def _pair(
    p: CustomerRecord, c: CustomerRecord, current: Snapshot, out: dict[str, set[str]]
) -> None:
    """The rules that need the customer present in both snapshots."""
    cid = c.customer_id
    # Only an active customer recovers (§5): one that churned, completed or became unmatched
    # is not at risk either, but it is counted under its own category, never as good news.
    if p.at_risk and c.status == "active" and not c.at_risk:
        out["recovered"].add(cid)
    if p.journey is None:
        return
    pj = current.journey(p.journey)
    removed = p.stage is not None and (pj is None or pj.stage_index(p.stage) is None)
    if removed:
        out["stage_removed"].add(cid)
    if c.journey is None:
        return
    if c.journey != p.journey:
        out["switched_journey"].add(cid)
        return
    if removed or pj is None or _terminal(pj, p.stage) or _terminal(pj, c.stage):
        return
    before, now = _rank(pj, p.stage), _rank(pj, c.stage)
    if before is None or now is None:
        return
    if now > before:
        out["progressed"].add(cid)
    elif now < before:
        out["regressed"].add(cid)


def compare(previous: Snapshot | None, current: Snapshot) -> Comparison:
    """Every §5 category for `current` against `previous` (None: nothing to compare)."""
    out: dict[str, set[str]] = {k: set() for k in CATEGORIES}
    now = {c.customer_id: c for c in current.customers}
    before = {c.customer_id: c for c in previous.customers} if previous is not None else {}
    flows: Counter[tuple[Position, Position]] = Counter()
    for cid in now.keys() | before.keys():
        flows[(position(before.get(cid)), position(now.get(cid)))] += 1
    if previous is None:
        out["new"] = set(now)
    else:
        for cid, c in now.items():
            p = before.get(cid)
            if p is None:
                out["new"].add(cid)
            cj = current.journey(c.journey) if c.journey is not None else None
            if cj is not None:
                _moves(c, cj, previous.as_of, out)
            for status in ("churned", "completed"):
                if c.status == status and (p is None or p.status != status):
                    out[status].add(cid)
            if c.at_risk and (p is None or not p.at_risk):
                out["newly_at_risk"].add(cid)
            if p is not None:
                _pair(p, c, current, out)
        out["vanished"] = set(before) - set(now)
    ordered = sorted(flows.items(), key=lambda kv: (-kv[1], kv[0]))
    return Comparison(
        previous.as_of if previous is not None else None,
        {k: tuple(sorted(out[k])) for k in CATEGORIES},
        tuple(Flow(s, t, n) for (s, t), n in ordered),
    )
