"""Build the report model from this snapshot, the previous one and their comparison."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from journeyctl.analytics.model import Analysis, KpiValue
from journeyctl.definitions.model import SEVERITY_RANK
from journeyctl.events.timestamps import days_between
from journeyctl.history.compare import CATEGORIES, Comparison
from journeyctl.history.model import CustomerRecord, JourneyRecord, Snapshot, TrendRow
from journeyctl.reports.model import (
    AtRiskRow,
    Breakdown,
    BreakdownRow,
    JourneyRow,
    RegressionRow,
    Report,
    Series,
    StageRow,
)


@dataclass(frozen=True, slots=True)
class Trend:
    as_of: tuple[int, ...]
    customers: tuple[int, ...]
    at_risk: tuple[int, ...]
    stages: tuple[Series, ...]
    journey_at_risk: tuple[Series, ...]


def _trend(rows: Sequence[TrendRow], journeys: Sequence[JourneyRecord]) -> Trend:
    """Pivot the stored trend rows into one series per journey stage, zero-filled, ordered by the
    current definitions (stages that no longer exist last, unmatched at the end)."""
    as_of = tuple(sorted({r.as_of for r in rows}))
    col = {t: i for i, t in enumerate(as_of)}
    cells: dict[tuple[str | None, str | None], list[int]] = {}
    risky: dict[str | None, list[int]] = {}
    customers = [0] * len(as_of)
    at_risk = [0] * len(as_of)
    for r in rows:
        i = col[r.as_of]
        cells.setdefault((r.journey, r.stage), [0] * len(as_of))[i] += r.customers
        risky.setdefault(r.journey, [0] * len(as_of))[i] += r.at_risk
        customers[i] += r.customers
        at_risk[i] += r.at_risk
    order: list[tuple[str | None, str | None]] = []
    for j in journeys:
        order += [(j.id, None), *((j.id, s.id) for s in j.stages)]
    order += sorted(
        (k for k in cells if k not in order), key=lambda k: (k[0] is None, k[0] or "", k[1] or "")
    )
    stages = tuple(Series(j, s, tuple(cells[(j, s)])) for j, s in order if (j, s) in cells)
    jorder = [j.id for j in journeys] + sorted(
        k for k in risky if k is not None and k not in {j.id for j in journeys}
    )
    journey_risk = tuple(Series(j, None, tuple(risky[j])) for j in jorder if j in risky)
    return Trend(as_of, tuple(customers), tuple(at_risk), stages, journey_risk)


def _journey_row(
    j: JourneyRecord,
    mine: Sequence[CustomerRecord],
    changes: Mapping[str, int],
    kpis: Mapping[str, tuple[KpiValue, ...]],
) -> JourneyRow:
    by_stage: dict[str | None, list[CustomerRecord]] = {}
    for c in mine:
        by_stage.setdefault(c.stage, []).append(c)
    stages = []
    for s in j.stages:
        cs = by_stage.get(s.id, [])
        stages.append(
            StageRow(
                s.id,
                s.terminal,
                len(cs),
                sum(c.at_risk for c in cs),
                sum(1 for c in cs for m in c.milestones if m.status == "overdue"),
            )
        )
    return JourneyRow(
        j.id, j.version, len(by_stage.get(None, [])), tuple(stages), changes, kpis.get(j.id, ())
    )


def _owner(
    cid: str, now: Mapping[str, CustomerRecord], before: Mapping[str, CustomerRecord]
) -> CustomerRecord:
    """The record a customer is counted by: this snapshot's, else (vanished) the previous one."""
    return now[cid] if cid in now else before[cid]


def _counts_by(
    changes: Mapping[str, tuple[str, ...]],
    key: Mapping[str, str | None],
) -> dict[str | None, Counter[str]]:
    out: dict[str | None, Counter[str]] = {}
    for cat in CATEGORIES:
        for cid in changes[cat]:
            out.setdefault(key[cid], Counter())[cat] += 1
    return out


def _full(counts: Counter[str] | None) -> dict[str, int]:
    return {cat: (counts or Counter())[cat] for cat in CATEGORIES}


