"""`journeyctl diff BASE [HEAD]`."""

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
    fail_on_met,
    get_config,
    guard_outputs,
    handle_errors,
    out_console,
    warn_bad_rows,
)
from journeyctl.cli.datawarnings import FAIL_ON_NAME, print_warnings
from journeyctl.config import journeys_paths
from journeyctl.errors import UsageError
from journeyctl.failon import FailOn, evaluate, parse_fail_on
from journeyctl.inputs import EventInputs

if TYPE_CHECKING:
    from journeyctl.diff.compare import DiffResult


@dataclass(frozen=True, slots=True)
class View:
    result: DiffResult
    no_color: bool


def _writer(name: str) -> Callable[[View], None]:
    """A text format: `output.diff.render_<name>` written to stdout."""

    def write(v: View) -> None:
        from journeyctl.output import diff as render

        text = {
            "json": render.render_json,
            "text": render.render_text,
            "github": render.render_github,
            "markdown": render.render_markdown,
        }[name]
        sys.stdout.write(text(v.result))

    return write


def _table(v: View) -> None:
    from journeyctl.output import diff as render
    from journeyctl.output.escape import safe_text
    from journeyctl.output.tables import print_tables

    con = out_console(v.no_color)
    con.print(safe_text(render.summary_line(v.result)), markup=False)
    for note in render.result_notes(v.result):
        con.print(safe_text(note), markup=False)
    print_tables(con, render.diff_tables(v.result))


RENDERERS: dict[str, Callable[[View], None]] = {
    "table": _table,
    "text": _writer("text"),
    "markdown": _writer("markdown"),
    "json": _writer("json"),
    "github": _writer("github"),
}
FLAGS = ("version_not_bumped", "invalid")
LEVELS = ("newly_at_risk",)

HeadArg = Annotated[
    str | None,
    typer.Argument(
        help="Head side, like BASE; default: the working tree (the configured journeys path)",
        metavar="HEAD",
        show_default=False,
    ),
]


def _fail_on(result: DiffResult, conds: list[FailOn], quiet: bool, no_color: bool) -> list[str]:
    from journeyctl.diff.impact import counts_by_name, levels_of

    impact_conds = [c for c in conds if not c.flag]
    if result.impact is None:
        if impact_conds and not quiet:
            err_console(no_color).print(
                "warning: not evaluated without an impact: "
                + ", ".join(c.text for c in impact_conds),
                markup=False,
            )
        counts: dict[str, int] = {}
        levels: dict[str, list[str]] = {}
    else:
        counts = counts_by_name(result.impact)
        counts[FAIL_ON_NAME] = len(result.warnings)
        levels = {name: list(levels_of(result.impact, name)) for name in LEVELS}
    flags = {"invalid": result.has_errors, "version_not_bumped": bool(result.version_not_bumped)}
    conds = conds if result.impact is not None else [c for c in conds if c.flag]
    return evaluate(conds, counts, levels, flags)


@handle_errors
@o.event_options(events="option")
def diff(
    base: Annotated[
        str,
        typer.Argument(
            help="Base side: a journeys directory or file, or a git revision of this repository "
            "(origin/main, HEAD~1, a sha)",
            metavar="BASE",
            show_default=False,
        ),
    ],
    head: HeadArg = None,
    inputs: EventInputs | None = None,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    fmt: Annotated[
        str | None, o.format_option(RENDERERS, "Output format (default off a terminal: text)")
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="NAME>N|NAME:LEVEL|FLAG",
            help="Exit 1 when met: invalid, version_not_bumped, or an impact count such as "
            "backward>10, newly_unmatched>0",
        ),
    ] = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
) -> None:
    """What changed between two versions of the journeys, and with --events whom it would move."""
    fmt = check_format(fmt, RENDERERS, "diff")
    from journeyctl.definitions.load import check_max_file_size
    from journeyctl.definitions.yamlio import DEFAULT_MAX_FILE_SIZE
    from journeyctl.diff.compare import compare, read_replay_input
    from journeyctl.diff.impact import COUNT_NAMES
    from journeyctl.diff.sides import load_side

    conds = parse_fail_on(fail_on or [], (*COUNT_NAMES, FAIL_ON_NAME), LEVELS, FLAGS)
    needs_events = [c.text for c in conds if not c.flag]
    if needs_events and inputs is None:
        raise UsageError(
            f"--fail-on {', '.join(needs_events)} needs the impact: give --events",
            hint="or fail only on invalid or version_not_bumped",
        )
    config = get_config()
    paths = journeys_paths(journeys, config)
    cat = catalog or config.catalog
    mfs = next(
        (v for v in (max_file_size, config.max_file_size) if v is not None), DEFAULT_MAX_FILE_SIZE
    )
    check_max_file_size(mfs)  # 0 or less is a usage error, not the default
    guard_outputs(inputs, journeys, config, catalog, also_read=[base, head])
    base_side = load_side(
        base, paths, catalog=cat, max_file_size=mfs, role="BASE", rules=config.rules
    )
    head_side = load_side(
        head, paths, catalog=cat, max_file_size=mfs, role="HEAD", rules=config.rules
    )
    replay = None
    if inputs is not None:
        replay = read_replay_input(
            inputs.sources,
            input_format=inputs.input_format,
            columns=inputs.columns,
            accounts=inputs.accounts,
            as_of=inputs.as_of,
            skip_bad_rows=inputs.skip_bad_rows,
            rejects=inputs.rejects,
        )
    result = compare(base_side, head_side, replay)
    from journeyctl.output.escape import safe_text

    err = err_console(no_color)
    if not quiet:
        for note in [*base_side.notes, *head_side.notes]:
            err.print(safe_text(f"note: {note}"), markup=False)
        if replay is not None and inputs is not None:
            warn_bad_rows(replay.log.bad_rows, inputs.rejects, quiet, no_color, replay.log.warnings)
        if result.impact_note and fmt in ("json", "github"):
            err.print(safe_text(f"warning: {result.impact_note}"), markup=False)
    print_warnings(result.warnings, quiet)
    RENDERERS[fmt](View(result, no_color))
    fail_on_met(_fail_on(result, conds, quiet, no_color), no_color)
