"""report.html: one self-contained page (plotly.js inlined, no network) showing the report.

Every value from the log or the definitions goes through `html.escape`; a Content-Security-Policy
forbids any network access, so the page opens the same offline, from a mail attachment or a CI
artifact.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from journeyctl.analytics.model import KpiValue
from journeyctl.history.compare import CATEGORIES
from journeyctl.output.analyze_html import SECTION_CSS, analysis_section
from journeyctl.reports.charts import Chart, charts, plotly_js
from journeyctl.reports.model import Report
from journeyctl.reports.text import (
    MAX_ROWS,
    TITLES,
    days,
    id_list,
    instant,
    kpi_rows,
    move_text,
    nonzero_changes,
    stage_label,
)

MAX_HTML_IDS = 1000  # ids behind a change's "and N more"

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)

# Charts drawn while the page is still being parsed may have measured a provisional width.
_RESIZE = (
    "window.addEventListener('load',function(){document.querySelectorAll('.plotly-graph-div')"
    ".forEach(function(d){Plotly.Plots.resize(d);});});"
)

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
 color:#1f2933;background:#f5f7fa}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #d9e2ec;
 padding-bottom:4px}h3{margin:16px 0 4px}
.meta{color:#52606d}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:120px;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card b{display:block;font-size:1.6em}.card.alert b{color:#c81e1e}
.panel{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{background:#f0f4f8}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.level-critical,.level-high{color:#c81e1e;font-weight:600}.level-medium{color:#b45309}
.ids{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
.id{white-space:nowrap;word-break:keep-all}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px}
@media (max-width:900px){.grid{grid-template-columns:minmax(0,1fr)}}
.grid>*{min-width:0}.panel{overflow:hidden}
details summary{cursor:pointer;color:#3e6fb0}
.muted{color:#7b8794}
"""


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: int = 0,
    cls: str = "",
    ids: int = 0,
) -> str:
    """An escaped table; the last `numeric` columns are right-aligned numbers, the first `ids`
    hold ids (never broken across lines)."""
    first = len(headers) - numeric

    def cell(tag: str, i: int, text: str) -> str:
        c = ' class="n"' if i >= first else ' class="id"' if i < ids and tag == "td" else ""
        return f"<{tag}{c}>{escape(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _ids(ids: Sequence[str]) -> str:
    """Customer ids, each kept whole: a list wraps between ids, never inside one."""
    return ", ".join(f'<span class="id">{escape(i)}</span>' for i in ids)


def _chart(c: Chart) -> str:
    return f'<div class="panel"><h3>{escape(c.title)}</h3>{c.html}</div>'


def _header(r: Report) -> str:
    prev = (
        f"compared with the snapshot as of {escape(instant(r.previous_as_of))}"
        if r.previous_as_of is not None
        else "first snapshot: nothing to compare with, every customer is new"
    )
    cards = [("customers", r.customers, False), ("at risk", r.at_risk, r.at_risk > 0)]
    cards += [("unmatched", r.unmatched, False)]
    for cat in ("newly_at_risk", "regressed", "churned", "progressed", "new", "vanished"):
        n = len(r.changes[cat])
        cards.append(
            (TITLES[cat].lower(), n, n > 0 and cat in ("newly_at_risk", "regressed", "churned"))
        )
    card_html = "".join(
        f'<div class="card{" alert" if alert else ""}"><b>{n}</b>{escape(label)}</div>'
        for label, n, alert in cards
    )
    return (
        f"<h1>Journey report as of {escape(instant(r.as_of))}</h1>"
        f'<div class="meta">{prev}; generated {escape(instant(r.run_at))}</div>'
        f'<div class="cards">{card_html}</div>'
    )


