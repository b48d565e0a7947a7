"""`journeyctl show CUSTOMER EVENTS...`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from journeyctl.cli import options as o
from journeyctl.cli.common import (
    check_format,
    err_console,
    guard_outputs,
    handle_errors,
    load_valid_journeys,
    place_events,
    print_tables,
)
from journeyctl.config import load_config
from journeyctl.inputs import EventInputs

if TYPE_CHECKING:
    from journeyctl.output.tabledata import TableData
    from journeyctl.pipeline import ModelPredictions, ShowData


@dataclass(frozen=True, slots=True)
class View:
    """What the renderers of `show` read."""

    data: ShowData
    model: ModelPredictions | None
    no_color: bool


def _json(v: View) -> None:
    from journeyctl.output.predict import show_model_json
    from journeyctl.output.show import show_json

    sys.stdout.write(show_json(v.data) if v.model is None else show_model_json(v.data, v.model))


def _csv(v: View) -> None:
    from journeyctl.output.predict import show_model_csv
    from journeyctl.output.show import show_csv

    sys.stdout.write(show_csv(v.data) if v.model is None else show_model_csv(v.data, v.model))


def _tables(v: View) -> list[TableData]:
    from journeyctl.output.predict import show_model_tables
    from journeyctl.output.show import show_tables

    return show_tables(v.data) if v.model is None else show_model_tables(v.data, v.model)


def _markdown(v: View) -> None:
    from journeyctl.output.tables import to_markdown

    sys.stdout.write(to_markdown(_tables(v)))


def _table(v: View) -> None:
    print_tables(_tables(v), v.no_color)


RENDERERS: dict[str, Callable[[View], None]] = {
    "table": _table,
    "json": _json,
    "csv": _csv,
    "markdown": _markdown,
}
Fmt = Annotated[str | None, o.format_option(RENDERERS)]
Since = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="INSTANT",
        help="Only timeline entries at or after this date or ISO instant",
    ),
]
Last = Annotated[
    int | None,
    typer.Option("--last", metavar="N", help="Only the last N timeline entries (after the others)"),
]
MovesOnly = Annotated[
    bool,
    typer.Option(
        "--moves-only", help="Only the moves in the timeline (stage and status changes), no events"
    ),
]
AllAttributes = Annotated[
    bool,
    typer.Option(
        "--all-attributes",
        help="List every attribute, not only the segment keys and the --accounts columns",
    ),
]


@handle_errors
@o.event_options()
def show(
    customer: Annotated[str, typer.Argument(help="Customer id", metavar="CUSTOMER")],
    inputs: EventInputs,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    fmt: Fmt = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
    model: o.Model = None,
    since: Since = None,
    last: Last = None,
    moves_only: MovesOnly = False,
    all_attributes: AllAttributes = False,
) -> None:
    """One customer's timeline: events, moves, milestones, risks and next activities, explained."""
    fmt = check_format(fmt, RENDERERS, "show")
    from journeyctl import pipeline
    from journeyctl.output import show as render

    pipeline.check_show_arguments(customer, inputs.sources)
    shown = pipeline.timeline_filter(since, last, moves_only)
    config = load_config()
    guard_outputs(inputs, journeys, config, catalog, also_read=[model])
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    run = place_events(inputs, js, quiet, no_color)
    c = pipeline.find_customer(run, customer)
    if c is None:
        result = run.result
        attrs = pipeline.shown_attributes(
            run, result.unmatched_attributes.get(customer, {}), all_attributes
        )
        miss = pipeline.near_miss(run, customer)
        near = miss.text() if miss is not None else None
        if fmt == "json":
            warnings = [w.as_json() for w in run.warnings]
            sys.stdout.write(render.unmatched_json(customer, result.as_of, attrs, near, warnings))
        else:
            sys.stdout.write(render.unmatched_text(customer, attrs, near))
        return
    data = pipeline.show_data(run, c, shown, all_attributes=all_attributes)
    predictions = pipeline.predictions_for(model, run) if model else None
    RENDERERS[fmt](View(data, predictions, no_color))
    note = data.timeline.hidden_note()
    if fmt == "csv" and note is not None and not quiet:  # the CSV is the timeline alone
        err_console(no_color).print(f"note: {note}", markup=False)
