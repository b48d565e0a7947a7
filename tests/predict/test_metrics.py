"""The backtest metrics agree with scikit-learn's on the same arrays."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from journeyctl.predict.metrics import average_precision, brier, calibration, roc_auc


@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 20)), min_size=2, max_size=200),
)
def test_metrics_match_scikit_learn(pairs: list[tuple[bool, int]]) -> None:
    y = np.array([int(a) for a, _ in pairs], np.int8)
    p = np.array([b / 20 for _, b in pairs], np.float64)  # coarse: many ties
    if 0 < y.sum() < len(y):
        assert math.isclose(roc_auc(y, p), roc_auc_score(y, p), abs_tol=1e-12)
        assert math.isclose(average_precision(y, p), average_precision_score(y, p), abs_tol=1e-12)
    assert math.isclose(brier(y, p), brier_score_loss(y, p), abs_tol=1e-12)


def test_calibration_has_ten_bins() -> None:
    y = np.array([0, 1, 1, 0, 1], np.int8)
    p = np.array([0.05, 0.15, 0.95, 1.0, 0.1], np.float64)
    bins = calibration(y, p)
    assert [b.bin for b in bins] == list(range(10))
    assert bins[0].count == 1 and bins[0].observed == 0.0
    assert bins[1].count == 2 and bins[1].predicted is not None
    assert math.isclose(bins[1].predicted, 0.125) and bins[1].observed == 1.0
    assert bins[9].count == 2 and bins[9].observed == 0.5  # 1.0 falls in the last bin
    assert bins[5].count == 0 and bins[5].predicted is None and bins[5].observed is None
