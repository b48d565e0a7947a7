"""Place every customer: segment matching, replay, risks at as-of, next activities."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import (
    SEVERITY_RANK,
    EventCond,
    Journey,
    JourneySet,
    Stage,
    iter_conditions,
)
from journeyctl.definitions.values import text_equals
from journeyctl.engine.conditions import Window, holds
from journeyctl.engine.replay import MilestoneStatus, Move, ReplayResult, replay, replay_series
from journeyctl.events.ingest import Event, EventLog


@dataclass(frozen=True, slots=True)
class ActiveRisk:
    id: str
    severity: str
    title: str
    builtin: bool


@dataclass(frozen=True, slots=True)
class Adoption:
    milestone: str
    property: str
    used: tuple[str, ...]
    unused: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomerPlacement:
    customer_id: str
    journey: Journey
    attributes: Mapping[str, str]
    stage: Stage | None
    status: str  # not_started | active | churned | completed
    entered_at: int | None
    milestones: tuple[MilestoneStatus, ...]
    risks: tuple[ActiveRisk, ...]
    risk_level: str
    moves: tuple[Move, ...]
    next_activities: tuple[str, ...]
    adoption: tuple[Adoption, ...]
    replay: ReplayResult

    @property
    def at_risk(self) -> bool:
        return SEVERITY_RANK[self.risk_level] >= SEVERITY_RANK["medium"]

    @property
    def regressions(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.direction == "backward")


@dataclass(frozen=True, slots=True)
class Summary:
    customers: int
    events: int
    ignored_after_as_of: int
    unmatched: int
    bad_rows: int


@dataclass(frozen=True, slots=True)
class PlaceResult:
    as_of: int
    journeys: tuple[Journey, ...]
    customers: tuple[CustomerPlacement, ...]  # sorted by customer_id
    unmatched: tuple[str, ...]
    unmatched_attributes: Mapping[str, Mapping[str, str]]
    summary: Summary


def segment_keys(journeys: Iterable[Journey]) -> list[str]:
    keys: list[str] = []
    for j in journeys:
        for k in j.segment:
            if k.key not in keys:
                keys.append(k.key)
    return keys


def event_attributes(events: Sequence[Event]) -> dict[str, str]:
    """The latest non-empty value of each property column in the customer's events."""
    attrs: dict[str, str] = {}
    for ev in reversed(events):
        for k, v in ev.props.items():
            if v != "" and k not in attrs:
                attrs[k] = v
    return attrs


def match_journey(journeys: Sequence[Journey], attrs: Mapping[str, str]) -> Journey | None:
    """The journey whose segment matches with the most keys, then the higher priority."""
    best: Journey | None = None
    best_key: tuple[int, int] | None = None
    for j in journeys:
        ok = True
        for k in j.segment:
            v = attrs.get(k.key, "")
            if v == "" or not any(text_equals(v, x) for x in k.values):
                ok = False
                break
        if not ok:
            continue
        key = (len(j.segment), j.priority)
        if best_key is None or key > best_key:
            best, best_key = j, key
    return best


def _risks(
    journey: Journey, res: ReplayResult, events: Sequence[Event], as_of: int
) -> list[ActiveRisk]:
    stage = journey.stages[res.stage] if res.stage is not None else None
    if stage is None or stage.terminal:
        return []
    win = Window(events, 0, len(events), events[0].ts if events else as_of)

    def done(mid: str) -> bool:
        a = res.attempts.get(mid)
        return a is not None and a.status in ("done", "late")

    out: list[ActiveRisk] = []
    for r in journey.risks:
        if r.stages is not None and stage.id not in r.stages:
            continue
        if holds(r.when, as_of, win, done):
            out.append(ActiveRisk(r.id, r.severity, r.title or r.id, False))
    overdue = [m.id for m in res.milestones if m.status == "overdue"]
    if overdue:
        out.append(
            ActiveRisk(
                "overdue_milestone", "medium", "Milestone overdue: " + ", ".join(overdue), True
            )
        )
    if (
        stage.max_duration is not None
        and res.entered_at is not None
        and as_of - res.entered_at > stage.max_duration.micros
    ):
        out.append(
            ActiveRisk(
                "stalled",
                "medium",
                f"In {stage.title or stage.id} longer than {stage.max_duration.text}",
                True,
            )
        )
    return out


def _adoption(
    journey: Journey,
    stage: Stage | None,
    events: Sequence[Event],
    known: Callable[[str, str], tuple[str, ...] | None],
) -> list[Adoption]:
    if stage is None:
        return []
    out: list[Adoption] = []
    for m in stage.milestones:
        cond = next(
            (c for c in iter_conditions(m.when) if isinstance(c, EventCond) and c.distinct), None
        )
        if not isinstance(cond, EventCond) or cond.distinct is None:
            continue
        prop = cond.distinct
        used: list[str] = []
        for ev in events:
            if ev.name in cond.events:
                v = ev.props.get(prop, "")
                if v != "" and v not in used:
                    used.append(v)
        values: list[str] = []
        for name in cond.events:
            for v in known(name, prop) or ():
                if v not in values:
                    values.append(v)
        out.append(
            Adoption(m.id, prop, tuple(sorted(used)), tuple(v for v in values if v not in used))
        )
    return out


