"""The orders customers are listed in: by id, worst risk first, longest in stage first.

One definition for `place --sort` and the at-risk table (PRODUCT §4: "the at-risk table is always
worst first"), so `--at-risk --sort risk --limit 10` lists the table's first ten."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from journeyctl.definitions.model import SEVERITY_RANK

if TYPE_CHECKING:  # the CLI imports SORTS at start-up; the engine loads numpy and numba
    from journeyctl.engine.placement import CustomerPlacement

SORTS = ("id", "risk", "days_in_stage")


def arr_of(attrs: Mapping[str, str]) -> float:
    """The account's `arr` attribute as a number (0 when absent or not a number)."""
    try:
        return float(attrs.get("arr", "") or 0)
    except ValueError:
        return 0.0


def worst_first(c: CustomerPlacement) -> tuple[int, float, str]:
    """Highest risk level first, then the largest ARR, then the customer id."""
    return (-SEVERITY_RANK[c.risk_level], -arr_of(c.attributes), c.customer_id)


def sort_key(by: str) -> Callable[[CustomerPlacement], Any]:
    """The key of `place --sort BY`; `days_in_stage` puts the longest in their stage first and
    customers without a stage (not started) last."""
    if by == "risk":
        return worst_first
    if by == "days_in_stage":

        def longest_first(c: CustomerPlacement) -> tuple[bool, int, str]:
            entered = c.entered_at
            # an earlier entry is longer in stage; ties by id. Exact microseconds, not rounded days.
            return (entered is None, entered if entered is not None else 0, c.customer_id)

        return longest_first
    if by == "id":
        return lambda c: c.customer_id
    raise ValueError(f"unknown sort {by!r}")
