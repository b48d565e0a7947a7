"""Hypothesis strategies: random journeys (every condition form) and random event logs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

EVENTS = ["e0", "e1", "e2", "e3"]
VALUES = ["a", "b", "7", "7.0", "10", ""]
DURATIONS = ["12h", "1d", "2d", "1w"]


def matchers() -> st.SearchStrategy[Any]:
    scalar = st.sampled_from(["a", "b", 7, 7.5, "10", True])
    return st.one_of(
        scalar,
        st.lists(scalar, min_size=1, max_size=2),
        st.builds(
            lambda op, v: {op: v}, st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]), scalar
        ),
        st.builds(
            lambda op, v: {op: v},
            st.sampled_from(["in", "not_in"]),
            st.lists(scalar, min_size=1, max_size=2),
        ),
        st.builds(lambda b: {"exists": b}, st.booleans()),
    )


def leaf_conditions(milestones: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    ev = st.sampled_from(EVENTS)
    where = st.one_of(st.none(), st.builds(lambda m: {"p": m}, matchers()))

    def event_cond(e: str, w: Any, n: int, distinct: bool, within: str | None) -> dict[str, Any]:
        c: dict[str, Any] = {"event": e}
        if w is not None:
            c["where"] = w
        if n > 1:
            c["at_least"] = n
        if distinct:
            c["distinct"] = "p"
        if within:
            c["within"] = within
        return c

    def latest_cond(e: str, w: Any, within: str | None) -> dict[str, Any]:
        c: dict[str, Any] = {"latest": e, "where": w or {"p": "a"}}
        if within:
            c["within"] = within
        return c

    forms = [
        st.builds(
            event_cond,
            ev,
            where,
            st.integers(1, 3),
            st.booleans(),
            st.one_of(st.none(), st.sampled_from(DURATIONS)),
        ),
        st.builds(latest_cond, ev, where, st.one_of(st.none(), st.sampled_from(DURATIONS))),
        st.builds(
            lambda es, d: {"inactive": es, "for": d},
            st.lists(ev, min_size=1, max_size=2, unique=True),
            st.sampled_from(DURATIONS),
        ),
    ]
    if milestones:
        forms.append(
            st.builds(
                lambda ms: {"milestones": ms},
                st.lists(st.sampled_from(milestones), min_size=1, max_size=2, unique=True),
            )
        )
    return st.one_of(*forms)


def conditions(milestones: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        leaf_conditions(milestones),
        lambda inner: st.one_of(
            st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda x: {"not": x}, inner),
        ),
        max_leaves=3,
    )


@st.composite
def journeys(draw: st.DrawFn) -> dict[str, Any]:
    """A journey that passes validation: 2-5 stages, milestones, transitions, risks."""
    n = draw(st.integers(2, 5))
    stage_ids = [f"s{i}" for i in range(n)]
    terminal = draw(st.booleans())
    stages: list[dict[str, Any]] = []
    earlier_milestones: list[str] = []
    for i, sid in enumerate(stage_ids):
        is_terminal = terminal and i == n - 1
        stage: dict[str, Any] = {"id": sid}
        stage["enter_when"] = draw(conditions(list(earlier_milestones)))
        if is_terminal:
            stage["terminal"] = True
            stage["outcome"] = draw(st.sampled_from(["churned", "completed"]))
        else:
            ms = []
            for k in range(draw(st.integers(0, 2))):
                mid = f"m{i}_{k}"
                m: dict[str, Any] = {"id": mid, "when": draw(conditions(list(earlier_milestones)))}
                if draw(st.booleans()):
                    m["due"] = draw(st.sampled_from(DURATIONS))
                ms.append(m)
            if ms:
                stage["milestones"] = ms
            if draw(st.booleans()):
                stage["max_duration"] = draw(st.sampled_from(DURATIONS))
            stage["activities"] = [f"do {sid}"]
        stages.append(stage)
        earlier_milestones += [m["id"] for m in stage.get("milestones", [])]
    transitions = []
    for _ in range(draw(st.integers(0, 3))):
        frm = draw(st.sampled_from([*stage_ids, "*"]))
        to = draw(st.sampled_from([s for s in stage_ids if s != frm]))
        transitions.append({"from": frm, "to": to, "when": draw(conditions(earlier_milestones))})
    risks = []
    for r in range(draw(st.integers(0, 2))):
        risk: dict[str, Any] = {
            "id": f"r{r}",
            "when": draw(conditions(earlier_milestones)),
            "severity": draw(st.sampled_from(["low", "medium", "high", "critical"])),
        }
        if draw(st.booleans()):
            risk["stages"] = draw(
                st.lists(st.sampled_from(stage_ids), min_size=1, max_size=2, unique=True)
            )
        risks.append(risk)
    j: dict[str, Any] = {"journey": "j", "version": 1, "stages": stages}
    if transitions:
        j["transitions"] = transitions
    if risks:
        j["risks"] = risks
    return j


@st.composite
def event_logs(draw: st.DrawFn, max_rows: int = 25) -> list[tuple[str, int, str, str]]:
    """Rows (customer, minute offset, event, p) over a few customers and ~3 weeks."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["c1", "c2", "c3"]),
                st.integers(0, 60 * 24 * 21).map(lambda m: m - m % 180),
                st.sampled_from(EVENTS),
                st.sampled_from(VALUES),
            ),
            min_size=1,
            max_size=max_rows,
        )
    )
    return rows


def csv_text(rows: list[tuple[str, int, str, str]]) -> str:
    from datetime import UTC, datetime, timedelta

    base = datetime(2026, 1, 1, tzinfo=UTC)
    lines = ["customer_id,timestamp,event,p"]
    for cid, minutes, ev, p in rows:
        ts = (base + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{cid},{ts},{ev},{p}")
    return "\n".join(lines) + "\n"
