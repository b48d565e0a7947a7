"""`analyze` as JSON (§11's object) and as Markdown (every table, escaped)."""

from __future__ import annotations

from collections.abc import Sequence

from journeyctl.analytics.model import Analysis
from journeyctl.checks import DataWarning
from journeyctl.events.timestamps import format_instant
from journeyctl.output.analyze import analysis_json, analysis_tables
from journeyctl.output.jsonout import dumps
from journeyctl.output.tables import to_markdown


def render_json(a: Analysis, warnings: Sequence[DataWarning] = ()) -> str:
    """`analyze --format json`: §11's object, and the data checks' `warnings` list (§4)."""
    return dumps({**analysis_json(a), "warnings": [w.as_json() for w in warnings]})


def render_markdown(a: Analysis) -> str:
    head = f"# How customers travel (as of {format_instant(a.as_of)})\n\n"
    return head + to_markdown(analysis_tables(a))
