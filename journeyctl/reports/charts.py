"""The report's charts as plotly figures, rendered to inline HTML (no network, no CDN).

Figures are plain dicts given to `plotly.io.to_html(validate=False)`: plotly's figure objects
validate every property in Python, which costs about a second per report for shapes that never
change. plotly's JSON encoder escapes `<`, `>` and `/`, so no data can end the `<script>`.
Labels go through `html.escape` too: plotly.js reads a subset of HTML tags in text (`<b>`,
`<a>`...) and decodes entities, so escaped text shows exactly as written and never becomes markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.io  # type: ignore[import-untyped]
from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

from journeyctl.history.compare import Flow, Position
from journeyctl.reports.model import JourneyRow, Report, Series
from journeyctl.reports.text import instant, position_label, stage_label

CUSTOMERS_COLOR = "#4C78A8"
AT_RISK_COLOR = "#E45756"
STAY_COLOR = "rgba(160,170,180,0.35)"  # a customer who stayed where it was
MOVE_COLOR = "rgba(76,120,168,0.6)"
COLORWAY = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#72B7B2", "#EECA3B", "#9D755D", "#FF9DA6"]
_CONFIG = {"displaylogo": False, "responsive": True}

Trace = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str  # plain text; the page escapes it
    html: str  # the figure's <div> and <script>


def plotly_js() -> str:
    """plotly.js itself, to inline once in the page."""
    return str(get_plotlyjs())


def _t(text: str) -> str:
    return html.escape(text, quote=False)


def _axis(**extra: Any) -> dict[str, Any]:
    return {"gridcolor": "#e4e7eb", "zerolinecolor": "#cbd2d9", "automargin": True, **extra}


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    # The legend sits above the plot: below it, it collides with rotated axis labels.
    return {
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 20},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "showlegend": True,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "Helvetica, Arial, sans-serif", "size": 12, "color": "#1f2933"},
        "colorway": COLORWAY,
        **extra,
    }


def _div(data: list[Trace], layout: dict[str, Any], div_id: str) -> str:
    fig = {"data": data, "layout": layout}
    return str(
        plotly.io.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config=_CONFIG,
            validate=False,
        )
    )


def stage_bars(j: JourneyRow, index: int) -> Chart:
    """Horizontal bars: one row per stage, so long stage ids never collide on an axis."""
    labels = [_t(stage_label(None))] + [_t(s.id) for s in j.stages]
    customers = [j.not_started] + [s.customers for s in j.stages]
    at_risk = [0] + [s.at_risk for s in j.stages]
    data: list[Trace] = [
        {"type": "bar", "orientation": "h", "name": "customers", "y": labels, "x": customers},
        {"type": "bar", "orientation": "h", "name": "at risk", "y": labels, "x": at_risk},
    ]
    data[0]["marker"] = {"color": CUSTOMERS_COLOR}
    data[1]["marker"] = {"color": AT_RISK_COLOR}
    layout = _layout(
        max(240, 70 + 30 * len(labels)),
        barmode="group",
        yaxis=_axis(type="category", autorange="reversed"),  # file order, top to bottom
        xaxis=_axis(title={"text": "customers"}, rangemode="tozero"),
        margin={"l": 10, "r": 20, "t": 40, "b": 40},
    )
    div_id = f"stages-{index}"
    title = f"{j.id} (version {j.version}): customers per stage"
    return Chart(div_id, title, _div(data, layout, div_id))


def _x(r: Report) -> list[str]:
    """One category per snapshot: its as-of date when no two snapshots share a day (short labels
    that do not collide), else the full instant."""
    labels = [instant(t) for t in r.trend_as_of]
    days = [x[:10] for x in labels]
    return days if len(set(days)) == len(days) else labels


def _lines(
    x: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], y_title: str, div_id: str
) -> str:
    data: list[Trace] = [
        {"type": "scatter", "mode": "lines+markers", "name": _t(n), "x": list(x), "y": list(v)}
        for n, v in series
    ]
    layout = _layout(
        320,
        # a fixed angle with room for it (automargin): plotly's own choice lets long labels overlap
        xaxis=_axis(type="category", tickangle=-30),
        yaxis=_axis(title={"text": y_title}, rangemode="tozero"),
    )
    return _div(data, layout, div_id)


def stage_trend(r: Report, journey: str, index: int) -> Chart:
    series: list[Series] = [s for s in r.trend_stages if s.journey == journey]
    div_id = f"trend-{index}"
    lines = [(stage_label(s.stage), s.values) for s in series]
    title = f"{journey}: customers per stage over time"
    return Chart(div_id, title, _lines(_x(r), lines, "customers", div_id))


def risk_trend(r: Report) -> Chart:
    lines: list[tuple[str, Sequence[int]]] = [("all journeys", r.trend_at_risk)]
    lines += [(s.journey or "(unmatched)", s.values) for s in r.trend_journey_at_risk]
    div_id = "trend-at-risk"
    title = "Customers at risk over time"
    return Chart(div_id, title, _lines(_x(r), lines, "customers at risk", div_id))


def _touches(f: Flow, journey: str) -> bool:
    return f.target.journey == journey or f.source.journey == journey


def _node_label(p: Position, side: str, journey: str) -> str:
    """A position in `journey`'s own chart: its stages by id, anything else in full."""
    label = position_label(p, side)
    return label.removeprefix(f"{journey} / ") if p.journey == journey else label


