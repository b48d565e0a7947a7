"""Place every customer with the compiled kernel: the fast path of `engine.placement.place`.

Same inputs, same `PlaceResult` (differential tests compare the two on random journeys and
logs); per-event work happens in numpy and in the numba kernel, and Python objects are built
once per customer at the end.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from journeyctl.definitions.model import (
    SEVERITY_RANK,
    EventCond,
    Journey,
    JourneySet,
    Stage,
    iter_conditions,
)
from journeyctl.engine import kernel as K
from journeyctl.engine.compiled import CompiledJourney, atom_masks, compile_journey, distinct_codes
from journeyctl.engine.placement import (
    ActiveRisk,
    Adoption,
    CustomerPlacement,
    Known,
    PlaceResult,
    Summary,
    match_journey,
)
from journeyctl.engine.replay import MilestoneStatus, Move, ReplayResult
from journeyctl.engine.values import matches
from journeyctl.events.ingest import EventLog
from journeyctl.events.table import EventTable

I64 = npt.NDArray[np.int64]
_STATUS = {K.PENDING: "pending", K.DONE: "done", K.LATE: "late", K.MISSED: "missed"}


def _last_values(table: EventTable, upto: npt.NDArray[np.bool_]) -> dict[str, I64]:
    """Per property column, the row index of each customer's latest non-empty value (-1: none)."""
    out = {}
    starts = table.offsets[:-1]
    rows = np.arange(table.rows, dtype=np.int64)
    for name, col in table.props.items():
        empty = col.empty_code()
        ok = upto if empty < 0 else upto & (col.codes != empty)
        idx = np.where(ok, rows, -1)
        out[name] = np.maximum.reduceat(idx, starts) if table.rows else np.zeros(0, np.int64)
    return out


def _assign_journeys(
    journeys: tuple[Journey, ...],
    table: EventTable,
    last: dict[str, I64],
    listed: I64,
    accounts: Mapping[str, Mapping[str, str]] | None,
) -> npt.NDArray[np.int64]:
    """Index of each listed customer's journey, -1 when unmatched."""
    n = listed.shape[0]
    if accounts is not None:
        return np.asarray(
            [
                journeys.index(j)
                if (j := match_journey(journeys, accounts.get(table.customer_ids[k], {})))
                is not None
                else -1
                for k in listed
            ],
            dtype=np.int64,
        )
    choice = np.full(n, -1, dtype=np.int64)
    order = sorted(
        range(len(journeys)), key=lambda i: (-len(journeys[i].segment), -journeys[i].priority, i)
    )
    for ji in order:
        ok = np.ones(n, dtype=np.bool_)
        for key in journeys[ji].segment:
            col = table.props.get(key.key)
            if col is None:
                ok[:] = False
                break
            lut = np.fromiter(
                (v != "" and any(matches(v, m) for m in _eq(key.values)) for v in col.values),
                dtype=np.bool_,
                count=len(col.values),
            )
            idx = last[key.key][listed]
            ok &= (idx >= 0) & lut[col.codes[np.maximum(idx, 0)]]
        choice = np.where((choice < 0) & ok, ji, choice)
    return choice


class LatestValues(Mapping[str, str]):
    """Customer k's latest non-empty value of each property column, read on access.

    The columns' latest values are gathered once for all customers; a dict per customer would
    cost ~1 KB and a few microseconds each (0.5 GB at 500k customers) for attributes that most
    outputs never read."""

    __slots__ = ("_cols", "_k")

    def __init__(self, cols: dict[str, list[str | None]], k: int) -> None:
        self._cols = cols
        self._k = k

    def __getitem__(self, key: str) -> str:
        vals = self._cols.get(key)
        v = vals[self._k] if vals is not None else None
        if v is None:
            raise KeyError(key)
        return v

    def __iter__(self) -> Iterator[str]:
        k = self._k
        return (name for name, vals in self._cols.items() if vals[k] is not None)

    def __len__(self) -> int:
        k = self._k
        return sum(1 for vals in self._cols.values() if vals[k] is not None)

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        # every JSON customer reads all of them: one pass, not a lookup per key
        k = self._k
        return [(name, v) for name, vals in self._cols.items() if (v := vals[k]) is not None]

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def _eq(values: tuple[object, ...]) -> list:  # type: ignore[type-arg]
    from journeyctl.definitions.model import Matcher

    return [Matcher("eq", (v,)) for v in values]  # type: ignore[arg-type]


