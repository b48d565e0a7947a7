"""The columnar event table: every valid event, grouped by customer, in replay order.

Events are held as numpy arrays (timestamps, dictionary codes), not Python objects, so tens of
millions fit in memory; `CustomerEvents` materialises one customer's `Event` list on demand for
the reference engine and for `show`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journeyctl.events.model import Event

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class Column:
    """A dictionary-encoded text column; `values[codes[i]]` is row i's cell ("" when empty)."""

    codes: I32
    values: tuple[str, ...]

    def empty_code(self) -> int:
        try:
            return self.values.index("")
        except ValueError:
            return -1


@dataclass(frozen=True, slots=True)
class EventTable:
    customer_ids: tuple[str, ...]  # sorted
    offsets: I64  # customer k's events are rows offsets[k]:offsets[k+1]
    ts: I64  # microseconds since the epoch, UTC
    seq: I64  # input position, for ties
    event: Column
    props: Mapping[str, Column]

    @property
    def rows(self) -> int:
        return int(self.ts.shape[0])

    def index_of(self, customer_id: str) -> int | None:
        import bisect

        i = bisect.bisect_left(self.customer_ids, customer_id)
        if i < len(self.customer_ids) and self.customer_ids[i] == customer_id:
            return i
        return None

    def events_of(self, k: int) -> list[Event]:
        lo, hi = int(self.offsets[k]), int(self.offsets[k + 1])
        names = self.event.values
        ecodes = self.event.codes
        cols = [(name, c.codes, c.values) for name, c in self.props.items()]
        out = []
        for i in range(lo, hi):
            props = {name: values[codes[i]] for name, codes, values in cols}
            out.append(Event(int(self.ts[i]), names[ecodes[i]], props, int(self.seq[i])))
        return out


class CustomerEvents(Mapping[str, list[Event]]):
    """customer id -> its events as `Event` objects, built on access (not cached)."""

    def __init__(self, table: EventTable):
        self.table = table

    def __getitem__(self, key: str) -> list[Event]:
        k = self.table.index_of(key)
        if k is None:
            raise KeyError(key)
        return self.table.events_of(k)

    def __iter__(self) -> Iterator[str]:
        return iter(self.table.customer_ids)

    def __len__(self) -> int:
        return len(self.table.customer_ids)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.table.index_of(key) is not None


def encode(values: list[str]) -> Column:
    """Dictionary-encode a list of strings (codes in first-appearance order)."""
    index: dict[str, int] = {}
    codes = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        c = index.get(v)
        if c is None:
            c = index[v] = len(index)
        codes[i] = c
    return Column(codes, tuple(index))


def build_table(
    customer: Column, ts: I64, seq: I64, event: Column, props: Mapping[str, Column]
) -> EventTable:
    """Sort rows into replay order (customer id, timestamp, input position) and group them."""
    n = ts.shape[0]
    order_of_values = sorted(range(len(customer.values)), key=customer.values.__getitem__)
    rank = np.empty(len(customer.values), dtype=np.int64)
    rank[np.asarray(order_of_values, dtype=np.int64)] = np.arange(len(customer.values))
    ccode = rank[customer.codes] if n else np.empty(0, dtype=np.int64)
    perm = _replay_order(ccode, ts, seq)
    ccode = ccode[perm]
    counts = np.bincount(ccode, minlength=len(customer.values)) if n else np.zeros(0, np.int64)
    present = counts > 0
    ids = tuple(customer.values[i] for i in order_of_values)
    ids = tuple(cid for cid, p in zip(ids, present, strict=True) if p)
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(counts[present], out=offsets[1:])
    return EventTable(
        ids,
        offsets,
        np.ascontiguousarray(ts[perm]),
        np.ascontiguousarray(seq[perm]),
        Column(np.ascontiguousarray(event.codes[perm]), event.values),
        {k: Column(np.ascontiguousarray(c.codes[perm]), c.values) for k, c in props.items()},
    )


def _replay_order(ccode: I64, ts: I64, seq: I64) -> I64:
    """Permutation sorting by (customer, time, input position).

    One packed integer key and one stable sort when customer and whole-second time fit in 63
    bits (the common case); otherwise a three-key lexsort.
    """
    n = ts.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    seq_sorted = bool(np.all(seq[1:] >= seq[:-1]))
    t0 = int(ts.min())
    span = int(ts.max()) - t0
    whole_seconds = not bool(np.any(ts % 1_000_000))
    if seq_sorted and whole_seconds:
        tbits = max(1, (span // 1_000_000).bit_length())
        cbits = max(1, int(ccode.max()).bit_length())
        if tbits + cbits <= 62:
            key = (ccode << tbits) | ((ts - t0) // 1_000_000)
            return np.argsort(key, kind="stable").astype(np.int64)
    return np.lexsort((seq, ts, ccode)).astype(np.int64)
