"""Library entry points that tie loading, ingestion and placement together (no CLI, no rich)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import PlaceResult, place
from journeyctl.errors import InputError, UsageError
from journeyctl.events.ingest import BadRow, EventLog, read_accounts, read_events
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
    if log.bad_rows and not skip_bad_rows:
        n = len(log.bad_rows)
        raise InputError(
            f"{n} bad row{'s' if n != 1 else ''} in the events input",
            details=describe_bad_rows(log.bad_rows),
            hint="fix them, or run with --skip-bad-rows (and --rejects FILE to keep them)",
        )
    if rejects is not None:
        write_rejects(rejects, log.bad_rows)
    return log


def resolve_as_of(as_of: int | None, log: EventLog) -> int:
    if as_of is not None:
        return as_of
    latest = log.max_ts
    if latest is None:
        names = ", ".join(log.files) or "the events input"
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
