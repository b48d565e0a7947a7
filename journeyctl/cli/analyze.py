"""`journeyctl analyze EVENTS...`: parse the options, analyse once, render (PRODUCT §11)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console

from journeyctl.analytics import Analysis, analyze
from journeyctl.cli import options as o
from journeyctl.cli.common import check_format, handle_errors
from journeyctl.cli.place import run_for_cli
from journeyctl.output.analyze import analysis_tables
from journeyctl.output.analyze_html import render_html
from journeyctl.output.analyze_text import render_json, render_markdown
from journeyctl.output.files import write_atomic
from journeyctl.output.tables import to_rich


def _render_table(a: Analysis) -> str:
    buf = io.StringIO()
    con = Console(file=buf, no_color=True, highlight=False, width=160, soft_wrap=True)
    for t in analysis_tables(a):
        if t.rows:
            con.print(to_rich(t))
        else:
            con.print(f"{t.title}: {t.empty}", markup=False)
    return buf.getvalue()


RENDERERS: dict[str, Callable[[Analysis], str]] = {
    "table": _render_table,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}
FORMATS = tuple(RENDERERS)


@handle_errors
def analyze_cmd(
    events: o.Events,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    accounts: o.Accounts = None,
    column: o.Columns = None,
    as_of: o.AsOf = None,
    skip_bad_rows: o.SkipBad = False,
    rejects: o.Rejects = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="table, json, markdown or html")
    ] = None,
    journey: Annotated[
        list[str] | None, typer.Option("--journey", help="Only this journey (repeatable)")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Every table again per value of this attribute")
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file instead of stdout")
    ] = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
) -> None:
    """How customers really travel each journey: funnel, paths, deviations, milestones,
    cohorts, KPIs."""
    fmt = check_format(fmt, FORMATS, "analyze")
    run = run_for_cli(
        events,
        journeys,
        catalog,
        accounts,
        column,
        as_of,
        skip_bad_rows,
        rejects,
        max_file_size,
        quiet,
        no_color,
    )
    text = RENDERERS[fmt](analyze(run.result, run.log.table, journeys=journey, by=by))
    if output is not None:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)
