"""`place` in the streaming mode: partition by partition, its output merged by customer.

The JSON and CSV are written to stdout as the partitions' runs merge; tables come back to the
caller to draw."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import sys
import tempfile
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

from journeyctl.checks import DataWarning
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.order import sort_key
from journeyctl.engine.placement import CustomerPlacement, PlaceResult
from journeyctl.errors import InputError
from journeyctl.events.ingest import BadRow
from journeyctl.inputs import Counts, EventInputs, Filters
from journeyctl.output import place as render
from journeyctl.output.files import csv_line
from journeyctl.output.runs import Runs
from journeyctl.output.stdout import stdout_bytes
from journeyctl.output.tabledata import TableData
from journeyctl.output.tables import to_markdown
from journeyctl.pipeline import StreamedPlace, run_place_streaming

ProgressBar = Callable[[], AbstractContextManager[Callable[[int, int], None] | None]]


@dataclass(frozen=True, slots=True)
class Streamed:
    """What is left for the caller: the fail-on counts, the bad rows to warn about, and for
    `table` the tables and the summary line (the other formats are written already)."""

    counts: Counts
    bad_rows: list[BadRow]
    tables: list[TableData]
    summary: str
    input_warnings: list[str]  # about the input (nested columns left out, §8)
    warnings: tuple[DataWarning, ...] = ()  # the data checks, for stderr (the JSON has them)


def _no_progress() -> AbstractContextManager[None]:
    return contextlib.nullcontext()


def place_streaming(
    js: JourneySet,
    inputs: EventInputs,
    parts: int,
    fmt: str,
    filters: Filters,
    limit: int | None,
    progress_bar: ProgressBar = _no_progress,
    runner: Callable[..., StreamedPlace] = run_place_streaming,
    sort: str = "id",
) -> Streamed:
    """Place and write as `place` does in memory, with the same output byte for byte.

    `runner` places the partitions: on this machine, or on a cluster (cli/cluster.py). `sort`
    other than `id` needs `limit`: each partition keeps its first `limit` in that order."""
    key = sort_key(sort)
    levels: list[str] = []
    unmatched: list[list[str]] = []
    kept: list[list[CustomerPlacement]] = []  # with --limit: each partition's first `limit`
    tables: render.PlaceTables | None = None
    at_risk = 0
    data: list[TableData] = []
    try:
        with tempfile.TemporaryDirectory(prefix="journeyctl-") as work:
            runs = Runs(work, fmt)

            def each(result: PlaceResult) -> None:
                nonlocal tables, at_risk
                shown = [c for c in result.customers if filters.keep(c)]
                levels.extend(c.risk_level for c in result.customers if c.at_risk)
                at_risk += sum(c.at_risk for c in result.customers)
                unmatched.append(list(result.unmatched))
                if limit is not None:
                    kept.append(shown[:limit] if sort == "id" else sorted(shown, key=key)[:limit])
                elif fmt == "json":
                    runs.add(
                        (c.customer_id, render.customer_fragment(c, result.as_of)) for c in shown
                    )
                elif fmt == "csv":
                    rows = [render.unmatched_csv_row(u) for u in result.unmatched]
                    rows = (rows if filters.none else []) + [
                        render.csv_row(c, result.as_of) for c in shown
                    ]
                    rows.sort(key=lambda r: str(r[0]))
                    runs.add((str(r[0]), csv_line(r).encode("utf-8")) for r in rows)
                else:
                    if tables is None:
                        tables = render.PlaceTables(result.journeys, result.as_of, accounts_of)
                    tables.add(shown)

            accounts_of: Mapping[str, Mapping[str, str]] | None = None
            if inputs.accounts:  # the at-risk table's columns depend on the accounts file
                from journeyctl.events.ingest import read_accounts

                accounts_of = read_accounts(inputs.accounts, inputs.columns)
            with progress_bar() as progress:
                run = runner(js, inputs, work, parts, each, progress=progress)
            all_unmatched = list(heapq.merge(*unmatched))
            warnings_doc = [w.as_json() for w in run.warnings]
            if limit is not None:  # a few customers: render them as in memory
                shown = list(itertools.islice(heapq.merge(*kept, key=key), limit))
                result = PlaceResult(
                    run.as_of, run.journeys, tuple(shown), tuple(all_unmatched), {}, run.summary
                )
                if fmt == "csv":
                    extra = all_unmatched if filters.none else []
                    extra = extra[: max(0, limit - len(shown))]
                    sys.stdout.write(render.render_csv(result, shown, extra, sort == "id"))
                elif fmt == "json":
                    sys.stdout.write(render.render_json(result, shown, warnings_doc))
                else:
                    tables = render.PlaceTables(run.journeys, run.as_of, run.accounts)
                    tables.add(shown)
            elif fmt == "json":
                stdout = stdout_bytes()
                render.write_place_json(
                    stdout,
                    run.as_of,
                    run.journeys,
                    run.summary,
                    runs.merged(),
                    all_unmatched,
                    warnings_doc,
                )
                stdout.flush()
            elif fmt == "csv":
                stdout = stdout_bytes()
                stdout.write(csv_line(render.CSV_HEADER).encode("utf-8"))
                for row in runs.merged():
                    stdout.write(row)
                stdout.flush()
            if fmt in ("table", "markdown"):
                if tables is None:
                    tables = render.PlaceTables(run.journeys, run.as_of, run.accounts)
                data = tables.tables()
                if fmt == "markdown":
                    sys.stdout.write(to_markdown(data))
    except BrokenPipeError:
        raise  # stdout closed by its reader (`| head`), not a temporary-file problem
    except OSError as exc:
        raise InputError(
            f"streaming mode: cannot use temporary files in {tempfile.gettempdir()}: "
            f"{exc.strerror or exc}",
            hint="point TMPDIR at a disk with room for about 30% of the events' size plus the output",
        ) from None
    return Streamed(
        Counts(levels, run.summary.unmatched, run.summary.bad_rows, len(run.warnings)),
        run.bad_rows,
        data if fmt == "table" else [],
        render.summary_text(run.as_of, run.summary, at_risk),
        run.input_warnings,
        run.warnings,
    )
