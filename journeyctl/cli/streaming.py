"""`journeyctl place` in the streaming mode: partition by partition, output merged by customer."""

from __future__ import annotations

import heapq
import itertools
import re
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.cli.common import err_console, progress_bar, stdout_bytes
from journeyctl.cli.common import out_console as out
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import CustomerPlacement, PlaceResult
from journeyctl.errors import InputError, UsageError
from journeyctl.output import place as render
from journeyctl.output.files import csv_line
from journeyctl.output.runs import Runs
from journeyctl.output.tables import to_markdown, to_rich
from journeyctl.pipeline import StreamedPlace, describe_bad_rows, run_place_streaming

_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(i?B)?\s*$", re.IGNORECASE)


def parse_size(text: str, option: str) -> int:
    """`2G`, `512M`, `1.5GiB`, `800000000` as bytes (K, M, G, T are powers of 1024)."""
    m = _SIZE.match(text)
    if m is None or float(m.group(1)) <= 0:
        raise UsageError(f"bad {option} {text!r}", hint="use a size such as 2G, 512M or 1.5GiB")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


@dataclass(frozen=True, slots=True)
class Filters:
    journeys: Sequence[str]
    stages: Sequence[str]
    at_risk: bool

    @property
    def none(self) -> bool:
        return not (self.journeys or self.stages or self.at_risk)

    def keep(self, c: CustomerPlacement) -> bool:
        return (
            (not self.journeys or c.journey.id in self.journeys)
            and (not self.stages or (c.stage is not None and c.stage.id in self.stages))
            and (not self.at_risk or c.at_risk)
        )


@dataclass(frozen=True, slots=True)
class Counts:
    """What `--fail-on` reads: every placed customer's risk level when at risk, and counts."""

    risk_levels: list[str]
    unmatched: int
    bad_rows: int


def place_streaming(
    js: JourneySet,
    events: Sequence[str],
    parts: int,
    fmt: str,
    filters: Filters,
    limit: int | None,
    *,
    columns: Mapping[str, str],
    accounts: str | None,
    as_of: str | None,
    skip_bad_rows: bool,
    rejects: str | None,
    quiet: bool,
    no_color: bool,
    runner: Callable[..., StreamedPlace] = run_place_streaming,
) -> Counts:
    """Place and print as `place` does in memory, with the same output byte for byte.

    `runner` places the partitions: on this machine, or on a cluster (cli/cluster.py)."""
    levels: list[str] = []
    unmatched: list[list[str]] = []
    kept: list[list[CustomerPlacement]] = []  # with --limit: each partition's first `limit`
    tables: render.PlaceTables | None = None
    at_risk = 0
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
                    kept.append(shown[:limit])
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
            if accounts:  # the at-risk table's columns depend on the accounts file
                from journeyctl.events.ingest import read_accounts

                accounts_of = read_accounts(accounts, columns)
            with progress_bar("placing partitions", quiet, no_color, "partitions") as progress:
                run = runner(
                    js,
                    events,
                    work,
                    parts,
                    each,
                    columns=columns,
                    accounts=accounts,
                    as_of=as_of,
                    skip_bad_rows=skip_bad_rows,
                    rejects=rejects,
                    progress=progress,
                )
            if run.bad_rows and not quiet:
                con = err_console(no_color)
                n = len(run.bad_rows)
                con.print(
                    f"warning: skipped {n} bad row{'s' if n != 1 else ''}"
                    + (f" (all written to {rejects})" if rejects else ""),
                    markup=False,
                )
                for line in describe_bad_rows(run.bad_rows):
                    con.print("  " + line, markup=False)
            all_unmatched = list(heapq.merge(*unmatched))
            if limit is not None:  # a few customers: render them as in memory
                shown = list(
                    itertools.islice(heapq.merge(*kept, key=lambda c: c.customer_id), limit)
                )
                result = PlaceResult(
                    run.as_of, run.journeys, tuple(shown), tuple(all_unmatched), {}, run.summary
                )
                if fmt == "csv":
                    extra = all_unmatched if filters.none else []
                    extra = extra[: max(0, limit - len(shown))]
                    sys.stdout.write(render.render_csv(result, shown, extra))
                elif fmt == "json":
                    sys.stdout.write(render.render_json(result, shown))
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
                else:
                    con = out(no_color)
                    for t in data:
                        if t.rows:
                            con.print(to_rich(t))
                        else:
                            con.print(f"{t.title}: {t.empty}", markup=False)
                    if not quiet:
                        con.print(
                            render.summary_text(run.as_of, run.summary, at_risk), markup=False
                        )
    except OSError as exc:
        raise InputError(
            f"streaming mode: cannot use temporary files in {tempfile.gettempdir()}: "
            f"{exc.strerror or exc}",
            hint="point TMPDIR at a disk with room for about 30% of the events' size plus the output",
        ) from None
    return Counts(levels, run.summary.unmatched, run.summary.bad_rows)
