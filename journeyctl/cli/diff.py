"""`journeyctl diff BASE [HEAD]`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from journeyctl.cli import options as o
from journeyctl.cli.common import check_format, err_console, get_config, handle_errors
from journeyctl.cli.common import out_console as out
from journeyctl.cli.datawarnings import FAIL_ON_NAME, print_warnings
from journeyctl.cli.place import columns_of
from journeyctl.config import journeys_paths
from journeyctl.definitions.yamlio import DEFAULT_MAX_FILE_SIZE
from journeyctl.diff.compare import DiffResult, compare, read_replay_input
from journeyctl.diff.impact import COUNT_NAMES, counts_by_name, levels_of
from journeyctl.diff.sides import load_side
from journeyctl.errors import ExitCode, UsageError
from journeyctl.failon import FailOn, evaluate, parse_fail_on
from journeyctl.output import diff as render
from journeyctl.output.tables import to_rich
from journeyctl.pipeline import describe_bad_rows

FORMATS = ("table", "text", "markdown", "json", "github")
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
    events: Annotated[
        list[str] | None,
        typer.Option("--events", help="Event CSV (repeatable): replay it under both sides"),
    ] = None,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    accounts: o.Accounts = None,
    column: o.Columns = None,
    as_of: o.AsOf = None,
    skip_bad_rows: o.SkipBad = False,
    rejects: o.Rejects = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="text, table, markdown, json or github")
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when met: invalid, version_not_bumped, or an impact count such as "
            "backward>10, newly_unmatched>0",
        ),
    ] = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
) -> None:
    """What changed between two versions of the journeys, and with --events whom it would move."""
    fmt = check_format(fmt, FORMATS, "diff")
    conds = parse_fail_on(fail_on or [], (*COUNT_NAMES, FAIL_ON_NAME), LEVELS, FLAGS)
    needs_events = [c.text for c in conds if not c.flag]
    if needs_events and not events:
        raise UsageError(
            f"--fail-on {', '.join(needs_events)} needs the impact: give --events",
            hint="or fail only on invalid or version_not_bumped",
        )
    if events and events.count("-") > 1:
        raise UsageError("stdin (-) can be given only once")
    config = get_config()
    paths = journeys_paths(journeys, config)
    cat = catalog or config.catalog
    mfs = max_file_size or config.max_file_size or DEFAULT_MAX_FILE_SIZE
    base_side = load_side(base, paths, catalog=cat, max_file_size=mfs, role="BASE")
    head_side = load_side(head, paths, catalog=cat, max_file_size=mfs, role="HEAD")
    replay = None
    if events:
        replay = read_replay_input(
            events,
            columns=columns_of(column, config),
            accounts=accounts or config.accounts,
            as_of=as_of,
            skip_bad_rows=skip_bad_rows,
            rejects=rejects,
        )
    result = compare(base_side, head_side, replay)
    err = err_console(no_color)
    if not quiet:
        for note in [*base_side.notes, *head_side.notes]:
            err.print(f"note: {note}", markup=False)
        if replay is not None and replay.log.bad_rows:
            n = len(replay.log.bad_rows)
            err.print(
                f"warning: skipped {n} bad row{'s' if n != 1 else ''}"
                + (f" (all written to {rejects})" if rejects else ""),
                markup=False,
            )
            for line in describe_bad_rows(replay.log.bad_rows):
                err.print("  " + line, markup=False)
    print_warnings(result.warnings, quiet)
    if not quiet and result.impact_note and fmt in ("json", "github"):
        err.print(f"warning: {result.impact_note}", markup=False)
    if fmt == "json":
        sys.stdout.write(render.render_json(result))
    elif fmt == "text":
        sys.stdout.write(render.render_text(result))
    elif fmt == "github":
        sys.stdout.write(render.render_github(result))
    elif fmt == "markdown":
        sys.stdout.write(render.render_markdown(result))
    else:
        con = out(no_color)
        con.print(render.summary_line(result), markup=False)
        for note in render.result_notes(result):
            con.print(note, markup=False)
        for t in render.diff_tables(result):
            if t.rows:
                con.print(to_rich(t))
            else:
                con.print(f"{t.title}: {t.empty}", markup=False)
    met = _fail_on(result, conds, quiet, no_color)
    if met:
        if not quiet:
            err.print("fail-on met: " + ", ".join(met), markup=False)
        raise typer.Exit(int(ExitCode.FINDINGS))
