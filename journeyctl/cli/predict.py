"""`journeyctl predict EVENTS...`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from journeyctl.cli import options as o
from journeyctl.cli.common import (
    check_format,
    guard_outputs,
    handle_errors,
    load_valid_journeys,
    print_tables,
    progress_bar,
    warn_bad_rows,
)
from journeyctl.config import load_config
from journeyctl.inputs import EventInputs

if TYPE_CHECKING:
    from journeyctl.predict.run import PredictResult


@dataclass(frozen=True, slots=True)
class View:
    """What the renderers of `predict` read."""

    result: PredictResult
    quiet: bool
    no_color: bool


def _json(v: View) -> None:
    from journeyctl.output.predict import iter_json

    for piece in iter_json(v.result):
        sys.stdout.write(piece)


def _csv(v: View) -> None:
    from journeyctl.output.predict import render_csv

    sys.stdout.write(render_csv(v.result))


def _markdown(v: View) -> None:
    from journeyctl.output.predict import predict_tables
    from journeyctl.output.tables import to_markdown

    sys.stdout.write(to_markdown(predict_tables(v.result)))


def _table(v: View) -> None:
    from journeyctl.output.predict import predict_tables, summary_line

    con = print_tables(predict_tables(v.result), v.no_color)
    if not v.quiet:
        con.print(summary_line(v.result), markup=False)


RENDERERS: dict[str, Callable[[View], None]] = {
    "table": _table,
    "json": _json,
    "csv": _csv,
    "markdown": _markdown,
}
Fmt = Annotated[str | None, o.format_option(RENDERERS)]


@handle_errors
@o.event_options(outputs=["--save-model"])
def predict(
    inputs: EventInputs,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    fmt: Fmt = None,
    target: Annotated[
        str, typer.Option("--target", metavar="TARGET", help="churned, stage:ID or event:NAME")
    ] = "churned",
    horizon: Annotated[
        str,
        typer.Option(
            "--horizon", metavar="DURATION", help="Predict the target within this duration"
        ),
    ] = "90d",
    cutoffs: Annotated[
        str | None,
        typer.Option(
            "--cutoffs",
            metavar="DURATION|INSTANTS",
            help="Spacing of the past cutoffs (default 30d) or a comma list of instants",
        ),
    ] = None,
    save_model_path: Annotated[
        str | None,
        typer.Option("--save-model", metavar="FILE", help="Write the model (JSON) to this file"),
    ] = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
) -> None:
    """Learn from the log who will churn, renew or reach any target within a horizon; backtest
    it out of time; score every customer with the reasons."""
    fmt = check_format(fmt, RENDERERS, "predict")
    from journeyctl import pipeline
    from journeyctl.fileio import Output, is_model_file

    config = load_config()
    saved = (
        [Output("--save-model", save_model_path, "model file", is_model_file)]
        if save_model_path
        else []
    )
    guard_outputs(inputs, journeys, config, catalog, *saved)
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    with progress_bar("replaying customers", quiet, no_color) as progress:
        result = pipeline.run_predict(
            js,
            inputs,
            target=target,
            horizon=horizon,
            cutoffs=cutoffs,
            save_model=save_model_path,
            progress=progress,
            warn=lambda log: warn_bad_rows(
                log.bad_rows, inputs.rejects, quiet, no_color, log.warnings
            ),
        )
    from journeyctl.cli.datawarnings import print_warnings

    print_warnings(result.warnings, quiet)
    RENDERERS[fmt](View(result, quiet, no_color))
