"""The examples: every customer at every labelled cutoff (features + label), and at as-of."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import segment_keys
from journeyctl.predict.columns import I64, EventColumns
from journeyctl.predict.features import F32, FeatureBuilder
from journeyctl.predict.history import StageState, customer_history
from journeyctl.predict.target import CutoffPlan, Target

MAX_TRAIN_ROWS = 200_000  # larger logs train on a fixed, hash-chosen share of the customers

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Examples:
    cutoffs: tuple[int, ...]  # labelled cutoffs, ascending
    x: F32  # labelled rows, cutoff by cutoff
    y: npt.NDArray[np.int8]
    row_cutoff: I64
    row_customer: I64  # indices in EventColumns.ids
    score_x: F32  # one row per customer scored at as-of
    score_customers: I64  # their indices in EventColumns.ids
    score_states: tuple[StageState, ...]
    sampled: int  # customers whose past cutoffs are used (all, unless the log is large)


def _sample(ids: tuple[str, ...], share: float) -> npt.NDArray[np.bool_]:
    if share >= 1.0:
        return np.ones(len(ids), bool)
    limit = int(share * 2**64)
    return np.array(
        [int.from_bytes(hashlib.blake2b(c.encode(), digest_size=8).digest()) < limit for c in ids],
        bool,
    )


def build_examples(
    journeys: JourneySet,
    cols: EventColumns,
    builder: FeatureBuilder,
    plan: CutoffPlan,
    target: Target,
    accounts: Mapping[str, Mapping[str, str]] | None,
    now: Mapping[str, StageState],
    progress: Progress | None = None,
) -> Examples:
    """`now` holds every customer's state at as-of (from `place`); the past cutoffs' states come
    from one replay per (sampled) customer."""
    first = cols.first_ts()
    expected = sum(int((first <= t).sum()) for t in plan.labelled)
    sampled = np.flatnonzero(_sample(cols.ids, MAX_TRAIN_ROWS / expected if expected else 1.0))
    past = _PastStates(journeys, cols, plan, target, accounts)
    for done, i in enumerate(sampled.tolist()):
        if progress is not None and done % 500 == 0:
            progress(done, len(sampled))
        past.add(i, first[i])
    if progress is not None:
        progress(len(sampled), len(sampled))
    xs, ys, rc, rcust = [], [], [], []
    used: list[int] = []
    for k, t in enumerate(plan.labelled):
        rows = np.array([i for i, _ in past.per_cut[k]], np.int64)
        if not len(rows):
            continue
        used.append(t)
        xs.append(builder.matrix(t, rows, [s for _, s in past.per_cut[k]]))
        ys.append(_labels(cols, target, past.label_times, rows, t, t + plan.horizon.micros))
        rc.append(np.full(len(rows), t, np.int64))
        rcust.append(rows)
    last = [(i, st) for i, cid in enumerate(cols.ids) if not (st := now[cid]).at_target]
    score_rows = np.array([i for i, _ in last], np.int64)
    width = len(builder.columns)
    return Examples(
        tuple(used),
        np.concatenate(xs) if xs else np.zeros((0, width), np.float32),
        np.concatenate(ys) if ys else np.zeros(0, np.int8),
        np.concatenate(rc) if rc else np.zeros(0, np.int64),
        np.concatenate(rcust) if rcust else np.zeros(0, np.int64),
        builder.matrix(plan.as_of, score_rows, [s for _, s in last]),
        score_rows,
        tuple(s for _, s in last),
        len(sampled),
    )


class _PastStates:
    """Each sampled customer's state at every labelled cutoff it had reached, by one replay."""

    def __init__(
        self,
        journeys: JourneySet,
        cols: EventColumns,
        plan: CutoffPlan,
        target: Target,
        accounts: Mapping[str, Mapping[str, str]] | None,
    ) -> None:
        self.journeys, self.cols, self.target, self.accounts = journeys, cols, target, accounts
        self.cps = [*plan.labelled, plan.as_of]
        keys = segment_keys(journeys.journeys)
        self.latest = (
            {}
            if accounts is not None
            else {
                k: [cols.latest(k, t) for t in self.cps] for k in keys if k in cols.property_names
            }
        )
        self.values = {k: cols.prop(k)[1] for k in self.latest}
        self.per_cut: list[list[tuple[int, StageState]]] = [[] for _ in plan.labelled]
        self.label_times: dict[int, tuple[int, ...]] = {}

    def _attrs(self, i: int, cut: int) -> Mapping[str, str]:
        """Customer i's attributes at cutoff number `cut`."""
        if self.accounts is not None:
            return self.accounts.get(self.cols.ids[i], {})
        out = {}
        for key, codes in self.latest.items():
            c = int(codes[cut][i])
            if c >= 0:
                out[key] = self.values[key][c]
        return out

    def add(self, i: int, first: int) -> None:
        mine = [k for k, t in enumerate(self.cps) if first <= t]
        if len(mine) == 1:
            return  # no past cutoff: only as-of
        cp_i = [self.cps[k] for k in mine]
        hist = customer_history(
            self.journeys,
            self.cols.events(i),
            cp_i,
            lambda k: self._attrs(i, mine[k]),
            self.target,
        )
        self.label_times[i] = hist.target_times
        for k, st in zip(mine[:-1], hist.states[:-1], strict=True):
            if not st.at_target:
                self.per_cut[k].append((i, st))


def _labels(
    cols: EventColumns,
    target: Target,
    times: Mapping[int, tuple[int, ...]],
    rows: I64,
    lo: int,
    hi: int,
) -> npt.NDArray[np.int8]:
    """1 when the target happens in (lo, hi]."""
    if target.kind == "event":
        code = cols.names.index(target.value) if target.value in cols.names else -1
        mask = cols.name == code
        hits = cols.count_le(hi, mask) - cols.count_le(lo, mask)
        return (hits[rows] > 0).astype(np.int8)
    return np.array([any(lo < t <= hi for t in times.get(int(i), ())) for i in rows], np.int8)
