"""`journeyctl analyze EVENTS...`: parse the options, analyse once, render (PRODUCT §11)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from journeyctl.cli import options as o
from journeyctl.cli.cluster import (
    DEFAULT_TIMEOUT,
    ClusterOpt,
    ClusterTimeout,
    cluster_address,
    place_whole,
)
from journeyctl.cli.common import (
    check_format,
    guard_outputs,
    handle_errors,
    load_valid_journeys,
    place_events,
)
from journeyctl.config import load_config
from journeyctl.inputs import EventInputs, Filters

if TYPE_CHECKING:
    from journeyctl.analytics import Analysis
    from journeyctl.checks import DataWarning

# Each renderer gets the analysis and the data checks' warnings (already on stderr; JSON lists
# them too, §4).
Renderer = Callable[["Analysis", "Sequence[DataWarning]"], str]


def _table(a: Analysis, warnings: Sequence[DataWarning]) -> str:
    import io

    from rich.console import Console

    from journeyctl.cli.common import out_console
    from journeyctl.output.analyze import analysis_tables
    from journeyctl.output.tables import print_tables

    # rendered to text, so that --output writes the same tables as stdout shows: as wide as
    # stdout's terminal (or COLUMNS; 160 off a terminal)
    stdout = out_console(no_color=True)
    buf = io.StringIO()
    con = Console(
        file=buf,
        no_color=True,
        highlight=False,
        emoji=False,
        width=stdout.width,
        soft_wrap=stdout.soft_wrap,
    )
    print_tables(con, analysis_tables(a))
    return buf.getvalue()


def _json(a: Analysis, warnings: Sequence[DataWarning]) -> str:
    from journeyctl.output.analyze_text import render_json

    return render_json(a, warnings)


def _markdown(a: Analysis, warnings: Sequence[DataWarning]) -> str:
    from journeyctl.output.analyze_text import render_markdown

    return render_markdown(a)


def _html(a: Analysis, warnings: Sequence[DataWarning]) -> str:
    from journeyctl.output.analyze_html import render_html

    return render_html(a)


RENDERERS: dict[str, Renderer] = {
    "table": _table,
    "json": _json,
    "markdown": _markdown,
    "html": _html,
}


@handle_errors
@o.event_options(outputs=["--output"])
def analyze_cmd(
    inputs: EventInputs,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    fmt: Annotated[str | None, o.format_option(RENDERERS, "table, json, markdown or html")] = None,
    journey: Annotated[
        list[str] | None,
        typer.Option("--journey", metavar="ID", help="Only this journey (repeatable)"),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="ATTRIBUTE", help="Every table again per value of this attribute"
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file instead of stdout"),
    ] = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
    cluster: ClusterOpt = None,
    cluster_timeout: ClusterTimeout = DEFAULT_TIMEOUT,
) -> None:
    """How customers really travel each journey: funnel, paths, deviations, milestones,
    cohorts, KPIs."""
    fmt = check_format(fmt, RENDERERS, "analyze")
    from journeyctl.analytics import analyze
    from journeyctl.fileio import write_atomic

    config = load_config()
    from journeyctl.fileio import Output, is_command_output

    given = [Output("--output", output, "output", is_command_output)] if output else []
    guard_outputs(inputs, journeys, config, catalog, *given)
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    Filters(journey or ()).check(js)  # before placing: a typo should not cost the whole run
    address = cluster_address(cluster, config)
    if address is not None:  # placed on the cluster; its workers computed the KPI values
        placed = place_whole(address, cluster_timeout, js, inputs, quiet, no_color)
        analysis = analyze(
            placed.result, placed.kpis, journeys=journey, by=by, attributes=placed.attributes
        )
        warnings = placed.warnings
    else:
        run = place_events(inputs, js, quiet, no_color)
        analysis = analyze(
            run.result, run.log.table, journeys=journey, by=by, attributes=run.attributes
        )
        warnings = run.warnings
    text = RENDERERS[fmt](analysis, warnings)
    if output is not None:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)
