"""Compile a journey into flat arrays for the vectorised/compiled engine (`engine.fast`).

Every event-reading leaf of every condition becomes an *atom*: a bit per event saying whether the
event counts for it (name and `where` matchers), computed for all events at once with numpy.
Conditions become small postfix programs over those atoms, which `engine.kernel` evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journeyctl.definitions.model import (
    AllCond,
    AnyCond,
    Condition,
    EventCond,
    InactiveCond,
    Journey,
    LatestCond,
    Matcher,
    MilestonesCond,
    NotCond,
)
from journeyctl.definitions.values import matches
from journeyctl.engine.conditions import time_periods
from journeyctl.events.table import EventTable

OP_EVENT, OP_DISTINCT, OP_LATEST, OP_INACTIVE, OP_MILESTONES, OP_ALL, OP_ANY, OP_NOT = range(8)
MAX_ATOMS = 64

I64 = npt.NDArray[np.int64]


class TooComplex(Exception):
    """The journey has more atoms than the compiled engine supports; use the reference engine."""


@dataclass(frozen=True, slots=True)
class Atom:
    events: tuple[str, ...]
    where: tuple[tuple[str, Matcher], ...]


@dataclass(frozen=True, slots=True)
class Program:
    """All condition programs of one journey, as parallel instruction arrays."""

    op: I64
    p1: I64
    p2: I64
    p3: I64
    p4: I64


class _Compiler:
    def __init__(self, journey: Journey):
        self.j = journey
        self.atoms: list[Atom] = []
        self.distinct: list[tuple[int, str]] = []  # (atom, property) per distinct column
        self.ms_index = {
            m.id: i for i, m in enumerate(m for s in journey.stages for m in s.milestones)
        }
        self.ms_ids: list[int] = []
        self.ins: list[tuple[int, int, int, int, int]] = []

    def atom(self, events: tuple[str, ...], where: tuple[tuple[str, Matcher], ...]) -> int:
        a = Atom(events, where)
        if a in self.atoms:
            return self.atoms.index(a)
        if len(self.atoms) >= MAX_ATOMS:
            raise TooComplex()
        self.atoms.append(a)
        return len(self.atoms) - 1

    def emit(self, cond: Condition) -> None:
        if isinstance(cond, EventCond):
            bit = self.atom(cond.events, cond.where)
            within = cond.within.micros if cond.within else 0
            if cond.distinct is None:
                self.ins.append((OP_EVENT, bit, cond.at_least, within, 0))
            else:
                key = (bit, cond.distinct)
                if key not in self.distinct:
                    self.distinct.append(key)
                self.ins.append((OP_DISTINCT, bit, cond.at_least, within, self.distinct.index(key)))
        elif isinstance(cond, LatestCond):
            name_bit = self.atom(cond.events, ())
            match_bit = self.atom(cond.events, cond.where)
            within = cond.within.micros if cond.within else 0
            self.ins.append((OP_LATEST, name_bit, match_bit, within, 0))
        elif isinstance(cond, InactiveCond):
            self.ins.append((OP_INACTIVE, self.atom(cond.events, ()), cond.period.micros, 0, 0))
        elif isinstance(cond, MilestonesCond):
            start = len(self.ms_ids)
            self.ms_ids.extend(self.ms_index.get(m, -1) for m in cond.ids)
            self.ins.append((OP_MILESTONES, start, len(cond.ids), 0, 0))
        elif isinstance(cond, NotCond):
            self.emit(cond.item)
            self.ins.append((OP_NOT, 0, 0, 0, 0))
        else:
            assert isinstance(cond, AllCond | AnyCond)
            for c in cond.items:
                self.emit(c)
            self.ins.append(
                (OP_ALL if isinstance(cond, AllCond) else OP_ANY, len(cond.items), 0, 0, 0)
            )

    def program(self, cond: Condition | None) -> tuple[int, int]:
        if cond is None:
            return (-1, -1)
        lo = len(self.ins)
        self.emit(cond)
        return (lo, len(self.ins))


@dataclass(frozen=True, slots=True)
class CompiledJourney:
    journey: Journey
    atoms: tuple[Atom, ...]
    distinct: tuple[tuple[int, str], ...]
    program: Program
    ms_ids: I64
    stage_enter: I64  # [n_stages, 2] program range, -1 when no enter_when
    stage_terminal: npt.NDArray[np.bool_]
    stage_ms: I64  # [n_stages, 2] range into milestones
    ms_prog: I64  # [n_ms, 2]
    ms_due: I64  # -1 when none
    tr_from: I64  # stage index, -1 for "*"
    tr_to: I64
    tr_prog: I64  # [n_tr, 2]
    risk_prog: I64  # [n_risks, 2]
    risk_stage_ok: npt.NDArray[np.bool_]  # [n_risks, n_stages]
    periods: I64
    max_prog: int


def compile_journey(journey: Journey) -> CompiledJourney:
    c = _Compiler(journey)
    index = {s.id: i for i, s in enumerate(journey.stages)}
    stage_enter = [c.program(s.enter_when) for s in journey.stages]
    ms = [m for s in journey.stages for m in s.milestones]
    ms_prog = [c.program(m.when) for m in ms]
    stage_ms = []
    k = 0
    for s in journey.stages:
        stage_ms.append((k, k + len(s.milestones)))
        k += len(s.milestones)
    tr_prog = [c.program(t.when) for t in journey.transitions]
    risk_prog = [c.program(r.when) for r in journey.risks]
    n = len(journey.stages)
    risk_ok = np.ones((len(journey.risks), n), dtype=np.bool_)
    for i, r in enumerate(journey.risks):
        if r.stages is not None:
            risk_ok[i, :] = False
            for sid in r.stages:
                risk_ok[i, index[sid]] = True
    move_conds = [t.when for t in journey.transitions] + [
        s.enter_when for s in journey.stages if s.enter_when is not None
    ]
    ins = np.asarray(c.ins, dtype=np.int64).reshape(-1, 5)

    def arr2(x: list[tuple[int, int]]) -> I64:
        return np.asarray(x, dtype=np.int64).reshape(-1, 2)

    return CompiledJourney(
        journey,
        tuple(c.atoms),
        tuple(c.distinct),
        Program(*(np.ascontiguousarray(ins[:, i]) for i in range(5))),
        np.asarray(c.ms_ids, dtype=np.int64),
        arr2(stage_enter),
        np.asarray([s.terminal for s in journey.stages], dtype=np.bool_),
        arr2(stage_ms),
        arr2(ms_prog),
        np.asarray([m.due.micros if m.due else -1 for m in ms], dtype=np.int64),
        np.asarray(
            [-1 if t.from_stage == "*" else index[t.from_stage] for t in journey.transitions],
            dtype=np.int64,
        ),
        np.asarray([index[t.to_stage] for t in journey.transitions], dtype=np.int64),
        arr2(tr_prog),
        arr2(risk_prog),
        risk_ok,
        np.asarray(time_periods(move_conds), dtype=np.int64),
        max(1, len(c.ins)),
    )


def atom_masks(
    cj: CompiledJourney, table: EventTable, rows: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.uint64]:
    """One uint64 per event: bit a set when the event counts for atom a.

    With `rows` (the rows of this journey's customers), only those rows are computed: the others
    are never read, and each journey then costs its own share of the log, not all of it."""
    n = table.rows
    full = np.zeros(n, dtype=np.uint64)
    idx = rows if rows is not None else slice(None)
    m = int(rows.shape[0]) if rows is not None else n
    out = np.zeros(m, dtype=np.uint64)
    names = table.event.values
    ecodes = table.event.codes[idx]
    for a, atom in enumerate(cj.atoms):
        name_ok = np.fromiter((v in atom.events for v in names), dtype=np.bool_, count=len(names))
        ok = name_ok[ecodes]
        for prop, matcher in atom.where:
            col = table.props.get(prop)
            if col is None:
                if not matches("", matcher):
                    ok = np.zeros(m, dtype=np.bool_)
                continue
            lut = np.fromiter(
                (matches(v, matcher) for v in col.values), dtype=np.bool_, count=len(col.values)
            )
            ok = ok & lut[col.codes[idx]]
        out |= ok.astype(np.uint64) << np.uint64(a)
    if rows is None:
        return out
    full[rows] = out
    return full


def distinct_codes(cj: CompiledJourney, table: EventTable) -> tuple[npt.NDArray[np.int32], int]:
    """[n_distinct, n_events] property codes (-1 when empty) and the largest dictionary size."""
    n = table.rows
    out = np.full((max(1, len(cj.distinct)), n), -1, dtype=np.int32)
    size = 1
    for i, (_, prop) in enumerate(cj.distinct):
        col = table.props.get(prop)
        if col is None:
            continue
        codes = col.codes.copy()
        empty = col.empty_code()
        if empty >= 0:
            codes[codes == empty] = -1
        out[i] = codes
        size = max(size, len(col.values))
    return out, size
