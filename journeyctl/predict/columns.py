"""The event log up to as-of as flat numpy columns, for vectorised feature computation.

Customers are in id order and each customer's events in replay order, so the events of one
customer at or before an instant are a prefix of its rows: every "as of cutoff t" quantity is a
count of rows with `ts <= t` per customer (one `bincount`) and an index from the customer's start.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from journeyctl.events.ingest import EventLog
from journeyctl.events.model import Event

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]
DAY_US = 86_400_000_000


class EventColumns:
    """Every event at or before `as_of`, flattened; property columns are re-coded on demand."""

    def __init__(self, log: EventLog, as_of: int) -> None:
        table = log.table
        self.table = table
        self.as_of = as_of
        keep = np.flatnonzero(table.ts <= as_of)
        owner = np.repeat(np.arange(len(table.customer_ids)), np.diff(table.offsets))[keep]
        listed, counts = np.unique(owner, return_counts=True)
        self.table_index: I64 = listed.astype(np.int64)  # our customer i is the table's listed[i]
        self.ids: tuple[str, ...] = tuple(table.customer_ids[k] for k in listed)
        self.offsets: I64 = np.concatenate([np.zeros(1, np.int64), np.cumsum(counts)]).astype(
            np.int64
        )
        self.rows: I64 = keep.astype(np.int64)  # row positions in the table
        self.cust: I32 = np.repeat(np.arange(len(listed), dtype=np.int32), counts)
        self.ts: I64 = table.ts[keep]
        self.names, self.name = _recode(table.event.codes[keep], table.event.values)
        self.property_names: tuple[str, ...] = tuple(log.columns)
        self._props: dict[str, tuple[I32, tuple[str, ...]]] = {}
        self._sub: dict[str, tuple[I64, I64]] = {}

    def events(self, i: int) -> list[Event]:
        """Customer i's events at or before as-of, as the replay engine takes them."""
        n = int(self.offsets[i + 1] - self.offsets[i])
        return self.table.events_of(int(self.table_index[i]))[:n]

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
            col = self.table.props.get(column)
            if col is None:
                got = (np.full(len(self.ts), -1, np.int32), ())
            else:
                values, codes = _recode(col.codes[self.rows], col.values)
                got = (codes, values)
            self._props[column] = got
        return got

    def keep_only(self, columns: set[str]) -> None:
        """Drop the cached codes of every other property column (they are large)."""
        for cache in (self._props, self._sub):
            for name in [c for c in cache if c not in columns]:
                del cache[name]

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


def _recode(codes: npt.NDArray[np.integer], values: tuple[str, ...]) -> tuple[tuple[str, ...], I32]:
    """Codes into `values` as codes into the sorted non-empty values used (-1 for empty)."""
    used = np.unique(codes) if len(codes) else np.zeros(0, np.int64)
    kept = sorted(values[int(c)] for c in used if values[int(c)] != "")
    pos = {v: i for i, v in enumerate(kept)}
    remap = np.full(max(len(values), 1), -1, np.int32)
    for c in used:
        remap[int(c)] = pos.get(values[int(c)], -1)
    return tuple(kept), remap[codes] if len(codes) else np.zeros(0, np.int32)
