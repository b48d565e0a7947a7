"""Library entry points that tie loading, ingestion and placement together (no CLI, no rich).

The CLI's commands each make one call here (or into `diff`, `reports`, `predict`), with an
`EventInputs` for the event options."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeyctl.checks import (
    DataWarning,
    NearMiss,
    account_columns,
    case_near_miss,
    case_near_misses,
    check_placement,
    check_run,
    did_you_mean,
)
from journeyctl.definitions.model import Journey, JourneySet
from journeyctl.engine.placement import (
    CustomerPlacement,
    PlaceResult,
    Summary,
    place,
    segment_keys,
)
from journeyctl.engine.timeline import Timeline, TimelineFilter, build_timeline, filter_timeline
from journeyctl.errors import InputError, UsageError
from journeyctl.events.ingest import BadRow, EventLog, read_accounts, read_events
from journeyctl.events.limits import plan_partitions as plan_partitions  # re-exported
from journeyctl.events.timestamps import format_instant, now_instant, parse_instant
from journeyctl.fileio import write_atomic
from journeyctl.inputs import Counts, EventInputs
from journeyctl.output.files import Cell, csv_text

if TYPE_CHECKING:
    from journeyctl.engine.explain import Explanation, NextMove
    from journeyctl.events.model import Event
    from journeyctl.events.sources import EventSource, Format
    from journeyctl.predict.run import Prediction, PredictResult

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
    lines = [f"{b.where}: {b.reason}" for b in bad[:limit]]
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
    sources: Sequence[EventSource],
    columns: Mapping[str, str],
    *,
    skip_bad_rows: bool,
    rejects: str | None,
    input_format: Format | None = None,
) -> EventLog:
    """Read events from any sources of §8; bad rows stop the command (exit 2) unless skipped."""
    log = read_events(sources, columns, input_format=input_format)
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
    warnings: tuple[DataWarning, ...] = ()  # the data checks of PRODUCT §4

    @property
    def attributes(self) -> frozenset[str]:
        """The attributes a customer can have: see `attribute_names`."""
        return attribute_names(self.log.columns, self.accounts)


def run_place(
    journeys: JourneySet,
    inputs: EventInputs,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> PlaceRun:
    """Read the events (and accounts), and place every customer at as-of."""
    log = load_events(
        inputs.sources,
        inputs.columns,
        skip_bad_rows=inputs.skip_bad_rows,
        rejects=inputs.rejects,
        input_format=inputs.input_format,
    )
    acc = read_accounts(inputs.accounts, inputs.columns) if inputs.accounts is not None else None
    instant = resolve_as_of(parse_as_of(inputs.as_of), log)
    result = place(journeys, log, instant, acc, progress=progress)
    if not result.customers and not result.unmatched and inputs.as_of is None:
        raise InputError(f"no valid event at or before {format_instant(instant)}")
    return PlaceRun(result, log, acc, tuple(check_placement(journeys, log, acc, result)))


def attribute_names(
    event_columns: Collection[str], accounts: Mapping[str, Mapping[str, str]] | None
) -> frozenset[str]:
    """The attributes a customer can have (what `report --by` may name): the events' property
    columns and the --accounts columns, as the data checks of PRODUCT §4 read them."""
    return frozenset(event_columns) | frozenset(account_columns(accounts) or ())


def counts_of(result: PlaceResult, warnings: int = 0) -> Counts:
    return Counts(
        [c.risk_level for c in result.customers if c.at_risk],
        len(result.unmatched),
        result.summary.bad_rows,
        warnings,
    )


def near_miss(run: PlaceRun, customer: str) -> NearMiss | None:
    """The journey an unmatched customer would follow but for letter case, if any."""
    result = run.result
    return case_near_miss(result.journeys, customer, result.unmatched_attributes.get(customer, {}))


def find_customer(run: PlaceRun, customer: str) -> CustomerPlacement | None:
    """The customer's placement; None when unmatched; unknown (no event by as-of) is an error."""
    result = run.result
    if customer in result.unmatched:
        return None
    c = next((x for x in result.customers if x.customer_id == customer), None)
    if c is None:
        # only here, on the error path: a scan of every id, linear in the customers placed
        known = [x.customer_id for x in result.customers] + list(result.unmatched)
        near = did_you_mean(customer, known)
        raise UsageError(
            f"unknown customer {customer!r}: no event at or before the as-of instant",
            hint=f"did you mean {near}? (ids are case-sensitive)"
            if near
            else "check the id (it is case-sensitive) and --as-of",
        )
    return c


