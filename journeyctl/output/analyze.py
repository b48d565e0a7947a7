"""`analyze` output: the §11 JSON object and renderer-neutral tables (table, markdown)."""

from __future__ import annotations

from typing import Any

from journeyctl.analytics.model import Analysis, JourneyAnalysis, Tables
from journeyctl.events.timestamps import format_instant
from journeyctl.output.tabledata import TableData

SCHEMA_VERSION = 1


def tables_json(t: Tables) -> dict[str, Any]:
    """The keys §11 lists for one journey (and for each --by group)."""
    return {
        "customers": t.customers,
        "not_started": t.not_started,
        "funnel": [
            {
                "stage": f.stage,
                "reached": f.reached,
                "share": f.share,
                "now": f.now,
                "median_days_to_reach": f.median_days_to_reach,
                "p90_days_to_reach": f.p90_days_to_reach,
            }
            for f in t.funnel
        ],
        "paths": {
            "customers": t.paths.customers,
            "conforming": t.paths.conforming,
            "conforming_share": t.paths.conforming_share,
            "variants": [
                {"path": list(v.path), "customers": v.customers, "share": v.share}
                for v in t.paths.variants
            ],
            "other": t.paths.other,
        },
        "skips": [
            {"from": s.from_stage, "to": s.to_stage, "skipped": list(s.skipped), "moves": s.moves}
            for s in t.skips
        ],
        "regressions": [
            {"from": r.from_stage, "to": r.to_stage, "trigger": r.trigger, "moves": r.moves}
            for r in t.regressions
        ],
        "stalls": [{"stage": s.stage, "now": s.now, "ever": s.ever} for s in t.stalls],
        "milestones": [
            {
                "stage": m.stage,
                "milestone": m.milestone,
                "attempts": m.attempts,
                "done": m.done,
                "late": m.late,
                "missed": m.missed,
                "overdue": m.overdue,
                "pending": m.pending,
                "on_time_rate": m.on_time_rate,
            }
            for m in t.milestones
        ],
        "cohorts": [
            {
                "cohort": c.cohort,
                "customers": c.customers,
                "reached": dict(c.reached),
                "churned": c.churned,
                "retention": list(c.retention),
            }
            for c in t.cohorts
        ],
        "kpis": [
            {
                "id": k.id,
                "title": k.title,
                "kind": k.kind,
                "value": k.value,
                "n": k.n,
                "stages": [{"stage": s.stage, "value": s.value, "n": s.n} for s in k.stages],
            }
            for k in t.kpis
        ],
    }


def journey_json(j: JourneyAnalysis) -> dict[str, Any]:
    return {
        "id": j.id,
        "version": j.version,
        **tables_json(j.tables),
        "groups": [{"value": g.value, **tables_json(g.tables)} for g in j.groups],
    }


def analysis_json(a: Analysis) -> dict[str, Any]:
    """`analyze --format json` (§11); `title` and `kind` of each KPI are additions."""
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": format_instant(a.as_of),
        "by": a.by,
        "journeys": [journey_json(j) for j in a.journeys],
    }


# -- tables for people (table and markdown formats) --------------------------------------------


def _num(x: float | None, digits: int = 1) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.1f}%"


def _tables_for(title: str, t: Tables) -> list[TableData]:
    out = [
        TableData(
            f"{title}: funnel ({t.customers} customers, {t.not_started} not started)",
            ("stage", "reached", "share", "now", "median days", "p90 days"),
            tuple(
                (
                    f.stage,
                    str(f.reached),
                    _pct(f.share),
                    str(f.now),
                    _num(f.median_days_to_reach),
                    _num(f.p90_days_to_reach),
                )
                for f in t.funnel
            ),
        ),
        TableData(
            f"{title}: paths ({t.paths.conforming} of {t.paths.customers} as designed, "
            f"{_pct(t.paths.conforming_share) or 'n/a'})",
            ("path", "customers", "share"),
            tuple((" > ".join(v.path), str(v.customers), _pct(v.share)) for v in t.paths.variants)
            + ((("(other paths)", str(t.paths.other), ""),) if t.paths.other else ()),
        ),
        TableData(
            f"{title}: skips",
            ("from", "to", "skipped", "moves"),
            tuple(
                (s.from_stage or "(start)", s.to_stage, ", ".join(s.skipped), str(s.moves))
                for s in t.skips
            ),
        ),
        TableData(
            f"{title}: regressions",
            ("from", "to", "trigger", "moves"),
            tuple((r.from_stage, r.to_stage, r.trigger, str(r.moves)) for r in t.regressions),
        ),
        TableData(
            f"{title}: stalls",
            ("stage", "stalled now", "ever stalled"),
            tuple((s.stage, str(s.now), str(s.ever)) for s in t.stalls),
            empty="no stage has a max_duration",
        ),
        TableData(
            f"{title}: milestones",
            (
                "stage",
                "milestone",
                "attempts",
                "done",
                "late",
                "missed",
                "overdue",
                "pending",
                "on time",
            ),
            tuple(
                (
                    m.stage,
                    m.milestone,
                    *(str(x) for x in (m.attempts, m.done, m.late, m.missed, m.overdue, m.pending)),
                    _pct(m.on_time_rate),
                )
                for m in t.milestones
            ),
        ),
        TableData(
            f"{title}: cohorts (retention by month since the first move)",
            ("cohort", "customers", "churned", "retention"),
            tuple(
                (
                    c.cohort,
                    str(c.customers),
                    str(c.churned),
                    " ".join(f"{r * 100:.0f}%" for r in c.retention),
                )
                for c in t.cohorts
            ),
        ),
    ]
    if t.kpis:
        stages = [s.stage for s in t.kpis[0].stages]
        out.append(
            TableData(
                f"{title}: KPIs (mean per customer; n customers with a value)",
                ("kpi", "all", *stages),
                tuple(
                    (
                        k.title,
                        _kpi_cell(k.value, k.n),
                        *(_kpi_cell(s.value, s.n) for s in k.stages),
                    )
                    for k in t.kpis
                ),
            )
        )
    return out


def _kpi_cell(value: float | None, n: int) -> str:
    return "" if value is None else f"{value:g} (n={n})"


def analysis_tables(a: Analysis) -> list[TableData]:
    out: list[TableData] = []
    for j in a.journeys:
        out.extend(_tables_for(j.id, j.tables))
        for g in j.groups:
            out.extend(_tables_for(f"{j.id} [{a.by}={g.value}]", g.tables))
    return out
