"""Library entry points that tie loading, ingestion and placement together (no CLI, no rich)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import Journey, JourneySet
from journeyctl.engine.placement import PlaceResult, Summary, place
from journeyctl.errors import InputError, UsageError
from journeyctl.events.ingest import BadRow, EventLog, read_accounts, read_events
from journeyctl.events.limits import plan_partitions as plan_partitions  # re-exported
from journeyctl.events.partition import partition_events, read_partition
from journeyctl.events.timestamps import format_instant, now_instant, parse_instant
from journeyctl.output.files import Cell, csv_text, write_atomic

MAX_LISTED_BAD_ROWS = 10


def parse_as_of(text: str | None) -> int | None:
    """None (use the latest event), `now`, or a §3 instant; anything else is a usage error."""
    if text is None:
        return None
    if text == "now":
        return now_instant()
    ts = parse_instant(text)
    if ts is None:
        raise UsageError(
            f"bad --as-of {text!r}",
            hint="use `now` or an ISO 8601 instant such as 2026-03-02T10:00:00Z",
        )
    return ts


def describe_bad_rows(bad: Sequence[BadRow], limit: int = MAX_LISTED_BAD_ROWS) -> list[str]:
    lines = [f"{b.file}:{b.line}: {b.reason}" for b in bad[:limit]]
    if len(bad) > limit:
        lines.append(f"... and {len(bad) - limit} more")
    return lines


def write_rejects(path: str, bad: Sequence[BadRow]) -> None:
    """Every rejected row with its file, line and reason, then its cells as read."""
    width = max((len(b.cells) for b in bad), default=0)
    header = ["file", "line", "reason"] + [f"field_{i + 1}" for i in range(width)]
    rows: list[list[Cell]] = [[b.file, b.line, b.reason, *b.cells] for b in bad]
    write_atomic(path, csv_text(header, rows))


def load_events(
    paths: Sequence[str], columns: Mapping[str, str], *, skip_bad_rows: bool, rejects: str | None
) -> EventLog:
    """Read events; bad rows stop the command (exit 2) unless skipped."""
    log = read_events(list(paths), columns)
    check_bad_rows(log.bad_rows, skip_bad_rows, rejects)
    return log


def check_bad_rows(bad: Sequence[BadRow], skip_bad_rows: bool, rejects: str | None) -> None:
    """Bad rows stop the command (exit 2) unless skipped; `rejects` keeps them all."""
    if bad and not skip_bad_rows:
        n = len(bad)
        raise InputError(
            f"{n} bad row{'s' if n != 1 else ''} in the events input",
            details=describe_bad_rows(bad),
            hint="fix them, or run with --skip-bad-rows (and --rejects FILE to keep them)",
        )
    if rejects is not None:
        write_rejects(rejects, bad)


def resolve_as_of(as_of: int | None, log: EventLog) -> int:
    return resolve_instant(as_of, log.max_ts, log.files)


def resolve_instant(as_of: int | None, latest: int | None, files: Sequence[str]) -> int:
    """The given as-of, else the latest valid event (none at all is an input error)."""
    if as_of is not None:
        return as_of
    if latest is None:
        names = ", ".join(files) or "the events input"
        raise InputError(
            f"{names}: no valid event (only a header, or every row was skipped)",
            hint="check the files, or give --as-of to place nobody at a fixed instant",
        )
    return latest


@dataclass(frozen=True, slots=True)
class PlaceRun:
    result: PlaceResult
    log: EventLog
    accounts: Mapping[str, Mapping[str, str]] | None


def run_place(
    journeys: JourneySet,
    events: Sequence[str],
    *,
    columns: Mapping[str, str] | None = None,
    accounts: str | None = None,
    as_of: str | None = None,
    skip_bad_rows: bool = False,
    rejects: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PlaceRun:
    """Read the events (and accounts), and place every customer at as-of."""
    log = load_events(events, columns or {}, skip_bad_rows=skip_bad_rows, rejects=rejects)
    acc = read_accounts(accounts, columns) if accounts else None
    instant = resolve_as_of(parse_as_of(as_of), log)
    result = place(journeys, log, instant, acc, progress=progress)
    if not result.customers and not result.unmatched and as_of is None:
        raise InputError(f"no valid event at or before {format_instant(instant)}")
    return PlaceRun(result, log, acc)


@dataclass(frozen=True, slots=True)
class StreamedPlace:
    """What a streaming placement found over all partitions (the results went to `each`)."""

    as_of: int
    journeys: tuple[Journey, ...]
    summary: Summary
    bad_rows: list[BadRow]
    files: list[str]
    accounts: Mapping[str, Mapping[str, str]] | None


def run_place_streaming(
    journeys: JourneySet,
    events: Sequence[str],
    workdir: str,
    parts: int,
    each: Callable[[PlaceResult], None],
    *,
    columns: Mapping[str, str] | None = None,
    accounts: str | None = None,
    as_of: str | None = None,
    skip_bad_rows: bool = False,
    rejects: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StreamedPlace:
    """Place every customer one partition at a time (inputs larger than memory).

    The input is split by customer into `parts` Parquet files under `workdir`; each partition's
    `PlaceResult` (its customers sorted by id) is handed to `each`, then dropped. Per customer
    the results are those of `run_place`; the summary is the whole input's."""
    instant = parse_as_of(as_of)
    acc = read_accounts(accounts, columns) if accounts else None
    if progress is not None:
        progress(0, parts + 1)
    parted = partition_events(list(events), columns or {}, workdir, parts)
    check_bad_rows(parted.bad_rows, skip_bad_rows, rejects)
    instant = resolve_instant(instant, parted.max_ts, parted.files)
    placed = ignored = unmatched = 0
    for k in range(parts):
        if progress is not None:
            progress(k + 1, parts + 1)
        log = read_partition(parted, k)
        result = place(journeys, log, instant, acc)
        del log
        placed += len(result.customers)
        unmatched += len(result.unmatched)
        ignored += result.summary.ignored_after_as_of
        each(result)
        del result  # before the next partition is placed: one partition in memory at a time
    if progress is not None:
        progress(parts + 1, parts + 1)
    if not placed and not unmatched and as_of is None:
        raise InputError(f"no valid event at or before {format_instant(instant)}")
    summary = Summary(placed + unmatched, parted.rows, ignored, unmatched, len(parted.bad_rows))
    return StreamedPlace(instant, journeys.journeys, summary, parted.bad_rows, parted.files, acc)
