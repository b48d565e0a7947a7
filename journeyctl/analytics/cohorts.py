"""Monthly cohorts by first move, with what they reached and how many stayed (§11.5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache

from journeyctl.analytics.model import Cohort
from journeyctl.analytics.numbers import ratio
from journeyctl.definitions.model import Journey
from journeyctl.engine.result import CustomerPlacement
from journeyctl.events.timestamps import DAY, MICROS

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _month(us: int) -> int:
    """Months since year 0 of the UTC instant (year * 12 + month - 1)."""
    return _month_of_day(us // DAY)


@cache
def _month_of_day(day: int) -> int:
    # one datetime per distinct day, not per move: the log has millions of moves, few days
    d = datetime.fromtimestamp(day * 86400, UTC)
    return d.year * 12 + d.month - 1


def _month_start(month: int) -> int:
    year, m0 = divmod(month, 12)
    delta = datetime(year, m0 + 1, 1, tzinfo=UTC) - _EPOCH
    return (delta.days * 86400 + delta.seconds) * MICROS


def _label(month: int) -> str:
    year, m0 = divmod(month, 12)
    return f"{year:04d}-{m0 + 1:02d}"


def cohorts(
    journey: Journey, customers: Sequence[CustomerPlacement], as_of: int
) -> tuple[Cohort, ...]:
    """Customers grouped by the month of their first move, oldest first.

    `retention[k]` is the share of the cohort not in a churned stage just before E(k), the first
    instant of the month after month cohort + k, for every E(k) at or before as-of."""
    churned_stage = {s.id for s in journey.stages if s.outcome == "churned"}
    groups: dict[int, list[CustomerPlacement]] = {}
    for c in customers:
        if c.moves:
            groups.setdefault(_month(c.moves[0].at), []).append(c)
    out = []
    for month in sorted(groups):
        members = groups[month]
        reached = {s.id: 0 for s in journey.stages}
        for c in members:
            for sid in {m.to_stage for m in c.moves}:
                reached[sid] += 1
        retention = _retention(members, month, churned_stage, as_of)
        out.append(
            Cohort(
                _label(month),
                len(members),
                tuple(reached.items()),
                sum(1 for c in members if c.status == "churned"),
                tuple(retention),
            )
        )
    return tuple(out)


def _retention(
    members: Sequence[CustomerPlacement], month: int, churned_stage: set[str], as_of: int
) -> tuple[float, ...]:
    """The retention list of one cohort, in one pass over its members' moves.

    A move dated in month cohort + j is strictly before E(k) exactly when j <= k, so each
    customer's state just before E(k) is that after its last move of month offset <= k: a step
    function, summed over the customers with a difference array."""
    horizon = 0
    while _month_start(month + horizon + 1) <= as_of:
        horizon += 1
    if horizon == 0:
        return ()
    delta = [0] * (horizon + 1)  # churned customers per k, as differences
    for c in members:
        state_from = 0  # offset from which the current state holds
        churned = False
        for m in c.moves:
            k = _month(m.at) - month
            if k >= horizon:
                break
            now_churned = m.to_stage in churned_stage
            if now_churned != churned:
                if churned:
                    delta[state_from] += 1
                    delta[k] -= 1
                state_from, churned = k, now_churned
        if churned:
            delta[state_from] += 1
            delta[horizon] -= 1
    out = []
    running = 0
    for k in range(horizon):
        running += delta[k]
        share = ratio(len(members) - running, len(members))
        assert share is not None  # a cohort is never empty
        out.append(share)
    return tuple(out)
