# mypy: disable-error-code="no-untyped-def"
"""The compiled replay loop (numba): the same semantics as `engine.replay`, over arrays.

`engine.replay` is the reference; differential tests hold this kernel to it. The kernel walks
customers in order and stops early, returning where it stopped, when its move buffer is full,
so the caller can grow the buffer and resume.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from journeyctl.engine.compiled import (
    OP_ALL,
    OP_DISTINCT,
    OP_EVENT,
    OP_INACTIVE,
    OP_LATEST,
    OP_MILESTONES,
    OP_NOT,
)
from journeyctl.jit import njit

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

# The kernel's arguments, grouped in named tuples (numba passes them as typed records, and
# reads their fields by name at compile time: no cost per access).


class Events(NamedTuple):
    """The log's rows, in replay order: timestamps, atom bits and `distinct` property codes,
    with each atom's rows (`bit_index`), so that a condition costs a binary search, not a scan
    of its window: one customer of 200k events took 17 s, quadratic in the window's length."""

    ts: I64
    mask: npt.NDArray[np.uint64]
    dcodes: npt.NDArray[np.int32]  # [n_distinct, n_rows], -1 when empty
    bit_off: I64  # [n_atoms + 1]: atom a's rows are bit_rows[bit_off[a]:bit_off[a + 1]]
    bit_rows: I64  # ascending within each atom


class Code(NamedTuple):
    """Every condition of the journey as postfix instructions (`compiled.Program`)."""

    op: I64
    p1: I64
    p2: I64
    p3: I64
    p4: I64
    ms_ids: I64  # milestone indices read by OP_MILESTONES


class Rules(NamedTuple):
    """The journey's stages, milestones, transitions and risks as instruction ranges."""

    stage_enter: I64  # [n_stages, 2], -1 when no enter_when
    stage_terminal: BOOL
    stage_ms: I64  # [n_stages, 2] range into milestones
    ms_prog: I64  # [n_ms, 2]
    ms_due: I64  # -1 when none
    tr_from: I64  # stage index, -1 for "*"
    tr_to: I64
    tr_prog: I64  # [n_tr, 2]
    risk_prog: I64  # [n_risks, 2]
    risk_stage_ok: BOOL  # [n_risks, n_stages]
    periods: I64  # the durations after which time alone can change a condition


class Out(NamedTuple):
    """Per customer: the final state, milestone attempts, risk bits and its range of moves."""

    stage: I64
    entered: I64
    wstart: I64
    wbegin: I64
    status: I64  # [n_customers, n_ms]
    due: I64
    done: I64
    risks: npt.NDArray[np.uint64]
    mv_lo: I64
    mv_hi: I64


class Moves(NamedTuple):
    """The move buffer (grown by the caller when full) and how much of it is used."""

    at: I64
    src: I64
    to: I64
    bytr: I64
    trig: I64
    closed: I64  # the left stage's attempts: 2 bits each (CLOSED_BITS), in milestone order
    used: I64  # one element: how many moves are written


class Scratch(NamedTuple):
    """Working memory: the evaluation stack, the `distinct` seen-marks with their stamp, and the
    current customer's slice of each atom's rows."""

    stack: BOOL
    seen: I64
    stamp: I64  # one element; kept across resumed calls so old marks never match
    # [n_atoms, 2]: bit_rows[span[a, 0]:span[a, 1]] are atom a's rows of the current customer, so
    # a lookup searches that customer's rows, not the whole log's (a search over every row of
    # an atom cost the 1M-event log 0.8 s of cache misses)
    span: I64
    # one element: windows of at most this many rows are scanned, longer ones searched (on
    # short windows, most of a log, a scan is faster; `fast.SCAN_MAX`, which tests set to 0 and
    # to a huge value to hold both ways to the reference engine)
    scan_max: I64


