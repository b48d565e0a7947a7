"""The command-line interface: a thin typer layer over the library."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from journeyctl.cli.analyze import analyze_cmd
from journeyctl.cli.command import Command
from journeyctl.cli.diff import diff
from journeyctl.cli.history import history
from journeyctl.cli.place import place
from journeyctl.cli.predict import predict
from journeyctl.cli.report import report
from journeyctl.cli.show import show
from journeyctl.cli.validate import validate

app = typer.Typer(
    name="journeyctl",
    help="Post-sale customer journeys as code: validate, place, show, report, diff, history, "
    "predict, analyze.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from journeyctl import __version__

        sys.stdout.write(f"journeyctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    if debug:
        os.environ["JOURNEYCTL_DEBUG"] = "1"


# Each command's one-line help in the command list: typer would otherwise cut the docstring's first
# sentence with "..." to fit the terminal. `Command` names arguments by their metavar in --help.
@app.command("schema", cls=Command, short_help="Print the journey JSON Schema.")
def schema_cmd() -> None:
    """Print the journey JSON Schema."""
    from journeyctl.definitions.schema import schema_text

    sys.stdout.write(schema_text())


for _name, _short, _fn in (
    ("validate", "Check journey files: schema and semantic rules.", validate),
    ("place", "Place every customer: stage, milestones, risks.", place),
    ("show", "One customer's timeline, explained.", show),
    ("diff", "Compare two versions of the journeys, and whom it moves.", diff),
    ("report", "Store a snapshot and report what changed.", report),
    ("history", "Read the stored snapshots: list, customer, trend.", history),
    ("predict", "Predict churn, renewal or any target within a horizon.", predict),
    ("analyze", "How customers really travel each journey.", analyze_cmd),
):
    app.command(_name, cls=Command, short_help=_short)(_fn)


def main() -> None:
    if "--debug" in sys.argv:
        os.environ["JOURNEYCTL_DEBUG"] = "1"
    try:
        app()
    except SystemExit as exc:
        # A Ctrl-C inside typer itself (building the command, before our handler runs) becomes
        # a silent exit 130 (typer raises Exit(130) from the KeyboardInterrupt): say it, as
        # every other interrupt is said.
        inner = exc.__context__
        if exc.code == 130 and isinstance(getattr(inner, "__cause__", None), KeyboardInterrupt):
            sys.stderr.write("interrupted\n")
        raise
