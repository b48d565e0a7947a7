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

from journeyctl.history.compare import Position
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
    return {
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 30, "b": 60},
        "legend": {"orientation": "h", "y": -0.25},
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
    labels = [_t(stage_label(None))] + [_t(s.id) for s in j.stages]
    customers = [j.not_started] + [s.customers for s in j.stages]
    at_risk = [0] + [s.at_risk for s in j.stages]
    data: list[Trace] = [
        {"type": "bar", "name": "customers", "x": labels, "y": customers},
        {"type": "bar", "name": "at risk", "x": labels, "y": at_risk},
    ]
    data[0]["marker"] = {"color": CUSTOMERS_COLOR}
    data[1]["marker"] = {"color": AT_RISK_COLOR}
    layout = _layout(320, barmode="group", xaxis=_axis(), yaxis=_axis(title={"text": "customers"}))
    div_id = f"stages-{index}"
    title = f"{j.id} (version {j.version}): customers per stage"
    return Chart(div_id, title, _div(data, layout, div_id))


def _x(r: Report) -> list[str]:
    """One category per snapshot: its as-of, as a date when every as-of is a midnight."""
    labels = [instant(t) for t in r.trend_as_of]
    if all(x.endswith("T00:00:00Z") for x in labels):
        labels = [x[:10] for x in labels]
    return labels


def _lines(
    x: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], y_title: str, div_id: str
) -> str:
    data: list[Trace] = [
        {"type": "scatter", "mode": "lines+markers", "name": _t(n), "x": list(x), "y": list(v)}
        for n, v in series
    ]
    layout = _layout(
        320,
        xaxis=_axis(type="category"),
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


def flows(r: Report) -> Chart:
    """A Sankey of the previous snapshot's positions (left) to this one's (right)."""
    names: list[str] = []
    index: dict[tuple[str, str], int] = {}

    def node(p: Position, side: str) -> int:
        key = (side, position_label(p, side))
        if key not in index:
            index[key] = len(names)
            names.append(_t(key[1]))
        return index[key]

    source, target, value, color = [], [], [], []
    for f in r.flows:
        source.append(node(f.source, "before"))
        target.append(node(f.target, "now"))
        value.append(f.customers)
        color.append(STAY_COLOR if f.source == f.target else MOVE_COLOR)
    data: list[Trace] = [
        {
            "type": "sankey",
            "arrangement": "snap",
            "node": {"label": names, "pad": 12, "thickness": 14, "color": CUSTOMERS_COLOR},
            "link": {"source": source, "target": target, "value": value, "color": color},
        }
    ]
    before = sum(1 for side, _ in index if side == "before")
    per_side = max(before, len(names) - before)
    layout = _layout(max(320, 60 + 24 * per_side), margin={"l": 10, "r": 10, "t": 30, "b": 10})
    previous = instant(r.previous_as_of) if r.previous_as_of is not None else "nothing"
    title = f"Flows from the previous snapshot ({previous}) to this one"
    return Chart("flows", title, _div(data, layout, "flows"))


def charts(r: Report) -> list[Chart]:
    """Every chart of the page, in page order."""
    out = [stage_bars(j, i) for i, j in enumerate(r.journeys)]
    out += [stage_trend(r, j.id, i) for i, j in enumerate(r.journeys)]
    out += [risk_trend(r), flows(r)]
    return out
