"""The command-line interface: a thin typer layer over the library."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from journeyctl.cli.lazy import LazyCommand, LazyGroup

# Every command: its module and function, imported only when the command runs (or shows its own
# --help), and its one-line help in the command list (typer would otherwise cut the docstring's
# first sentence with "..." to fit the terminal). The order is the list's order.
COMMANDS: dict[str, LazyCommand] = {
    "schema": LazyCommand("journeyctl.cli.schema", "schema_cmd", "Print the journey JSON Schema."),
    "validate": LazyCommand(
        "journeyctl.cli.validate", "validate", "Check journey files: schema and semantic rules."
    ),
    "place": LazyCommand(
        "journeyctl.cli.place", "place", "Place every customer: stage, milestones, risks."
    ),
    "show": LazyCommand("journeyctl.cli.show", "show", "One customer's timeline, explained."),
    "diff": LazyCommand(
        "journeyctl.cli.diff", "diff", "Compare two versions of the journeys, and whom it moves."
    ),
    "report": LazyCommand(
        "journeyctl.cli.report", "report", "Store a snapshot and report what changed."
    ),
    "history": LazyCommand(
        "journeyctl.cli.history", "history", "Read the stored snapshots: list, customer, trend."
    ),
    "predict": LazyCommand(
        "journeyctl.cli.predict",
        "predict",
        "Predict churn, renewal or any target within a horizon.",
    ),
    "analyze": LazyCommand(
        "journeyctl.cli.analyze", "analyze_cmd", "How customers really travel each journey."
    ),
}


class _Group(LazyGroup):
    table = COMMANDS


app = typer.Typer(
    name="journeyctl",
    help="Post-sale customer journeys as code: validate, place, show, report, diff, history, "
    "predict, analyze.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=_Group,
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
