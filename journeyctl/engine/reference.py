"""The reference engine: one customer at a time, straight from the definitions (docs/place.md).

It is the specification the compiled engine (`engine.fast`) is held to by the differential tests;
it also serves small inputs, where compiling the kernel would cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from journeyctl.definitions.model import Journey, JourneySet
from journeyctl.engine.conditions import Window, holds
from journeyctl.engine.replay import ReplayPlan, ReplayResult, replay, replay_series
from journeyctl.engine.result import (
    ActiveRisk,
    CustomerPlacement,
    Known,
    PlaceResult,
    Summary,
    no_catalog,
)
from journeyctl.engine.rulebook import AdoptionRule, Rulebook
from journeyctl.engine.segments import event_attributes, match_journey
from journeyctl.events.ingest import Event, EventLog


def active_risks(
    book: Rulebook, res: ReplayResult, events: Sequence[Event], as_of: int
) -> list[ActiveRisk]:
    """The customer's active risks at `as_of`: its journey's own that hold, then the built-ins."""
    if res.stage is None or not book.is_active(res):
        return []
    stage = book.journey.stages[res.stage]
    win = Window(events, 0, len(events), events[0].ts if events else as_of)

    def done(mid: str) -> bool:
        a = res.attempts.get(mid)
        return a is not None and a.status in ("done", "late")

    listed = [
        book.listed[i]
        for i, r in enumerate(book.journey.risks)
        if (r.stages is None or stage.id in r.stages) and holds(r.when, as_of, win, done)
    ]
    return book.risks(res, listed, as_of)


def _used_values(events: Sequence[Event]) -> Callable[[AdoptionRule], list[str]]:
    def used(rule: AdoptionRule) -> list[str]:
        values = {
            v for ev in events if ev.name in rule.events and (v := ev.props.get(rule.property, ""))
        }
        return sorted(values)

    return used


def _placement(
    book: Rulebook,
    customer_id: str,
    attributes: Mapping[str, str],
    res: ReplayResult,
    events: Sequence[Event],
    as_of: int,
) -> CustomerPlacement:
    risks = active_risks(book, res, events, as_of)
    return book.place(customer_id, attributes, res, risks, _used_values(events))


def place_customer(
    journey: Journey,
    customer_id: str,
    attributes: Mapping[str, str],
    events: Sequence[Event],
    as_of: int,
    known: Known = no_catalog,
    book: Rulebook | None = None,
) -> CustomerPlacement:
    """Place one customer whose events (sorted, all at or before as_of) follow `journey`."""
    book = book if book is not None else Rulebook(journey, known)
    return _placement(book, customer_id, attributes, replay(journey, events, as_of), events, as_of)


def place_customer_series(
    journey: Journey,
    customer_id: str,
    events: Sequence[Event],
    checkpoints: Sequence[int],
    as_of: int,
    attributes: Mapping[str, str] | None = None,
    known: Known = no_catalog,
) -> list[CustomerPlacement]:
    """The customer's placement at each checkpoint (ascending, <= as_of), from one replay.

    Each placement reads only the events at or before its checkpoint; attributes, unless given,
    are the latest non-empty event values up to that checkpoint.
    """
    book = Rulebook(journey, known)
    out = []
    series = replay_series(journey, events, checkpoints, as_of)
    for cp, res in zip(checkpoints, series, strict=True):
        upto = events[: res.events_used]
        attrs = attributes if attributes is not None else event_attributes(upto)
        out.append(_placement(book, customer_id, attrs, res, upto, cp))
    return out


def place_reference(
    journeys: JourneySet,
    log: EventLog,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None,
    known: Known,
    progress: Callable[[int, int], None] | None = None,
) -> PlaceResult:
    """Place every customer with an event at or before `as_of`, one at a time."""
    books = {j.id: Rulebook(j, known) for j in journeys.journeys}
    plans = {j.id: ReplayPlan(j) for j in journeys.journeys}
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
        book = books[journey.id]
        res = replay(plans[journey.id], upto, as_of)
        placed.append(_placement(book, cid, attrs, res, upto, as_of))
    summary = Summary(
        len(placed) + len(unmatched), log.rows, ignored, len(unmatched), len(log.bad_rows)
    )
    return PlaceResult(
        as_of, journeys.journeys, tuple(placed), tuple(unmatched), unmatched_attrs, summary
    )