def check_show_arguments(customer: str, sources: Sequence[EventSource]) -> None:
    """`show EVENTS CUSTOMER`: the customer argument names an existing file and an events path
    does not exist, so the arguments are swapped; say that rather than "c-17: no such file"."""
    missing = [
        s
        for s in sources
        if isinstance(s, str) and s != "-" and "://" not in s and not os.path.exists(s)
    ]
    if missing and os.path.isfile(customer):
        raise UsageError(
            f"the arguments look swapped: CUSTOMER {customer!r} is a file and the events "
            f"path {missing[0]!r} does not exist",
            hint=f"usage: journeyctl show CUSTOMER EVENTS... "
            f"(e.g. journeyctl show {shlex.quote(missing[0])} {shlex.quote(customer)})",
        )


@dataclass(frozen=True, slots=True)
class StreamedPlace:
    """What a streaming placement found over all partitions (the results went to `each`)."""

    as_of: int
    journeys: tuple[Journey, ...]
    summary: Summary
    bad_rows: list[BadRow]
    files: list[str]
    accounts: Mapping[str, Mapping[str, str]] | None
    input_warnings: list[str]  # about the input, e.g. nested columns left out (§8)
    warnings: tuple[DataWarning, ...] = ()  # the data checks of PRODUCT §4
    columns: tuple[str, ...] = ()  # the events' property columns

    @property
    def attributes(self) -> frozenset[str]:
        """The attributes a customer can have: see `attribute_names`."""
        return attribute_names(self.columns, self.accounts)


