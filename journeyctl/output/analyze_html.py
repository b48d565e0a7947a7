"""`analyze --format html`: one self-contained page (inline SVG and CSS, no script, no network).

The pictures are drawn here as SVG rather than with plotly: four simple shapes (bars, chips, a
heatmap) need no 3 MB library, and a page without script cannot run anything from the log. Every
value from the log or the definitions goes through `html.escape`; a Content-Security-Policy
forbids any network access.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from journeyctl.analytics.model import Analysis, Cohort, JourneyAnalysis, KpiValue, Tables, Variant
from journeyctl.events.timestamps import format_instant

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
TOP_VARIANTS = 10

# what the analysis section needs beyond report.html's own styles
SECTION_CSS = """
svg{display:block;max-width:100%;height:auto}svg text{font-size:12px;fill:#1f2933}
svg text.w{fill:#fff}.legend span{display:inline-block;margin-right:12px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.panel{overflow-x:auto}
"""

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
 color:#1f2933;background:#f5f7fa}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #d9e2ec;
 padding-bottom:4px}h3{margin:16px 0 4px}
.meta,.muted{color:#52606d}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:120px;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}.card b{display:block;font-size:1.6em}
.panel{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0;overflow-x:auto;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{background:#f0f4f8}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
svg{display:block;max-width:100%;height:auto}svg text{font-size:12px;fill:#1f2933}
svg text.w{fill:#fff}.legend span{display:inline-block;margin-right:12px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
details summary{cursor:pointer;color:#3e6fb0}
"""

BAR = "#4C78A8"
NOW = "#1d3f66"
FORWARD = "#54A24B"
SKIP = "#F58518"
BACK = "#E45756"


def _e(text: object) -> str:
    return escape(str(text))


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: int = 0) -> str:
    if not rows:
        return '<p class="muted">none</p>'
    first = len(headers) - numeric

    def cell(tag: str, i: int, v: object) -> str:
        cls = ' class="n"' if i >= first else ""
        return f"<{tag}{cls}>{_e('' if v is None else v)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def funnel_svg(t: Tables) -> str:
    """One bar per stage: reached (light) with the customers there now (dark) inside it."""
    label_w, bar_w, row_h = 150, 520, 26
    width = label_w + bar_w + 240
    rows = []
    for i, f in enumerate(t.funnel):
        y = i * row_h + 4
        share = f.share or 0.0
        now = f.now / t.customers if t.customers else 0.0
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(f.stage)}</text>'
            f'<rect class="reached" x="{label_w}" y="{y}" width="{share * bar_w:.1f}" '
            f'height="{row_h - 8}" fill="{BAR}" opacity="0.45"><title>{_e(f.stage)}: reached '
            f"{f.reached}</title></rect>"
            f'<rect class="now" x="{label_w}" y="{y}" width="{now * bar_w:.1f}" '
            f'height="{row_h - 8}" fill="{NOW}"><title>{_e(f.stage)}: {f.now} now</title></rect>'
            f'<text x="{label_w + share * bar_w + 6:.1f}" y="{y + 15}">{f.reached} reached '
            f"({_pct(f.share)}), {f.now} now</text>"
        )
    height = len(t.funnel) * row_h + 8
    return (
        f'<svg class="funnel" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="funnel">{"".join(rows)}</svg>'
    )


def _step_colors(stages: Sequence[str], v: Variant) -> list[str]:
    """Each step of a path against the design: next stage (green), a jump ahead (orange), back
    (red)."""
    order = {s: i for i, s in enumerate(stages)}
    colors = []
    prev = -1
    for sid in v.path:
        k = order.get(sid, prev)
        colors.append(FORWARD if k == prev + 1 else SKIP if k > prev else BACK)
        prev = k
    return colors


