"""`journeyctl report EVENTS...`: place, store a snapshot, compare, write the report."""

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
    handle_errors,
    load_valid_journeys,
    place_events,
    print_tables,
)
from journeyctl.cli.history import Db, Wait, db_path, shown, string_list, wait_seconds
from journeyctl.failon import evaluate, parse_fail_on
from journeyctl.inputs import EventInputs

if TYPE_CHECKING:
    from journeyctl.reports.model import Report


@dataclass(frozen=True, slots=True)
class View:
    report: Report
    no_color: bool


def _json(v: View) -> None:
    from journeyctl.reports.jsondoc import render_json

    sys.stdout.write(render_json(v.report))


def _markdown(v: View) -> None:
    from journeyctl.output.tables import to_markdown
    from journeyctl.reports.summary import breakdown_tables, changes_table

    sys.stdout.write(to_markdown([changes_table(v.report), *breakdown_tables(v.report)]))


def _table(v: View) -> None:
    from journeyctl.reports.summary import breakdown_tables, changes_table

    print_tables([changes_table(v.report), *breakdown_tables(v.report)], v.no_color)


RENDERERS: dict[str, Callable[[View], None]] = {
    "table": _table,
    "json": _json,
    "markdown": _markdown,
}


def level_names() -> tuple[str, ...]:
    """`NAME:LEVEL` needs the customers' current risk level, which a vanished customer lacks."""
    from journeyctl.history.compare import CATEGORIES

    return tuple(c for c in CATEGORIES if c != "vanished")


def fail_on_inputs(r: Report) -> tuple[dict[str, int], dict[str, list[str]]]:
    from journeyctl.history.compare import CATEGORIES

    counts = {c: len(r.changes[c]) for c in CATEGORIES}
    levels = {c: [r.risk_levels.get(cid, "none") for cid in r.changes[c]] for c in level_names()}
    return counts, levels


@handle_errors
@o.event_options()
def report(
    inputs: EventInputs,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    db: Db = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Directory for report.md/.json/.html; default beside the db",
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by", metavar="ATTRIBUTE", help="Break the report down by this attribute (repeatable)"
        ),
    ] = None,
    wait: Wait = None,
    fmt: Annotated[str | None, o.format_option(RENDERERS, "Summary on stdout")] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="NAME>N|NAME:LEVEL",
            help="Exit 1 when met, e.g. newly_at_risk:high, regressed>0",
        ),
    ] = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary and no notes: only errors and alerts")
    ] = False,
) -> None:
    """Place every customer, store a snapshot, and report what changed since the previous one."""
    fmt = check_format(fmt, RENDERERS, "report")
    from journeyctl.history import CATEGORIES, HistoryStore
    from journeyctl.reports import run_report

    config = get_config()
    conds = parse_fail_on(
        fail_on or string_list(config, "report", "fail_on"), CATEGORIES, level_names()
    )
    attributes = by or string_list(config, "report", "by")
    wait_s = wait_seconds(wait, config)
    path = db_path(db, journeys, config)
    # Fail fast on a database that cannot be used (newer, foreign, unopenable) before placing.
    HistoryStore.open(path, wait=wait_s).close()
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    run = place_events(inputs, js, quiet, no_color)
    done = run_report(
        run.result,
        run.log.files,
        run.log.sizes,
        db=path,
        out=out_dir or config.out,
        wait=wait_s,
        by=attributes,
    )
    r = done.report
    notes = err_console(no_color)
    if not quiet:
        for b in r.breakdowns:
            if all(row.value is None for row in b.rows):
                notes.print(f"warning: no customer has the attribute {b.attribute!r}", markup=False)
        verb = "replaced the snapshot" if done.replaced else "stored a snapshot"
        files = ", ".join(shown(f) for f in done.files)
        notes.print(f"{verb} in {shown(path)}; wrote {files}", markup=False)
        RENDERERS[fmt](View(r, no_color))
    counts, levels = fail_on_inputs(r)
    fail_on_met(evaluate(conds, counts, levels), no_color)
