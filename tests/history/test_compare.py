"""The §5 comparison on hand-made snapshots: each rule, its edges, and the flows."""

from __future__ import annotations

from journeyctl.engine.replay import Move
from journeyctl.history.compare import (
    ABSENT,
    CATEGORIES,
    IN_STAGE,
    NOT_STARTED,
    UNMATCHED,
    Flow,
    Position,
    compare,
)
from journeyctl.history.model import (
    CustomerRecord,
    JourneyRecord,
    Snapshot,
    StageRecord,
)

DAY = 86_400_000_000
J = JourneyRecord(
    "j",
    1,
    "j.yaml",
    None,
    (
        StageRecord("a", False),
        StageRecord("b", False),
        StageRecord("c", False),
        StageRecord("lost", True),
        StageRecord("won", True),
    ),
)
K = JourneyRecord("k", 1, "k.yaml", None, (StageRecord("x", False),))


def cust(
    cid: str,
    stage: str | None = "a",
    *,
    journey: str | None = "j",
    risk: str = "none",
    moves: tuple[Move, ...] = (),
) -> CustomerRecord:
    status = "active"
    if journey is None:
        status = "unmatched"
    elif stage is None:
        status = "not_started"
    elif stage == "lost":
        status = "churned"
    elif stage == "won":
        status = "completed"
    return CustomerRecord(cid, journey, 1, stage, status, None, risk, (), (), moves, {})


def snap(
    day: int, *customers: CustomerRecord, journeys: tuple[JourneyRecord, ...] = (J, K)
) -> Snapshot:
    return Snapshot(
        day * DAY, 0, journeys, (), tuple(sorted(customers, key=lambda c: c.customer_id))
    )


def move(
    day: int, src: str | None, dst: str, direction: str = "forward", skipped: tuple[str, ...] = ()
) -> Move:
    return Move(day * DAY, src, dst, direction, skipped, "e")


def only(changes: object, **expected: list[str]) -> None:
    """Every category is empty except those given."""
    assert isinstance(changes, dict)
    want = {k: expected.get(k, []) for k in CATEGORIES}
    assert {k: list(v) for k, v in changes.items()} == want


def test_first_snapshot_everyone_is_new_and_nothing_else() -> None:
    cur = snap(
        10,
        cust("c1", "b", risk="high", moves=(move(9, "a", "b", "backward"),)),
        cust("u", journey=None),
    )
    result = compare(None, cur)
    assert result.previous_as_of is None
    only(dict(result.changes), new=["c1", "u"])


def test_position_rules_not_started_first_and_terminal_excluded() -> None:
    prev = snap(
        10,
        cust("up", "a"),
        cust("down", "c"),
        cust("start", None),
        cust("stay", "b"),
        cust("to_lost", "b"),
        cust("to_won", "a"),
        cust("left_won", "won"),
        cust("still_lost", "lost"),
    )
    cur = snap(
        20,
        cust("up", "c"),
        cust("down", "a"),
        cust("start", "a"),
        cust("stay", "b"),
        cust("to_lost", "lost"),
        cust("to_won", "won"),
        cust("left_won", "a"),  # leaving a terminal stage is neither progress nor regress
        cust("still_lost", "lost"),
    )
    only(
        dict(compare(prev, cur).changes),
        progressed=["start", "up"],
        regressed=["down"],
        churned=["to_lost"],
        completed=["to_won"],
    )


def test_backward_move_after_previous_as_of_only_between_non_terminal_stages() -> None:
    prev = snap(
        10, cust("same", "b"), cust("at_edge", "b"), cust("via_terminal", "b"), cust("old", "b")
    )
    cur = snap(
        20,
        # same stage at both, but went c -> b after the previous as-of
        cust("same", "b", moves=(move(12, "b", "c"), move(15, "c", "b", "backward"))),
        # a backward move exactly at the previous as-of is not "after" it
        cust("at_edge", "b", moves=(move(10, "c", "b", "backward"),)),
        # backward moves touching a terminal stage do not count
        cust("via_terminal", "b", moves=(move(12, "b", "won"), move(15, "won", "b", "backward"))),
        cust("old", "b", moves=(move(5, "c", "b", "backward"),)),
        # a new customer with a backward move after the previous as-of is regressed too
        cust("fresh", "a", moves=(move(11, None, "b"), move(12, "b", "a", "backward"))),
    )
    only(
        dict(compare(prev, cur).changes),
        new=["fresh"],
        regressed=["fresh", "same"],
    )


