"""The backtest as a JSON document: part of the saved model (predict --save-model) and of
`predict --format json`. It lives in the core so that the saved model's format never depends on
a renderer."""

from __future__ import annotations

import math
from typing import Any

from journeyctl.events.timestamps import format_instant
from journeyctl.predict.backtest import Backtest, Scores

DECIMALS = 6


def num(v: float | None) -> float | None:
    return None if v is None or math.isnan(v) else round(v, DECIMALS)


def scores_json(s: Scores) -> dict[str, float | None]:
    return {
        "auc": num(s.auc),
        "average_precision": num(s.average_precision),
        "brier": num(s.brier),
    }


def backtest_json(bt: Backtest) -> dict[str, Any]:
    return {
        "cutoffs": [format_instant(t) for t in bt.test_cutoffs],
        "train_rows": bt.train_rows,
        "test_rows": bt.test_rows,
        **scores_json(bt.scores),
        "calibration": [
            {
                "bin": c.bin,
                "predicted": num(c.predicted),
                "observed": num(c.observed),
                "count": c.count,
            }
            for c in bt.calibration
        ],
        "baselines": {k: scores_json(v) for k, v in bt.baselines.items()},
        # extensions: what was compared, and the training window
        "candidates": {k: scores_json(v) for k, v in bt.candidates.items()},
        "train_cutoffs": [format_instant(t) for t in bt.train_cutoffs],
        "train_positives": bt.train_positives,
        "test_positives": bt.test_positives,
        "hyperparameters": dict(bt.hyperparameters),
    }
