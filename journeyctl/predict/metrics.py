"""Backtest metrics: ROC AUC, average precision, Brier score and the calibration table.

Written out (not taken from scikit-learn) so that they are small and exact; the tests check that
they agree with scikit-learn's on the same arrays.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journeyctl.predict.columns import F64

Labels = npt.NDArray[np.int8]


def _average_ranks(s: F64) -> F64:
    order = np.argsort(s, kind="mergesort")
    ranked = s[order]
    boundary = np.concatenate([[True], ranked[1:] != ranked[:-1], [True]])
    edges = np.flatnonzero(boundary)
    ranks = np.empty(len(s), np.float64)
    for a, b in itertools.pairwise(edges):
        ranks[order[a:b]] = (a + 1 + b) / 2.0  # positions a+1..b, 1-based
    return ranks


def roc_auc(y: Labels, score: F64) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos = y == 1
    n1 = int(pos.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = _average_ranks(score)
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def average_precision(y: Labels, score: F64) -> float:
    """Sum over thresholds of (recall increase) x precision, as scikit-learn defines it."""
    n1 = int((y == 1).sum())
    if n1 == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], y[order]
    last = np.flatnonzero(np.concatenate([s[1:] != s[:-1], [True]]))
    tp = np.cumsum(t == 1)[last].astype(np.float64)
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / n1
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * precision))


def brier(y: Labels, p: F64) -> float:
    return float(np.mean((p - y) ** 2))


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    bin: int
    predicted: float | None
    observed: float | None
    count: int


def calibration(y: Labels, p: F64, bins: int = 10) -> list[CalibrationBin]:
    """Mean predicted and observed rate in `bins` equal-width bins of the predicted probability."""
    idx = np.minimum((p * bins).astype(np.int64), bins - 1)
    out = []
    for b in range(bins):
        sel = idx == b
        n = int(sel.sum())
        out.append(
            CalibrationBin(
                b,
                float(p[sel].mean()) if n else None,
                float(y[sel].mean()) if n else None,
                n,
            )
        )
    return out
