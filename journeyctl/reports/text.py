"""Wording shared by the Markdown, HTML and summary renderers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from journeyctl.analytics.model import KpiValue
from journeyctl.engine.replay import Move
from journeyctl.events.timestamps import format_instant
from journeyctl.history.compare import ABSENT, NOT_STARTED, UNMATCHED, Position

MAX_IDS = 20  # customer ids listed per change in Markdown and HTML (report.json lists all)
MAX_ROWS = 500  # rows of the at-risk and regression tables in Markdown and HTML

TITLES = {
    "new": "New",
    "vanished": "Vanished",
    "progressed": "Progressed",
    "regressed": "Regressed",
    "skipped": "Skipped a stage",
    "switched_journey": "Switched journey",
    "stage_removed": "Stage removed",
    "churned": "Churned",
    "completed": "Completed",
    "newly_at_risk": "Newly at risk",
    "recovered": "Recovered",
}


def instant(us: int | None) -> str:
    return format_instant(us) if us is not None else ""


def days(d: float | None) -> str:
    return "" if d is None else f"{d:.1f}"


def position_label(p: Position, side: str) -> str:
    """`side` is "before" or "now": absent before means new, absent now means vanished."""
    if p.state == ABSENT:
        return "(new)" if side == "before" else "(vanished)"
    if p.state == UNMATCHED:
        return "(unmatched)"
    if p.state == NOT_STARTED:
        return f"{p.journey} / (not started)"
    return f"{p.journey} / {p.stage}"


def stage_label(stage: str | None) -> str:
    return stage if stage is not None else "(not started)"


def move_text(m: Move) -> str:
    return f"{m.from_stage} -> {m.to_stage} at {format_instant(m.at)} ({m.trigger})"


def id_list(ids: Sequence[str], limit: int = MAX_IDS) -> tuple[list[str], int]:
    """The first `limit` ids and how many more there are."""
    return list(ids[:limit]), max(0, len(ids) - limit)


def nonzero_changes(counts: Mapping[str, int]) -> str:
    parts = [f"{n} {TITLES[k].lower()}" for k, n in counts.items() if n]
    return ", ".join(parts) if parts else "no changes"


def kpi_rows(kpis: Sequence[KpiValue]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The KPIs of a journey as a table: one row per KPI, its value for the journey then per
    stage (the mean over the customers with a value, and how many had one)."""
    stages = [s.stage for s in kpis[0].stages] if kpis else []

    def cell(value: float | None, n: int) -> str:
        return "" if value is None else f"{value:g} (n={n})"

    rows = [(k.title, cell(k.value, k.n), *(cell(s.value, s.n) for s in k.stages)) for k in kpis]
    return ("KPI", "all customers", *stages), rows
