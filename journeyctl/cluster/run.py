"""The client side of a cluster placement: read on the workers, shuffle, place, merge.

1. every source is read by one task on a worker (CSV in 16 MiB blocks); only what was found
   (property columns, row count, latest instant, bad rows) comes back to the client;
2. the client checks the bad rows (exit 2, or --rejects) and fixes as-of (the latest event of
   every source) before anything is placed;
3. Dask's DataFrame shuffle on `customer_id` (a hash of it) gives partitions of whole customers;
4. each partition is placed by the local engine on its rows in input order, and its result
   (customers sorted by id) comes back to `each`; the caller merges them by customer id, so the
   output is byte for byte the in-memory one. For `report` and `analyze` the task also gives
   its customers' KPI values (all the analysis needs of the events), merged by customer id.
   The client never holds the events.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeyctl.analytics.kpis import KpiValues, merge_kpi_values
from journeyctl.checks import NearMiss, case_near_misses, check_run
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import PlaceResult, Summary
from journeyctl.errors import InputError, UsageError
from journeyctl.events.ingest import read_accounts
from journeyctl.events.timestamps import format_instant
from journeyctl.inputs import EventInputs
from journeyctl.pipeline import StreamedPlace, check_bad_rows, parse_as_of, resolve_instant

if TYPE_CHECKING:
    from distributed import Client

ROWS_PER_PARTITION = 1_000_000  # ~0.4 GiB of placement memory on a worker (docs/cluster.md)


def partitions_for(rows: int, workers: int) -> int:
    """Enough partitions to keep every worker busy twice over, and none over ~1M rows."""
    return max(2 * workers, math.ceil(rows / ROWS_PER_PARTITION), 1)


def place_on_cluster(
    client: Client,
    journeys: JourneySet,
    inputs: EventInputs,
    each: Callable[[PlaceResult], None],
    *,
    progress: Callable[[int, int], None] | None = None,
    partitions: int | None = None,
    kpis: Callable[[PlaceResult, KpiValues], None] | None = None,
) -> ClusterPlace:
    """Place every customer on the cluster; each partition's result goes to `each` as it comes
    (and, with `kpis`, with its customers' KPI values to `kpis` first: what `analyze` needs).

    Per customer the results are those of `run_place`, and the summary is the whole input's."""
    import dask.dataframe as dd
    from dask.delayed import delayed
    from distributed import as_completed

    from journeyctl.cluster import work

    events = inputs.sources
    for e in events:
        if not isinstance(e, str):
            raise UsageError("--cluster reads files and URLs: give paths the workers can open")
        if e == "-":
            raise UsageError(
                "--cluster cannot read stdin: the workers read the events themselves",
                hint="write the events to a file every worker can read (a shared path or a URL)",
            )
    mapping = dict(inputs.columns)
    instant = parse_as_of(inputs.as_of)
    acc = read_accounts(inputs.accounts, mapping) if inputs.accounts is not None else None
    futures: list[Any] = []
    try:
        reads = client.map(
            work.read_source,
            range(len(events)),
            list(events),
            mapping=mapping,
            input_format=inputs.input_format,
            pure=False,
        )
        futures.extend(reads)
        metas: list[work.SourceMeta] = client.gather(client.map(work.meta_of, reads, pure=False))
        props: list[str] = []
        for m in metas:
            props.extend(p for p in m.columns if p not in props)
        bad = [b for m in metas for b in m.bad_rows]
        check_bad_rows(bad, inputs.skip_bad_rows, inputs.rejects)
        rows = sum(m.rows for m in metas)
        latest = max((m.max_ts for m in metas if m.max_ts is not None), default=None)
        instant = resolve_instant(instant, latest, [m.name for m in metas])
        frames = client.map(work.frame_of, reads, columns=props, pure=False)
        futures.extend(frames)
        del reads
        futures = futures[len(events) :]  # the read tables are released with their futures
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        parts = partitions or partitions_for(rows, workers)
        ddf = dd.from_delayed(frames, meta=work.empty_frame(props), verify_meta=False)
        shuffled = ddf.shuffle(on="customer_id", npartitions=parts)
        [js, acc_f] = client.scatter([journeys, acc], broadcast=True, hash=False)
        files = [m.name for m in metas]
        task = work.place_partition if kpis is None else work.place_partition_with_kpis
        placed_parts = [
            delayed(task)(d, js, instant, acc_f, props, files) for d in shuffled.to_delayed()
        ]
        results = client.compute(placed_parts)
        futures.extend(results)
        del frames
        if progress is not None:
            progress(0, len(results))
        placed = unmatched = ignored = 0
        misses: list[NearMiss] = []
        for done, fut in enumerate(as_completed(results), 1):
            got = fut.result()
            fut.release()
            result: PlaceResult = got if kpis is None else got[0]
            if kpis is not None:
                kpis(result, got[1])
            del got
            misses += case_near_misses(
                result.journeys, result.unmatched, result.unmatched_attributes
            )
            placed += len(result.customers)
            unmatched += len(result.unmatched)
            ignored += result.summary.ignored_after_as_of
            each(result)
            del result
            if progress is not None:
                progress(done, len(results))
    except BaseException:
        client.cancel(futures)  # Ctrl-C or an error: the run's tasks stop too
        raise
    if not placed and not unmatched and inputs.as_of is None:
        raise InputError(f"no valid event at or before {format_instant(instant)}")
    summary = Summary(placed + unmatched, rows, ignored, unmatched, len(bad))
    warnings = [w for m in metas for w in m.warnings]
    # the data checks of §4, as a local run makes them: every event name, the case near misses
    misses.sort(key=lambda m: m.customer_id)
    names = {n for m in metas for n in m.event_names}
    checks = check_run(journeys, names, props, acc, misses, unmatched)
    run = StreamedPlace(
        instant, journeys.journeys, summary, bad, files, acc, warnings, tuple(checks), tuple(props)
    )
    return ClusterPlace(run, {m.name: m.size for m in metas})


@dataclass(frozen=True, slots=True)
class ClusterPlace:
    """A cluster placement's totals (the results went to `each`)."""

    run: StreamedPlace
    sizes: dict[str, int]  # bytes read per source, as a local run's EventLog.sizes


def merge_results(parts: Sequence[PlaceResult], run: StreamedPlace) -> PlaceResult:
    """The partitions' results as one, as a local run returns it (customers by id)."""
    customers = sorted((c for p in parts for c in p.customers), key=lambda c: c.customer_id)
    unmatched = sorted(u for p in parts for u in p.unmatched)
    attrs: dict[str, Mapping[str, str]] = {}
    for p in parts:
        attrs.update(p.unmatched_attributes)
    return PlaceResult(
        run.as_of, run.journeys, tuple(customers), tuple(unmatched), attrs, run.summary
    )


@dataclass(frozen=True, slots=True)
class WholePlace:
    """Every customer placed on the cluster, as one result (what `run_place` returns)."""

    result: PlaceResult
    done: ClusterPlace
    kpis: KpiValues | None  # the customers' KPI values, when asked for


def place_all_on_cluster(
    client: Client,
    journeys: JourneySet,
    inputs: EventInputs,
    progress: Callable[[int, int], None] | None = None,
    *,
    kpis: bool = False,
) -> WholePlace:
    """Every customer placed on the cluster, as one result, for the commands that need them all
    at once (`report`, `analyze`); with `kpis`, also their KPI values, computed on the workers
    from each partition's rows and merged by customer id (the client never holds the rows)."""
    parts: list[PlaceResult] = []
    with_kpis: list[tuple[PlaceResult, KpiValues]] = []

    def keep(result: PlaceResult, values: KpiValues) -> None:
        with_kpis.append((result, values))

    done = place_on_cluster(
        client, journeys, inputs, parts.append, progress=progress, kpis=keep if kpis else None
    )
    whole = merge_results(parts, done.run)
    return WholePlace(whole, done, merge_kpi_values(with_kpis, whole) if kpis else None)
