"""Rounding and statistics exactly as PRODUCT §11 states them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

SHARE_PLACES = 4
SHARE_SCALE = 10_000  # 10 ** SHARE_PLACES
DAY_PLACES = 1


def ratio(part: int, whole: int) -> float | None:
    """part / whole rounded half up to 4 decimals, exactly (integer arithmetic); None for 0/0."""
    if whole == 0:
        return None
    q, r = divmod(part * SHARE_SCALE, whole)
    if 2 * r >= whole:
        q += 1
    return q / SHARE_SCALE


def round_half_up(x: float, places: int) -> float:
    """Round the decimal value a float prints as, half up (Python's round() is half even on the
    binary value, so 0.125 and 2.675 would not round as a reader expects)."""
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def mean(values: Sequence[float]) -> float | None:
    if not values:
        return None
    return round_half_up(float(np.mean(np.asarray(values, dtype=np.float64))), SHARE_PLACES)


def percentiles(days: Sequence[float], qs: Sequence[float]) -> list[float | None]:
    """numpy's default (linear between closest ranks) percentiles, in days to 1 decimal."""
    if not days:
        return [None for _ in qs]
    got = np.percentile(np.asarray(days, dtype=np.float64), list(qs))
    return [round_half_up(float(v), DAY_PLACES) for v in got]
