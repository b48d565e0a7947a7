"""Milestone attempts and on-time rates per stage and milestone (§11.4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from journeyctl.analytics.model import MilestoneStats
from journeyctl.analytics.numbers import ratio
from journeyctl.definitions.model import Journey

STATUSES = ("done", "late", "missed", "overdue", "pending")


def milestones(
    journey: Journey, attempts: Iterable[tuple[str, str, str]]
) -> tuple[MilestoneStats, ...]:
    """`attempts`: (stage, milestone, final status) of every attempt of every customer (one
    attempt per entry into the stage). Every milestone of the journey is listed, in file order."""
    counts: Counter[tuple[str, str, str]] = Counter(attempts)
    out = []
    for s in journey.stages:
        for m in s.milestones:
            n = {st: counts[(s.id, m.id, st)] for st in STATUSES}
            judged = n["done"] + n["late"] + n["missed"] + n["overdue"]
            out.append(
                MilestoneStats(
                    s.id,
                    m.id,
                    sum(n.values()),
                    n["done"],
                    n["late"],
                    n["missed"],
                    n["overdue"],
                    n["pending"],
                    ratio(n["done"], judged),
                )
            )
    return tuple(out)
