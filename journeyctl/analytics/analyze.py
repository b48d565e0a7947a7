"""`analyze`: every §11 table for every journey, from one placement and its event table."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

import numpy as np

from journeyctl.analytics.cohorts import cohorts
from journeyctl.analytics.kpis import CustomerValues, KpiValues, group_value, kpi_values, members
from journeyctl.analytics.milestones import milestones
from journeyctl.analytics.model import (
    NO_VALUE,
    Analysis,
    Group,
    JourneyAnalysis,
    KpiStage,
    KpiValue,
    Tables,
)
from journeyctl.analytics.numbers import SHARE_PLACES, round_half_up
from journeyctl.analytics.travel import funnel, paths, regressions, skips, stalls
from journeyctl.checks import check_filters, require_known
from journeyctl.definitions.model import Journey
from journeyctl.engine.result import CustomerPlacement, PlaceResult
from journeyctl.events.table import EventTable

# (stage, milestone, final status) of each of a customer's milestone attempts
Attempts = Callable[[CustomerPlacement], Iterable[tuple[str, str, str]]]


def every_attempt(c: CustomerPlacement) -> list[tuple[str, str, str]]:
    """Every milestone attempt of the customer with its final status: those each move closed
    (the stage it left), then the current stage's at as-of (pending or overdue included)."""
    out: list[tuple[str, str, str]] = []
    for m in c.moves:
        if m.from_stage is not None and m.closed:
            left = c.journey.stage(m.from_stage)
            out.extend(
                (left.id, ms.id, st) for ms, st in zip(left.milestones, m.closed, strict=True)
            )
    if c.stage is not None:
        out.extend((c.stage.id, ms.id, ms.status) for ms in c.milestones)
    return out


def analyze(
    result: PlaceResult,
    events: EventTable | KpiValues,
    *,
    journeys: Sequence[str] | None = None,
    by: str | None = None,
    attempts: Attempts = every_attempt,
    attributes: Collection[str] | None = None,
) -> Analysis:
    """Every §11 table per journey (all of them, or those named), over the journey's customers
    (not started included, unmatched excluded); with `by`, again per value of that attribute.

    Of the events only the KPIs' values per customer are needed: `events` is the event table
    placed, or those values already computed (`kpi_values`, merged from a cluster's partitions).
    With `attributes` (those a customer can have), a `by` that is none of them is a usage error,
    as for `report --by`: it grouped every customer under "(none)"."""
    if attributes is not None and by is not None:
        require_known("attribute", [by], sorted(attributes), " (--by): no column of the events")
    chosen = list(result.journeys)
    if journeys:
        check_filters(result.journeys, journeys)
        chosen = [j for j in result.journeys if j.id in journeys]
    values = (
        kpi_values(result, events, [j.id for j in chosen])
        if isinstance(events, EventTable)
        else events
    )
    out = []
    for j in chosen:
        cs = members(result, j.id)
        kpis = values.journeys[j.id] if j.kpis else ()
        everyone = np.arange(len(cs), dtype=np.int64)
        tables = _tables(j, cs, everyone, kpis, result.as_of, attempts)
        groups: list[Group] = []
        if by is not None:
            by_value: dict[str, list[int]] = {}
            for i, c in enumerate(cs):
                by_value.setdefault(c.attributes.get(by) or NO_VALUE, []).append(i)
            for value in sorted(by_value, key=lambda v: (v == NO_VALUE, v)):
                sel = np.asarray(by_value[value], dtype=np.int64)
                groups.append(Group(value, _tables(j, cs, sel, kpis, result.as_of, attempts)))
        out.append(
            JourneyAnalysis(
                j.id, j.title, j.version, tuple(s.id for s in j.stages), tables, tuple(groups)
            )
        )
    return Analysis(result.as_of, by, tuple(out))


def _tables(
    journey: Journey,
    everyone: Sequence[CustomerPlacement],
    sel: np.ndarray,  # type: ignore[type-arg]
    kpis: Sequence[CustomerValues],
    as_of: int,
    attempts: Attempts,
) -> Tables:
    cs = [everyone[i] for i in sel.tolist()]
    return Tables(
        customers=len(cs),
        not_started=sum(1 for c in cs if c.stage is None),
        funnel=funnel(journey, cs),
        paths=paths(cs),
        skips=skips(cs),
        regressions=regressions(cs),
        stalls=stalls(journey, cs, as_of),
        milestones=milestones(journey, (a for c in cs for a in attempts(c))),
        cohorts=cohorts(journey, cs, as_of),
        kpis=tuple(_kpi(journey, cs, sel, cv) for cv in kpis),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round_half_up(value, SHARE_PLACES)


def _kpi(
    journey: Journey,
    cs: Sequence[CustomerPlacement],
    sel: np.ndarray,  # type: ignore[type-arg]
    cv: CustomerValues,
) -> KpiValue:
    value, n = group_value(cv, sel)
    by_stage: dict[str, list[int]] = {s.id: [] for s in journey.stages}
    for i, c in zip(sel.tolist(), cs, strict=True):
        if c.stage is not None:
            by_stage[c.stage.id].append(i)
    stages = []
    for sid, idx in by_stage.items():
        v, count = group_value(cv, np.asarray(idx, dtype=np.int64))
        stages.append(KpiStage(sid, _rounded(v), count))
    kpi = cv.kpi
    return KpiValue(kpi.id, kpi.title or kpi.id, kpi.kind, _rounded(value), n, tuple(stages))
