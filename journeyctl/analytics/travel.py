"""How customers moved through one journey: funnel, paths, skips, regressions, stalls (§11.1-3).

Pure functions over placements; each reads only the customers' moves, stage and entry instant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from journeyctl.analytics.model import FunnelStage, Paths, Regression, Skip, Stall, Variant
from journeyctl.analytics.numbers import percentiles, ratio
from journeyctl.definitions.model import Journey
from journeyctl.engine.result import CustomerPlacement
from journeyctl.events.timestamps import DAY

MAX_VARIANTS = 20


def funnel(journey: Journey, customers: Sequence[CustomerPlacement]) -> tuple[FunnelStage, ...]:
    """Per stage in file order: who reached it, who is in it now, and how long reaching it took
    (days from the customer's first move to its first move into the stage)."""
    index = {s.id: i for i, s in enumerate(journey.stages)}
    reach_days: list[list[float]] = [[] for _ in journey.stages]
    now = [0] * len(journey.stages)
    for c in customers:
        if c.stage is not None:
            now[index[c.stage.id]] += 1
        if not c.moves:
            continue
        start = c.moves[0].at
        seen: set[str] = set()
        for m in c.moves:
            if m.to_stage not in seen:
                seen.add(m.to_stage)
                reach_days[index[m.to_stage]].append((m.at - start) / DAY)
    total = len(customers)
    out = []
    for i, s in enumerate(journey.stages):
        days = reach_days[i]
        median, p90 = percentiles(days, (50, 90))
        out.append(FunnelStage(s.id, len(days), ratio(len(days), total), now[i], median, p90))
    return tuple(out)


def _variant_key(item: tuple[tuple[str, ...], int]) -> tuple[int, str]:
    return (-item[1], ">".join(item[0]))


def paths(customers: Sequence[CustomerPlacement]) -> Paths:
    """The distinct paths (the `to` of each move, in order), most frequent first, and how many
    customers travelled exactly as designed (every move forward, nothing skipped)."""
    counts: Counter[tuple[str, ...]] = Counter()
    conforming = 0
    for c in customers:
        if not c.moves:
            continue
        counts[tuple(m.to_stage for m in c.moves)] += 1
        if all(m.direction == "forward" and not m.skipped for m in c.moves):
            conforming += 1
    moved = sum(counts.values())
    ranked = sorted(counts.items(), key=_variant_key)
    top = ranked[:MAX_VARIANTS]
    variants = tuple(Variant(p, n, ratio(n, moved)) for p, n in top)
    other = sum(n for _, n in ranked[MAX_VARIANTS:])
    return Paths(moved, conforming, ratio(conforming, moved), variants, other)


def skips(customers: Sequence[CustomerPlacement]) -> tuple[Skip, ...]:
    """Moves by progression that jumped over stages, per (from, to, skipped), most first."""
    counts: Counter[tuple[str | None, str, tuple[str, ...]]] = Counter()
    for c in customers:
        for m in c.moves:
            if m.skipped:
                counts[(m.from_stage, m.to_stage, m.skipped)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0] or "", kv[0][1], kv[0][2]))
    return tuple(Skip(f, t, s, n) for (f, t, s), n in ranked)


def regressions(customers: Sequence[CustomerPlacement]) -> tuple[Regression, ...]:
    """Backward moves per (from, to, trigger), most first."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for c in customers:
        for m in c.moves:
            if m.direction == "backward" and m.from_stage is not None:
                counts[(m.from_stage, m.to_stage, m.trigger)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], *kv[0]))
    return tuple(Regression(f, t, trig, n) for (f, t, trig), n in ranked)


def stalls(
    journey: Journey, customers: Sequence[CustomerPlacement], as_of: int
) -> tuple[Stall, ...]:
    """Per stage with `max_duration`: customers stalled now (the built-in risk of §2 rule 5) and
    customers with any stay longer than it (a stay ends at the next move, the current at as-of)."""
    limits = {s.id: s.max_duration.micros for s in journey.stages if s.max_duration is not None}
    if not limits:
        return ()
    now: Counter[str] = Counter()
    ever: Counter[str] = Counter()
    for c in customers:
        moves = c.moves
        if c.stage is not None and c.status == "active" and c.entered_at is not None:
            limit = limits.get(c.stage.id)
            if limit is not None and as_of - c.entered_at > limit:
                now[c.stage.id] += 1
        stalled: set[str] = set()
        for i, m in enumerate(moves):
            limit = limits.get(m.to_stage)
            if limit is None or m.to_stage in stalled:
                continue
            end = moves[i + 1].at if i + 1 < len(moves) else as_of
            if end - m.at > limit:
                stalled.add(m.to_stage)
        ever.update(stalled)
    return tuple(Stall(s.id, now[s.id], ever[s.id]) for s in journey.stages if s.id in limits)