# milestone attempt status codes
NONE, PENDING, DONE, LATE, MISSED = 0, 1, 2, 3, 4
# a closed attempt (DONE, LATE or MISSED) packed in 2 bits as status - CLOSED_BASE (1, 2, 3):
# the attempts of a stage of up to compiled.MAX_STAGE_MILESTONES fit in one int64 per move
CLOSED_BASE = 1
CLOSED_BITS = 2
# state slots
CUR, ENTERED, WSTART, WBEGIN, PROCESSED, BLOCKED, OVERFLOW = range(7)


@njit(cache=True, nogil=True)
def bit_index(mask, rows, n_atoms):
    """(bit_off, bit_rows) of `Events`: the rows among `rows` (ascending) with each atom's bit."""
    off = np.zeros(n_atoms + 1, np.int64)
    for r in rows:
        m = mask[r]
        for a in range(n_atoms):
            if (m >> np.uint64(a)) & np.uint64(1):
                off[a + 1] += 1
    for a in range(n_atoms):
        off[a + 1] += off[a]
    fill = off[:-1].copy()
    out = np.empty(off[n_atoms], np.int64)
    for r in rows:
        m = mask[r]
        for a in range(n_atoms):
            if (m >> np.uint64(a)) & np.uint64(1):
                out[fill[a]] = r
                fill[a] += 1
    return off, out


@njit(cache=True)
def _lower_bound(arr, lo, hi, x):
    """The first index in [lo, hi) whose value is >= x (hi if none); `arr` ascending there.
    Written out rather than np.searchsorted on a slice: a slice is a new array, and reference
    counting it in the kernel's hot function made every evaluation 40% slower."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if arr[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _first_after(ts, ws, we, x):
    """The first row in [ws, we) whose instant is after x (we if none): rows are in time order,
    and instants are integers, so "after x" is "at or after x + 1"."""
    return _lower_bound(ts, ws, we, x + 1)


@njit(cache=True)
def _last_row(rows, a0, a1, we):
    """The last of an atom's rows bit_rows[a0:a1] before row we, -1 when none."""
    j = _lower_bound(rows, a0, a1, we) - 1
    return rows[j] if j >= a0 else -1


@njit(cache=True)
def _set_spans(ev, lo, hi, span, fresh):
    """Point `span` at each atom's rows in [lo, hi): by binary search when `fresh`, else by
    moving on from the previous customer's (customers come in row order), which costs a chunk
    its atom rows once, not a search per customer."""
    off, rows = ev.bit_off, ev.bit_rows
    for a in range(off.shape[0] - 1):
        p = _lower_bound(rows, off[a], off[a + 1], lo) if fresh else span[a, 1]
        while p < off[a + 1] and rows[p] < lo:
            p += 1
        span[a, 0] = p
        while p < off[a + 1] and rows[p] < hi:
            p += 1
        span[a, 1] = p


