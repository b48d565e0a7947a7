"""`journeyctl place EVENTS...`."""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer

from journeyctl.cli import options as o
from journeyctl.cli.cluster import (
    DEFAULT_TIMEOUT,
    ClusterOpt,
    ClusterTimeout,
    cluster_address,
    runner_for,
)
from journeyctl.cli.common import (
    check_format,
    err_console,
    get_config,
    handle_errors,
    load_valid_journeys,
    progress_bar,
    stdout_bytes,
)
from journeyctl.cli.common import out_console as out
from journeyctl.cli.streaming import Counts, Filters, parse_size, place_streaming
from journeyctl.config import Config
from journeyctl.errors import ExitCode, UsageError
from journeyctl.events.ingest import parse_column_mappings
from journeyctl.failon import FailOn, evaluate, parse_fail_on
from journeyctl.output import place as render
from journeyctl.output.tables import to_markdown, to_rich
from journeyctl.pipeline import PlaceRun, describe_bad_rows, plan_partitions, run_place

FORMATS = ("table", "json", "csv", "markdown")


def columns_of(column: list[str] | None, config: Config) -> dict[str, str]:
    mapping = dict(config.columns)
    mapping.update(parse_column_mappings(column or []))
    return parse_column_mappings(f"{k}={v}" for k, v in mapping.items())


def run_for_cli(
    events: list[str],
    journeys: list[str] | None,
    catalog: str | None,
    accounts: str | None,
    column: list[str] | None,
    as_of: str | None,
    skip_bad_rows: bool,
    rejects: str | None,
    max_file_size: int | None,
    quiet: bool,
    no_color: bool,
) -> PlaceRun:
    config = get_config()
    mapping = columns_of(column, config)
    if events.count("-") > 1:
        raise UsageError("stdin (-) can be given only once")
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    with progress_bar("placing customers", quiet, no_color) as progress:
        run = run_place(
            js,
            events,
            columns=mapping,
            accounts=accounts or config.accounts,
            as_of=as_of,
            skip_bad_rows=skip_bad_rows,
            rejects=rejects,
            progress=progress,
        )
    # the placements live until the command ends: spare them the collector's full scans, which
    # otherwise dominate rendering hundreds of thousands of customers
    gc.freeze()
    if run.log.bad_rows and not quiet:
        con = err_console(no_color)
        n = len(run.log.bad_rows)
        con.print(
            f"warning: skipped {n} bad row{'s' if n != 1 else ''}"
            + (f" (all written to {rejects})" if rejects else ""),
            markup=False,
        )
        for line in describe_bad_rows(run.log.bad_rows):
            con.print("  " + line, markup=False)
    return run


@handle_errors
def place(
    events: o.Events,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    accounts: o.Accounts = None,
    column: o.Columns = None,
    as_of: o.AsOf = None,
    skip_bad_rows: o.SkipBad = False,
    rejects: o.Rejects = None,
    fmt: o.Format = None,
    journey: Annotated[
        list[str] | None, typer.Option("--journey", help="Only customers of this journey")
    ] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", help="Only customers in this stage")
    ] = None,
    at_risk: Annotated[bool, typer.Option("--at-risk", help="Only customers at risk")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=0, help="At most N customers")] = None,
    fail_on: o.FailOnOpt = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Add each customer's prediction (predict --save-model)"),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help="Stay under this much memory (e.g. 2G, 512M): larger inputs are placed "
            "partition by partition via temporary files in $TMPDIR",
        ),
    ] = None,
    cluster: ClusterOpt = None,
    cluster_timeout: ClusterTimeout = DEFAULT_TIMEOUT,
) -> None:
    """Replay the events and place every customer: stage, milestones, risks, regressions."""
    fmt = check_format(fmt, FORMATS, "place")
    conds = parse_fail_on(fail_on or [], ("at_risk", "unmatched", "bad_rows"), ("at_risk",))
    limit_bytes = parse_size(memory_limit, "--memory-limit") if memory_limit else None
    address = cluster_address(cluster, get_config())
    parts = None if address is not None else plan_partitions(events, limit_bytes)
    if parts is not None or address is not None:
        if model:
            raise UsageError(
                "--model needs the whole log in memory; it does not work with the streaming "
                "mode or --cluster",
                hint="drop --model, or raise --memory-limit",
            )
        config = get_config()
        filters = Filters(journey or [], stage or [], at_risk)
        js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
        with runner_for(address, cluster_timeout) as runner:
            counts = place_streaming(
                js,
                events,
                parts or 0,
                fmt,
                filters,
                limit,
                columns=columns_of(column, config),
                accounts=accounts or config.accounts,
                as_of=as_of,
                skip_bad_rows=skip_bad_rows,
                rejects=rejects,
                quiet=quiet,
                no_color=no_color,
                runner=runner,
            )
        _fail_on(conds, counts, quiet, no_color)
        return
    run = run_for_cli(
        events,
        journeys,
        catalog,
        accounts,
        column,
        as_of,
        skip_bad_rows,
        rejects,
        max_file_size,
        quiet,
        no_color,
    )
    result = run.result
    filters = Filters(journey or [], stage or [], at_risk)
    shown = [c for c in result.customers if filters.keep(c)]
    if limit is not None:
        shown = shown[:limit]
    if model:  # predictions from a saved model (journeyctl predict --save-model)
        from journeyctl.cli.predict import place_with_model

        place_with_model(model, fmt, run, shown, no_color, quiet)
    elif fmt == "json":
        stdout = stdout_bytes()
        render.write_place_json(
            stdout,
            result.as_of,
            result.journeys,
            result.summary,
            (render.customer_fragment(c, result.as_of) for c in shown),
            result.unmatched,
        )
        stdout.flush()
    elif fmt == "csv":
        unfiltered = not (journey or stage or at_risk)
        extra = result.unmatched if unfiltered else ()
        if limit is not None:
            extra = extra[: max(0, limit - len(shown))]
        sys.stdout.write(render.render_csv(result, shown, extra))
    elif fmt == "markdown":
        sys.stdout.write(to_markdown(render.place_tables(result, shown, run.accounts)))
    else:
        con = out(no_color)
        for t in render.place_tables(result, shown, run.accounts):
            if t.rows:
                con.print(to_rich(t))
            else:
                con.print(f"{t.title}: {t.empty}", markup=False)
        if not quiet:
            con.print(
                render.summary_text(
                    result.as_of, result.summary, sum(c.at_risk for c in result.customers)
                ),
                markup=False,
            )
    _fail_on(
        conds,
        Counts(
            [c.risk_level for c in result.customers if c.at_risk],
            len(result.unmatched),
            result.summary.bad_rows,
        ),
        quiet,
        no_color,
    )


def _fail_on(conds: list[FailOn], counts: Counts, quiet: bool, no_color: bool) -> None:
    met = evaluate(
        conds,
        {
            "at_risk": len(counts.risk_levels),
            "unmatched": counts.unmatched,
            "bad_rows": counts.bad_rows,
        },
        {"at_risk": counts.risk_levels},
    )
    if met:
        if not quiet:
            err_console(no_color).print("fail-on met: " + ", ".join(met), markup=False)
        raise typer.Exit(int(ExitCode.FINDINGS))