CHUNK = 25_000  # customers per kernel call: the unit of threading and of progress
MOVES = ("at", "from", "to", "bytr", "trig", "closed")
MIN_MOVES = 1024  # initial move buffer (grown when full; tests shrink it)


def _run_kernel(
    cj: CompiledJourney,
    table: EventTable,
    starts: I64,
    ends: I64,
    as_of: int,
    progress: Callable[[int], None] | None = None,
) -> dict[str, npt.NDArray[np.int64]]:
    n_c = starts.shape[0]
    n_ms = max(1, cj.ms_due.shape[0])
    rows = _rows_of(starts, ends)
    mask = atom_masks(cj, table, rows)
    dcodes, dsize = distinct_codes(cj, table)
    out = {
        "stage": np.zeros(n_c, np.int64),
        "entered": np.zeros(n_c, np.int64),
        "wstart": np.zeros(n_c, np.int64),
        "wbegin": np.zeros(n_c, np.int64),
        "status": np.zeros((n_c, n_ms), np.int64),
        "due": np.full((n_c, n_ms), -1, np.int64),
        "done": np.full((n_c, n_ms), -1, np.int64),
        "risks": np.zeros(n_c, np.uint64),
        "mv_lo": np.zeros(n_c, np.int64),
        "mv_hi": np.zeros(n_c, np.int64),
    }
    p = cj.program

    def chunk(first: int) -> tuple[int, dict[str, npt.NDArray[np.int64]]]:
        """Replay customers [first, first + CHUNK) into their own move buffer."""
        last = min(n_c, first + CHUNK)
        cap = max(MIN_MOVES, int((ends[first:last] - starts[first:last]).sum()) // 2)
        mv = {k: np.zeros(cap, np.int64) for k in MOVES}
        count = np.zeros(1, np.int64)
        stack = np.zeros(cj.max_prog + 1, np.bool_)
        seen = np.zeros(dsize + 1, np.int64)
        at = first
        while at < last:
            at = K.replay_all(
                starts, ends, as_of, table.ts, mask, dcodes,
                p.op, p.p1, p.p2, p.p3, p.p4,
                cj.ms_ids, cj.stage_enter, cj.stage_terminal, cj.stage_ms, cj.ms_prog,
                cj.ms_due, cj.tr_from, cj.tr_to, cj.tr_prog, cj.risk_prog, cj.risk_stage_ok,
                cj.periods, at, last,
                out["stage"], out["entered"], out["wstart"], out["wbegin"], out["status"],
                out["due"], out["done"], out["risks"],
                mv["at"], mv["from"], mv["to"], mv["bytr"], mv["trig"], mv["closed"],
                out["mv_lo"], out["mv_hi"], count, stack, seen,
            )  # fmt: skip
            if at < last:  # the move buffer filled up: grow it and resume
                mv = {k: np.concatenate([v, np.zeros_like(v)]) for k, v in mv.items()}
        return last, {k: v[: int(count[0])] for k, v in mv.items()}

    # the kernel releases the GIL: chunks run on every core, each with its own move buffer
    workers = max(1, min(os.cpu_count() or 1, 8))
    firsts = range(0, n_c, CHUNK)
    parts: list[dict[str, npt.NDArray[np.int64]]] = []
    base = 0
    with ThreadPoolExecutor(workers) as pool:
        for first, (last, mv) in zip(firsts, pool.map(chunk, firsts), strict=True):
            out["mv_lo"][first:last] += base
            out["mv_hi"][first:last] += base
            base += mv["at"].shape[0]
            parts.append(mv)
            if progress is not None:
                progress(last)
    for k in MOVES:
        out[f"mv_{k}"] = np.concatenate([m[k] for m in parts]) if parts else np.zeros(0, np.int64)
    return out


def _rows_of(starts: I64, ends: I64) -> I64:
    """Every row index in the ranges [starts[i], ends[i])."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    return np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total, dtype=np.int64)


def _adoption_used(
    cj: CompiledJourney, table: EventTable, starts: I64, ends: I64
) -> dict[str, list[list[str]]]:
    """For each `distinct` milestone, each customer's used values (sorted), over its events."""
    out: dict[str, list[list[str]]] = {}
    n_c = starts.shape[0]
    names = table.event.values
    ms = [m for s in cj.journey.stages for m in s.milestones]
    for m in ms:
        cond = next(
            (c for c in iter_conditions(m.when) if isinstance(c, EventCond) and c.distinct), None
        )
        if not isinstance(cond, EventCond) or cond.distinct is None:
            continue
        col = table.props.get(cond.distinct)
        used: list[list[str]] = [[] for _ in range(n_c)]
        if col is not None:
            name_ok = np.fromiter((v in cond.events for v in names), np.bool_, len(names))
            lens = ends - starts
            rows = _rows_of(starts, ends)
            cust = np.repeat(np.arange(n_c, dtype=np.int64), lens)
            empty = col.empty_code()
            ok = name_ok[table.event.codes[rows]] & (col.codes[rows] != empty)
            # one integer per (customer, value in sorted order): unique keys come out grouped by
            # customer with each customer's values already sorted
            order = sorted(range(len(col.values)), key=col.values.__getitem__)
            rank = np.empty(len(order), np.int64)
            rank[np.asarray(order, np.int64)] = np.arange(len(order))
            nv = max(1, len(order))
            keys = np.unique(cust[ok] * nv + rank[col.codes[rows[ok]]])
            by_rank = [col.values[i] for i in order]
            values = [by_rank[r] for r in (keys % nv).tolist()]
            bounds = np.searchsorted(keys // nv, np.arange(n_c + 1)).tolist()
            used = [values[bounds[i] : bounds[i + 1]] for i in range(n_c)]
        out[m.id] = used
    return out


def place_fast(*args: Any, **kwargs: Any) -> PlaceResult:
    """Place every customer with the compiled kernel (see `engine.placement.place`)."""
    # Building hundreds of thousands of frozen values would trigger full garbage collections
    # over a heap that only grows; none of it is garbage, so collect once at the end instead.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _place_fast(*args, **kwargs)
    finally:
        if was_enabled:
            gc.enable()


def _place_fast(
    journeys: JourneySet,
    log: EventLog,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None,
    known: Known,
    progress: Callable[[int, int], None] | None = None,
) -> PlaceResult:
    table = log.table
    upto = table.ts <= as_of
    starts_all = table.offsets[:-1]
    counts = (
        np.add.reduceat(upto.astype(np.int64), starts_all) if table.rows else np.zeros(0, np.int64)
    )
    ignored = int(table.rows - counts.sum())
    listed = np.flatnonzero(counts > 0)
    last = _last_values(table, upto) if accounts is None else {}
    choice = _assign_journeys(journeys.journeys, table, last, listed, accounts)
    ids = table.customer_ids
    placed: list[CustomerPlacement] = []
    unmatched: list[str] = []
    unmatched_attrs: dict[str, Mapping[str, str]] = {}

    # each column's latest value per customer as Python strings (None: no value), gathered once
    latest: dict[str, list[str | None]] = {}
    for name, idx in last.items():
        col = table.props[name]
        values = np.asarray([*col.values, None], dtype=object)
        codes = np.where(idx >= 0, col.codes[np.maximum(idx, 0)], len(col.values))
        latest[name] = values[codes].tolist()

    def attrs_of(k: int) -> Mapping[str, str]:
        if accounts is not None:
            return dict(accounts.get(ids[k], {}))
        return LatestValues(latest, k)

    for pos in np.flatnonzero(choice < 0):
        k = int(listed[pos])
        unmatched.append(ids[k])
        unmatched_attrs[ids[k]] = attrs_of(k)
    total = int(listed.shape[0])
    done_before = int((choice < 0).sum())
    for ji, journey in enumerate(journeys.journeys):
        sel = listed[choice == ji]
        if sel.shape[0] == 0:
            continue
        cj = compile_journey(journey)
        starts = np.ascontiguousarray(starts_all[sel])
        ends = starts + counts[sel]
        base = done_before

        def report(n: int, base: int = base) -> None:
            if progress is not None:
                progress(base + n, total)

        out = _run_kernel(cj, table, starts, ends, as_of, report)
        done_before += sel.shape[0]
        out["used"] = ends - starts
        used = _adoption_used(cj, table, starts, ends)
        placed.extend(_build(cj, table, sel, starts, out, used, as_of, attrs_of, known))
    placed.sort(key=lambda c: c.customer_id)
    summary = Summary(
        len(placed) + len(unmatched), log.rows, ignored, len(unmatched), len(log.bad_rows)
    )
    return PlaceResult(
        as_of, journeys.journeys, tuple(placed), tuple(unmatched), unmatched_attrs, summary
    )


def _build(
    cj: CompiledJourney,
    table: EventTable,
    sel: I64,
    starts: I64,
    out: dict[str, npt.NDArray[np.int64]],
    used: dict[str, list[list[str]]],
    as_of: int,
    attrs_of: Callable[[int], Mapping[str, str]],
    known: Known,
) -> list[CustomerPlacement]:
    """The kernel's arrays as one `CustomerPlacement` per customer.

    This loop runs once per customer (500k at 10M events), so everything that does not depend on
    the customer is computed once, values that repeat (risks, skipped stages, titles) are shared,
    and numpy arrays are read as Python lists."""
    j = cj.journey
    stages = j.stages
    stage_ids = [s.id for s in stages]
    ms = [m for s in stages for m in s.milestones]
    ms_due = [m.due is not None for m in ms]
    stage_ms = [[ms.index(m) for m in s.milestones] for s in stages]
    names = table.event.values
    ecodes = table.event.codes
    mv_at, mv_from, mv_to, mv_bytr, mv_closed = (
        out[f"mv_{k}"].tolist() for k in ("at", "from", "to", "bytr", "closed")
    )
    n_stage_ms = [len(s.milestones) for s in stages]
    # the closed attempts depend only on (stage left, packed statuses): one tuple each
    closed_of: dict[tuple[int, int], tuple[str, ...]] = {}
    closed_mask = (1 << K.CLOSED_BITS) - 1

    def closed_attempts(f: int, packed: int) -> tuple[str, ...]:
        if f < 0:
            return ()
        got = closed_of.get((f, packed))
        if got is None:
            got = closed_of[(f, packed)] = tuple(
                _STATUS[(packed >> (K.CLOSED_BITS * i) & closed_mask) + K.CLOSED_BASE]
                for i in range(n_stage_ms[f])
            )
        return got

    trig = out["mv_trig"]
    trig_l = np.where(trig >= 0, ecodes[np.maximum(trig, 0)], -1).tolist()
    status_all = out["status"].tolist()
    due_all = out["due"].tolist()
    done_all = out["done"].tolist()
    stage_l = out["stage"].tolist()
    entered_l = out["entered"].tolist()
    risks_l = out["risks"].tolist()
    lo_l, hi_l = out["mv_lo"].tolist(), out["mv_hi"].tolist()
    used_l, wstart_l, wbegin_l = (out[k].tolist() for k in ("used", "wstart", "wbegin"))
    sel_l = sel.tolist()
    ids = table.customer_ids
    skipped_of: dict[tuple[int, int], tuple[str, ...]] = {}
    listed_risks = [ActiveRisk(r.id, r.severity, r.title or r.id, False) for r in j.risks]
    stalled = [
        ActiveRisk(
            "stalled",
            "medium",
            f"In {s.title or s.id} longer than {s.max_duration.text}",
            True,
        )
        if s.max_duration is not None
        else None
        for s in stages
    ]
    status_of = ["active" if not s.terminal else (s.outcome or "completed") for s in stages]
    adoption_plan = _adoption_plan(stages, used, known)
    rank = SEVERITY_RANK
    result = []
    for c in range(len(sel_l)):
        k = sel_l[c]
        cur = stage_l[c]
        moves = []
        for x in range(lo_l[c], hi_l[c]):
            f, to = mv_from[x], mv_to[x]
            if mv_bytr[x]:
                skipped: tuple[str, ...] = ()
            else:
                skipped = skipped_of.get((f, to)) or skipped_of.setdefault(
                    (f, to), tuple(stage_ids[(0 if f < 0 else f + 1) : to])
                )
            moves.append(
                Move(
                    mv_at[x],
                    stage_ids[f] if f >= 0 else None,
                    stage_ids[to],
                    "forward" if f < 0 or to > f else "backward",
                    skipped,
                    names[trig_l[x]] if trig_l[x] >= 0 else "time",
                    closed_attempts(f, mv_closed[x]),
                )
            )
        attempts = {}
        srow, drow, dnrow = status_all[c], due_all[c], done_all[c]
        for mi, m in enumerate(ms):
            st = srow[mi]
            if st == K.NONE:
                continue
            due = drow[mi] if ms_due[mi] else None
            name = _STATUS[st]
            if name == "pending" and due is not None and as_of > due:
                name = "overdue"
            attempts[m.id] = MilestoneStatus(m.id, name, due, dnrow[mi] if dnrow[mi] >= 0 else None)
        stage = stages[cur] if cur >= 0 else None
        current = tuple(attempts[ms[mi].id] for mi in stage_ms[cur]) if cur >= 0 else ()
        entered = entered_l[c] if cur >= 0 else None
        res = ReplayResult(
            cur if cur >= 0 else None,
            entered,
            current,
            attempts,
            tuple(moves),
            used_l[c],
            wstart_l[c],
            wbegin_l[c],
        )
        status = status_of[cur] if cur >= 0 else "not_started"
        risks: list[ActiveRisk] = []
        level = "none"
        adoption: list[Adoption] = []
        activities: list[str] = []
        if status == "active":
            assert stage is not None and entered is not None
            bits = risks_l[c]
            if bits:
                risks = [r for ri, r in enumerate(listed_risks) if bits >> ri & 1]
            overdue = [mm.id for mm in current if mm.status == "overdue"]
            if overdue:
                risks.append(
                    ActiveRisk(
                        "overdue_milestone",
                        "medium",
                        "Milestone overdue: " + ", ".join(overdue),
                        True,
                    )
                )
            if stage.max_duration is not None and as_of - entered > stage.max_duration.micros:
                risks.append(stalled[cur])  # type: ignore[arg-type]
            if risks:
                level = max((r.severity for r in risks), key=rank.__getitem__)
            activities = list(stage.activities)
            for mid, prop, values in adoption_plan[cur]:
                u = used[mid][c]
                a = Adoption(mid, prop, tuple(u), tuple(v for v in values if v not in u))
                adoption.append(a)
                activities.extend(f"Suggest {v}: not used yet" for v in a.unused)
        result.append(
            CustomerPlacement(
                ids[k],
                j,
                attrs_of(k),
                stage,
                status,
                entered,
                current,
                tuple(risks),
                level,
                res.moves,
                tuple(activities),
                tuple(adoption),
                res,
            )
        )
    return result


def _adoption_plan(
    stages: tuple[Stage, ...], used: dict[str, list[list[str]]], known: Known
) -> list[list[tuple[str, str, list[str]]]]:
    """Per stage, its `distinct` milestones as (milestone, property, every known value)."""
    plan = []
    for stage in stages:
        items = []
        for m in stage.milestones:
            if m.id not in used:
                continue
            cond = next(
                cc for cc in iter_conditions(m.when) if isinstance(cc, EventCond) and cc.distinct
            )
            assert isinstance(cond, EventCond) and cond.distinct is not None
            values: list[str] = []
            for ev in cond.events:
                for v in known(ev, cond.distinct) or ():
                    if v not in values:
                        values.append(v)
            items.append((m.id, cond.distinct, values))
        plan.append(items)
    return plan
