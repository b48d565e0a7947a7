"""Replay the same events under both sides and compare where each customer lands (§4 `impact`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import Journey, JourneySet
from journeyctl.engine.placement import PlaceResult, place
from journeyctl.events.ingest import EventLog

COUNT_NAMES = (
    "forward",
    "backward",
    "stage_removed",
    "changed_journey",
    "newly_unmatched",
    "newly_matched",
    "newly_at_risk",
    "no_longer_at_risk",
)
EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one customer stands on one side; `journey` None means unmatched."""

    journey: str | None
    stage: str | None
    terminal: bool
    at_risk: bool
    risk_level: str


@dataclass(frozen=True, slots=True)
class MatrixCell:
    from_journey: str | None
    from_stage: str | None
    to_journey: str | None
    to_stage: str | None
    customers: int

    @property
    def unchanged(self) -> bool:
        """The same journey and stage on both sides: `text` and `table` leave these pairs out."""
        return (self.from_journey, self.from_stage) == (self.to_journey, self.to_stage)


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    customers: tuple[str, ...]  # every customer counted, sorted

    @property
    def count(self) -> int:
        return len(self.customers)

    @property
    def examples(self) -> tuple[str, ...]:
        return self.customers[:EXAMPLES]


@dataclass(frozen=True, slots=True)
class Impact:
    customers: int
    as_of: int
    matrix: tuple[MatrixCell, ...]
    counts: tuple[Count, ...]  # in COUNT_NAMES order
    head_risk_levels: Mapping[str, str]  # customer -> risk level on the head side

    def count(self, name: str) -> Count:
        return next(c for c in self.counts if c.name == name)


def standings(result: PlaceResult) -> dict[str, Standing]:
    out = {
        c.customer_id: Standing(
            c.journey.id,
            c.stage.id if c.stage is not None else None,
            c.stage is not None and c.stage.terminal,
            c.at_risk,
            c.risk_level,
        )
        for c in result.customers
    }
    for cid in result.unmatched:
        out[cid] = Standing(None, None, False, False, "none")
    return out


def _stage_pos(journey: Journey | None, stage: str | None) -> int | None:
    """0-based position of `stage` in `journey`; -1 for not started; None if it is not there."""
    if stage is None:
        return -1
    if journey is None:
        return None
    ids = [s.id for s in journey.stages]
    return ids.index(stage) if stage in ids else None


def _classify(
    b: Standing,
    h: Standing,
    head: JourneySet,
    head_id_of: Mapping[str, str],
) -> list[str]:
    """The counts one customer falls into."""
    out: list[str] = []
    if b.journey is not None and h.journey is not None:
        # The base journey as it exists on the head side (followed through a rename).
        counterpart = head.journey(head_id_of.get(b.journey, b.journey))
        same = counterpart is not None and counterpart.id == h.journey
        if counterpart is not None and _stage_pos(counterpart, b.stage) is None:
            out.append("stage_removed")
        if not same:
            out.append("changed_journey")
        elif not b.terminal and not h.terminal:
            bpos, hpos = _stage_pos(counterpart, b.stage), _stage_pos(counterpart, h.stage)
            if bpos is not None and hpos is not None:
                if hpos > bpos:
                    out.append("forward")
                elif hpos < bpos:
                    out.append("backward")
    elif b.journey is not None:
        out.append("newly_unmatched")
    elif h.journey is not None:
        out.append("newly_matched")
    if h.at_risk and not b.at_risk:
        out.append("newly_at_risk")
    if b.at_risk and not h.at_risk:
        out.append("no_longer_at_risk")
    return out


def _matrix(
    pairs: Counter[tuple[Standing, Standing]], base: JourneySet, head: JourneySet
) -> list[MatrixCell]:
    cells: Counter[tuple[str | None, str | None, str | None, str | None]] = Counter()
    for (b, h), n in pairs.items():
        cells[(b.journey, b.stage, h.journey, h.stage)] += n

    def order(js: JourneySet, journey: str | None, stage: str | None) -> tuple[int, str, int]:
        if journey is None:
            return (1, "", 0)
        pos = _stage_pos(js.journey(journey), stage)
        return (0, journey, pos if pos is not None else 10**6)

    keys = sorted(
        cells, key=lambda k: (order(base, k[0], k[1]), order(head, k[2], k[3]), k[1] or "")
    )
    return [MatrixCell(*k, cells[k]) for k in keys]


def compare_placements(
    base_result: PlaceResult,
    head_result: PlaceResult,
    base: JourneySet,
    head: JourneySet,
    renamed: Mapping[str, str] | None = None,
) -> Impact:
    """Compare two placements of the same events; `renamed` maps head id -> base id."""
    head_id_of = {bid: hid for hid, bid in (renamed or {}).items()}
    bs, hs = standings(base_result), standings(head_result)
    none = Standing(None, None, False, False, "none")
    members: dict[str, list[str]] = {name: [] for name in COUNT_NAMES}
    pairs: Counter[tuple[Standing, Standing]] = Counter()
    for cid in sorted(set(bs) | set(hs)):
        b, h = bs.get(cid, none), hs.get(cid, none)
        pairs[(b, h)] += 1
        for name in _classify(b, h, head, head_id_of):
            members[name].append(cid)
    return Impact(
        customers=len(set(bs) | set(hs)),
        as_of=head_result.as_of,
        matrix=tuple(_matrix(pairs, base, head)),
        counts=tuple(Count(name, tuple(members[name])) for name in COUNT_NAMES),
        head_risk_levels={cid: s.risk_level for cid, s in hs.items()},
    )


def replay_impact(
    base: JourneySet,
    head: JourneySet,
    log: EventLog,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None = None,
    renamed: Mapping[str, str] | None = None,
) -> Impact:
    """Place the same events at the same as-of under both sides and compare."""
    return compare_placements(
        place(base, log, as_of, accounts), place(head, log, as_of, accounts), base, head, renamed
    )


def counts_by_name(impact: Impact) -> dict[str, int]:
    return {c.name: c.count for c in impact.counts}


def levels_of(impact: Impact, name: str) -> Sequence[str]:
    """Head-side risk levels of the customers in count `name` (for `NAME:LEVEL` conditions)."""
    return [impact.head_risk_levels.get(cid, "none") for cid in impact.count(name).customers]
