"""The out-of-time backtest (PRODUCT §6) and the choice of model family.

The latest labelled cutoff is the test set; training uses only cutoffs whose label window ends at
or before it (cutoff + horizon <= test cutoff), so no label overlaps the test period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journeyctl.errors import InputError
from journeyctl.events.timestamps import format_instant
from journeyctl.predict import metrics as m
from journeyctl.predict.columns import F64
from journeyctl.predict.dataset import Examples
from journeyctl.predict.models import LINEAR, TREES, fit, sigmoid, tune
from journeyctl.predict.spec import RISK_LEVEL
from journeyctl.predict.target import CutoffPlan

FAMILIES = (LINEAR, TREES)
MIN_CLASS = 20
MIN_TRAIN_CUTOFFS = 2
MIN_TUNE_CLASS = 10  # a validation split smaller than this keeps the default hyperparameters
AUC_TIE = 0.002  # AUCs closer than this are a tie, broken by the Brier score
RECENCY = "days since last event"


@dataclass(frozen=True, slots=True)
class Scores:
    auc: float
    average_precision: float
    brier: float | None


@dataclass(frozen=True, slots=True)
class Backtest:
    test_cutoffs: tuple[int, ...]
    train_cutoffs: tuple[int, ...]
    train_rows: int
    test_rows: int
    train_positives: int
    test_positives: int
    model: str  # the family that won
    scores: Scores
    calibration: tuple[m.CalibrationBin, ...]
    baselines: dict[str, Scores]
    candidates: dict[str, Scores]
    hyperparameters: dict[str, float | None]  # per family, chosen on the last training cutoff


def _scores(y: np.ndarray[tuple[int], np.dtype[np.int8]], p: F64, brier: bool = True) -> Scores:
    return Scores(m.roc_auc(y, p), m.average_precision(y, p), m.brier(y, p) if brier else None)


def _check(
    ex: Examples,
    plan: CutoffPlan,
    train: np.ndarray,
    test: np.ndarray,
    n_train_cuts: int,
    positives_hint: Callable[[], str] | None = None,
) -> None:
    missing: list[str] = []
    short: set[str] = set()  # what is short: cutoffs, positive, negative
    if not ex.cutoffs:
        missing.append("no labelled cutoff: the log must span more than the horizon")
    if not ex.cutoffs or n_train_cuts < MIN_TRAIN_CUTOFFS:
        short.add("cutoffs")
    if ex.cutoffs and n_train_cuts < MIN_TRAIN_CUTOFFS:
        missing.append(
            f"{n_train_cuts} training cutoff{'s' if n_train_cuts != 1 else ''} (need "
            f"{MIN_TRAIN_CUTOFFS}): cutoffs whose horizon ({plan.horizon.text}) ends at or before "
            f"the test cutoff {format_instant(ex.cutoffs[-1])}"
        )
    for name, sel in (("training", train), ("test", test)):
        if not ex.cutoffs:
            break
        pos = int(ex.y[sel].sum())
        neg = int(sel.sum()) - pos
        for what, count in (("positive", pos), ("negative", neg)):
            if count < MIN_CLASS:
                short.add(what)
                missing.append(
                    f"{count} {what} example{'s' if count != 1 else ''} in {name} (need {MIN_CLASS})"
                )
    if missing:
        raise InputError(
            "too little history to predict and backtest: " + "; ".join(missing),
            details=[
                f"labelled cutoffs: {len(ex.cutoffs)}, from "
                + (
                    f"{format_instant(ex.cutoffs[0])} to {format_instant(ex.cutoffs[-1])}"
                    if ex.cutoffs
                    else "none"
                )
            ],
            hint=_hint(short, positives_hint),
        )


def _hint(short: set[str], positives_hint: Callable[[], str] | None) -> str:
    """What would help, by what is short: a longer horizon makes more positives (and fewer
    negatives and cutoffs), a shorter one the reverse, so never suggest the wrong way. Too few
    cutoffs comes first: a horizon too long for the log also leaves too few positives, and a
    longer one would leave no cutoff at all (`--horizon 300d` on the sample was told to go longer)."""
    if "cutoffs" in short:
        return "use a shorter --horizon, a longer log, or closer --cutoffs (e.g. 14d)"
    if "positive" in short and positives_hint is not None:
        return positives_hint()
    if "positive" in short:
        return "use a longer --horizon, a longer log, or a more common target"
    if "negative" in short:
        return "use a shorter --horizon or a rarer target: nearly every example reaches it"
    return "use a longer log, or a more balanced target"


def run_backtest(
    ex: Examples,
    plan: CutoffPlan,
    columns: list[str],
    positives_hint: Callable[[], str] | None = None,
) -> Backtest:
    """`positives_hint` says what would give enough positive examples, when they are short."""
    test_cut = ex.cutoffs[-1] if ex.cutoffs else 0
    test = ex.row_cutoff == test_cut
    train = ex.row_cutoff + plan.horizon.micros <= test_cut
    train_cuts = tuple(t for t in ex.cutoffs if t + plan.horizon.micros <= test_cut)
    _check(ex, plan, train, test, len(train_cuts), positives_hint)
    xtr, ytr, xte, yte = ex.x[train], ex.y[train], ex.x[test], ex.y[test]
    candidates: dict[str, Scores] = {}
    probs: dict[str, F64] = {}
    hyper: dict[str, float | None] = {}
    inner_cut = train_cuts[-1]
    inner_tr = ex.row_cutoff + plan.horizon.micros <= inner_cut
    for family in FAMILIES:
        hyper[family] = tuned(family, ex, inner_tr, ex.row_cutoff == inner_cut)
        model = fit(family, xtr, ytr, hyper[family])
        probs[family] = sigmoid(model.logit(xte))
        candidates[family] = _scores(yte, probs[family])
    best = FAMILIES[0]
    for family in FAMILIES[1:]:
        a, b = candidates[family], candidates[best]
        if a.auc > b.auc + AUC_TIE or (
            abs(a.auc - b.auc) <= AUC_TIE and (a.brier or 0) < (b.brier or 0)
        ):
            best = family
    baselines: dict[str, Scores] = {}
    for name, col in (("recency", RECENCY), ("risk_level", RISK_LEVEL)):
        j = columns.index(col)
        s_tr = xtr[:, j].astype(np.float64)
        sign = -1.0 if m.roc_auc(ytr, s_tr) < 0.5 else 1.0
        baselines[name] = _scores(yte, sign * xte[:, j].astype(np.float64), brier=False)
    return Backtest(
        (test_cut,),
        train_cuts,
        int(train.sum()),
        int(test.sum()),
        int(ytr.sum()),
        int(yte.sum()),
        best,
        candidates[best],
        tuple(m.calibration(yte, probs[best])),
        baselines,
        candidates,
        hyper,
    )


def tuned(
    family: str, ex: Examples, train: npt.NDArray[np.bool_], valid: npt.NDArray[np.bool_]
) -> float | None:
    """The family's hyperparameter chosen on a later validation cutoff, or None (the default)
    when either side has too few examples of a class."""
    for sel in (train, valid):
        pos = int(ex.y[sel].sum())
        if pos < MIN_TUNE_CLASS or int(sel.sum()) - pos < MIN_TUNE_CLASS:
            return None
    return tune(family, ex.x[train], ex.y[train], ex.x[valid], ex.y[valid])
