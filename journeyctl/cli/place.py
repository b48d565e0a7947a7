"""`journeyctl place EVENTS...`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

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
    fail_on_met,
    guard_outputs,
    handle_errors,
    load_valid_journeys,
    place_events,
    print_tables,
    progress_bar,
    warn_bad_rows,
)
from journeyctl.cli.datawarnings import FAIL_ON_NAME, print_warnings
from journeyctl.config import load_config
from journeyctl.engine.order import SORTS, sort_key
from journeyctl.errors import UsageError
from journeyctl.failon import FailOn, evaluate, parse_fail_on
from journeyctl.inputs import Counts, EventInputs, Filters

if TYPE_CHECKING:
    from journeyctl.engine.placement import CustomerPlacement
    from journeyctl.output.tabledata import TableData
    from journeyctl.pipeline import ModelPredictions, PlaceRun

NAMES = ("at_risk", "unmatched", "bad_rows", FAIL_ON_NAME)


@dataclass(frozen=True, slots=True)
class View:
    """What the renderers of `place` read."""

    run: PlaceRun
    shown: Sequence[CustomerPlacement]
    extra_unmatched: Sequence[str]  # unmatched customers listed in the CSV (unfiltered)
    model: ModelPredictions | None
    quiet: bool
    no_color: bool
    by_id: bool = True  # False under --sort risk|days_in_stage: the CSV keeps `shown`'s order
    output: str | None = None  # --output: a file, or for parquet a directory


def _json(v: View) -> None:
    from journeyctl.output import place as render
    from journeyctl.output.predict import place_model_json
    from journeyctl.output.stdout import stdout_bytes

    result = v.run.result
    if v.model is not None:
        sys.stdout.write(place_model_json(result, v.shown, v.model))
        return
    stdout = stdout_bytes()
    render.write_place_json(
        stdout,
        result.as_of,
        result.journeys,
        result.summary,
        (render.customer_fragment(c, result.as_of) for c in v.shown),
        result.unmatched,
        [w.as_json() for w in v.run.warnings],
    )
    stdout.flush()


def _csv(v: View) -> None:
    from journeyctl.output import place as render
    from journeyctl.output.predict import place_model_csv

    if v.model is not None:
        sys.stdout.write(place_model_csv(v.run.result, v.shown, v.model))
    else:
        sys.stdout.write(render.render_csv(v.run.result, v.shown, v.extra_unmatched, v.by_id))


def _tables(v: View) -> list[TableData]:
    from journeyctl.output import place as render
    from journeyctl.output.predict import place_model_tables

    if v.model is not None:
        return place_model_tables(v.run.result, v.shown, v.run.accounts, v.model)
    return render.place_tables(v.run.result, v.shown, v.run.accounts)


def _markdown(v: View) -> None:
    from journeyctl.output.tables import to_markdown

    sys.stdout.write(to_markdown(_tables(v)))


def _table(v: View) -> None:
    from journeyctl.output.place import summary_line

    con = print_tables(_tables(v), v.no_color)
    if not v.quiet:
        con.print(summary_line(v.run.result), markup=False)


def _parquet(v: View) -> None:
    """The four tables of §8 (customers, moves, milestones, risks) into the --output directory."""
    from journeyctl.output.bi_tables import bi_tables, write_parquet_dir

    result = v.run.result
    assert v.output is not None  # checked with the options
    tables = bi_tables(result.as_of, v.shown, v.extra_unmatched, result.unmatched_attributes)
    written = write_parquet_dir(v.output, tables)
    if not v.quiet:
        err_console(v.no_color).print(
            f"wrote {', '.join(os.path.basename(p) for p in written)} to {v.output}", markup=False
        )


RENDERERS: dict[str, Callable[[View], None]] = {
    "table": _table,
    "json": _json,
    "csv": _csv,
    "markdown": _markdown,
    "parquet": _parquet,
}
Fmt = Annotated[str | None, o.format_option(RENDERERS)]


@handle_errors
@o.event_options(memory_limit=True, outputs=["--output"])
def place(
    inputs: EventInputs,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    fmt: Fmt = None,
    journey: Annotated[
        list[str] | None,
        typer.Option("--journey", metavar="ID", help="Only customers of this journey"),
    ] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", metavar="ID", help="Only customers in this stage")
    ] = None,
    at_risk: Annotated[bool, typer.Option("--at-risk", help="Only customers at risk")] = False,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            metavar=f"[{'|'.join(SORTS)}]",
            autocompletion=o.complete_choices(SORTS),
            help="Order of the customers: id, risk (worst first), days_in_stage (longest first)",
        ),
    ] = "id",
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=0, metavar="N", help="The first N customers in --sort order"),
    ] = None,
    fail_on: o.FailOnOpt = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", metavar="FILE", help="Add each customer's prediction (predict --save-model)"
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write to this file instead of stdout (atomically); a directory for parquet",
        ),
    ] = None,
    cluster: ClusterOpt = None,
    cluster_timeout: ClusterTimeout = DEFAULT_TIMEOUT,
) -> None:
    """Replay the events and place every customer: stage, milestones, risks, regressions."""
    fmt = check_format(fmt, RENDERERS, "place")
    if fmt == "parquet" and output is None:
        raise UsageError(
            "--format parquet writes four tables: give --output DIR",
            hint="e.g. --format parquet --output tables/ (customers, moves, milestones, risks)",
        )
    if fmt == "parquet" and model:
        raise UsageError("--model does not apply to --format parquet", hint="use json or csv")
    from journeyctl import pipeline

    conds = parse_fail_on(fail_on or [], NAMES, ("at_risk",))
    filters = Filters(journey or [], stage or [], at_risk)
    if sort not in SORTS:
        raise UsageError(f"unknown --sort {sort!r}; use one of: {', '.join(SORTS)}")
    config = load_config()
    from journeyctl.fileio import Output, is_command_output

    given = [Output("--output", output, "output", is_command_output)] if output else []
    if fmt == "parquet":
        given = []  # a directory of tables, checked by the parquet writer
    guard_outputs(inputs, journeys, config, catalog, *given, also_read=[model])
    address = cluster_address(cluster, config)
    parts = None
    if address is None:
        parts = pipeline.plan_partitions(inputs.sources, inputs.memory_limit, inputs.input_format)
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    filters.check(js)
    if parts is not None or address is not None:
        if model:
            raise UsageError(
                "--model needs the whole log in memory; it does not work with the streaming "
                "mode or --cluster",
                hint="drop --model, or raise --memory-limit",
            )
        from journeyctl.output.streaming import place_streaming
        from journeyctl.output.tofile import stdout_to

        if fmt == "parquet":
            raise UsageError(
                "--format parquet needs the whole log in memory; it does not work with the "
                "streaming mode or --cluster",
                hint="raise --memory-limit, or use --format csv or json",
            )
        if sort != "id" and limit is None:
            raise UsageError(
                f"--sort {sort} needs --limit in the streaming mode (an input larger than memory)",
                hint="add --limit N, or raise --memory-limit",
            )
        with stdout_to(output), runner_for(address, cluster_timeout) as runner:
            streamed = place_streaming(
                js,
                inputs,
                parts or 0,
                fmt,
                filters,
                limit,
                lambda: progress_bar("placing partitions", quiet, no_color, "partitions"),
                runner,
                sort,
            )
            warn_bad_rows(
                streamed.bad_rows, inputs.rejects, quiet, no_color, streamed.input_warnings
            )
            print_warnings(streamed.warnings, quiet)
            if fmt == "table":
                con = print_tables(streamed.tables, no_color)
                if not quiet:
                    con.print(streamed.summary, markup=False)
        _fail_on(conds, streamed.counts, no_color)
        return
    run = place_events(inputs, js, quiet, no_color)
    freeze_collector()
    result = run.result
    shown = [c for c in result.customers if filters.keep(c)]  # by id
    if sort != "id":
        shown.sort(key=sort_key(sort))
    if limit is not None:
        del shown[limit:]
    extra = result.unmatched if filters.none else ()
    if limit is not None:
        extra = extra[: max(0, limit - len(shown))]
    predictions = pipeline.predictions_for(model, run) if model else None
    view = View(run, shown, extra, predictions, quiet, no_color, sort == "id", output)
    if fmt == "parquet":
        _parquet(view)
    else:
        from journeyctl.output.tofile import stdout_to

        with stdout_to(output):
            RENDERERS[fmt](view)
    _fail_on(conds, pipeline.counts_of(result, len(run.warnings)), no_color)


def freeze_collector() -> None:
    """The placements live until the command ends: spare them the collector's full scans, which
    otherwise dominate rendering hundreds of thousands of customers."""
    import gc

    gc.freeze()


def _fail_on(conds: Sequence[FailOn], counts: Counts, no_color: bool) -> None:
    met = evaluate(
        list(conds),
        {
            "at_risk": len(counts.risk_levels),
            "unmatched": counts.unmatched,
            "bad_rows": counts.bad_rows,
            FAIL_ON_NAME: counts.warnings,
        },
        {"at_risk": counts.risk_levels},
    )
    fail_on_met(met, no_color)