def _breakdown(
    attribute: str,
    now: Mapping[str, CustomerRecord],
    before: Mapping[str, CustomerRecord],
    changes: Mapping[str, tuple[str, ...]],
) -> Breakdown:
    def value(c: CustomerRecord) -> str | None:
        return c.attributes.get(attribute) or None

    everyone = now.keys() | before.keys()
    key = {cid: value(_owner(cid, now, before)) for cid in everyone}
    by_change = _counts_by(changes, key)
    customers: Counter[str | None] = Counter(value(c) for c in now.values())
    at_risk: Counter[str | None] = Counter(value(c) for c in now.values() if c.at_risk)
    values = sorted({*customers, *by_change}, key=lambda v: (v is None, v or ""))
    rows = tuple(BreakdownRow(v, customers[v], at_risk[v], _full(by_change.get(v))) for v in values)
    return Breakdown(attribute, rows)


def _regressions(
    changes: Mapping[str, tuple[str, ...]],
    now: Mapping[str, CustomerRecord],
    before: Mapping[str, CustomerRecord],
    since: int | None,
) -> tuple[RegressionRow, ...]:
    rows = []
    for cid in changes["regressed"]:
        c = now[cid]
        p = before.get(cid)
        rows.append(
            RegressionRow(
                cid,
                c.journey or "",
                p.stage if p is not None and p.journey == c.journey else None,
                c.stage,
                tuple(
                    m
                    for m in c.moves
                    if m.direction == "backward" and (since is None or m.at > since)
                ),
            )
        )
    return tuple(rows)


def _at_risk_rows(current: Snapshot, newly: frozenset[str]) -> tuple[AtRiskRow, ...]:
    rows = [
        AtRiskRow(
            c.customer_id,
            c.journey or "",
            c.stage,
            c.risk_level,
            tuple(r.title for r in c.risks),
            days_between(c.entered_at, current.as_of) if c.entered_at is not None else None,
            c.customer_id in newly,
        )
        for c in current.customers
        if c.at_risk
    ]
    rows.sort(key=lambda r: (-SEVERITY_RANK.get(r.risk_level, 0), not r.newly, r.customer_id))
    return tuple(rows)


def build_report(
    current: Snapshot,
    previous: Snapshot | None,
    comparison: Comparison,
    trend: Sequence[TrendRow] = (),
    by: Sequence[str] = (),
    kpis: Mapping[str, tuple[KpiValue, ...]] | None = None,
    analysis: Analysis | None = None,
) -> Report:
    """Everything the Markdown, JSON and HTML renderers show."""
    now = {c.customer_id: c for c in current.customers}
    before = {c.customer_id: c for c in previous.customers} if previous is not None else {}
    changes = comparison.changes
    journey_of = {cid: _owner(cid, now, before).journey for cid in now.keys() | before.keys()}
    per_journey = _counts_by(changes, journey_of)
    tr = _trend(trend, current.journeys)
    by_journey: dict[str | None, list[CustomerRecord]] = {}
    for c in current.customers:
        by_journey.setdefault(c.journey, []).append(c)
    journeys = tuple(
        _journey_row(j, by_journey.get(j.id, []), _full(per_journey.get(j.id)), kpis or {})
        for j in current.journeys
    )
    return Report(
        as_of=current.as_of,
        previous_as_of=comparison.previous_as_of,
        run_at=current.run_at,
        customers=len(current.customers),
        at_risk=sum(c.at_risk for c in current.customers),
        unmatched=sum(1 for c in current.customers if c.journey is None),
        journeys=journeys,
        changes=changes,
        risk_levels={c.customer_id: c.risk_level for c in current.customers},
        at_risk_rows=_at_risk_rows(current, frozenset(changes["newly_at_risk"])),
        regressions=_regressions(changes, now, before, comparison.previous_as_of),
        flows=comparison.flows,
        trend_as_of=tr.as_of,
        trend_customers=tr.customers,
        trend_at_risk=tr.at_risk,
        trend_stages=tr.stages,
        trend_journey_at_risk=tr.journey_at_risk,
        breakdowns=tuple(_breakdown(a, now, before, changes) for a in dict.fromkeys(by)),
        definitions=current.journeys,
        inputs=current.inputs,
        analysis=analysis,
    )