@njit(cache=True)
def _eval(lo, hi, code, t, ws, we, wbegin, ev, status, scratch):
    """Run instructions [lo, hi) of `code` at instant t over events [ws, we).

    A window of at most `scan_max` rows is scanned back from its latest row (most windows: a
    scan beats the searches there); a longer one is read from the atom's rows by binary search,
    so that one customer's long history costs a search, not a scan per event. (Each leaf as a
    helper function, even inlined, made the kernel 40% slower: keep them written out here.)"""
    op, p1, p2, p3, p4, ms_ids = code
    ts, mask, dcodes, rows = ev.ts, ev.mask, ev.dcodes, ev.bit_rows
    stack, seen, stamp, span = scratch.stack, scratch.seen, scratch.stamp, scratch.span
    scan = we - ws <= scratch.scan_max[0]
    sp = 0
    for k in range(lo, hi):
        o = op[k]
        if o == OP_EVENT:
            bit = np.uint64(1) << np.uint64(p1[k])
            need = p2[k]
            within = p3[k]
            res = False
            if scan:
                n = 0
                for i in range(we - 1, ws - 1, -1):
                    if within > 0 and ts[i] <= t - within:
                        break
                    if mask[i] & bit:
                        n += 1
                        if n >= need:
                            res = True
                            break
            else:
                start = _first_after(ts, ws, we, t - within) if within > 0 else ws
                a0, a1 = span[p1[k], 0], span[p1[k], 1]
                res = _lower_bound(rows, a0, a1, we) - _lower_bound(rows, a0, a1, start) >= need
            stack[sp] = res
            sp += 1
        elif o == OP_DISTINCT:
            bit = np.uint64(1) << np.uint64(p1[k])
            need = p2[k]
            within = p3[k]
            col = p4[k]
            stamp[0] += 1
            st = stamp[0]
            n = 0
            res = False
            if scan:
                for i in range(we - 1, ws - 1, -1):
                    if within > 0 and ts[i] <= t - within:
                        break
                    if mask[i] & bit:
                        c = dcodes[col, i]
                        if c >= 0 and seen[c] != st:
                            seen[c] = st
                            n += 1
                            if n >= need:
                                res = True
                                break
            else:
                start = _first_after(ts, ws, we, t - within) if within > 0 else ws
                a0, a1 = span[p1[k], 0], span[p1[k], 1]
                # only the atom's rows, latest first
                for j in range(
                    _lower_bound(rows, a0, a1, we) - 1, _lower_bound(rows, a0, a1, start) - 1, -1
                ):
                    c = dcodes[col, rows[j]]
                    if c >= 0 and seen[c] != st:
                        seen[c] = st
                        n += 1
                        if n >= need:
                            res = True
                            break
            stack[sp] = res
            sp += 1
        elif o == OP_LATEST:
            nbit = np.uint64(1) << np.uint64(p1[k])
            mbit = np.uint64(1) << np.uint64(p2[k])
            within = p3[k]
            res = False
            if scan:
                for i in range(we - 1, ws - 1, -1):
                    if within > 0 and ts[i] <= t - within:
                        break
                    if mask[i] & nbit:
                        res = (mask[i] & mbit) != 0
                        break
            else:
                i = _last_row(rows, span[p1[k], 0], span[p1[k], 1], we)
                res = i >= ws and (within <= 0 or ts[i] > t - within) and (mask[i] & mbit) != 0
            stack[sp] = res
            sp += 1
        elif o == OP_INACTIVE:
            nbit = np.uint64(1) << np.uint64(p1[k])
            lim = t - p2[k]
            if wbegin > lim:
                res = False
            elif scan:
                res = True
                for i in range(we - 1, ws - 1, -1):
                    if ts[i] <= lim:
                        break
                    if mask[i] & nbit:
                        res = False
                        break
            else:
                i = _last_row(rows, span[p1[k], 0], span[p1[k], 1], we)
                res = not (i >= ws and ts[i] > lim)
            stack[sp] = res
            sp += 1
        elif o == OP_MILESTONES:
            res = True
            for j in range(p1[k], p1[k] + p2[k]):
                m = ms_ids[j]
                if m < 0 or (status[m] != DONE and status[m] != LATE):
                    res = False
                    break
            stack[sp] = res
            sp += 1
        elif o == OP_NOT:
            stack[sp - 1] = not stack[sp - 1]
        else:
            cnt = p1[k]
            if o == OP_ALL:
                res = True
                for j in range(sp - cnt, sp):
                    res = res and stack[j]
            else:
                res = False
                for j in range(sp - cnt, sp):
                    res = res or stack[j]
            sp -= cnt
            stack[sp] = res
            sp += 1
    return stack[0]


