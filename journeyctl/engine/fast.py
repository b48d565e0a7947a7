"""The compiled engine: every customer replayed by the numba kernel (`engine.placement.place`).

Same inputs, same `PlaceResult` (differential tests compare the two on random journeys and
logs); per-event work happens in numpy and in the numba kernel, and Python objects are built
once per customer at the end.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from journeyctl.definitions.model import Journey, JourneySet
from journeyctl.definitions.values import matches
from journeyctl.engine import kernel as K
from journeyctl.engine.compiled import CompiledJourney, atom_masks, distinct_codes
from journeyctl.engine.replay import MilestoneStatus, Move, ReplayResult
from journeyctl.engine.result import CustomerPlacement, Known, PlaceResult, Summary
from journeyctl.engine.rulebook import AdoptionRule, Rulebook, distinct_condition
from journeyctl.engine.segments import match_journey
from journeyctl.events.ingest import EventLog
from journeyctl.events.table import EventTable

I64 = npt.NDArray[np.int64]
_T = TypeVar("_T")
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
# windows of at most this many rows are scanned, longer ones read by binary search (kernel.Scratch)
SCAN_MAX = 48


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
    out = K.Out(
        stage=np.zeros(n_c, np.int64),
        entered=np.zeros(n_c, np.int64),
        wstart=np.zeros(n_c, np.int64),
        wbegin=np.zeros(n_c, np.int64),
        status=np.zeros((n_c, n_ms), np.int64),
        due=np.full((n_c, n_ms), -1, np.int64),
        done=np.full((n_c, n_ms), -1, np.int64),
        risks=np.zeros(n_c, np.uint64),
        mv_lo=np.zeros(n_c, np.int64),
        mv_hi=np.zeros(n_c, np.int64),
    )
    p = cj.program
    ev = K.Events(table.ts, mask, dcodes, *K.bit_index(mask, rows, len(cj.atoms)))
    code = K.Code(p.op, p.p1, p.p2, p.p3, p.p4, cj.ms_ids)
    rules = K.Rules(
        cj.stage_enter, cj.stage_terminal, cj.stage_ms, cj.ms_prog, cj.ms_due,
        cj.tr_from, cj.tr_to, cj.tr_prog, cj.risk_prog, cj.risk_stage_ok, cj.periods,
    )  # fmt: skip

    def chunk(first: int) -> tuple[int, dict[str, npt.NDArray[np.int64]]]:
        """Replay customers [first, first + CHUNK) into their own move buffer."""
        last = min(n_c, first + CHUNK)
        cap = max(MIN_MOVES, int((ends[first:last] - starts[first:last]).sum()) // 2)
        mv = _move_buffer(cap, np.zeros(1, np.int64))
        scratch = K.Scratch(
            np.zeros(cj.max_prog + 1, np.bool_),
            np.zeros(dsize + 1, np.int64),
            np.zeros(1, np.int64),
            np.zeros((max(len(cj.atoms), 1), 2), np.int64),
            np.full(1, SCAN_MAX, np.int64),
        )
        at = first
        while at < last:
            at = K.replay_all(starts, ends, as_of, ev, code, rules, at, last, out, mv, scratch)
            if at < last:  # the move buffer filled up: grow it and resume
                mv = _move_buffer(2 * mv.at.shape[0], mv.used, mv)
        n = int(mv.used[0])
        return last, {k: v[:n] for k, v in zip(MOVES, mv[: len(MOVES)], strict=True)}

    # the kernel releases the GIL: chunks run on every core, each with its own move buffer
    workers = max(1, min(os.cpu_count() or 1, 8))
    firsts = range(0, n_c, CHUNK)
    parts: list[dict[str, npt.NDArray[np.int64]]] = []
    base = 0
    pool = ThreadPoolExecutor(workers)
    try:
        futures = [pool.submit(chunk, f) for f in firsts]
        for first, fut in zip(firsts, futures, strict=True):
            last, mv = _interruptible_result(fut)
            out.mv_lo[first:last] += base
            out.mv_hi[first:last] += base
            base += mv["at"].shape[0]
            parts.append(mv)
            if progress is not None:
                progress(last)
    except BaseException:
        # Ctrl-C or an error: do not wait for the chunks still in the kernel (it cannot be
        # stopped; the process ends with them), and start no others
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    arrays: dict[str, npt.NDArray[np.int64]] = dict(out._asdict())
    for k in MOVES:
        arrays[f"mv_{k}"] = (
            np.concatenate([m[k] for m in parts]) if parts else np.zeros(0, np.int64)
        )
    return arrays


def _interruptible_result(fut: Future[_T]) -> _T:
    """`fut.result()`, waiting in short steps: a wait without a timeout blocks signal handlers
    for as long as the kernel runs (a Ctrl-C took 17 s on one customer of 200k events)."""
    while True:
        try:
            return fut.result(timeout=0.1)
        except FuturesTimeout:
            continue


def _move_buffer(cap: int, used: I64, old: K.Moves | None = None) -> K.Moves:
    """A move buffer of `cap` moves, holding `old`'s moves when given."""

    def column(k: int) -> I64:
        a = np.zeros(cap, np.int64)
        if old is not None:
            a[: old[k].shape[0]] = old[k]
        return a

    return K.Moves(column(0), column(1), column(2), column(3), column(4), column(5), used)


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
        cond = distinct_condition(m)
        if cond is None or cond.distinct is None:
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