def variants_svg(stages: Sequence[str], variants: Sequence[Variant]) -> str:
    """The designed order on top, then the most frequent paths as chips coloured by how each
    step compares with it."""
    chip_w, chip_h, gap, label_w = 104, 22, 6, 130
    rows: list[tuple[str, list[tuple[str, str]]]] = [("designed", [(s, "#9aa5b1") for s in stages])]
    for v in variants[:TOP_VARIANTS]:
        label = f"{v.customers} ({_pct(v.share)})"
        rows.append((label, list(zip(v.path, _step_colors(stages, v), strict=True))))
    longest = max(len(r[1]) for r in rows)
    width = label_w + longest * (chip_w + gap)
    height = len(rows) * (chip_h + gap) + gap
    parts = []
    for i, (label, chips) in enumerate(rows):
        y = gap + i * (chip_h + gap)
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(label)}</text>')
        for k, (sid, color) in enumerate(chips):
            x = label_w + k * (chip_w + gap)
            short = sid if len(sid) <= 14 else sid[:13] + "\u2026"
            parts.append(
                f'<rect class="chip" x="{x}" y="{y}" width="{chip_w}" height="{chip_h}" rx="4" '
                f'fill="{color}"><title>{_e(sid)}</title></rect>'
                f'<text class="w" x="{x + chip_w / 2}" y="{y + 15}" '
                f'text-anchor="middle">{_e(short)}</text>'
            )
    legend = (
        '<p class="legend muted">'
        f'<span><i class="sw" style="background:{FORWARD}"></i>next stage as designed</span>'
        f'<span><i class="sw" style="background:{SKIP}"></i>jumped ahead of the design</span>'
        f'<span><i class="sw" style="background:{BACK}"></i>fell back</span></p>'
    )
    return (
        f'<svg class="variants" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="top variants">{"".join(parts)}</svg>{legend}'
    )


def _heat(x: float) -> str:
    """White (0) to blue (1)."""
    r = round(255 - x * (255 - 76))
    g = round(255 - x * (255 - 120))
    b = round(255 - x * (255 - 168))
    return f"rgb({r},{g},{b})"


def heatmap_svg(cohorts: Sequence[Cohort]) -> str:
    """Cohorts by row, months since the first move by column, coloured by retention."""
    if not cohorts:
        return '<p class="muted">no customer has moved yet</p>'
    cell_w, cell_h, label_w, top = 52, 24, 130, 22
    months = max((len(c.retention) for c in cohorts), default=0)
    width = label_w + max(1, months) * cell_w + 10
    height = top + len(cohorts) * cell_h + 4
    parts = [
        f'<text x="{label_w + k * cell_w + cell_w / 2}" y="15" text-anchor="middle">+{k}</text>'
        for k in range(months)
    ]
    for i, c in enumerate(cohorts):
        y = top + i * cell_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">'
            f"{_e(c.cohort)} ({c.customers})</text>"
        )
        for k, r in enumerate(c.retention):
            x = label_w + k * cell_w
            cls = ' class="w"' if r > 0.6 else ""
            parts.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{_heat(r)}"><title>{_e(c.cohort)} +{k}: {_pct(r)}</title></rect>'
                f'<text{cls} x="{x + cell_w / 2 - 1}" y="{y + 16}" '
                f'text-anchor="middle">{r * 100:.0f}%</text>'
            )
    return (
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="cohort retention">{"".join(parts)}</svg>'
    )


def kpi_svg(k: KpiValue) -> str:
    """The KPI's value per stage (customers now in it) as bars, with n."""
    label_w, bar_w, row_h = 150, 360, 24
    top = max((s.value for s in k.stages if s.value is not None), default=0.0)
    scale = bar_w / top if top > 0 else 0.0
    parts = []
    for i, s in enumerate(k.stages):
        y = i * row_h + 4
        v = s.value or 0.0
        text = "no value" if s.value is None else f"{s.value:g} (n={s.n})"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{_e(s.stage)}</text>'
            f'<rect class="kpi" x="{label_w}" y="{y}" width="{max(0.0, v * scale):.1f}" '
            f'height="{row_h - 8}" fill="{BAR}"><title>{_e(s.stage)}: {_e(text)}</title></rect>'
            f'<text x="{label_w + max(0.0, v * scale) + 6:.1f}" y="{y + 14}">{_e(text)}</text>'
        )
    width = label_w + bar_w + 140
    height = len(k.stages) * row_h + 8
    return (
        f'<svg class="kpis" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(k.title)} per stage">{"".join(parts)}</svg>'
    )