@njit(cache=True, nogil=True)  # nogil: chunks of customers replay on several threads
def replay_all(
    starts, ends, as_of, ev, code, rules, first_customer, last_customer, out, mv, scratch
):
    """Replay customers [first_customer, last_customer); return the first one not done."""
    ts = ev.ts
    stage_ms, ms_prog, ms_due = rules.stage_ms, rules.ms_prog, rules.ms_due
    stage_terminal, risk_prog, risk_stage_ok = (
        rules.stage_terminal,
        rules.risk_prog,
        rules.risk_stage_ok,
    )
    periods = rules.periods
    out_status, out_due, out_done = out.status, out.due, out.done
    out_stage, out_entered, out_wstart, out_wbegin = out.stage, out.entered, out.wstart, out.wbegin
    out_risks, mv_lo, mv_hi, mv_count = out.risks, out.mv_lo, out.mv_hi, mv.used
    n_ms = ms_due.shape[0]
    state = np.zeros(7, dtype=np.int64)
    scan_max = scratch.scan_max[0]
    prev_lo = -1
    for c in range(first_customer, last_customer):
        lo = starts[c]
        hi = ends[c]
        n = hi - lo
        _set_spans(ev, lo, hi, scratch.span, lo < prev_lo or prev_lo < 0)
        prev_lo = lo
        state[OVERFLOW] = 0
        status = out_status[c]
        for m in range(n_ms):
            status[m] = NONE
        state[CUR] = -1
        state[ENTERED] = 0
        state[WSTART] = 0
        state[WBEGIN] = ts[lo] if n > 0 else as_of
        state[PROCESSED] = 0
        state[BLOCKED] = 0
        mv_lo[c] = mv_count[0]
        now = ts[lo] if n > 0 else as_of
        for i in range(n + 1):
            if i < n:
                t_ev = ts[lo + i]
                until = t_ev
                inclusive = False
            else:
                until = as_of
                inclusive = True
            # time checks strictly between events (and up to as-of at the end)
            if (i > 0 or i == n) and n > 0:
                while state[BLOCKED] == 0 and periods.shape[0] > 0:
                    cur = state[CUR]
                    wstart = state[WSTART] if cur >= 0 else 0
                    begin = state[WBEGIN] if cur >= 0 else ts[lo]
                    best = -1
                    for d in periods:
                        cand = begin + d
                        if cand > now and (best < 0 or cand < best):
                            best = cand
                        # the earliest processed event in the window whose instant + d is
                        # after now: a scan back from the latest, or on a long window a
                        # binary search (rows are in time order)
                        ws_row, we_row = lo + wstart, lo + state[PROCESSED]
                        if we_row - ws_row <= scan_max:
                            j = we_row
                            while j > ws_row and ts[j - 1] + d > now:
                                j -= 1
                        else:
                            j = _first_after(ts, ws_row, we_row, now - d)
                        if j < we_row:
                            cand = ts[j] + d
                            if best < 0 or cand < best:
                                best = cand
                    if best < 0 or best > until or (best == until and not inclusive):
                        break
                    now = best
                    _check_moves(
                        # typed, not literal: numba compiles a callee once per literal argument
                        # (three copies of _check_moves and two of _eval: ~4 s of a first run)
                        np.int64(best),
                        np.int64(-1),
                        lo,
                        state,
                        ev,
                        code,
                        rules,
                        status,
                        out_due[c],
                        out_done[c],
                        mv,
                        scratch,
                    )
            if i == n:
                break
            state[PROCESSED] = i + 1
            now = t_ev
            cur = state[CUR]
            if cur >= 0:
                ws = lo + state[WSTART]
                we = lo + state[PROCESSED]
                for m in range(stage_ms[cur, 0], stage_ms[cur, 1]):
                    if status[m] == DONE or status[m] == LATE:
                        continue
                    if _eval(
                        ms_prog[m, 0],
                        ms_prog[m, 1],
                        code,
                        t_ev,
                        ws,
                        we,
                        state[WBEGIN],
                        ev,
                        status,
                        scratch,
                    ):
                        due = out_due[c, m]
                        status[m] = LATE if (ms_due[m] >= 0 and t_ev > due) else DONE
                        out_done[c, m] = t_ev
            state[BLOCKED] = 0
            _check_moves(
                t_ev,
                lo + i,
                lo,
                state,
                ev,
                code,
                rules,
                status,
                out_due[c],
                out_done[c],
                mv,
                scratch,
            )
        if state[OVERFLOW]:
            mv_count[0] = mv_lo[c]
            return c  # the move buffer is full: the caller grows it and resumes here
        mv_hi[c] = mv_count[0]
        cur = state[CUR]
        out_stage[c] = cur
        out_entered[c] = state[ENTERED]
        out_wstart[c] = state[WSTART] if cur >= 0 else 0
        out_wbegin[c] = state[WBEGIN]
        bits = np.uint64(0)
        if cur >= 0 and not stage_terminal[cur] and n > 0:
            for r in range(risk_prog.shape[0]):
                if risk_stage_ok[r, cur] and _eval(
                    risk_prog[r, 0],
                    risk_prog[r, 1],
                    code,
                    as_of,
                    lo,
                    hi,
                    ts[lo],
                    ev,
                    status,
                    scratch,
                ):
                    bits |= np.uint64(1) << np.uint64(r)
        out_risks[c] = bits
    return last_customer


