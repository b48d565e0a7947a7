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


def _where_ok(ev: Event, where: tuple[tuple[str, Matcher], ...]) -> bool:
    props = ev.props
    return all(matches(props.get(k, ""), m) for k, m in where)


def holds(cond: Condition, t: int, win: Window, done: MilestoneDone) -> bool:
    """Whether `cond` holds at instant `t` (every event in the window is at or before t)."""
    if isinstance(cond, EventCond):
        lo = t - cond.within.micros if cond.within is not None else None
        names = cond.events
        evs = win.events
        if cond.distinct is None:
            need = cond.at_least
            n = 0
            for i in range(win.end - 1, win.start - 1, -1):
                ev = evs[i]
                if lo is not None and ev.ts <= lo:
                    break
                if ev.name in names and _where_ok(ev, cond.where):
                    n += 1
                    if n >= need:
                        return True
            return False
        seen: set[str] = set()
        prop = cond.distinct
        for i in range(win.end - 1, win.start - 1, -1):
            ev = evs[i]
            if lo is not None and ev.ts <= lo:
                break
            if ev.name in names and _where_ok(ev, cond.where):
                v = ev.props.get(prop, "")
                if v != "":
                    seen.add(v)
                    if len(seen) >= cond.at_least:
                        return True
        return False
    if isinstance(cond, LatestCond):
        lo = t - cond.within.micros if cond.within is not None else None
        evs = win.events
        for i in range(win.end - 1, win.start - 1, -1):
            ev = evs[i]
            if lo is not None and ev.ts <= lo:
                return False
            if ev.name in cond.events:
                return _where_ok(ev, cond.where)
        return False
    if isinstance(cond, InactiveCond):
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
    if isinstance(cond, MilestonesCond):
        return all(done(m) for m in cond.ids)
    if isinstance(cond, AllCond):
        return all(holds(c, t, win, done) for c in cond.items)
    if isinstance(cond, AnyCond):
        return any(holds(c, t, win, done) for c in cond.items)
    if isinstance(cond, NotCond):
        return not holds(cond.item, t, win, done)
    raise TypeError(f"unknown condition {cond!r}")


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
