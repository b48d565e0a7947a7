"""Replay one customer's events against one journey (PRODUCT §2 "Placement semantics").

This is the reference engine: straightforward, exact, and the one every faster path must agree
with. It is a pure function of (journey, events, as-of).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from journeyctl.definitions.model import AllCond, AnyCond, Condition, EventCond, Journey
from journeyctl.engine.conditions import Window, holds, time_periods
from journeyctl.events.ingest import Event


@dataclass(frozen=True, slots=True)
class Move:
    at: int
    from_stage: str | None
    to_stage: str
    direction: str  # forward | backward
    skipped: tuple[str, ...]
    trigger: str  # event name, or "time"
    # the final status (done, late or missed) of each milestone attempt of the stage this move
    # leaves, in file order: every attempt's outcome, not only the latest (analyze, §11.4)
    closed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MilestoneStatus:
    id: str
    status: str  # pending | overdue | done | late | missed
    due_at: int | None
    done_at: int | None


@dataclass(frozen=True, slots=True)
class ReplayResult:
    stage: int | None  # index into journey.stages
    entered_at: int | None
    milestones: tuple[MilestoneStatus, ...]  # the current stage's, file order, status at as-of
    attempts: dict[str, MilestoneStatus]  # latest attempt of every milestone seen
    moves: tuple[Move, ...]
    events_used: int
    window_start: int  # first event index the current stage's conditions read
    window_begin: int  # instant that window began


def _growing_names(cond: Condition) -> frozenset[str] | None:
    """The event names `cond` reads, if it can only become true when one of them enters the window.

    Such a condition (counts of events without `within`, and `all` / `any` of them) is false on an
    empty window (at_least is at least 1), reads no clock and no milestone, and once true stays
    true until the window restarts; so between two events of its names its value cannot change.
    None for every other condition: it is evaluated at every check."""
    if isinstance(cond, EventCond):
        return frozenset(cond.events) if cond.within is None else None
    if isinstance(cond, AllCond | AnyCond) and cond.items:
        parts = [_growing_names(c) for c in cond.items]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*(p for p in parts if p is not None))
    return None


@dataclass(frozen=True)
class ReplayPlan:
    """What a replay of `journey` reads, worked out once per journey rather than per customer.

    It lets a check skip the conditions that cannot have changed since they were last false (see
    `_growing_names`), so a check costs what the new event can affect, not the journey's size: a
    journey of 10,000 stages placed 71k events in 279 s when every check read every stage."""

    journey: Journey
    index: dict[str, int] = field(init=False)
    periods: tuple[int, ...] = field(init=False)
    # stages whose enter_when is read at every check (no enter_when: never read)
    always: tuple[int, ...] = field(init=False)
    # event name -> the growing conditions that read it: ("s", stage) or ("t", transition)
    readers: dict[str, tuple[tuple[str, int], ...]] = field(init=False)
    growing_transitions: frozenset[int] = field(init=False)
    _outgoing: dict[int, tuple[int, ...]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        j = self.journey
        move_conds = [t.when for t in j.transitions] + [
            s.enter_when for s in j.stages if s.enter_when is not None
        ]
        readers: dict[str, list[tuple[str, int]]] = {}
        always: list[int] = []
        growing_tr: set[int] = set()
        for k, s in enumerate(j.stages):
            if s.enter_when is None:
                continue
            names = _growing_names(s.enter_when)
            if names is None:
                always.append(k)
            for n in names or ():
                readers.setdefault(n, []).append(("s", k))
        for i, t in enumerate(j.transitions):
            names = _growing_names(t.when)
            if names is not None:
                growing_tr.add(i)
            for n in names or ():
                readers.setdefault(n, []).append(("t", i))
        set_ = object.__setattr__  # frozen: the derived fields are set once, here
        set_(self, "index", {s.id: i for i, s in enumerate(j.stages)})
        set_(self, "periods", time_periods(move_conds))
        set_(self, "always", tuple(always))
        set_(self, "readers", {n: tuple(r) for n, r in readers.items()})
        set_(self, "growing_transitions", frozenset(growing_tr))

    def outgoing(self, stage: int) -> tuple[int, ...]:
        """The transitions that may move a customer out of `stage`, in file order."""
        found = self._outgoing.get(stage)
        if found is None:
            cs = self.journey.stages[stage]
            found = tuple(
                i
                for i, tr in enumerate(self.journey.transitions)
                if (tr.from_stage == cs.id or (tr.from_stage == "*" and not cs.terminal))
                and tr.to_stage != cs.id
            )
            self._outgoing[stage] = found
        return found


class _Attempt:
    __slots__ = ("done_at", "due_at", "status")

    def __init__(self, status: str, due_at: int | None) -> None:
        self.status = status
        self.due_at = due_at
        self.done_at: int | None = None


class _Replayer:
    def __init__(self, plan: ReplayPlan, events: Sequence[Event]):
        self.plan = plan
        self.j = plan.journey
        self.events = events
        self.n_stages = len(self.j.stages)
        self.index = plan.index
        self.periods = plan.periods
        # the growing conditions that an event of the current window may have made true
        self.touched: set[tuple[str, int]] = set()
        self.cur: int | None = None
        self.entered_at: int | None = None
        self.win_start = 0
        self.win_begin = events[0].ts if events else 0
        self.processed = 0
        self.attempts: dict[str, _Attempt] = {}
        self.moves: list[Move] = []
        self.blocked = False

    # -- conditions -------------------------------------------------------------------------
    def done(self, mid: str) -> bool:
        a = self.attempts.get(mid)
        return a is not None and a.status in ("done", "late")

    def window(self) -> Window:
        return Window(self.events, self.win_start, self.processed, self.win_begin)

    # -- moves ------------------------------------------------------------------------------
    def find_move(self, t: int) -> tuple[int, bool] | None:
        """(target stage, by transition?) of the move that applies at t, if any."""
        win = self.window()
        stages = self.j.stages
        plan = self.plan
        touched = self.touched
        if self.cur is not None:
            growing = plan.growing_transitions
            for i in plan.outgoing(self.cur):
                if i in growing and ("t", i) not in touched:
                    continue  # false when last read, and no event of its names since
                tr = self.j.transitions[i]
                if holds(tr.when, t, win, self.done):
                    return self.index[tr.to_stage], True
                if i in growing:
                    touched.discard(("t", i))
            if stages[self.cur].terminal:
                return None
            first = self.cur + 1
        else:
            first = 0
        always = plan.always
        ks = set(always[bisect_left(always, first) :])
        ks.update(k for kind, k in touched if kind == "s" and k >= first)
        for k in sorted(ks, reverse=True):
            ew = stages[k].enter_when
            assert ew is not None  # only stages with enter_when are in `always` or `touched`
            if holds(ew, t, win, self.done):
                return k, False
            touched.discard(("s", k))
        return None

    def apply(self, k: int, by_transition: bool, t: int, trigger: str) -> None:
        stages = self.j.stages
        old = self.cur
        closed: list[str] = []
        if old is not None:
            for m in stages[old].milestones:
                a = self.attempts[m.id]
                if a.status == "pending":
                    a.status = "missed"
                closed.append(a.status)
        if by_transition:
            skipped: tuple[str, ...] = ()
        else:
            lo = 0 if old is None else old + 1
            skipped = tuple(s.id for s in stages[lo:k])
        direction = "forward" if old is None or k > old else "backward"
        self.moves.append(
            Move(
                t,
                stages[old].id if old is not None else None,
                stages[k].id,
                direction,
                skipped,
                trigger,
                tuple(closed),
            )
        )
        self.cur = k
        self.entered_at = t
        self.win_start = self.processed
        self.touched.clear()  # the window restarts empty: every growing condition is false
        self.win_begin = t
        for m in stages[k].milestones:
            self.attempts[m.id] = _Attempt(
                "pending", t + m.due.micros if m.due is not None else None
            )

    def check_moves(self, t: int, trigger: str) -> None:
        """Apply moves at instant t until none applies or the chain limit stops them."""
        count = 0
        while True:
            found = self.find_move(t)
            if found is None:
                return
            if count >= self.n_stages:
                self.blocked = True
                return
            self.apply(found[0], found[1], t, trigger)
            count += 1

    def next_time_change(self, now: int) -> int | None:
        """The earliest instant after `now` at which a move condition can change by time alone."""
        if not self.periods:
            return None
        best: int | None = None
        start = self.win_start if self.cur is not None else 0
        begin = (
            self.win_begin if self.cur is not None else (self.events[0].ts if self.events else 0)
        )
        for d in self.periods:
            c = begin + d
            if c > now and (best is None or c < best):
                best = c
            for i in range(self.processed - 1, start - 1, -1):
                c = self.events[i].ts + d
                if c <= now:
                    break  # events are in time order: earlier ones give earlier instants
                if best is None or c < best:
                    best = c
        return best

    def time_checks(self, now: int, until: int, inclusive: bool) -> None:
        while not self.blocked:
            c = self.next_time_change(now)
            if c is None or c > until or (c == until and not inclusive):
                return
            now = c
            self.check_moves(c, "time")

    # -- the replay -------------------------------------------------------------------------
    def run(self, as_of: int, checkpoints: Sequence[int] = ()) -> list[ReplayResult]:
        """Replay up to `as_of`; return the state at each checkpoint (sorted, <= as_of), then at as_of.

        The engine is causal (the state at t depends only on events at or before t), so one
        replay yields every checkpoint's state.
        """
        events = self.events
        out: list[ReplayResult] = []
        cps = [c for c in checkpoints if c <= as_of]
        k = 0
        now = events[0].ts if events else as_of
        for i, ev in enumerate(events):
            while k < len(cps) and cps[k] < ev.ts:
                if i > 0:
                    self.time_checks(now, cps[k], inclusive=True)
                    now = max(now, cps[k])
                out.append(self.result(cps[k], i))
                k += 1
            if i > 0:
                self.time_checks(now, ev.ts, inclusive=False)
            self.processed = i + 1
            self.touched.update(self.plan.readers.get(ev.name, ()))
            now = ev.ts
            if self.cur is not None:
                win = self.window()
                for m in self.j.stages[self.cur].milestones:
                    a = self.attempts[m.id]
                    if a.status in ("done", "late"):
                        continue
                    if holds(m.when, ev.ts, win, self.done):
                        a.status = "late" if a.due_at is not None and ev.ts > a.due_at else "done"
                        a.done_at = ev.ts
            self.blocked = False
            self.check_moves(ev.ts, ev.name)
        for cp in [*cps[k:], as_of]:
            if events:
                self.time_checks(now, cp, inclusive=True)
                now = max(now, cp)
            out.append(self.result(cp, len(events)))
        return out

    def result(self, as_of: int, used: int) -> ReplayResult:
        def status(mid: str) -> MilestoneStatus:
            a = self.attempts[mid]
            st = a.status
            if st == "pending" and a.due_at is not None and as_of > a.due_at:
                st = "overdue"
            return MilestoneStatus(mid, st, a.due_at, a.done_at)

        current = (
            ()
            if self.cur is None
            else tuple(status(m.id) for m in self.j.stages[self.cur].milestones)
        )
        return ReplayResult(
            self.cur,
            self.entered_at,
            current,
            {mid: status(mid) for mid in self.attempts},
            tuple(self.moves),
            used,
            self.win_start if self.cur is not None else 0,
            self.win_begin,
        )


def replay(journey: Journey | ReplayPlan, events: Sequence[Event], as_of: int) -> ReplayResult:
    """Replay `events` (sorted, all at or before `as_of`) against `journey` (or its plan, made
    once by a caller that replays many customers)."""
    plan = journey if isinstance(journey, ReplayPlan) else ReplayPlan(journey)
    return _Replayer(plan, events).run(as_of)[-1]


def replay_series(
    journey: Journey | ReplayPlan,
    events: Sequence[Event],
    checkpoints: Sequence[int],
    as_of: int,
) -> list[ReplayResult]:
    """The customer's state at each checkpoint (sorted ascending, each <= as_of) from one replay;
    `events_used` of each result tells how many events were at or before that checkpoint."""
    plan = journey if isinstance(journey, ReplayPlan) else ReplayPlan(journey)
    return _Replayer(plan, events).run(as_of, checkpoints)[:-1]