def run_place_streaming(
    journeys: JourneySet,
    inputs: EventInputs,
    workdir: str,
    parts: int,
    each: Callable[[PlaceResult], None],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> StreamedPlace:
    """Place every customer one partition at a time (inputs larger than memory).

    The input is split by customer into `parts` Parquet files under `workdir`; each partition's
    `PlaceResult` (its customers sorted by id) is handed to `each`, then dropped. Per customer
    the results are those of `run_place`; the summary is the whole input's."""
    instant = parse_as_of(inputs.as_of)
    acc = read_accounts(inputs.accounts, inputs.columns) if inputs.accounts is not None else None
    if progress is not None:
        progress(0, parts + 1)
    from journeyctl.events.partition import (  # numba
        partition_budget,
        partition_events,
        read_partition,
    )

    budget = partition_budget(inputs.memory_limit)  # before the process grows

    parted = partition_events(
        list(inputs.sources), inputs.columns, workdir, parts, input_format=inputs.input_format
    )
    check_bad_rows(parted.bad_rows, inputs.skip_bad_rows, inputs.rejects)
    instant = resolve_instant(instant, parted.max_ts, parted.files)
    placed = ignored = unmatched = 0
    names: set[str] = set()  # for the data checks: every event name, and the case near misses
    misses: list[NearMiss] = []
    for k in range(parts):
        if progress is not None:
            progress(k + 1, parts + 1)
        log = read_partition(parted, k, budget)
        result = place(journeys, log, instant, acc)
        names.update(log.table.event.values)
        misses += case_near_misses(result.journeys, result.unmatched, result.unmatched_attributes)
        del log
        placed += len(result.customers)
        unmatched += len(result.unmatched)
        ignored += result.summary.ignored_after_as_of
        each(result)
        del result  # before the next partition is placed: one partition in memory at a time
    if progress is not None:
        progress(parts + 1, parts + 1)
    if not placed and not unmatched and inputs.as_of is None:
        raise InputError(f"no valid event at or before {format_instant(instant)}")
    summary = Summary(placed + unmatched, parted.rows, ignored, unmatched, len(parted.bad_rows))
    misses.sort(key=lambda m: m.customer_id)
    warnings = check_run(journeys, names, parted.columns, acc, misses, unmatched)
    return StreamedPlace(
        instant,
        journeys.journeys,
        summary,
        parted.bad_rows,
        parted.files,
        acc,
        parted.warnings,
        tuple(warnings),
        tuple(parted.columns),
    )


def predictions_for(model_path: str, run: PlaceRun) -> ModelPredictions:
    """Every placed customer's prediction from a model saved by `predict --save-model`."""
    # imported here: the model libraries are heavy, and only `--model` needs them
    from journeyctl.predict.modelio import load_model
    from journeyctl.predict.run import predict_placed

    saved = load_model(model_path, JourneySet(run.result.journeys, None))
    preds = predict_placed(saved, run.result, run.log, run.accounts)
    return ModelPredictions(saved.target.text, saved.horizon.text, preds)


@dataclass(frozen=True, slots=True)
class ModelPredictions:
    """What `place --model` and `show --model` add: the model's target and each prediction."""

    target: str
    horizon: str
    predictions: Mapping[str, Prediction | None]


def timeline_filter(
    since: str | None = None, last: int | None = None, moves_only: bool = False
) -> TimelineFilter:
    """`show --since T --last N --moves-only`, checked: a bad value is a usage error."""
    start = None
    if since is not None:
        start = parse_instant(since)
        if start is None:
            raise UsageError(
                f"bad --since {since!r}",
                hint="use an ISO 8601 date or instant such as 2026-03-02 or 2026-03-02T10:00:00Z",
            )
    if last is not None and last < 1:
        raise UsageError(
            f"bad --last {last}: it must be at least 1", hint="--last N keeps the last N entries"
        )
    return TimelineFilter(start, moves_only, last)


@dataclass(frozen=True, slots=True)
class ShownAttributes:
    """The attributes `show` lists: the segment keys of the journeys and the --accounts columns
    (every attribute with `all_attributes`), and how many others it leaves out."""

    values: Mapping[str, str]  # sorted by name
    hidden: int

    def hidden_note(self) -> str | None:
        if not self.hidden:
            return None
        s = "s" if self.hidden != 1 else ""
        return (
            f"{self.hidden} other attribute{s} (event properties) hidden: --all-attributes "
            "shows them"
        )


def shown_attributes(
    run: PlaceRun, attributes: Mapping[str, str], all_attributes: bool = False
) -> ShownAttributes:
    """The customer's attributes that matter to `show`: those the journeys' segments use and the
    --accounts columns; the event properties besides them only with `all_attributes`."""
    if all_attributes:
        return ShownAttributes(dict(sorted(attributes.items())), 0)
    keys = set(segment_keys(run.result.journeys)) | (account_columns(run.accounts) or set())
    kept = {k: v for k, v in sorted(attributes.items()) if k in keys}
    return ShownAttributes(kept, len(attributes) - len(kept))


@dataclass(frozen=True, slots=True)
class ShowData:
    """One customer explained (`show`): the placement, its events up to as-of, the timeline as
    filtered, the attributes shown, which next moves hold and why, and the events behind each
    active risk."""

    customer: CustomerPlacement
    events: Sequence[Event]
    as_of: int
    next_moves: Sequence[NextMove]
    risk_reasons: Sequence[tuple[str, Explanation]]
    timeline: Timeline
    attributes: ShownAttributes
    warnings: tuple[DataWarning, ...] = ()  # the run's data checks (PRODUCT §4)


def show_data(
    run: PlaceRun,
    c: CustomerPlacement,
    timeline: TimelineFilter | None = None,
    *,
    all_attributes: bool = False,
) -> ShowData:
    """The customer's placement explained: its timeline (filtered by `timeline`), next moves and
    the reasons for each risk."""
    from journeyctl.engine.explain import next_moves, risk_reasons

    as_of = run.result.as_of
    evs = [e for e in run.log.customers[c.customer_id] if e.ts <= as_of]
    rep = c.replay
    return ShowData(
        c,
        evs,
        as_of,
        next_moves(c.journey, c, evs, as_of, rep.window_start, rep.window_begin, rep.attempts),
        risk_reasons(c.journey, c, evs, as_of, rep.attempts),
        filter_timeline(build_timeline(evs, c.moves), timeline or TimelineFilter()),
        shown_attributes(run, c.attributes, all_attributes),
        run.warnings,
    )


def run_predict(
    journeys: JourneySet,
    inputs: EventInputs,
    *,
    target: str,
    horizon: str,
    cutoffs: str | None = None,
    save_model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[EventLog], None] | None = None,
) -> PredictResult:
    """`predict`: check the target and horizon, read the events, learn, backtest and score;
    with `save_model`, write the model there. `warn` hears of the log (its skipped bad rows and
    warnings) before the (long) learning starts."""
    from journeyctl.predict.modelio import save_model as write_model
    from journeyctl.predict.run import run_predict as learn
    from journeyctl.predict.target import parse_horizon, parse_target

    parse_target(target, journeys)
    parse_horizon(horizon)
    instant_opt = parse_as_of(inputs.as_of)
    log = load_events(
        inputs.sources,
        inputs.columns,
        skip_bad_rows=inputs.skip_bad_rows,
        rejects=inputs.rejects,
        input_format=inputs.input_format,
    )
    if warn is not None:
        warn(log)
    acc = read_accounts(inputs.accounts, inputs.columns) if inputs.accounts is not None else None
    instant = resolve_as_of(instant_opt, log)
    result = learn(
        journeys,
        log,
        instant,
        target=target,
        horizon=horizon,
        cutoffs=cutoffs,
        accounts=acc,
        progress=progress,
    )
    if save_model:
        write_model(save_model, result.model_document)
    return result