Known = Callable[[str, str], tuple[str, ...] | None]


def _no_catalog(event: str, prop: str) -> tuple[str, ...] | None:
    return None


def place_customer(
    journey: Journey,
    customer_id: str,
    attributes: Mapping[str, str],
    events: Sequence[Event],
    as_of: int,
    known: Known = _no_catalog,
) -> CustomerPlacement:
    """Place one customer whose events (sorted, all at or before as_of) follow `journey`."""
    return _placement(
        journey, customer_id, attributes, replay(journey, events, as_of), events, as_of, known
    )


def place_customer_series(
    journey: Journey,
    customer_id: str,
    events: Sequence[Event],
    checkpoints: Sequence[int],
    as_of: int,
    attributes: Mapping[str, str] | None = None,
    known: Known = _no_catalog,
) -> list[CustomerPlacement]:
    """The customer's placement at each checkpoint (ascending, <= as_of), from one replay.

    Each placement reads only the events at or before its checkpoint; attributes, unless given,
    are the latest non-empty event values up to that checkpoint.
    """
    out = []
    series = replay_series(journey, events, checkpoints, as_of)
    for cp, res in zip(checkpoints, series, strict=True):
        upto = events[: res.events_used]
        attrs = attributes if attributes is not None else event_attributes(upto)
        out.append(_placement(journey, customer_id, attrs, res, upto, cp, known))
    return out


def _placement(
    journey: Journey,
    customer_id: str,
    attributes: Mapping[str, str],
    res: ReplayResult,
    events: Sequence[Event],
    as_of: int,
    known: Known,
) -> CustomerPlacement:
    stage = journey.stages[res.stage] if res.stage is not None else None
    if stage is None:
        status = "not_started"
    elif stage.terminal:
        status = stage.outcome or "completed"
    else:
        status = "active"
    risks = _risks(journey, res, events, as_of)
    level = max((r.severity for r in risks), key=lambda s: SEVERITY_RANK[s], default="none")
    adoption = _adoption(journey, stage, events, known) if status == "active" else []
    activities: list[str] = (
        list(stage.activities) if stage is not None and status == "active" else []
    )
    for a in adoption:
        activities.extend(f"Suggest {v}: not used yet" for v in a.unused)
    return CustomerPlacement(
        customer_id,
        journey,
        attributes,
        stage,
        status,
        res.entered_at,
        res.milestones,
        tuple(risks),
        level,
        res.moves,
        tuple(activities),
        tuple(adoption),
        res,
    )


def place(
    journeys: JourneySet,
    log: EventLog,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None = None,
    engine: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> PlaceResult:
    """Place every customer with an event at or before `as_of`.

    `engine`: "fast" (the compiled kernel), "reference" (the straightforward engine, one customer
    at a time), or "auto" (fast unless a journey is too complex for the kernel).
    """
    catalog = journeys.catalog

    def known(event: str, prop: str) -> tuple[str, ...] | None:
        if catalog is None:
            return None
        ce = catalog.event(event)
        return ce.property_values(prop) if ce is not None else None

    if engine != "reference":
        from journeyctl.engine.compiled import TooComplex
        from journeyctl.engine.fast import place_fast

        try:
            return place_fast(journeys, log, as_of, accounts, known, progress)
        except TooComplex:
            if engine == "fast":
                raise
    placed: list[CustomerPlacement] = []
    unmatched: list[str] = []
    unmatched_attrs: dict[str, Mapping[str, str]] = {}
    ignored = 0
    for i, cid in enumerate(sorted(log.customers)):
        if progress is not None and i % 1000 == 0:
            progress(i, len(log.customers))
        evs = log.customers[cid]
        upto = [e for e in evs if e.ts <= as_of]
        ignored += len(evs) - len(upto)
        if not upto:
            continue
        attrs: Mapping[str, str]
        attrs = accounts.get(cid, {}) if accounts is not None else event_attributes(upto)
        journey = match_journey(journeys.journeys, attrs)
        if journey is None:
            unmatched.append(cid)
            unmatched_attrs[cid] = attrs
            continue
        placed.append(place_customer(journey, cid, attrs, upto, as_of, known))
    summary = Summary(
        len(placed) + len(unmatched), log.rows, ignored, len(unmatched), len(log.bad_rows)
    )
    return PlaceResult(
        as_of, journeys.journeys, tuple(placed), tuple(unmatched), unmatched_attrs, summary
    )