def place_fast(
    journeys: JourneySet,
    compiled: Sequence[CompiledJourney],
    log: EventLog,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None,
    known: Known,
    progress: Callable[[int, int], None] | None = None,
) -> PlaceResult:
    """Place every customer with the compiled kernel; `compiled[i]` is `journeys.journeys[i]`."""
    # Building hundreds of thousands of frozen values would trigger full garbage collections
    # over a heap that only grows; none of it is garbage, so collect once at the end instead.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _place_fast(journeys, compiled, log, as_of, accounts, known, progress)
    finally:
        if was_enabled:
            gc.enable()


def _latest_strings(table: EventTable, last: dict[str, I64]) -> dict[str, list[str | None]]:
    """Each column's latest value per customer as Python strings (None: no value)."""
    latest: dict[str, list[str | None]] = {}
    for name, idx in last.items():
        col = table.props[name]
        values = np.asarray([*col.values, None], dtype=object)
        codes = np.where(idx >= 0, col.codes[np.maximum(idx, 0)], len(col.values))
        latest[name] = values[codes].tolist()
    return latest


def _place_fast(
    journeys: JourneySet,
    compiled: Sequence[CompiledJourney],
    log: EventLog,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None,
    known: Known,
    progress: Callable[[int, int], None] | None,
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
    latest = _latest_strings(table, last)

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
    for ji, cj in enumerate(compiled):
        sel = listed[choice == ji]
        if sel.shape[0] == 0:
            continue
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
        book = Rulebook(cj.journey, known)
        placed.extend(_build(book, table, sel, out, used, as_of, attrs_of))
    placed.sort(key=lambda c: c.customer_id)
    summary = Summary(
        len(placed) + len(unmatched), log.rows, ignored, len(unmatched), len(log.bad_rows)
    )
    return PlaceResult(
        as_of, journeys.journeys, tuple(placed), tuple(unmatched), unmatched_attrs, summary
    )


class _Moves:
    """The kernel's move buffer as Python lists, turned into `Move` values per customer."""

    __slots__ = (
        "at", "bytr", "closed", "closed_of", "names", "skipped_of", "src", "stage_ids",
        "stage_ms", "to", "trig",
    )  # fmt: skip

    def __init__(self, journey: Journey, table: EventTable, out: dict[str, I64]) -> None:
        self.stage_ids = [s.id for s in journey.stages]
        self.names = table.event.values
        self.at, self.src, self.to, self.bytr, self.closed = (
            out[f"mv_{k}"].tolist() for k in ("at", "from", "to", "bytr", "closed")
        )
        self.stage_ms = [len(s.milestones) for s in journey.stages]
        # the closed attempts depend only on (stage left, packed statuses): one tuple each
        self.closed_of: dict[tuple[int, int], tuple[str, ...]] = {}
        trig = out["mv_trig"]
        self.trig = np.where(trig >= 0, table.event.codes[np.maximum(trig, 0)], -1).tolist()
        # the skipped stages of a progression depend only on (from, to): one tuple each
        self.skipped_of: dict[tuple[int, int], tuple[str, ...]] = {}

    def skipped(self, f: int, to: int) -> tuple[str, ...]:
        got = self.skipped_of.get((f, to))
        if got is None:
            got = self.skipped_of[(f, to)] = tuple(self.stage_ids[(0 if f < 0 else f + 1) : to])
        return got

    def closed_attempts(self, f: int, packed: int) -> tuple[str, ...]:
        """The final statuses the kernel packed for the attempts of stage f (none before the
        first move)."""
        if f < 0:
            return ()
        got = self.closed_of.get((f, packed))
        if got is None:
            mask = (1 << K.CLOSED_BITS) - 1
            got = self.closed_of[(f, packed)] = tuple(
                _STATUS[(packed >> (K.CLOSED_BITS * i) & mask) + K.CLOSED_BASE]
                for i in range(self.stage_ms[f])
            )
        return got

    def range(self, lo: int, hi: int) -> tuple[Move, ...]:
        ids = self.stage_ids
        moves = []
        for x in range(lo, hi):
            f, to, tr = self.src[x], self.to[x], self.trig[x]
            moves.append(
                Move(
                    self.at[x],
                    ids[f] if f >= 0 else None,
                    ids[to],
                    "forward" if f < 0 or to > f else "backward",
                    () if self.bytr[x] else self.skipped(f, to),
                    self.names[tr] if tr >= 0 else "time",
                    self.closed_attempts(f, self.closed[x]),
                )
            )
        return tuple(moves)


def _attempts(
    ms_ids: list[str],
    has_due: list[bool],
    status: list[int],
    due: list[int],
    done: list[int],
    as_of: int,
) -> dict[str, MilestoneStatus]:
    """One customer's latest attempt of each milestone it has started."""
    attempts = {}
    for mi, mid in enumerate(ms_ids):
        st = status[mi]
        if st == K.NONE:
            continue
        d = due[mi] if has_due[mi] else None
        name = _STATUS[st]
        if name == "pending" and d is not None and as_of > d:
            name = "overdue"
        attempts[mid] = MilestoneStatus(mid, name, d, done[mi] if done[mi] >= 0 else None)
    return attempts


def _build(
    book: Rulebook,
    table: EventTable,
    sel: I64,
    out: dict[str, npt.NDArray[np.int64]],
    used: dict[str, list[list[str]]],
    as_of: int,
    attrs_of: Callable[[int], Mapping[str, str]],
) -> list[CustomerPlacement]:
    """The kernel's arrays as one `CustomerPlacement` per customer.

    This loop runs once per customer (500k at 10M events), so everything that does not depend on
    the customer is computed once (the rulebook, the shared risk values and skipped stages), and
    numpy arrays are read as Python lists."""
    stages = book.journey.stages
    ms = [m for s in stages for m in s.milestones]
    ms_ids = [m.id for m in ms]
    has_due = [m.due is not None for m in ms]
    stage_ms = [[ms.index(m) for m in s.milestones] for s in stages]
    moves = _Moves(book.journey, table, out)
    status_all, due_all, done_all = (out[k].tolist() for k in ("status", "due", "done"))
    stage_l, entered_l, risks_l = (out[k].tolist() for k in ("stage", "entered", "risks"))
    lo_l, hi_l = out["mv_lo"].tolist(), out["mv_hi"].tolist()
    used_l, wstart_l, wbegin_l = (out[k].tolist() for k in ("used", "wstart", "wbegin"))
    ids = table.customer_ids
    listed = book.listed
    result = []
    for c, k in enumerate(sel.tolist()):
        cur = stage_l[c]
        attempts = _attempts(ms_ids, has_due, status_all[c], due_all[c], done_all[c], as_of)
        res = ReplayResult(
            cur if cur >= 0 else None,
            entered_l[c] if cur >= 0 else None,
            tuple(attempts[ms_ids[mi]] for mi in stage_ms[cur]) if cur >= 0 else (),
            attempts,
            moves.range(lo_l[c], hi_l[c]),
            used_l[c],
            wstart_l[c],
            wbegin_l[c],
        )
        bits = risks_l[c]  # the kernel evaluates a journey's own risks: bit r = risk r holds
        held = [r for ri, r in enumerate(listed) if bits >> ri & 1] if bits else []

        def used_of(rule: AdoptionRule, c: int = c) -> list[str]:
            return used[rule.milestone][c]

        risks = book.risks(res, held, as_of)
        result.append(book.place(ids[k], attrs_of(k), res, risks, used_of))
    return result