def _tables_html(stages: Sequence[str], t: Tables) -> str:
    cards = (
        '<div class="cards">'
        f'<div class="card"><b>{t.customers}</b>customers</div>'
        f'<div class="card"><b>{t.not_started}</b>not started</div>'
        f'<div class="card"><b>{_pct(t.paths.conforming_share)}</b>travel as designed</div>'
        "</div>"
    )
    out = [cards, '<div class="panel"><h3>Funnel</h3>', funnel_svg(t), "</div>"]
    out += ['<div class="panel"><h3>Top paths against the designed order</h3>']
    out.append(variants_svg(stages, t.paths.variants))
    if t.paths.other:
        out.append(f'<p class="muted">and {t.paths.other} customers on other paths</p>')
    out.append("</div>")
    out += ['<div class="panel"><h3>Cohort retention</h3>', heatmap_svg(t.cohorts), "</div>"]
    if t.kpis:
        out.append('<div class="panel"><h3>KPIs per stage</h3>')
        for k in t.kpis:
            value = "no value" if k.value is None else f"{k.value:g}"
            out.append(f"<h4>{_e(k.title)} ({_e(k.kind)}): {_e(value)}, n={k.n}</h4>")
            out.append(kpi_svg(k))
        out.append("</div>")
    out.append('<div class="panel"><h3>Skips</h3>')
    out.append(
        _table(
            ("from", "to", "skipped", "moves"),
            [
                (s.from_stage or "(start)", s.to_stage, ", ".join(s.skipped), s.moves)
                for s in t.skips
            ],
            1,
        )
    )
    out.append("<h3>Regressions</h3>")
    out.append(
        _table(
            ("from", "to", "trigger", "moves"),
            [(r.from_stage, r.to_stage, r.trigger, r.moves) for r in t.regressions],
            1,
        )
    )
    out.append("<h3>Stalls</h3>")
    out.append(
        _table(("stage", "stalled now", "ever"), [(s.stage, s.now, s.ever) for s in t.stalls], 2)
    )
    out.append("<h3>Milestones</h3>")
    out.append(
        _table(
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
            [
                (
                    m.stage,
                    m.milestone,
                    m.attempts,
                    m.done,
                    m.late,
                    m.missed,
                    m.overdue,
                    m.pending,
                    _pct(m.on_time_rate),
                )
                for m in t.milestones
            ],
            7,
        )
    )
    out.append("</div>")
    return "".join(out)


def _journey_html(j: JourneyAnalysis, by: str | None) -> str:
    title = f"{j.title} ({j.id})" if j.title else j.id
    out = [f'<section><h2>{_e(title)} <span class="muted">v{j.version}</span></h2>']
    out.append(_tables_html(j.stages, j.tables))
    for g in j.groups:
        out.append(f"<details><summary>{_e(by)} = {_e(g.value)}</summary>")
        out.append(_tables_html(j.stages, g.tables))
        out.append("</details>")
    out.append("</section>")
    return "".join(out)


def analysis_section(a: Analysis) -> str:
    """The analysis as an HTML fragment (the page's body; report.html can carry it too)."""
    return "".join(_journey_html(j, a.by) for j in a.journeys)


def render_html(a: Analysis) -> str:
    as_of = format_instant(a.as_of)
    by = f", by {_e(a.by)}" if a.by else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>journeyctl analyze, as of {as_of}</title><style>{_CSS}</style></head><body><main>"
        f'<h1>How customers travel</h1><p class="meta">as of {as_of}{by}</p>'
        f"{analysis_section(a)}</main></body></html>\n"
    )
