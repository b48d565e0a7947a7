"""The model families: a regularised logistic regression and gradient-boosted trees (LightGBM).

Both give a probability and each column's signed contribution to the log-odds: for the linear
model coefficient times standardized value (relative to the average training row), for the trees
LightGBM's own per-prediction contributions (`pred_contrib`). Both are stored as plain data (JSON
numbers, LightGBM's text model format) and reloaded to give identical probabilities.
"""

from __future__ import annotations

import warnings
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from journeyctl.predict.columns import F64
from journeyctl.predict.features import F32

SEED = 20240601
LINEAR = "logistic_regression"
TREES = "lightgbm"
CLIP = 5.0  # standardized values are clipped: scores at as-of lie beyond the training range

LGB_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 100,  # at most: see _params
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 63,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "seed": SEED,
    "verbose": -1,
}
LGB_ROUNDS = 300  # without a validation split; else chosen by early stopping up to MAX_ROUNDS
MAX_ROUNDS = 600
PATIENCE = 50
LINEAR_C = 0.1
LINEAR_CS = (0.01, 0.1, 1.0)
TUNE_ROWS = 50_000


def sigmoid(z: F64) -> F64:
    out: F64 = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
    return out


class Model(Protocol):
    family: str

    def logit(self, x: F32) -> F64: ...

    def contributions(self, x: F32) -> F64: ...

    def to_json(self) -> dict[str, Any]: ...


class LinearModel:
    """Logistic regression over log1p-transformed (non-negative columns), median-imputed
    (with a missing-value indicator), standardized and clipped columns."""

    family = LINEAR

    def __init__(
        self,
        log1p: npt.NDArray[np.bool_],
        median: F64,
        indicator: npt.NDArray[np.bool_],
        mean: F64,
        scale: F64,
        coef: F64,
        intercept: float,
    ) -> None:
        self.log1p, self.median, self.indicator = log1p, median, indicator
        self.mean, self.scale, self.coef, self.intercept = mean, scale, coef, intercept

    @staticmethod
    def _prepare(x: F32, log1p: npt.NDArray[np.bool_]) -> F64:
        v = x.astype(np.float64)
        v[:, log1p] = np.log1p(np.maximum(v[:, log1p], 0.0))
        return v

    def _z(self, x: F32) -> F64:
        v = self._prepare(x, self.log1p)
        missing = np.isnan(v)
        v = np.where(missing, self.median, v)
        z = np.concatenate([v, missing[:, self.indicator].astype(np.float64)], axis=1)
        out: F64 = np.clip((z - self.mean) / self.scale, -CLIP, CLIP)
        return out

    @staticmethod
    def fit(x: F32, y: npt.NDArray[np.int8], c: float = LINEAR_C) -> LinearModel:
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

        with np.errstate(invalid="ignore"):
            mins = np.nanmin(np.where(np.isnan(x), np.inf, x), axis=0)
        log1p = mins >= 0
        v = LinearModel._prepare(x, log1p)
        missing = np.isnan(v)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            median = np.nanmedian(v, axis=0)
        median = np.where(np.isnan(median), 0.0, median)
        indicator = np.asarray(missing.any(axis=0), bool)
        v = np.where(missing, median, v)
        z = np.concatenate([v, missing[:, indicator].astype(np.float64)], axis=1)
        mean = z.mean(axis=0)
        std = z.std(axis=0)
        scale = np.where(std > 1e-12, std, 1.0)
        zs = np.clip((z - mean) / scale, -CLIP, CLIP)
        lr = LogisticRegression(C=c, max_iter=500)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a ConvergenceWarning at max_iter is harmless here
            lr.fit(zs, y)
        return LinearModel(
            log1p,
            median,
            indicator,
            mean,
            scale,
            lr.coef_[0].astype(np.float64),
            float(lr.intercept_[0]),
        )

    def logit(self, x: F32) -> F64:
        out: F64 = (self._z(x) * self.coef).sum(axis=1) + self.intercept
        return out

    def contributions(self, x: F32) -> F64:
        c = self._z(x) * self.coef
        n = x.shape[1]
        out = c[:, :n].copy()
        out[:, np.flatnonzero(self.indicator)] += c[:, n:]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "log1p": [bool(b) for b in self.log1p],
            "median": [float(v) for v in self.median],
            "indicator": [bool(b) for b in self.indicator],
            "mean": [float(v) for v in self.mean],
            "scale": [float(v) for v in self.scale],
            "coef": [float(v) for v in self.coef],
            "intercept": self.intercept,
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> LinearModel:
        return LinearModel(
            np.array(d["log1p"], bool),
            np.array(d["median"], np.float64),
            np.array(d["indicator"], bool),
            np.array(d["mean"], np.float64),
            np.array(d["scale"], np.float64),
            np.array(d["coef"], np.float64),
            float(d["intercept"]),
        )