def test_skipped_is_any_move_after_previous_as_of_with_skipped_stages() -> None:
    prev = snap(10, cust("s", "a"), cust("early", "c"))
    cur = snap(
        20,
        cust("s", "c", moves=(move(12, "a", "c", skipped=("b",)),)),
        cust("early", "c", moves=(move(3, "a", "c", skipped=("b",)),)),
        cust("n", "b", moves=(move(15, None, "b", skipped=("a",)),)),
    )
    only(dict(compare(prev, cur).changes), new=["n"], progressed=["s"], skipped=["n", "s"])


def test_switched_journey_stage_removed_and_unmatched() -> None:
    j2 = JourneyRecord("j", 2, "j.yaml", None, (StageRecord("a", False), StageRecord("c", False)))
    prev = snap(
        10,
        cust("sw", "a"),
        cust("gone_stage", "b"),
        cust("gone_journey", "x", journey="k"),
        cust("to_unmatched", "a"),
        cust("from_unmatched", None, journey=None),
        journeys=(J, K),
    )
    cur = snap(
        20,
        cust("sw", "x", journey="k"),
        cust("gone_stage", "c"),  # b no longer exists: stage_removed, not progressed
        cust("gone_journey", "a"),  # k no longer exists: its stage neither
        cust("to_unmatched", None, journey=None),
        cust("from_unmatched", "a"),
        journeys=(j2,),
    )
    only(
        dict(compare(prev, cur).changes),
        switched_journey=["gone_journey", "sw"],
        stage_removed=["gone_journey", "gone_stage"],
    )


def test_risk_rules_only_active_customers_recover() -> None:
    prev = snap(
        10,
        cust("rec", "a", risk="medium"),
        cust("still", "a", risk="high"),
        cust("low", "a", risk="low"),
        cust("gone", "a", risk="high"),
        cust("unm", "a", risk="high"),
        cust("lost", "a", risk="high"),
        cust("won", "a", risk="medium"),
    )
    cur = snap(
        20,
        cust("rec", "a", risk="low"),
        cust("still", "a", risk="critical"),
        cust("low", "a", risk="medium"),
        cust("unm", None, journey=None),
        cust("newbie", "a", risk="high"),
        cust("lost", "lost"),
        cust("won", "won"),
    )
    only(
        dict(compare(prev, cur).changes),
        new=["newbie"],
        vanished=["gone"],
        newly_at_risk=["low", "newbie"],
        recovered=["rec"],  # not unm, lost or won: each is counted under its own category
        churned=["lost"],
        completed=["won"],
    )


def test_churned_and_completed_include_new_customers_not_repeats() -> None:
    prev = snap(10, cust("was_lost", "lost"), cust("was_won", "won"))
    cur = snap(
        20,
        cust("was_lost", "lost"),
        cust("was_won", "won"),
        cust("n_lost", "lost"),
        cust("n_won", "won"),
    )
    only(
        dict(compare(prev, cur).changes),
        new=["n_lost", "n_won"],
        churned=["n_lost"],
        completed=["n_won"],
    )


def test_flows_count_every_pair_most_first() -> None:
    prev = snap(
        10,
        cust("a1", "a"),
        cust("a2", "a"),
        cust("a3", "a"),
        cust("n", None),
        cust("u", journey=None),
        cust("v", "c"),
    )
    cur = snap(
        20,
        cust("a1", "a"),
        cust("a2", "a"),
        cust("a3", "b"),
        cust("n", "a"),
        cust("u", journey=None),
        cust("w", "b"),
    )
    flows = compare(prev, cur).flows
    assert flows == (
        Flow(Position(IN_STAGE, "j", "a"), Position(IN_STAGE, "j", "a"), 2),
        Flow(Position(ABSENT), Position(IN_STAGE, "j", "b"), 1),
        Flow(Position(IN_STAGE, "j", "a"), Position(IN_STAGE, "j", "b"), 1),
        Flow(Position(IN_STAGE, "j", "c"), Position(ABSENT), 1),
        Flow(Position(NOT_STARTED, "j"), Position(IN_STAGE, "j", "a"), 1),
        Flow(Position(UNMATCHED), Position(UNMATCHED), 1),
    )
