"""Feature rows at a cutoff, from events up to that cutoff only (PRODUCT §6).

Every quantity is computed per customer over the prefix of its rows at or before the cutoff, by
exact integer counts and per-customer reductions, so no event after the cutoff, and no other
customer's events, can change a customer's features at that cutoff (tested as a property).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from journeyctl.definitions.values import text_number
from journeyctl.predict.columns import DAY_US, F64, I64, EventColumns
from journeyctl.predict.history import StageState
from journeyctl.predict.spec import NAME_WINDOWS, OTHER, WINDOWS, FeatureSpec

F32 = npt.NDArray[np.float32]


def _prefix_reduce(
    ufunc: np.ufunc, values: npt.NDArray[np.generic], starts: I64, counts: I64, empty: float
) -> F64:
    """`ufunc.reduce(values[s:s+c])` for every (s, c); `empty` where c is 0."""
    out = np.full(len(starts), empty, np.float64)
    has = counts > 0
    if not has.any():
        return out
    padded = np.concatenate([values, values[:1]])
    idx = np.empty(2 * int(has.sum()), np.int64)
    idx[0::2] = starts[has]
    idx[1::2] = starts[has] + counts[has]
    out[has] = ufunc.reduceat(padded, idx)[0::2]
    return out


def _div(a: F64, b: F64) -> F64:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((b > 0) & ~np.isnan(a), a / np.where(b > 0, b, 1.0), np.nan)


class FeatureBuilder:
    """Computes the spec's columns for any cutoff over one EventColumns."""

    def __init__(
        self,
        spec: FeatureSpec,
        cols: EventColumns,
        accounts: Mapping[str, Mapping[str, str]] | None,
    ) -> None:
        self.spec = spec
        self.cols = cols
        self.columns = spec.columns()
        n = cols.n_customers
        starts = cols.offsets[:-1]
        # Per-row gap to the customer's previous row, in µs (0 for its first row).
        gaps = np.diff(cols.ts, prepend=cols.ts[:1])
        gaps[starts[starts < len(gaps)]] = 0
        self.gaps = gaps
        day = cols.ts // DAY_US
        first_of_day = np.ones(len(day), bool)
        first_of_day[1:] = (day[1:] != day[:-1]) | (cols.cust[1:] != cols.cust[:-1])
        self.active_day = first_of_day
        # Per-name groups: rows ordered by (customer, name), time order kept inside a group.
        k = len(spec.event_names)
        self.k = k
        if k:
            lookup = {name: i for i, name in enumerate(spec.event_names)}
            to_idx = np.array([lookup.get(x, -1) for x in cols.names], np.int64)
            idx = to_idx[cols.name] if len(cols.name) else np.zeros(0, np.int64)
            keep = np.flatnonzero(idx >= 0)
            keys = cols.cust[keep].astype(np.int64) * k + idx[keep]
            order = np.argsort(keys, kind="stable")
            small = np.int32 if n * k < 2**31 else np.int64  # these arrays are large
            self.name_ts = cols.ts[keep]
            self.name_keys = keys.astype(small)
            self.name_sorted_ts = self.name_ts[order]
            self.name_gstart = np.searchsorted(keys[order], np.arange(n * k)).astype(small)
            del keys, order, keep, idx
        # `distinct` breadth: the first row of each (customer, value) among matching events.
        self.distinct_rows: list[I64] = []
        for events, prop in spec.distinct:
            codes, values = cols.prop(prop)
            wanted = np.isin(cols.name, [i for i, x in enumerate(cols.names) if x in events])
            rows = np.flatnonzero(wanted & (codes >= 0))
            key = cols.cust[rows].astype(np.int64) * max(len(values), 1) + codes[rows]
            _, first = np.unique(key, return_index=True)
            self.distinct_rows.append(np.sort(rows[first]))
        # Numeric properties: rows holding a number, and the number.
        self.numeric: list[tuple[I64, F64, I64]] = []
        for prop in spec.numeric:
            codes, values = cols.prop(prop)
            num = np.array([_num(v) for v in values] + [math.nan], np.float64)
            vals = num[codes]  # code -1 picks the trailing nan
            rows = np.flatnonzero(~np.isnan(vals))
            rstarts = np.searchsorted(cols.cust[rows], np.arange(n + 1)).astype(np.int64)
            self.numeric.append((rows, vals[rows], rstarts))
        # Categorical attributes: level index per value code (len(levels) = other).
        self.fixed_levels: list[I64] = []
        self.level_maps: list[I64] = []
        for prop, levels in spec.categorical:
            pos = {v: i for i, v in enumerate(levels)}
            if spec.accounts:
                cells = [(accounts or {}).get(cid, {}).get(prop, "") for cid in cols.ids]
                self.fixed_levels.append(
                    np.array([pos.get(v, len(levels)) if v else -1 for v in cells], np.int64)
                )
            else:
                _, values = cols.prop(prop) if prop in cols.property_names else (None, ())
                self.level_maps.append(
                    np.array([pos.get(v, len(levels)) for v in values] + [-1], np.int64)
                )

    # -- activity ---------------------------------------------------------------------------
    def _activity(self, t: int) -> list[F64]:
        cols = self.cols
        starts = cols.offsets[:-1]
        cnt = cols.count_le(t)
        total = cnt.astype(np.float64)
        has = cnt > 0
        out = [cnt - cols.count_le(t - w * DAY_US) for w in WINDOWS]
        window = [x.astype(np.float64) for x in out]
        active = cols.count_le(t, self.active_day).astype(np.float64)
        active90 = active - cols.count_le(t - 90 * DAY_US, self.active_day)
        last_i = np.where(has, starts + cnt - 1, 0)
        first = np.where(has, cols.ts[np.minimum(starts, len(cols.ts) - 1)], 0)
        last = cols.ts[last_i] if len(cols.ts) else np.zeros(len(cnt), np.int64)
        tenure = np.where(has, (t - first) / DAY_US, np.nan)
        recency = np.where(has, (t - last) / DAY_US, np.nan)
        span = np.where(has, (last - first) / DAY_US, np.nan)
        mean_gap = _div(span, active - 1)
        longest = _prefix_reduce(np.maximum, self.gaps, starts, cnt, math.nan) / DAY_US
        last_gap = np.where(cnt >= 2, self.gaps[last_i] / DAY_US, np.nan)
        rate_all = _div(total, np.maximum(tenure, 90.0))
        return [
            *window,
            total,
            active,
            active90,
            tenure,
            recency,
            span,
            mean_gap,
            _div(recency, mean_gap),
            _div(recency, tenure),
            _div(30.0 * total, np.maximum(tenure, 30.0)),
            _div(window[2] / 90.0, rate_all),
            longest,
            _div(recency, longest),
            last_gap,
        ]

    def _per_name(self, t: int, rows: I64) -> list[F64]:
        """Per event name columns, for `rows` only (the full n x names arrays are large)."""
        cols, k = self.cols, self.k
        n = cols.n_customers
        ts = self.name_ts

        def counts(x: int) -> I64:
            full = np.bincount(self.name_keys[ts <= x], minlength=n * k)
            return full.reshape(n, k)[rows].astype(np.int64)

        at_t = counts(t)
        wins = [at_t - counts(t - w * DAY_US) for w in NAME_WINDOWS]
        pos = self.name_gstart.reshape(n, k)[rows].astype(np.int64) + at_t - 1
        last = np.where(at_t > 0, self.name_sorted_ts[np.maximum(pos, 0)], 0)
        since = np.where(at_t > 0, (t - last) / DAY_US, np.nan)
        out: list[F64] = []
        for i in range(k):
            out += [w[:, i].astype(np.float64) for w in wins]
            out.append(since[:, i])
        return out

    def _properties(self, t: int) -> list[F64]:
        cols = self.cols
        n = cols.n_customers
        out: list[F64] = []
        for rows in self.distinct_rows:
            out.append(np.bincount(cols.cust[rows[cols.ts[rows] <= t]], minlength=n).astype(float))
        for rows, vals, rstarts in self.numeric:
            c = np.bincount(cols.cust[rows[cols.ts[rows] <= t]], minlength=n).astype(np.int64)
            s = _prefix_reduce(np.add, vals, rstarts[:-1], c, math.nan)
            latest = np.where(c > 0, vals[np.maximum(rstarts[:-1] + c - 1, 0)], np.nan)
            out += [latest, _div(s, c.astype(np.float64))]
        return out

    def _levels(self, t: int) -> list[I64]:
        if self.spec.accounts:
            return self.fixed_levels
        out = []
        for (prop, _), lmap in zip(self.spec.categorical, self.level_maps, strict=True):
            codes = self.cols.latest(prop, t) if prop in self.cols.property_names else None
            if codes is None:
                out.append(np.full(self.cols.n_customers, -1, np.int64))
            else:
                out.append(lmap[codes])  # code -1 maps to -1 (no value)
        return out

    # -- a matrix ---------------------------------------------------------------------------
    def matrix(self, t: int, rows: I64, states: Sequence[StageState]) -> F32:
        """Feature rows at cutoff `t` for customers `rows` (indices) in their `states` at t."""
        spec = self.spec
        numeric = [v[rows] for v in self._activity(t)]
        if self.k:
            numeric += self._per_name(t, rows)
        numeric += [v[rows] for v in self._properties(t)]
        x = np.zeros((len(rows), len(self.columns)), np.float32)
        j = 0
        for v in numeric:
            x[:, j] = v
            j += 1
        for (_, levels), lev in zip(spec.categorical, self._levels(t), strict=True):
            sel = lev[rows]
            hit = np.flatnonzero(sel >= 0)
            x[hit, j + sel[hit]] = 1.0
            j += len(levels) + 1
        j = _placement(x, j, spec, states)
        assert j == len(self.columns)
        return x


def _placement(x: F32, j: int, spec: FeatureSpec, states: Sequence[StageState]) -> int:
    jpos = {v: i for i, v in enumerate(spec.journeys)}
    spos = {v: i for i, v in enumerate(spec.stages)}
    rpos = {v: i for i, v in enumerate(spec.risks)}
    nj, ns = len(spec.journeys), len(spec.stages)
    base = j + nj + ns
    for r, s in enumerate(states):
        if s.journey is not None and s.journey in jpos:
            x[r, j + jpos[s.journey]] = 1.0
        if s.stage is not None and (key := f"{s.journey}/{s.stage}") in spos:
            x[r, j + nj + spos[key]] = 1.0
        row = (s.days_in_stage, *s.milestones, s.moves, s.regressions, s.skipped, s.risk_level)
        x[r, base : base + len(row)] = row
        for rid in s.risks:
            if rid in rpos:
                x[r, base + len(row) + rpos[rid]] = 1.0
    return base + 10 + len(spec.risks)


def _num(text: str) -> float:
    d = text_number(text)
    return float(d) if d is not None else math.nan


__all__ = ["OTHER", "FeatureBuilder"]