def _changes(r: Report) -> str:
    rows = []
    for cat in CATEGORIES:
        ids, more = id_list(r.changes[cat])
        who = _ids(ids)
        if more:
            rest, beyond = id_list(r.changes[cat][len(ids) :], MAX_HTML_IDS)
            note = f' <span class="muted">and {beyond} more: see report.json</span>'
            who += (
                f"<details><summary>and {more} more</summary>{_ids(rest)}"
                f"{note if beyond else ''}</details>"
            )
        rows.append(
            f'<tr><td>{escape(TITLES[cat])}</td><td class="n">{len(r.changes[cat])}</td>'
            f'<td class="ids">{who}</td></tr>'
        )
    return (
        '<h2 id="section-changes">Changes since the previous snapshot</h2><div class="panel"><table>'
        '<thead><tr><th>change</th><th class="n">customers</th><th>who</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _journeys(r: Report, bars: Sequence[Chart]) -> str:
    parts = ['<h2 id="section-journeys">Customers per stage</h2><div class="grid">']
    for j, chart in zip(r.journeys, bars, strict=True):
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
        parts.append(
            f'<div class="panel"><h3>{escape(chart.title)}</h3>{chart.html}'
            + _table(("stage", "customers", "at risk", "overdue milestones"), rows, 3)
            + f'<p class="meta">Changes: {escape(nonzero_changes(j.changes))}.</p>'
            + _kpis(j.kpis)
            + "</div>"
        )
    return "".join(parts) + "</div>"


def _kpis(kpis: Sequence[KpiValue]) -> str:
    if not kpis:
        return ""
    headers, rows = kpi_rows(kpis)
    return (
        "<h4>KPIs</h4>"
        + _table(headers, rows, len(headers) - 1, "kpis")
        + '<p class="meta">Mean per customer over those with a value; n = how many had one.</p>'
    )


def _at_risk(r: Report) -> str:
    head = '<h2 id="section-at-risk">At-risk customers</h2><div class="panel">'
    if not r.at_risk_rows:
        return head + '<p class="muted">None.</p></div>'
    rows = []
    for a in r.at_risk_rows[:MAX_ROWS]:
        reasons = "<br>".join(escape(x) for x in a.reasons)
        rows.append(
            f'<tr><td class="id">{escape(a.customer_id)}</td><td>{escape(a.journey)}</td>'
            f"<td>{escape(stage_label(a.stage))}</td>"
            f'<td class="level-{escape(a.risk_level)}">{escape(a.risk_level)}</td>'
            f'<td>{reasons}</td><td class="n">{escape(days(a.days_in_stage))}</td>'
            f"<td>{'new' if a.newly else ''}</td></tr>"
        )
    more = len(r.at_risk_rows) - len(rows)
    note = f'<p class="muted">{more} more not shown.</p>' if more > 0 else ""
    return (
        head + "<table><thead><tr><th>customer</th><th>journey</th><th>stage</th><th>level</th>"
        '<th>reasons</th><th class="n">days in stage</th><th>newly</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{note}</div>"
    )


def _regressions(r: Report) -> str:
    head = '<h2 id="section-regressions">Regressions</h2><div class="panel">'
    if not r.regressions:
        return head + '<p class="muted">None.</p></div>'
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
    more = len(r.regressions) - len(rows)
    note = f'<p class="muted">{more} more not shown.</p>' if more > 0 else ""
    table = _table(
        ("customer", "journey", "before", "now", "backward moves since then"), rows, ids=1
    )
    return head + table + note + "</div>"


def _breakdowns(r: Report) -> str:
    parts = []
    for b in r.breakdowns:
        headers = (b.attribute, "customers", "at risk", *(TITLES[c].lower() for c in CATEGORIES))
        rows = [
            (
                row.value if row.value is not None else "(none)",
                str(row.customers),
                str(row.at_risk),
                *(str(row.changes[c]) for c in CATEGORIES),
            )
            for row in b.rows
        ]
        parts.append(
            f'<h2>By {escape(b.attribute)}</h2><div class="panel">'
            + _table(headers, rows, len(headers) - 1)
            + "</div>"
        )
    return "".join(parts)


def _analysis(r: Report) -> str:
    if r.analysis is None:
        return ""
    return (
        '<h2 id="section-analysis">How customers travel (journeyctl analyze)</h2>'
        + analysis_section(r.analysis)
    )


def _sources(r: Report) -> str:
    rows = [("events", i.name, f"{i.size} bytes") for i in r.inputs]
    rows += [
        ("journey", f"{d.id} version {d.version}", f"{d.file} sha256 {d.content_hash or '?'}")
        for d in r.definitions
    ]
    return (
        '<h2>Inputs</h2><div class="panel">' + _table(("kind", "name", "details"), rows) + "</div>"
    )


def render_html(r: Report) -> str:
    all_charts = charts(r)
    n = len(r.journeys)
    bars, trends = all_charts[:n], all_charts[n : 2 * n]
    risk, flow_charts = all_charts[2 * n], all_charts[2 * n + 1 :]
    body = (
        _header(r)
        + _changes(r)
        + _journeys(r, bars)
        + '<h2 id="section-trend">Trend of the last snapshots</h2><div class="grid">'
        + "".join(_chart(c) for c in [*trends, risk])
        + '</div><h2 id="section-flows">Stage-to-stage flows</h2>'
        + "".join(_chart(c) for c in flow_charts)
        + _at_risk(r)
        + _regressions(r)
        + _breakdowns(r)
        + _analysis(r)
        + _sources(r)
    )
    # plotly.js holds no "</script>" (it would end the tag); guard against a future version that does.
    js = plotly_js().replace("</script", "<\\/script")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Journey report as of {escape(instant(r.as_of))}</title>"
        f"<style>{_CSS}{SECTION_CSS}</style><script>{js}</script></head>"
        f"<body><main>{body}</main><script>{_RESIZE}</script></body></html>\n"
    )