def _links(
    moves: Sequence[tuple[int, int, int, str]],
) -> dict[str, list[list[Any]]]:
    """Sankey link arrays (one trace) as `restyle` takes them."""
    return {
        "link.source": [[m[0] for m in moves]],
        "link.target": [[m[1] for m in moves]],
        "link.value": [[m[2] for m in moves]],
        "link.color": [[m[3] for m in moves]],
    }


def journey_flows(r: Report, journey: str, index: int) -> Chart:
    """A Sankey of one journey: where its customers were in the previous snapshot (left) and
    are now (right), customers leaving it included. Customers who stayed in their stage are
    hidden at first (they dwarf the moves); a button shows them."""
    names: list[str] = []
    nodes: dict[tuple[str, str], int] = {}

    def node(p: Position, side: str) -> int:
        key = (side, _node_label(p, side, journey))
        if key not in nodes:
            nodes[key] = len(names)
            names.append(_t(key[1]))
        return nodes[key]

    every: list[tuple[int, int, int, str]] = []
    moved: list[tuple[int, int, int, str]] = []
    for f in r.flows:
        if not _touches(f, journey):
            continue
        stayed = f.source == f.target
        link = (
            node(f.source, "before"),
            node(f.target, "now"),
            f.customers,
            STAY_COLOR if stayed else MOVE_COLOR,
        )
        every.append(link)
        if not stayed:
            moved.append(link)
    shown = _links(moved)
    data: list[Trace] = [
        {
            "type": "sankey",
            "arrangement": "snap",
            "node": {"label": names, "pad": 12, "thickness": 14, "color": CUSTOMERS_COLOR},
            "link": {k.removeprefix("link."): v[0] for k, v in shown.items()},
        }
    ]
    before = sum(1 for side, _ in nodes if side == "before")
    per_side = max(before, len(names) - before)
    buttons = [
        {"label": "moves only", "method": "restyle", "args": [shown]},
        {"label": "with customers who stayed", "method": "restyle", "args": [_links(every)]},
    ]
    layout = _layout(
        max(320, 80 + 24 * per_side),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "active": 0,
                "showactive": True,
                "x": 0,
                "xanchor": "left",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": 6},
            }
        ],
    )
    div_id = f"flows-{index}"
    previous = instant(r.previous_as_of) if r.previous_as_of is not None else "nothing"
    title = f"{journey}: flows from the previous snapshot ({previous}) to this one"
    return Chart(div_id, title, _div(data, layout, div_id))


def charts(r: Report) -> list[Chart]:
    """Every chart of the page, in page order."""
    out = [stage_bars(j, i) for i, j in enumerate(r.journeys)]
    out += [stage_trend(r, j.id, i) for i, j in enumerate(r.journeys)]
    out += [risk_trend(r)]
    out += [journey_flows(r, j.id, i) for i, j in enumerate(r.journeys)]
    return out
