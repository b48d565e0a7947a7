"""report.md: the report as Markdown; every value from the log is escaped."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from journeyctl.history.compare import CATEGORIES
from journeyctl.output.escape import md_escape
from journeyctl.reports.model import Report
from journeyctl.reports.summary import breakdown_tables
from journeyctl.reports.text import (
    MAX_ROWS,
    TITLES,
    days,
    id_list,
    instant,
    kpi_rows,
    move_text,
    nonzero_changes,
    position_label,
    stage_label,
)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Collection[int] = ()
) -> list[str]:
    """A Markdown table; the columns at the `numeric` indexes are right-aligned."""
    align = ["---:" if i in numeric else "---" for i in range(len(headers))]
    out = ["| " + " | ".join(md_escape(h) for h in headers) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _more(shown: int, total: int, what: str) -> list[str]:
    if total <= shown:
        return []
    return [f"_{total - shown} more {what} not shown; report.json lists every change._", ""]


def _header(r: Report) -> list[str]:
    lines = [f"# Journey report as of {instant(r.as_of)}", ""]
    if r.previous_as_of is None:
        lines.append("First snapshot: nothing to compare with, so every customer is new.")
    else:
        lines.append(f"Compared with the snapshot as of {instant(r.previous_as_of)}.")
    lines += [
        f"Generated {instant(r.run_at)}.",
        "",
        f"**{r.customers} customers**, {r.at_risk} at risk, {r.unmatched} unmatched.",
        "",
    ]
    return lines


def _changes(r: Report) -> list[str]:
    rows = []
    for cat in CATEGORIES:
        ids, more = id_list(r.changes[cat])
        who = ", ".join(ids) + (f" and {more} more" if more else "")
        rows.append((TITLES[cat], str(len(r.changes[cat])), who))
    return [
        "## Changes since the previous snapshot",
        "",
        *_table(("change", "customers", "who"), rows, {1}),
    ]


def _journeys(r: Report) -> list[str]:
    lines = ["## Journeys", ""]
    for j in r.journeys:
        lines += [f"### {md_escape(j.id)} (version {j.version})", ""]
        rows = [(stage_label(None), str(j.not_started), "0", "0")]
        rows += [
            (
                s.id + (" (terminal)" if s.terminal else ""),
                str(s.customers),
                str(s.at_risk),
                str(s.overdue_milestones),
            )
            for s in j.stages
        ]
        lines += _table(("stage", "customers", "at risk", "overdue milestones"), rows, {1, 2, 3})
        lines += [f"Changes: {md_escape(nonzero_changes(j.changes))}.", ""]
        if j.kpis:
            headers, kpi_table = kpi_rows(j.kpis)
            lines += ["KPIs (mean per customer; n = customers with a value):", ""]
            lines += _table(headers, kpi_table, range(1, len(headers)))
    return lines


def _trend(r: Report) -> list[str]:
    lines = [f"## Trend of the last {len(r.trend_as_of)} snapshots", ""]
    rows = [
        (instant(t), str(n), str(k))
        for t, n, k in zip(r.trend_as_of, r.trend_customers, r.trend_at_risk, strict=True)
    ]
    return lines + _table(("as of", "customers", "at risk"), rows, {1, 2})


def _at_risk(r: Report) -> list[str]:
    lines = ["## At-risk customers", ""]
    if not r.at_risk_rows:
        return [*lines, "_None._", ""]
    rows = [
        (
            a.customer_id,
            a.journey,
            stage_label(a.stage),
            a.risk_level,
            "; ".join(a.reasons),
            days(a.days_in_stage),
            "yes" if a.newly else "",
        )
        for a in r.at_risk_rows[:MAX_ROWS]
    ]
    lines += _table(
        ("customer", "journey", "stage", "level", "reasons", "days in stage", "new"), rows, {5}
    )
    return lines + _more(len(rows), len(r.at_risk_rows), "at-risk customers")


def _regressions(r: Report) -> list[str]:
    lines = ["## Regressions", ""]
    if not r.regressions:
        return [*lines, "_None._", ""]
    rows = [
        (
            g.customer_id,
            g.journey,
            stage_label(g.previous_stage) if g.previous_stage is not None else "",
            stage_label(g.stage),
            "; ".join(move_text(m) for m in g.moves),
        )
        for g in r.regressions[:MAX_ROWS]
    ]
    lines += _table(("customer", "journey", "before", "now", "backward moves since then"), rows)
    return lines + _more(len(rows), len(r.regressions), "regressions")


def _flows(r: Report) -> list[str]:
    lines = ["## Flows since the previous snapshot", ""]
    moved = [f for f in r.flows if f.source != f.target]
    if not moved:
        return [*lines, "_Nobody moved._", ""]
    rows = [
        (position_label(f.source, "before"), position_label(f.target, "now"), str(f.customers))
        for f in moved
    ]
    return lines + _table(("from", "to", "customers"), rows, {2})


def _breakdowns(r: Report) -> list[str]:
    lines: list[str] = []
    for t in breakdown_tables(r):
        lines += [f"## {md_escape(t.title)}", ""]
        lines += _table(t.headers, list(t.rows), range(1, len(t.headers)))
    return lines


def _sources(r: Report) -> list[str]:
    lines = ["## Inputs", ""]
    lines += [f"- events: {md_escape(i.name)} ({i.size} bytes)" for i in r.inputs]
    lines += [
        f"- journey {md_escape(d.id)} version {d.version}: {md_escape(d.file)}"
        + (f" (sha256 {d.content_hash[:12]})" if d.content_hash else "")
        for d in r.definitions
    ]
    return [*lines, ""]


def render_markdown(r: Report) -> str:
    parts = (
        _header(r)
        + _changes(r)
        + _journeys(r)
        + _trend(r)
        + _at_risk(r)
        + _regressions(r)
        + _flows(r)
        + _breakdowns(r)
        + _sources(r)
    )
    return "\n".join(parts).rstrip("\n") + "\n"
