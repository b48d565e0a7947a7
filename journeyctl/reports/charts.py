"""The report's charts as plotly figures, rendered to inline HTML (no network, no CDN).

Labels go through `html.escape`: plotly.js reads a subset of HTML tags in text (`<b>`, `<a>`...)
and decodes entities, so escaped text shows exactly as written and can never become markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

from journeyctl.history.compare import Position
from journeyctl.reports.model import JourneyRow, Report, Series
from journeyctl.reports.text import instant, position_label, stage_label

CUSTOMERS_COLOR = "#4C78A8"
AT_RISK_COLOR = "#E45756"
STAY_COLOR = "rgba(160,170,180,0.35)"  # a customer who stayed where it was
MOVE_COLOR = "rgba(76,120,168,0.6)"
_CONFIG = {"displaylogo": False, "responsive": True}


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


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 30, "b": 60},
        "legend": {"orientation": "h", "y": -0.25},
        **extra,
    }


def _div(fig: Any, div_id: str) -> str:
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG))


def stage_bars(j: JourneyRow, index: int) -> Chart:
    labels = [_t(stage_label(None))] + [_t(s.id) for s in j.stages]
    customers = [j.not_started] + [s.customers for s in j.stages]
    at_risk = [0] + [s.at_risk for s in j.stages]
    fig = go.Figure(
        [
            go.Bar(name="customers", x=labels, y=customers, marker_color=CUSTOMERS_COLOR),
            go.Bar(name="at risk", x=labels, y=at_risk, marker_color=AT_RISK_COLOR),
        ]
    )
    fig.update_layout(**_layout(320, barmode="group", yaxis={"title": "customers"}))
    div_id = f"stages-{index}"
    return Chart(div_id, f"{j.id} (version {j.version}): customers per stage", _div(fig, div_id))


def _x(r: Report) -> list[str]:
    """One category per snapshot: its as-of, as a date when every as-of is a midnight."""
    labels = [instant(t) for t in r.trend_as_of]
    if all(x.endswith("T00:00:00Z") for x in labels):
        labels = [x[:10] for x in labels]
    return labels


def _lines(x: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Any:
    mode = "lines+markers"
    return go.Figure([go.Scatter(name=_t(n), x=list(x), y=list(v), mode=mode) for n, v in series])


def stage_trend(r: Report, journey: str, index: int) -> Chart:
    series: list[Series] = [s for s in r.trend_stages if s.journey == journey]
    fig = _lines(_x(r), [(stage_label(s.stage), s.values) for s in series])
    fig.update_layout(**_layout(320, yaxis={"title": "customers"}, xaxis={"type": "category"}))
    div_id = f"trend-{index}"
    return Chart(div_id, f"{journey}: customers per stage over time", _div(fig, div_id))


def risk_trend(r: Report) -> Chart:
    lines: list[tuple[str, Sequence[int]]] = [("all journeys", r.trend_at_risk)]
    lines += [(s.journey or "(unmatched)", s.values) for s in r.trend_journey_at_risk]
    fig = _lines(_x(r), lines)
    fig.update_layout(
        **_layout(320, yaxis={"title": "customers at risk"}, xaxis={"type": "category"})
    )
    return Chart("trend-at-risk", "Customers at risk over time", _div(fig, "trend-at-risk"))


def flows(r: Report) -> Chart:
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
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": names, "pad": 12, "thickness": 14, "color": CUSTOMERS_COLOR},
            link={"source": source, "target": target, "value": value, "color": color},
        )
    )
    before = sum(1 for side, _ in index if side == "before")
    per_side = max(before, len(names) - before)
    height = max(320, 60 + 24 * per_side)
    fig.update_layout(**_layout(height, margin={"l": 10, "r": 10, "t": 30, "b": 10}))
    previous = instant(r.previous_as_of) if r.previous_as_of is not None else "nothing"
    title = f"Flows from the previous snapshot ({previous}) to this one"
    return Chart("flows", title, _div(fig, "flows"))


def charts(r: Report) -> list[Chart]:
    """Every chart of the page, in page order."""
    out = [stage_bars(j, i) for i, j in enumerate(r.journeys)]
    out += [stage_trend(r, j.id, i) for i, j in enumerate(r.journeys)]
    out += [risk_trend(r), flows(r)]
    return out
