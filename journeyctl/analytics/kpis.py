"""KPI values per customer, computed over the event table in bulk (§11.6).

Every KPI is a few vectorised passes over the rows of the journey's customers (dictionary
lookups per distinct cell, then per-customer reductions), never a Python loop per event: the
10M-event log has to be analysed in about the time `place` takes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journeyctl.definitions.model import Kpi
from journeyctl.definitions.values import matches, text_number
from journeyctl.engine.result import CustomerPlacement, PlaceResult
from journeyctl.events.table import EventTable

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class CustomerValues:
    """One KPI's value per customer (aligned with the customers given); `has[i]` says whether
    customer i has a value (every customer has a count; a mean or latest needs a number)."""

    kpi: Kpi
    values: F64
    has: Bools


@dataclass(frozen=True, slots=True)
class Rows:
    """The rows of a set of customers in the table, and where each customer's rows start."""

    rows: I64
    starts: I64  # into `rows`; customer i's rows are rows[starts[i]:starts[i] + lens[i]]
    lens: I64


def customer_rows(table: EventTable, customers: I64) -> Rows:
    """Every row of the given customers (table indices), in replay order."""
    lo = table.offsets[customers]
    lens = table.offsets[customers + 1] - lo
    total = int(lens.sum())
    starts = np.cumsum(lens) - lens
    if total == 0:
        return Rows(np.zeros(0, np.int64), starts, lens)
    rows = np.repeat(lo - starts, lens) + np.arange(total, dtype=np.int64)
    return Rows(rows, starts, lens)


def _matching(kpi: Kpi, table: EventTable, rows: I64, as_of: int) -> Bools:
    """Which rows count for the KPI: its events, up to as-of, within its window, matching `where`."""
    names = table.event.values
    name_ok = np.fromiter((v in kpi.events for v in names), dtype=np.bool_, count=len(names))
    ts = table.ts[rows]
    ok: Bools = name_ok[table.event.codes[rows]] & (ts <= as_of)
    if kpi.within is not None:
        ok &= ts > as_of - kpi.within.micros
    for prop, matcher in kpi.where:
        col = table.props.get(prop)
        if col is None:  # an absent column is an empty cell in every row
            if not matches("", matcher):
                ok[:] = False
            continue
        lut = np.fromiter(
            (matches(v, matcher) for v in col.values), dtype=np.bool_, count=len(col.values)
        )
        ok &= lut[col.codes[rows]]
    return ok


def _numbers(table: EventTable, prop: str, rows: I64) -> F64:
    """The property's numeric value in each row (§2 numbers), NaN where it is not a number."""
    col = table.props.get(prop)
    if col is None:
        return np.full(rows.shape[0], np.nan)
    lut = np.fromiter(
        (float(d) if (d := text_number(v)) is not None else np.nan for v in col.values),
        dtype=np.float64,
        count=len(col.values),
    )
    out: F64 = lut[col.codes[rows]]
    return out


def customer_values(kpi: Kpi, table: EventTable, where: Rows, as_of: int) -> CustomerValues:
    """The KPI's value for each customer whose rows `where` holds."""
    n = where.lens.shape[0]
    if n == 0:
        return CustomerValues(kpi, np.zeros(0), np.zeros(0, np.bool_))
    ok = _matching(kpi, table, where.rows, as_of)
    seg = where.starts
    if kpi.kind == "count":
        counts = np.add.reduceat(ok.astype(np.int64), seg) if ok.shape[0] else np.zeros(n)
        return CustomerValues(kpi, counts.astype(np.float64), np.ones(n, np.bool_))
    assert kpi.property is not None  # validate requires it for mean and latest
    nums = _numbers(table, kpi.property, where.rows)
    ok &= ~np.isnan(nums)
    have = np.add.reduceat(ok.astype(np.int64), seg)
    has: Bools = have > 0
    if kpi.kind == "mean":
        sums = np.add.reduceat(np.where(ok, nums, 0.0), seg)
        values: F64 = np.divide(sums, np.maximum(have, 1))
        return CustomerValues(kpi, values, has)
    # latest: the value on the last qualifying row in replay order
    idx = np.where(ok, np.arange(ok.shape[0], dtype=np.int64), -1)
    last = np.maximum.reduceat(idx, seg)
    values = np.where(has, nums[np.maximum(last, 0)], 0.0)
    return CustomerValues(kpi, values, has)


def group_value(cv: CustomerValues, members: I64) -> tuple[float | None, int]:
    """(mean of the members' values over those that have one, how many had one)."""
    has = cv.has[members]
    n = int(has.sum())
    if n == 0:
        return None, 0
    return float(cv.values[members][has].mean()), n


@dataclass(frozen=True, slots=True)
class KpiValues:
    """All `analyze` needs of the events: each KPI of each journey per customer, aligned with
    the journey's customers in the placement's order (customer id). Computed where the events
    are (the whole table here, or one partition's on a cluster worker) and merged by id."""

    journeys: Mapping[str, tuple[CustomerValues, ...]]  # journey id -> one per KPI, in file order


def members(result: PlaceResult, journey: str) -> list[CustomerPlacement]:
    """The journey's customers, in the placement's order."""
    return [c for c in result.customers if c.journey.id == journey]


def kpi_values(
    result: PlaceResult, table: EventTable, journeys: Collection[str] | None = None
) -> KpiValues:
    """Every KPI of every journey (or of those named) for each of its customers, over the event
    table placed."""
    index = {cid: k for k, cid in enumerate(table.customer_ids)}
    out: dict[str, tuple[CustomerValues, ...]] = {}
    for j in result.journeys:
        if not j.kpis or (journeys is not None and j.id not in journeys):
            continue
        cs = members(result, j.id)
        # placements and table rows are both sorted by customer id: the indices ascend
        ks = np.fromiter((index[c.customer_id] for c in cs), dtype=np.int64, count=len(cs))
        rows = customer_rows(table, ks)
        out[j.id] = tuple(customer_values(k, table, rows, result.as_of) for k in j.kpis)
    return KpiValues(out)


def merge_kpi_values(
    parts: Sequence[tuple[PlaceResult, KpiValues]], whole: PlaceResult
) -> KpiValues:
    """The KPI values of partitions of whole customers (each given with its placement), merged
    into what `kpi_values` gives for `whole`: per customer the same numbers, in customer-id order."""
    out: dict[str, tuple[CustomerValues, ...]] = {}
    for j in whole.journeys:
        if not j.kpis:
            continue
        ids = [c.customer_id for result, _ in parts for c in members(result, j.id)]
        order = np.asarray(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
        merged = []
        for i, kpi in enumerate(j.kpis):
            cvs = [kv.journeys[j.id][i] for _, kv in parts]
            values = np.concatenate([cv.values for cv in cvs]) if cvs else np.zeros(0)
            has = np.concatenate([cv.has for cv in cvs]) if cvs else np.zeros(0, np.bool_)
            merged.append(CustomerValues(kpi, values[order], has[order]))
        out[j.id] = tuple(merged)
    return KpiValues(out)
