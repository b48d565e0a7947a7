"""Explain a placement in words: what each possible next move waits for, why each risk holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
from journeyctl.engine.conditions import MilestoneDone, Window, holds, where_ok
from journeyctl.engine.replay import MilestoneStatus
from journeyctl.engine.result import CustomerPlacement
from journeyctl.events.ingest import Event
from journeyctl.events.timestamps import format_instant


@dataclass(frozen=True, slots=True)
class Explanation:
    text: str
    holds: bool
    children: tuple[Explanation, ...] = ()
    events: tuple[Event, ...] = ()


def _matcher_text(prop: str, m: Matcher) -> str:
    vals = ", ".join(str(v) for v in m.values)
    if m.op == "eq":
        return f"{prop} = {vals}"
    if m.op == "exists":
        return f"{prop} {'present' if m.values[0] else 'absent'}"
    if m.op in ("in", "not_in"):
        return f"{prop} {'in' if m.op == 'in' else 'not in'} [{vals}]"
    sym = {"ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[m.op]
    return f"{prop} {sym} {vals}"


def _where_text(where: tuple[tuple[str, Matcher], ...]) -> str:
    return " with " + " and ".join(_matcher_text(k, m) for k, m in where) if where else ""


def _names(names: tuple[str, ...]) -> str:
    return " or ".join(names)


def _day(us: int | None) -> str:
    return format_instant(us)[:10] if us is not None else "?"


def explain(
    cond: Condition,
    t: int,
    win: Window,
    done: MilestoneDone,
    attempts: dict[str, MilestoneStatus],
    scope: str,
) -> Explanation:
    """An explanation tree of `cond` at t; `scope` says what the window is, e.g. 'since entering'."""
    ok = holds(cond, t, win, done)
    evs = win.events[win.start : win.end]
    if isinstance(cond, EventCond):
        return _explain_event(cond, t, evs, ok, scope)
    if isinstance(cond, LatestCond):
        latest = next((e for e in reversed(evs) if e.name in cond.events), None)
        desc = f"latest {_names(cond.events)}{_where_text(cond.where)}"
        if latest is None:
            return Explanation(f"{desc}: no such event {scope}", ok)
        props = ", ".join(f"{k}={latest.props.get(k, '')}" for k, _ in cond.where)
        return Explanation(
            f"{desc}: latest on {_day(latest.ts)}" + (f" ({props})" if props else ""),
            ok,
            (),
            (latest,),
        )
    if isinstance(cond, InactiveCond):
        last = next((e for e in reversed(evs) if e.name in cond.events), None)
        since = f"last on {_day(last.ts)}" if last else f"none {scope}"
        return Explanation(
            f"no {_names(cond.events)} for {cond.period.text} ({since})",
            ok,
            (),
            (last,) if last else (),
        )
    if isinstance(cond, MilestonesCond):
        return _explain_milestones(cond, attempts, ok)
    if isinstance(cond, NotCond):
        inner = explain(cond.item, t, win, done, attempts, scope)
        return Explanation("not: " + inner.text, ok, inner.children, inner.events)
    parts = tuple(explain(c, t, win, done, attempts, scope) for c in cond.items)
    word = "all of" if isinstance(cond, AllCond) else "any of"
    assert isinstance(cond, AllCond | AnyCond)
    return Explanation(word, ok, parts)


def _explain_event(
    cond: EventCond, t: int, evs: Sequence[Event], ok: bool, scope: str
) -> Explanation:
    lo = t - cond.within.micros if cond.within else None
    hits = tuple(
        e
        for e in evs
        if e.name in cond.events and (lo is None or e.ts > lo) and where_ok(e, cond.where)
    )
    span = f" within {cond.within.text}" if cond.within else f" {scope}"
    if cond.distinct:
        used = sorted({e.props.get(cond.distinct, "") for e in hits} - {""})
        text = (
            f"{cond.at_least} distinct {cond.distinct} in {_names(cond.events)}"
            f"{_where_text(cond.where)}{span}: {len(used)} so far"
            + (f" ({', '.join(used)})" if used else "")
        )
    else:
        text = (
            f"{_names(cond.events)}{_where_text(cond.where)} at least {cond.at_least}x"
            f"{span}: {len(hits)} so far"
        )
    return Explanation(text, ok, (), hits[-5:])


def _explain_milestones(
    cond: MilestonesCond, attempts: dict[str, MilestoneStatus], ok: bool
) -> Explanation:
    kids: list[Explanation] = []
    for mid in cond.ids:
        a = attempts.get(mid)
        if a is None:
            kids.append(Explanation(f"milestone {mid} (not attempted yet)", False))
        elif a.status in ("done", "late"):
            kids.append(Explanation(f"milestone {mid} ({a.status} {_day(a.done_at)})", True))
        else:
            due = f", due {_day(a.due_at)}" if a.due_at is not None else ""
            kids.append(Explanation(f"waiting for milestone {mid} ({a.status}{due})", False))
    if len(kids) == 1:
        return kids[0]
    return Explanation("milestones " + ", ".join(cond.ids), ok, tuple(kids))


@dataclass(frozen=True, slots=True)
class NextMove:
    target: str
    kind: str  # transition | progression
    explanation: Explanation


def next_moves(
    journey: Journey,
    c: CustomerPlacement,
    events: Sequence[Event],
    as_of: int,
    window_start: int,
    window_begin: int,
    attempts: dict[str, MilestoneStatus],
) -> list[NextMove]:
    """Every move that could happen next from the current stage, with what it waits for."""
    win = Window(events, window_start, len(events), window_begin)

    def done(mid: str) -> bool:
        a = attempts.get(mid)
        return a is not None and a.status in ("done", "late")

    scope = "since entering the stage" if c.stage is not None else "so far"
    out: list[NextMove] = []
    cur = journey.stage_index(c.stage.id) if c.stage is not None else None
    if c.stage is not None:
        for tr in journey.transitions:
            if (
                tr.from_stage == c.stage.id or (tr.from_stage == "*" and not c.stage.terminal)
            ) and tr.to_stage != c.stage.id:
                out.append(
                    NextMove(
                        tr.to_stage,
                        "transition",
                        explain(tr.when, as_of, win, done, attempts, scope),
                    )
                )
        if c.stage.terminal:
            return out
    first = 0 if cur is None else cur + 1
    for s in journey.stages[first:]:
        if s.enter_when is not None:
            out.append(
                NextMove(
                    s.id, "progression", explain(s.enter_when, as_of, win, done, attempts, scope)
                )
            )
    return out


def risk_reasons(
    journey: Journey,
    c: CustomerPlacement,
    events: Sequence[Event],
    as_of: int,
    attempts: dict[str, MilestoneStatus],
) -> list[tuple[str, Explanation]]:
    """For each active risk, the explanation of why it holds."""
    win = Window(events, 0, len(events), events[0].ts if events else as_of)

    def done(mid: str) -> bool:
        a = attempts.get(mid)
        return a is not None and a.status in ("done", "late")

    out = []
    by_id = {r.id: r for r in journey.risks}
    for r in c.risks:
        if r.builtin:
            if r.id == "overdue_milestone":
                kids = tuple(
                    Explanation(f"milestone {m.id} overdue since {_day(m.due_at)}", True)
                    for m in c.milestones
                    if m.status == "overdue"
                )
                out.append((r.id, Explanation(r.title, True, kids)))
            else:
                out.append((r.id, Explanation(f"{r.title} (entered {_day(c.entered_at)})", True)))
            continue
        out.append((r.id, explain(by_id[r.id].when, as_of, win, done, attempts, "in the log")))
    return out
