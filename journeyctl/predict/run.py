"""`predict` as a library call: examples, backtest, refit, scores with reasons."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from journeyctl.checks import DataWarning, check_placement
from journeyctl.definitions.model import JourneySet
from journeyctl.durations import Duration
from journeyctl.engine.placement import PlaceResult, place
from journeyctl.errors import InputError
from journeyctl.events.ingest import EventLog
from journeyctl.events.timestamps import format_instant
from journeyctl.predict.backtest import (
    MIN_CLASS,
    MIN_TRAIN_CUTOFFS,
    Backtest,
    run_backtest,
    tuned,
)
from journeyctl.predict.backtestdoc import backtest_json
from journeyctl.predict.columns import I64, EventColumns
from journeyctl.predict.dataset import Examples, Progress, build_examples
from journeyctl.predict.explain import Explainer, Factor
from journeyctl.predict.features import F32, FeatureBuilder
from journeyctl.predict.history import UNMATCHED, StageState, state_of_placement
from journeyctl.predict.modelio import SavedModel, model_document
from journeyctl.predict.models import Model, fit, sigmoid
from journeyctl.predict.spec import FeatureSpec, build_spec
from journeyctl.predict.suggest import horizon_hint, paths_of, smallest_horizon
from journeyctl.predict.target import (
    Target,
    no_such_target,
    parse_horizon,
    parse_target,
    plan_cutoffs,
)

DECIMALS = 6
CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Prediction:
    customer_id: str
    journey: str | None
    stage: str | None
    probability: float
    factors: tuple[Factor, ...]


@dataclass(frozen=True, slots=True)
class PredictResult:
    as_of: int
    target: str
    horizon: str
    backtest: Backtest
    customers: tuple[Prediction, ...]  # sorted by customer_id
    model_document: dict[str, Any]  # what --save-model writes
    warnings: tuple[DataWarning, ...] = ()  # the data checks (PRODUCT §4)


def _score(
    model: Model,
    spec: FeatureSpec,
    cols: EventColumns,
    x: F32,
    rows: I64,
    states: Sequence[StageState],
) -> list[Prediction]:
    explainer = Explainer(spec.columns())
    out: list[Prediction] = []
    for lo in range(0, len(rows), CHUNK):  # chunks bound the memory of the contributions
        xc = x[lo : lo + CHUNK]
        p = sigmoid(model.logit(xc))
        factors = explainer.factors(xc, model.contributions(xc))
        out += [
            Prediction(cols.ids[i], s.journey, s.stage, round(float(pi), DECIMALS), tuple(f))
            for i, s, pi, f in zip(
                rows[lo : lo + CHUNK], states[lo : lo + CHUNK], p, factors, strict=True
            )
        ]
    return out


def run_predict(
    journeys: JourneySet,
    log: EventLog,
    as_of: int,
    *,
    target: str = "churned",
    horizon: str = "90d",
    cutoffs: str | None = None,
    accounts: Mapping[str, Mapping[str, str]] | None = None,
    progress: Progress | None = None,
) -> PredictResult:
    """Learn `target` within `horizon` from the log up to `as_of`, backtest, and score everyone."""
    tgt = parse_target(target, journeys)
    hz = parse_horizon(horizon)
    cols = EventColumns(log, as_of)
    if not cols.n_customers:
        raise InputError(f"no event at or before {format_instant(as_of)}: nothing to learn from")
    if tgt.kind == "event" and tgt.value not in cols.names:
        raise no_such_target(
            tgt,
            f"no event named {tgt.value!r} at or before {format_instant(as_of)} in the input",
            cols.names,
            "check the name against the event column",
        )
    plan = plan_cutoffs(cutoffs, hz, as_of, int(cols.first_ts().min()))
    spec = build_spec(journeys, cols, accounts)
    builder = FeatureBuilder(spec, cols, accounts)
    placed = place(journeys, log, as_of, accounts)
    warnings = check_placement(journeys, log, accounts, placed)
    now = states_now(placed, tgt)
    ex = build_examples(journeys, cols, builder, plan, tgt, accounts, now, progress)
    names = [c.name for c in builder.columns]
    # for a stage target, the placements at as-of answer "which horizon would work" (only then
    # are they kept while the models fit)
    hint = _stage_hint(placed, tgt, cols, hz, cutoffs, as_of) if tgt.kind == "stage" else None
    del builder, now, placed  # every feature row is built: free them before fitting
    cols.keep_only(set())
    bt = run_backtest(ex, plan, names, hint)
    del hint
    # The refit's hyperparameter is chosen like the backtest's, one step later: on the test
    # cutoff, from the rows whose label window ends by then.
    test_cut = bt.test_cutoffs[0]
    valid_train = ex.row_cutoff + hz.micros <= test_cut
    param = tuned(bt.model, ex, valid_train, ex.row_cutoff == test_cut)
    model = fit(bt.model, ex.x, ex.y, param)
    preds = _score(model, spec, cols, ex.score_x, ex.score_customers, ex.score_states)
    doc = model_document(journeys, tgt, hz, spec, model, _metadata(as_of, ex, bt))
    return PredictResult(as_of, tgt.text, hz.text, bt, tuple(preds), doc, tuple(warnings))


def _stage_hint(
    placed: PlaceResult,
    tgt: Target,
    cols: EventColumns,
    hz: Duration,
    cutoffs: str | None,
    as_of: int,
) -> Callable[[], str]:
    """What says, when a stage target has too few positives, which longer horizon would work."""
    first = dict(zip(cols.ids, cols.first_ts().tolist(), strict=True))

    def hint() -> str:
        paths = paths_of(placed, tgt, first)
        start = min(first.values())
        found = smallest_horizon(paths, hz, cutoffs, as_of, start, MIN_CLASS, MIN_TRAIN_CUTOFFS)
        return horizon_hint(found, hz)

    return hint


def _metadata(as_of: int, ex: Examples, bt: Backtest) -> dict[str, Any]:
    return {
        "as_of": format_instant(as_of),
        "training_window": {
            "first_cutoff": format_instant(ex.cutoffs[0]),
            "last_cutoff": format_instant(ex.cutoffs[-1]),
            "cutoffs": [format_instant(t) for t in ex.cutoffs],
            "rows": len(ex.y),
            "positives": int(ex.y.sum()),
        },
        "backtest": backtest_json(bt),
    }


def predict_placed(
    saved: SavedModel,
    result: PlaceResult,
    log: EventLog,
    accounts: Mapping[str, Mapping[str, str]] | None,
) -> dict[str, Prediction | None]:
    """The saved model's prediction for every placed and unmatched customer (None: at target)."""
    spec, target = saved.spec, saved.target
    if spec.accounts and accounts is None:
        raise InputError(
            "the model was trained with --accounts attributes: give the same --accounts file"
        )
    missing = _missing_columns(spec, log)
    if missing:
        raise InputError(
            "the model needs event columns these events do not have: " + ", ".join(missing),
            hint="use the model with events of the same shape, or retrain it on these",
        )
    cols = EventColumns(log, result.as_of)
    state = states_now(result, target)
    out: dict[str, Prediction | None] = {}
    rows: list[int] = []
    states: list[StageState] = []
    for i, cid in enumerate(cols.ids):
        s = state[cid]
        if s.at_target:
            out[cid] = None
        else:
            rows.append(i)
            states.append(s)
    idx = np.array(rows, np.int64)
    x = FeatureBuilder(spec, cols, accounts).matrix(result.as_of, idx, states)
    for p in _score(saved.model, spec, cols, x, idx, states):
        out[p.customer_id] = p
    return out


def states_now(result: PlaceResult, target: Target) -> dict[str, StageState]:
    """Every listed customer's state at as-of, as `place` placed it (unmatched ones too)."""
    out = {c.customer_id: state_of_placement(c, result.as_of, target) for c in result.customers}
    out.update(dict.fromkeys(result.unmatched, UNMATCHED))
    return out


def _missing_columns(spec: FeatureSpec, log: EventLog) -> list[str]:
    need = [p for _, p in spec.distinct] + list(spec.numeric)
    if not spec.accounts:
        need += [p for p, _ in spec.categorical]
    return sorted({p for p in need if p not in log.columns})


__all__ = ["PredictResult", "Prediction", "Target", "predict_placed", "run_predict"]
