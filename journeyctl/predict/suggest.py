"""What would work when a `stage:` target has too few positive examples: the smallest longer
horizon that gives enough of them (a shorter one gives fewer, never more).

The counts come from the placement at as-of: the engine is causal, so a customer's stage at a past
cutoff is the target of its last move up to that cutoff, and it enters the target stage at the
instants of its moves into it. That is what the examples would hold (up to the sampling of very
large logs), without replaying every customer once per candidate horizon.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from journeyctl.durations import Duration, parse_duration
from journeyctl.engine.placement import PlaceResult
from journeyctl.predict.target import Target, plan_cutoffs

# candidate horizons, in days; only those longer than the one given are tried
CANDIDATE_DAYS = (30, 45, 60, 90, 120, 180, 270, 365, 540, 730, 1095)


@dataclass(frozen=True, slots=True)
class Path:
    """One customer: its first event and its moves (instant, stage id), in order."""

    first: int
    move_at: tuple[int, ...]
    move_to: tuple[str, ...]
    targets: frozenset[str]  # the target stage ids of its journey

    def at_target(self, t: int) -> bool:
        k = bisect.bisect_right(self.move_at, t)
        return k > 0 and self.move_to[k - 1] in self.targets

    def enters(self, lo: int, hi: int) -> bool:
        return any(
            lo < at <= hi and to in self.targets
            for at, to in zip(self.move_at, self.move_to, strict=True)
        )


@dataclass(frozen=True, slots=True)
class Counts:
    horizon: Duration
    train_cutoffs: int
    train_positives: int
    train_negatives: int
    test_positives: int
    test_negatives: int

    def enough(self, min_class: int, min_cutoffs: int) -> bool:
        return (
            self.train_cutoffs >= min_cutoffs
            and min(
                self.train_positives, self.train_negatives, self.test_positives, self.test_negatives
            )
            >= min_class
        )


def paths_of(placed: PlaceResult, target: Target, first_ts: dict[str, int]) -> list[Path]:
    out = []
    for c in placed.customers:
        out.append(
            Path(
                first_ts[c.customer_id],
                tuple(m.at for m in c.moves),
                tuple(m.to_stage for m in c.moves),
                target.stage_ids(c.journey),
            )
        )
    return out


def counts_for(
    paths: Sequence[Path], horizon: Duration, cutoffs: str | None, as_of: int, first: int
) -> Counts:
    plan = plan_cutoffs(cutoffs, horizon, as_of, first)
    cuts = plan.labelled
    test = cuts[-1] if cuts else None
    train = [t for t in cuts if test is not None and t + horizon.micros <= test]
    tp = tn = trp = trn = 0
    for p in paths:
        for t in [*train, *([test] if test is not None else [])]:
            if p.first > t or p.at_target(t):
                continue
            hit = p.enters(t, t + horizon.micros)
            if t == test:
                tp, tn = tp + hit, tn + (not hit)
            else:
                trp, trn = trp + hit, trn + (not hit)
    return Counts(horizon, len(train), trp, trn, tp, tn)


def smallest_horizon(
    paths: Sequence[Path],
    given: Duration,
    cutoffs: str | None,
    as_of: int,
    first: int,
    min_class: int,
    min_cutoffs: int,
) -> Counts | None:
    """The shortest candidate horizon longer than `given` with enough examples of each class."""
    for days in CANDIDATE_DAYS:
        hz = parse_duration(f"{days}d")
        if hz is None or hz.micros <= given.micros:
            continue
        c = counts_for(paths, hz, cutoffs, as_of, first)
        if c.enough(min_class, min_cutoffs):
            return c
    return None


def horizon_hint(found: Counts | None, given: Duration) -> str:
    if found is None:
        return (
            f"no horizon longer than {given.text} (up to {CANDIDATE_DAYS[-1]}d) gives enough "
            "positive examples here: use a longer log, closer --cutoffs (e.g. 14d), or a more "
            "common target (a stage that customers reach more often)"
        )
    return (
        f"a longer horizon gives more positives: --horizon {found.horizon.text} gives about "
        f"{found.train_positives} positive examples in training and {found.test_positives} in test"
    )
