"""`journeyctl report EVENTS...`: place, store a snapshot, compare, write the report."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
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
    err_console,
    fail_on_met,
    get_config,
    guard_outputs,
    handle_errors,
    load_valid_journeys,
    place_events,
    print_tables,
)
from journeyctl.cli.datawarnings import FAIL_ON_NAME
from journeyctl.cli.history import Db, Wait, db_path, shown, string_list, wait_seconds
from journeyctl.cli.notify import (
    NoNotify,
    NotifyDryRun,
    NotifyOnly,
    notify_rules,
    send_notifications,
)
from journeyctl.config import Config
from journeyctl.errors import ExitCode
from journeyctl.failon import evaluate, parse_fail_on
from journeyctl.inputs import EventInputs

if TYPE_CHECKING:
    from journeyctl.analytics.kpis import KpiValues
    from journeyctl.events.table import EventTable
    from journeyctl.reports.model import Report


@dataclass(frozen=True, slots=True)
class View:
    report: Report
    no_color: bool


BY_COLUMNS = 6  # attribute values a terminal breakdown shows as columns


def _json(v: View) -> None:
    from journeyctl.reports.jsondoc import render_json

    sys.stdout.write(render_json(v.report))


def _markdown(v: View) -> None:
    from journeyctl.output.tables import to_markdown
    from journeyctl.reports.summary import breakdown_tables, changes_table

    sys.stdout.write(to_markdown([changes_table(v.report), *breakdown_tables(v.report)]))


def _table(v: View) -> None:
    from journeyctl.reports.summary import breakdown_tables, changes_table

    # a breakdown has a column per change: on a terminal its values become the columns when
    # they are few, so 80 columns show whole headers instead of breaking them mid-word
    by = [
        t.transposed() if 0 < len(t.rows) <= BY_COLUMNS else t for t in breakdown_tables(v.report)
    ]
    print_tables([changes_table(v.report), *by], v.no_color)


RENDERERS: dict[str, Callable[[View], None]] = {
    "table": _table,
    "json": _json,
    "markdown": _markdown,
}


def guard_report_outputs(
    inputs: EventInputs,
    journeys: list[str] | None,
    config: Config,
    catalog: str | None,
    db: str,
    out: str | None,
) -> None:
    """The database and the report files are outputs: neither may be an input, the database
    must be journeyctl's (or new), and the report directory must hold only the report's files."""
    from journeyctl.fileio import REPORT_FILES, Output, check_report_dir, is_history_db
    from journeyctl.reports.run import default_out_dir

    directory = out or default_out_dir(db)
    option = "--out" if out else "the report directory"
    # whose files the directory holds is check_report_dir's question; here only: not an input
    files = [
        Output(option, os.path.join(directory, n), "report file", lambda _path: True)
        for n in REPORT_FILES
    ]
    guard_outputs(
        inputs, journeys, config, catalog, Output("--db", db, "history database", is_history_db)
    )
    # the report files must not be the database either
    guard_outputs(inputs, journeys, config, catalog, *files, also_read=[db])
    same_dir = os.path.abspath(os.path.dirname(os.path.abspath(db))) == os.path.abspath(directory)
    name = os.path.basename(db)
    own = [name, f"{name}-wal", f"{name}-shm", f"{name}-journal"] if same_dir else []
    check_report_dir(option, directory, own=own, force=inputs.force)


def level_names() -> tuple[str, ...]:
    """`NAME:LEVEL` needs the customers' current risk level, which a vanished customer lacks."""
    from journeyctl.history.compare import CATEGORIES

    return tuple(c for c in CATEGORIES if c != "vanished")


def fail_on_inputs(r: Report) -> tuple[dict[str, int], dict[str, list[str]]]:
    from journeyctl.history.compare import CATEGORIES

    counts = {c: len(r.changes[c]) for c in CATEGORIES}
    counts[FAIL_ON_NAME] = len(r.warnings)
    levels = {c: [r.risk_levels.get(cid, "none") for cid in r.changes[c]] for c in level_names()}
    return counts, levels


@handle_errors
@o.event_options(outputs=["--db", "--out"])
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
    no_notify: NoNotify = False,
    notify_dry_run: NotifyDryRun = False,
    notify: NotifyOnly = None,
    no_color: o.NoColor = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary and no notes: only errors and alerts")
    ] = False,
    cluster: ClusterOpt = None,
    cluster_timeout: ClusterTimeout = DEFAULT_TIMEOUT,
) -> None:
    """Place every customer, store a snapshot, and report what changed since the previous one."""
    fmt = check_format(fmt, RENDERERS, "report")
    from journeyctl.history import CATEGORIES, HistoryStore
    from journeyctl.reports import run_report

    config = get_config()
    conds = parse_fail_on(
        fail_on or string_list(config, "report", "fail_on"),
        (*CATEGORIES, FAIL_ON_NAME),
        level_names(),
    )
    attributes = by or string_list(config, "report", "by")
    wait_s = wait_seconds(wait, config)
    rules, known = notify_rules(config, notify, no_notify, notify_dry_run)
    path = db_path(db, journeys, config)
    out = out_dir or config.out
    guard_report_outputs(inputs, journeys, config, catalog, path, out)
    # Fail fast on a database that cannot be used (newer, foreign, unopenable) before placing.
    HistoryStore.open(path, wait=wait_s).close()
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    address = cluster_address(cluster, config)
    events: EventTable | KpiValues
    if address is not None:  # the same result, placed partition by partition on the cluster
        placed = place_whole(address, cluster_timeout, js, inputs, quiet, no_color)
        result, sources, sizes = placed.result, placed.files, placed.sizes
        # the client never holds the events: the workers computed what the analysis needs of them
        warnings, events, attrs = placed.warnings, placed.kpis, placed.attributes
    else:
        run = place_events(inputs, js, quiet, no_color)
        result, sources, sizes = run.result, run.log.files, run.log.sizes
        warnings, events, attrs = run.warnings, run.log.table, run.attributes
    done = run_report(
        result,
        sources,
        sizes,
        db=path,
        out=out,
        wait=wait_s,
        by=attributes,
        warnings=warnings,
        events=events,
        attributes=attrs,
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
    failure = send_notifications(
        rules,
        known,
        result,
        dict(r.changes),
        db=path,
        files=done.files,
        wait=wait_s,
        dry_run=notify_dry_run,
        quiet=quiet,
        notes=notes,
    )
    counts, levels = fail_on_inputs(r)
    met = evaluate(conds, counts, levels)
    if failure is None:
        # Said even with --quiet: cron mails a job's output, so an alert must say something.
        fail_on_met(met, no_color)
        return
    with contextlib.suppress(typer.Exit):  # said, but 2 wins over its 1 (§4)
        fail_on_met(met, no_color)
    # PRODUCT §10: a notification failure left is one line after everything else, and exit 2
    notes.print(failure, markup=False)
    raise typer.Exit(int(ExitCode.BAD_INPUT))
