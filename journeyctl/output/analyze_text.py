"""`analyze` as JSON (§11's object) and as Markdown (every table, escaped)."""

from __future__ import annotations

from journeyctl.analytics.model import Analysis
from journeyctl.events.timestamps import format_instant
from journeyctl.output.analyze import analysis_json, analysis_tables
from journeyctl.output.jsonout import dumps
from journeyctl.output.tables import to_markdown


def render_json(a: Analysis) -> str:
    return dumps(analysis_json(a))


def render_markdown(a: Analysis) -> str:
    head = f"# How customers travel (as of {format_instant(a.as_of)})\n\n"
    return head + to_markdown(analysis_tables(a))
