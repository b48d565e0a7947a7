"""The event log up to as-of as flat numpy columns, for vectorised feature computation.

Customers are in id order and each customer's events in replay order, so the events of one
customer at or before an instant are a prefix of its rows: every "as of cutoff t" quantity is a
count of rows with `ts <= t` per customer (one `bincount`) and an index from the customer's start.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from journeyctl.events.ingest import Event, EventLog

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]
DAY_US = 86_400_000_000


class EventColumns:
    """Every event at or before `as_of`, flattened; property columns are factorised on demand."""

    def __init__(self, log: EventLog, as_of: int) -> None:
        self.as_of = as_of
        ids: list[str] = []
        per: list[Sequence[Event]] = []
        for cid in sorted(log.customers):
            evs = log.customers[cid]
            n = bisect.bisect_right(evs, as_of, key=lambda e: e.ts)
            if n:
                ids.append(cid)
                per.append(evs if n == len(evs) else evs[:n])
        self.ids: tuple[str, ...] = tuple(ids)
        self.events: list[Sequence[Event]] = per
        counts = np.fromiter((len(e) for e in per), np.int64, len(per))
        self.offsets: I64 = np.concatenate([np.zeros(1, np.int64), np.cumsum(counts)])
        total = int(self.offsets[-1])
        self.cust: I32 = np.repeat(np.arange(len(per), dtype=np.int32), counts)
        flat = itertools.chain.from_iterable(per)
        self.ts: I64 = np.fromiter((e.ts for e in flat), np.int64, total)
        codes: dict[str, int] = {}
        raw = np.fromiter(
            (codes.setdefault(e.name, len(codes)) for e in itertools.chain.from_iterable(per)),
            np.int32,
            total,
        )
        self.names: tuple[str, ...] = tuple(sorted(codes))
        remap = np.zeros(max(len(codes), 1), np.int32)
        for name, code in codes.items():
            remap[code] = self.names.index(name)
        self.name: I32 = remap[raw] if total else raw
        self.property_names: tuple[str, ...] = tuple(log.columns)
        self._props: dict[str, tuple[I32, tuple[str, ...]]] = {}
        self._sub: dict[str, tuple[I64, I64]] = {}

    @property
    def n_customers(self) -> int:
        return len(self.ids)

    def first_ts(self) -> I64:
        return self.ts[self.offsets[:-1]] if len(self.ids) else np.zeros(0, np.int64)

    def count_le(self, t: int, mask: npt.NDArray[np.bool_] | None = None) -> I64:
        """Per customer, how many of its rows (among `mask`) are at or before t."""
        sel = self.ts <= t if mask is None else (self.ts <= t) & mask
        return np.bincount(self.cust[sel], minlength=self.n_customers).astype(np.int64)

    def prop(self, column: str) -> tuple[I32, tuple[str, ...]]:
        """(code per row, -1 when empty; the distinct non-empty values, sorted)."""
        got = self._props.get(column)
        if got is None:
            cells = [e.props.get(column, "") for e in itertools.chain.from_iterable(self.events)]
            values = sorted(set(cells) - {""})
            index = {v: i for i, v in enumerate(values)}
            index[""] = -1
            codes = np.fromiter((index[c] for c in cells), np.int32, len(cells))
            got = (codes, tuple(values))
            self._props[column] = got
        return got

    def nonempty_rows(self, column: str) -> tuple[I64, I64]:
        """(row indices with a value in `column`, start of each customer among those rows)."""
        got = self._sub.get(column)
        if got is None:
            rows = np.flatnonzero(self.prop(column)[0] >= 0).astype(np.int64)
            starts = np.searchsorted(self.cust[rows], np.arange(self.n_customers + 1)).astype(
                np.int64
            )
            got = (rows, starts)
            self._sub[column] = got
        return got

    def latest(self, column: str, t: int) -> I32:
        """Per customer, the code of the latest non-empty value at or before t (-1 if none)."""
        codes = self.prop(column)[0]
        rows, starts = self.nonempty_rows(column)
        cnt = np.bincount(self.cust[rows][self.ts[rows] <= t], minlength=self.n_customers)
        pos = starts[:-1] + cnt - 1
        out = np.full(self.n_customers, -1, np.int32)
        has = cnt > 0
        out[has] = codes[rows[pos[has]]]
        return out

    def first_at_or_before(self, t: int) -> npt.NDArray[np.bool_]:
        """Customers with an event at or before t."""
        return self.first_ts() <= t
