"""Evaluate conditions (PRODUCT §2 "Conditions") over a window of a customer's events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import (
    AllCond,
    AnyCond,
    Condition,
    EventCond,
    InactiveCond,
    LatestCond,
    Matcher,
    MilestonesCond,
    NotCond,
    iter_conditions,
)
from journeyctl.definitions.values import matches
from journeyctl.events.ingest import Event


@dataclass(frozen=True, slots=True)
class Window:
    """Events `events[start:end]`, the ones a condition may read; `begin` is when it began."""

    events: Sequence[Event]
    start: int
    end: int
    begin: int


MilestoneDone = Callable[[str], bool]


def where_ok(ev: Event, where: tuple[tuple[str, Matcher], ...]) -> bool:
    props = ev.props
    return all(matches(props.get(k, ""), m) for k, m in where)


def holds(cond: Condition, t: int, win: Window, done: MilestoneDone) -> bool:
    """Whether `cond` holds at instant `t` (every event in the window is at or before t)."""
    if isinstance(cond, EventCond):
        if cond.distinct is None:
            return _count_holds(cond, t, win)
        return _distinct_holds(cond, cond.distinct, t, win)
    if isinstance(cond, LatestCond):
        return _latest_holds(cond, t, win)
    if isinstance(cond, InactiveCond):
        return _inactive_holds(cond, t, win)
    if isinstance(cond, MilestonesCond):
        return all(done(m) for m in cond.ids)
    if isinstance(cond, AllCond):
        return all(holds(c, t, win, done) for c in cond.items)
    if isinstance(cond, AnyCond):
        return any(holds(c, t, win, done) for c in cond.items)
    if isinstance(cond, NotCond):
        return not holds(cond.item, t, win, done)
    raise TypeError(f"unknown condition {cond!r}")


def _count_holds(cond: EventCond, t: int, win: Window) -> bool:
    """`{event: E, at_least: N}`: N matching events in the window (and `within`)."""
    lo = t - cond.within.micros if cond.within is not None else None
    names = cond.events
    evs = win.events
    need = cond.at_least
    n = 0
    for i in range(win.end - 1, win.start - 1, -1):
        ev = evs[i]
        if lo is not None and ev.ts <= lo:
            break
        if ev.name in names and where_ok(ev, cond.where):
            n += 1
            if n >= need:
                return True
    return False


def _distinct_holds(cond: EventCond, prop: str, t: int, win: Window) -> bool:
    """`{event: E, distinct: P, at_least: N}`: N distinct non-empty values of P."""
    lo = t - cond.within.micros if cond.within is not None else None
    names = cond.events
    evs = win.events
    seen: set[str] = set()
    for i in range(win.end - 1, win.start - 1, -1):
        ev = evs[i]
        if lo is not None and ev.ts <= lo:
            break
        if ev.name in names and where_ok(ev, cond.where):
            v = ev.props.get(prop, "")
            if v != "":
                seen.add(v)
                if len(seen) >= cond.at_least:
                    return True
    return False


def _latest_holds(cond: LatestCond, t: int, win: Window) -> bool:
    """`{latest: E, where: ...}`: the most recent E in the window matches."""
    lo = t - cond.within.micros if cond.within is not None else None
    evs = win.events
    for i in range(win.end - 1, win.start - 1, -1):
        ev = evs[i]
        if lo is not None and ev.ts <= lo:
            return False
        if ev.name in cond.events:
            return where_ok(ev, cond.where)
    return False


def _inactive_holds(cond: InactiveCond, t: int, win: Window) -> bool:
    """`{inactive: E, for: D}`: no E in (t - D, t], and the window began at least D before t."""
    lo = t - cond.period.micros
    if win.begin > lo:
        return False
    evs = win.events
    for i in range(win.end - 1, win.start - 1, -1):
        ev = evs[i]
        if ev.ts <= lo:
            return True
        if ev.name in cond.events:
            return False
    return True


def time_periods(conds: Sequence[Condition]) -> tuple[int, ...]:
    """The distinct `within` / `for` lengths (microseconds) in the conditions: the time steps
    after an event at which any of them can change without a new event."""
    out: set[int] = set()
    for cond in conds:
        for c in iter_conditions(cond):
            if isinstance(c, EventCond | LatestCond) and c.within is not None:
                out.add(c.within.micros)
            elif isinstance(c, InactiveCond):
                out.add(c.period.micros)
    return tuple(sorted(out))
