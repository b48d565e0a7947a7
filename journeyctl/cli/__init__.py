"""The command-line interface: a thin typer layer over the library."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from journeyctl.cli.analyze import analyze_cmd
from journeyctl.cli.diff import diff
from journeyctl.cli.history import history
from journeyctl.cli.place import place
from journeyctl.cli.predict import predict
from journeyctl.cli.report import report
from journeyctl.cli.show import show
from journeyctl.cli.validate import validate

app = typer.Typer(
    name="journeyctl",
    help="Post-sale customer journeys as code: validate, place, show, report, diff, analyze.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors")
    ] = False,
) -> None:
    if debug:
        os.environ["JOURNEYCTL_DEBUG"] = "1"


@app.command("schema")
def schema_cmd() -> None:
    """Print the journey JSON Schema."""
    from journeyctl.definitions.schema import schema_text

    sys.stdout.write(schema_text())


app.command("validate")(validate)
app.command("place")(place)
app.command("show")(show)
app.command("diff")(diff)
app.command("report")(report)
app.command("history")(history)
app.command("predict")(predict)
app.command("analyze")(analyze_cmd)


def main() -> None:
    if "--debug" in sys.argv:
        os.environ["JOURNEYCTL_DEBUG"] = "1"
    app()