@njit(cache=True)
def _check_moves(t, trig, lo, state, ev, code, rules, status, due_row, done_row, mv, scratch):
    """Apply every move due at instant t (`trig`: the event's row, -1 for time), chained."""
    stage_enter, stage_terminal, stage_ms = rules.stage_enter, rules.stage_terminal, rules.stage_ms
    ms_due, tr_from, tr_to, tr_prog = rules.ms_due, rules.tr_from, rules.tr_to, rules.tr_prog
    mv_at, mv_from, mv_to, mv_bytr, mv_trig, mv_closed, mv_count = mv
    n_stages = stage_enter.shape[0]
    n_tr = tr_from.shape[0]
    count = 0
    while True:
        cur = state[CUR]
        ws = lo + state[WSTART]
        we = lo + state[PROCESSED]
        wbegin = state[WBEGIN]
        target = -1
        by_tr = False
        if cur >= 0:
            for k in range(n_tr):
                f = tr_from[k]
                if (f == cur or (f == -1 and not stage_terminal[cur])) and tr_to[k] != cur:
                    if _eval(
                        tr_prog[k, 0], tr_prog[k, 1], code, t, ws, we, wbegin, ev, status, scratch
                    ):
                        target = tr_to[k]
                        by_tr = True
                        break
            first = cur + 1
            if target < 0 and stage_terminal[cur]:
                return
        else:
            first = 0
        if target < 0:
            for k in range(n_stages - 1, first - 1, -1):
                if stage_enter[k, 0] >= 0 and _eval(
                    stage_enter[k, 0],
                    stage_enter[k, 1],
                    code,
                    t,
                    ws,
                    we,
                    wbegin,
                    ev,
                    status,
                    scratch,
                ):
                    target = k
                    break
        if target < 0:
            return
        if count >= n_stages:
            state[BLOCKED] = 1
            return
        if mv_count[0] >= mv_at.shape[0]:
            state[OVERFLOW] = 1
            state[BLOCKED] = 1
            return
        # apply the move: the attempts of the stage left end (pending ones as missed)
        closed = 0
        if cur >= 0:
            first_ms = stage_ms[cur, 0]
            for m in range(first_ms, stage_ms[cur, 1]):
                if status[m] == PENDING:
                    status[m] = MISSED
                closed |= (status[m] - CLOSED_BASE) << (CLOSED_BITS * (m - first_ms))
        j = mv_count[0]
        mv_closed[j] = closed
        mv_at[j] = t
        mv_from[j] = cur
        mv_to[j] = target
        mv_bytr[j] = by_tr
        mv_trig[j] = trig
        mv_count[0] = j + 1
        state[CUR] = target
        state[ENTERED] = t
        state[WSTART] = state[PROCESSED]
        state[WBEGIN] = t
        for m in range(stage_ms[target, 0], stage_ms[target, 1]):
            status[m] = PENDING
            due_row[m] = t + ms_due[m] if ms_due[m] >= 0 else -1
            done_row[m] = -1
        count += 1
