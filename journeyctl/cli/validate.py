"""`journeyctl validate [PATHS...]`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from journeyctl.cli import options as o
from journeyctl.cli.common import (
    check_format,
    err_console,
    get_config,
    handle_errors,
    load,
    out_console,
)
from journeyctl.errors import ExitCode, UsageError
from journeyctl.output import problems as render

FORMATS = ("table", "text", "json", "github")


@handle_errors
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Journey files, directories or globs", metavar="PATHS"),
    ] = None,
    fmt: Annotated[
        str | None, o.format_option(FORMATS, "Output format (default off a terminal: text)")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1)")] = False,
    catalog: o.Catalog = None,
    max_file_size: o.MaxFileSize = None,
    journeys: Annotated[
        list[str] | None, typer.Option("--journeys", "-j", metavar="PATH", help="Same as PATHS")
    ] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line")] = False,
) -> None:
    """Check journey files against the schema and the semantic rules."""
    fmt = check_format(fmt, FORMATS, "validate")
    result = load(
        list(paths or []) + list(journeys or []) or None, get_config(), catalog, max_file_size
    )
    if not result.files:
        raise UsageError(
            "no journey files (*.yaml, *.yml) found in "
            + ", ".join(paths or journeys or ["journeys"]),
            hint="give journey files or directories",
        )
    problems = list(result.problems)
    if fmt == "text":
        sys.stdout.write(render.render_text(problems))
    elif fmt == "json":
        sys.stdout.write(render.render_json(problems, list(result.files)))
    elif fmt == "github":
        sys.stdout.write(render.render_github(problems))
    else:
        con = out_console(no_color)
        if problems:
            con.print(render.render_table(problems, con.width))
    if not quiet and fmt in ("table", "text"):
        err_console(no_color).print(render.summary_line(problems, len(result.files)))
    failing = result.errors or (strict and result.warnings)
    if failing:
        raise typer.Exit(int(ExitCode.FINDINGS))
