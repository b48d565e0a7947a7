"""Render predictions: the §6 JSON object, CSV rows, tables, and the `--model` additions to
`place` and `show`."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from journeyctl.events.timestamps import format_instant
from journeyctl.output import place as place_render
from journeyctl.output.files import Cell, csv_line, csv_text
from journeyctl.output.jsonout import dumps_exact, inline
from journeyctl.output.show import show_csv, show_obj, show_tables
from journeyctl.output.tabledata import TableData
from journeyctl.pipeline import ShowData
from journeyctl.predict.backtestdoc import backtest_json
from journeyctl.predict.explain import Factor
from journeyctl.predict.run import Prediction, PredictResult

if TYPE_CHECKING:
    from journeyctl.engine.placement import CustomerPlacement, PlaceResult
    from journeyctl.pipeline import ModelPredictions

TOP = 5


def factor_json(f: Factor) -> dict[str, Any]:
    return {"feature": f.feature, "value": f.value, "contribution": f.contribution}


def prediction_json(p: Prediction | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"probability": p.probability, "factors": [factor_json(f) for f in p.factors]}


def customer_json(p: Prediction) -> dict[str, Any]:
    return {
        "customer_id": p.customer_id,
        "journey": p.journey,
        "stage": p.stage,
        "probability": p.probability,
        "factors": [factor_json(f) for f in p.factors],
    }


def predict_json(r: PredictResult, customers: bool = True) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "as_of": format_instant(r.as_of),
        "target": r.target,
        "horizon": r.horizon,
        "model": r.backtest.model,
        "backtest": backtest_json(r.backtest),
        "customers": [customer_json(p) for p in r.customers] if customers else [],
    }


def iter_json(r: PredictResult) -> Iterator[str]:
    """The JSON text of `predict_json(r)` (indent 2) in pieces, one customer at a time, so a
    large log's output is never held whole in memory."""
    head = dumps_exact(predict_json(r, customers=False)).rstrip("\n")
    assert head.endswith('"customers": []\n}')
    if not r.customers:
        yield head + "\n"
        return
    yield head[: -len("[]\n}")] + "["
    for i, p in enumerate(r.customers):
        item = dumps_exact(customer_json(p)).rstrip("\n")
        yield ("," if i else "") + "\n" + textwrap.indent(item, "    ")
    yield "\n  ]\n}\n"


def render_json(r: PredictResult) -> str:
    return "".join(iter_json(r))


def factor_text(f: Factor) -> str:
    value = "none" if f.value is None else str(f.value)
    return f"{f.feature}: {value} ({f.contribution:+.2f})"


def render_csv(r: PredictResult) -> str:
    header = ["customer_id", "journey", "stage", "probability"]
    for i in range(1, TOP + 1):
        header += [f"factor_{i}", f"value_{i}", f"contribution_{i}"]
    rows: list[list[Cell]] = []
    for p in r.customers:
        row: list[Cell] = [p.customer_id, p.journey, p.stage, p.probability]
        for i in range(TOP):
            f = p.factors[i] if i < len(p.factors) else None
            row += [f.feature, f.value, f.contribution] if f else [None, None, None]
        rows.append(row)
    return csv_text(header, rows)


def _fmt(v: float | None, digits: int = 3) -> str:
    return "" if v is None or math.isnan(v) else f"{v:.{digits}f}"


def backtest_table(r: PredictResult) -> TableData:
    bt = r.backtest
    rows = [
        (
            f"model: {name}" + (" (chosen)" if name == bt.model else ""),
            _fmt(s.auc),
            _fmt(s.average_precision),
            _fmt(s.brier),
        )
        for name, s in bt.candidates.items()
    ]
    rows += [
        (f"baseline: {name}", _fmt(s.auc), _fmt(s.average_precision), "")
        for name, s in bt.baselines.items()
    ]
    title = (
        f"Backtest: {r.target} within {r.horizon}, tested at "
        f"{', '.join(format_instant(t) for t in bt.test_cutoffs)} ({bt.test_rows} customers, "
        f"{bt.test_positives} positive; trained on {bt.train_rows} rows from {len(bt.train_cutoffs)} cutoffs)"
    )
    return TableData(title, ("scores", "ROC AUC", "avg precision", "Brier"), tuple(rows))


def calibration_table(r: PredictResult) -> TableData:
    rows = tuple(
        (
            f"{c.bin / 10:.1f}-{(c.bin + 1) / 10:.1f}",
            _fmt(c.predicted),
            _fmt(c.observed),
            str(c.count),
        )
        for c in r.backtest.calibration
        if c.count
    )
    return TableData(
        "Calibration (test cutoff)", ("predicted", "mean predicted", "observed", "customers"), rows
    )


