"""Each customer's placement at every cutoff from one replay, and the instants it hits the target.

The replay engine is causal, so `replay_series` yields the state at every cutoff from a single
pass over a customer's events; labels come from the same engine's moves ("enters stage X" is a move
into X), so prediction and placement never disagree.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import SEVERITY_RANK, JourneySet
from journeyctl.engine.reference import active_risks  # the risks of `place`, at each cutoff
from journeyctl.engine.replay import ReplayResult, replay_series
from journeyctl.engine.result import CustomerPlacement, no_catalog
from journeyctl.engine.rulebook import Rulebook
from journeyctl.engine.segments import match_journey
from journeyctl.events.ingest import Event
from journeyctl.predict.target import Target

DAY_US = 86_400_000_000
STATUSES = ("pending", "overdue", "done", "late", "missed")


@dataclass(frozen=True, slots=True)
class StageState:
    """What the placement features read of a customer's placement at one instant."""

    journey: str | None  # None: unmatched
    stage: str | None  # None: not started (or unmatched)
    days_in_stage: float  # nan when not started
    milestones: tuple[int, ...]  # counts by STATUSES
    moves: int
    regressions: int
    skipped: int
    risks: tuple[str, ...]
    risk_level: int  # SEVERITY_RANK of the highest active risk
    at_target: bool


UNMATCHED = StageState(None, None, math.nan, (0, 0, 0, 0, 0), 0, 0, 0, (), 0, False)


def _state(
    book: Rulebook,
    res: ReplayResult,
    events: Sequence[Event],
    at: int,
    target_ids: frozenset[str],
) -> StageState:
    journey = book.journey
    stage = journey.stages[res.stage] if res.stage is not None else None
    risks = active_risks(book, res, events, at)
    counts = dict.fromkeys(STATUSES, 0)
    for m in res.milestones:
        counts[m.status] += 1
    current = {m.id for m in res.milestones}
    counts["missed"] += sum(
        1 for mid, a in res.attempts.items() if a.status == "missed" and mid not in current
    )
    return StageState(
        journey.id,
        stage.id if stage is not None else None,
        (at - res.entered_at) / DAY_US if res.entered_at is not None else math.nan,
        tuple(counts[s] for s in STATUSES),
        len(res.moves),
        sum(1 for m in res.moves if m.direction == "backward"),
        sum(len(m.skipped) for m in res.moves),
        tuple(sorted({r.id for r in risks})),
        max((SEVERITY_RANK[r.severity] for r in risks), default=0),
        stage is not None and stage.id in target_ids,
    )


def state_of_placement(c: CustomerPlacement, as_of: int, target: Target) -> StageState:
    """The same state, read from a placement that `place` computed (for `place --model`)."""
    counts = dict.fromkeys(STATUSES, 0)
    for m in c.milestones:
        counts[m.status] += 1
    current = {m.id for m in c.milestones}
    counts["missed"] += sum(
        1 for mid, a in c.replay.attempts.items() if a.status == "missed" and mid not in current
    )
    return StageState(
        c.journey.id,
        c.stage.id if c.stage is not None else None,
        (as_of - c.entered_at) / DAY_US if c.entered_at is not None else math.nan,
        tuple(counts[s] for s in STATUSES),
        len(c.moves),
        len(c.regressions),
        sum(len(m.skipped) for m in c.moves),
        tuple(sorted({r.id for r in c.risks})),
        SEVERITY_RANK[c.risk_level],
        c.stage is not None and c.stage.id in target.stage_ids(c.journey),
    )


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    states: tuple[StageState, ...]  # one per checkpoint asked for
    target_times: tuple[int, ...]  # when the customer entered a target stage (stage targets)


def customer_history(
    journeys: JourneySet,
    events: Sequence[Event],
    checkpoints: Sequence[int],
    attributes_at: Callable[[int], Mapping[str, str]],
    target: Target,
) -> CustomerHistory:
    """States at `checkpoints` (ascending; the last is as-of) with as few replays as possible:
    one per journey the customer follows over time (almost always one)."""
    journeys_at = [
        match_journey(journeys.journeys, attributes_at(k)) for k in range(len(checkpoints))
    ]
    states: list[StageState] = [UNMATCHED] * len(checkpoints)
    ts = [e.ts for e in events]
    done: set[str] = set()
    as_of_result: ReplayResult | None = None
    for j in journeys_at:
        if j is None or j.id in done:
            continue
        done.add(j.id)
        idx = [k for k, x in enumerate(journeys_at) if x is j]
        cps = [checkpoints[k] for k in idx]
        upto = events[: bisect.bisect_right(ts, cps[-1])]
        results = replay_series(j, upto, cps, cps[-1])
        ids = target.stage_ids(j)
        book = Rulebook(j, no_catalog)  # risks do not read the catalog
        for k, cp, res in zip(idx, cps, results, strict=True):
            n = bisect.bisect_right(ts, cp)
            states[k] = _state(book, res, upto if n == len(upto) else upto[:n], cp, ids)
        if idx[-1] == len(checkpoints) - 1:
            as_of_result = results[-1]
    times: tuple[int, ...] = ()
    last = journeys_at[-1]
    if as_of_result is not None and last is not None and target.kind != "event":
        ids = target.stage_ids(last)
        times = tuple(m.at for m in as_of_result.moves if m.to_stage in ids)
    return CustomerHistory(tuple(states), times)