class TreeModel:
    """LightGBM, seeded, single-threaded and deterministic; kept as its text model string."""

    family = TREES

    def __init__(self, model_str: str) -> None:
        import lightgbm as lgb

        self.model_str = model_str
        self.booster = lgb.Booster(model_str=model_str)

    @staticmethod
    def fit(x: F32, y: npt.NDArray[np.int8], rounds: int = LGB_ROUNDS) -> TreeModel:
        import lightgbm as lgb

        booster = lgb.train(_params(len(y)), _dataset(x, y), num_boost_round=rounds)
        # Always score through the text model, so a saved and reloaded model gives the same scores.
        return TreeModel(booster.model_to_string())

    def logit(self, x: F32) -> F64:
        # Prediction is per row, so any number of threads gives the same numbers.
        return np.asarray(self.booster.predict(x, raw_score=True, num_threads=0), np.float64)

    def contributions(self, x: F32) -> F64:
        c = np.asarray(self.booster.predict(x, pred_contrib=True, num_threads=0), np.float64)
        return c[:, :-1]

    def to_json(self) -> dict[str, Any]:
        return {"model_string": self.model_str}

    @staticmethod
    def from_json(d: dict[str, Any]) -> TreeModel:
        return TreeModel(str(d["model_string"]))


def _dataset(x: F32, y: npt.NDArray[np.int8], reference: Any = None) -> Any:
    import lightgbm as lgb

    params = {"verbose": -1, "max_bin": LGB_PARAMS["max_bin"]}
    return lgb.Dataset(x, label=y, params=params, reference=reference)


def _params(rows: int) -> dict[str, Any]:
    """Small, shallow trees; leaves need fewer rows on a small log."""
    leaf = min(int(LGB_PARAMS["min_data_in_leaf"]), max(20, rows // 50))
    return {**LGB_PARAMS, "min_data_in_leaf": leaf}


def _log_loss(y: npt.NDArray[np.int8], p: F64) -> float:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def tune(
    family: str,
    x: F32,
    y: npt.NDArray[np.int8],
    xv: F32,
    yv: npt.NDArray[np.int8],
) -> float:
    """The family's one hyperparameter, chosen on a later validation set by log loss: the
    inverse regularisation C for the linear model, the number of boosting rounds for trees."""
    if family == LINEAR:
        # C is chosen on at most TUNE_ROWS rows (every k-th, in order): a stable choice that
        # keeps the linear fits, whose cost grows with rows x features, cheap on large logs.
        step = max(1, len(y) // TUNE_ROWS)
        xs, ys = x[::step], y[::step]
        losses = [
            (_log_loss(yv, sigmoid(LinearModel.fit(xs, ys, c).logit(xv))), c) for c in LINEAR_CS
        ]
        return min(losses)[1]
    import lightgbm as lgb

    train = _dataset(x, y)
    booster = lgb.train(
        {**_params(len(y)), "metric": "binary_logloss"},
        train,
        num_boost_round=MAX_ROUNDS,
        valid_sets=[_dataset(xv, yv, reference=train)],
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
    )
    return float(max(booster.best_iteration, 20))


def fit(family: str, x: F32, y: npt.NDArray[np.int8], param: float | None = None) -> Model:
    if family == LINEAR:
        return LinearModel.fit(x, y, LINEAR_C if param is None else param)
    return TreeModel.fit(x, y, LGB_ROUNDS if param is None else int(param))


def from_json(family: str, d: dict[str, Any]) -> Model:
    return LinearModel.from_json(d) if family == LINEAR else TreeModel.from_json(d)