def customers_table(preds: Sequence[Prediction], title: str) -> TableData:
    ordered = sorted(preds, key=lambda p: (-p.probability, p.customer_id))
    rows = tuple(
        (
            p.customer_id,
            p.journey or "(unmatched)",
            p.stage or "",
            f"{p.probability:.3f}",
            "; ".join(factor_text(f) for f in p.factors[:3]),
        )
        for p in ordered
    )
    return TableData(title, ("customer", "journey", "stage", "probability", "top factors"), rows)


def predict_tables(r: PredictResult) -> list[TableData]:
    return [
        backtest_table(r),
        calibration_table(r),
        customers_table(
            r.customers, f"Scores as of {format_instant(r.as_of)}: {r.target} within {r.horizon}"
        ),
    ]


def summary_line(r: PredictResult) -> str:
    bt = r.backtest
    return (
        f"model {bt.model}: backtest ROC AUC {_fmt(bt.scores.auc)} (recency baseline "
        f"{_fmt(bt.baselines['recency'].auc)}), {len(r.customers)} customers scored"
    )


# -- `place --model` and `show --model` ------------------------------------------------------
def add_predictions(data: dict[str, Any], preds: Mapping[str, Prediction | None]) -> dict[str, Any]:
    """`place`/`show` JSON with a `prediction` key on each customer (null when at the target)."""
    for c in data.get("customers", []):
        c["prediction"] = prediction_json(preds.get(c["customer_id"]))
    if "customer_id" in data:
        data["prediction"] = prediction_json(preds.get(data["customer_id"]))
    return data


def add_prediction_column(csv: str, preds: Mapping[str, Prediction | None]) -> str:
    """`place`/`show` CSV with `probability` and `top_factor` columns keyed by customer_id."""
    import csv as csvmod
    import io

    rows = list(csvmod.reader(io.StringIO(csv)))
    if not rows or "customer_id" not in rows[0]:
        return csv
    ci = rows[0].index("customer_id")
    out: list[list[Cell]] = []
    for row in rows[1:]:
        p = preds.get(row[ci])
        out.append(
            [
                *row,
                p.probability if p else None,
                factor_text(p.factors[0]) if p and p.factors else None,
            ]
        )
    return csv_text([*rows[0], "probability", "top_factor"], out)


def predictions_table(
    preds: Mapping[str, Prediction | None], target: str, horizon: str
) -> TableData:
    return customers_table(
        [p for p in preds.values() if p is not None], f"Prediction: {target} within {horizon}"
    )


def prediction_detail_table(p: Prediction | None, target: str, horizon: str) -> TableData:
    title = f"Prediction: {target} within {horizon}"
    if p is None:
        return TableData(title, ("factor", "value", "contribution"), (), "already at the target")
    rows = [("probability", f"{p.probability:.3f}", "")]
    rows += [
        (f.feature, "none" if f.value is None else str(f.value), f"{f.contribution:+.3f}")
        for f in p.factors
    ]
    return TableData(title, ("factor", "value", "contribution"), tuple(rows))


def _target(mp: ModelPredictions) -> dict[str, str]:
    return {"target": mp.target, "horizon": mp.horizon}


def place_model_json(
    result: PlaceResult, shown: Sequence[CustomerPlacement], mp: ModelPredictions
) -> str:
    data = add_predictions(place_render.place_json(result, shown), mp.predictions)
    data["prediction_target"] = _target(mp)
    data["unmatched_predictions"] = {
        cid: prediction_json(mp.predictions.get(cid)) for cid in result.unmatched
    }
    return dumps_exact(data)


def place_model_csv(
    result: PlaceResult, shown: Sequence[CustomerPlacement], mp: ModelPredictions
) -> str:
    return add_prediction_column(place_render.render_csv(result, shown), mp.predictions)


def place_model_tables(
    result: PlaceResult,
    shown: Sequence[CustomerPlacement],
    accounts: Mapping[str, Mapping[str, str]] | None,
    mp: ModelPredictions,
) -> list[TableData]:
    ids = {c.customer_id for c in shown}
    mine = {cid: p for cid, p in mp.predictions.items() if cid in ids}
    return [
        *place_render.place_tables(result, shown, accounts),
        predictions_table(mine, mp.target, mp.horizon),
    ]


def show_model_json(data: ShowData, mp: ModelPredictions) -> str:
    obj = show_obj(data)
    obj["prediction"] = prediction_json(mp.predictions.get(data.customer.customer_id))
    obj["prediction_target"] = _target(mp)
    return dumps_exact(obj)


def show_model_csv(data: ShowData, mp: ModelPredictions) -> str:
    p = mp.predictions.get(data.customer.customer_id)
    row: list[Cell] = [
        format_instant(data.as_of),
        "prediction",
        mp.target,
        None,
        None,
        None,
        inline(prediction_json(p)),
    ]
    return show_csv(data) + csv_line(row)


def show_model_tables(data: ShowData, mp: ModelPredictions) -> list[TableData]:
    p = mp.predictions.get(data.customer.customer_id)
    return [*show_tables(data), prediction_detail_table(p, mp.target, mp.horizon)]
