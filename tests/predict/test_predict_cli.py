"""`journeyctl predict` through the CLI: the §6 JSON, formats, byte-identical output, saved
models (reloaded, refused for other journeys), `place`/`show --model`, too little history."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run
from tests.predict.synth import JOURNEY


@pytest.fixture(scope="module")
def predicted(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    model = tmp_path_factory.mktemp("model") / "model.json"
    res = run(
        "predict",
        str(demo / "events.csv"),
        "-j",
        str(demo / "j"),
        "-f",
        "json",
        "--save-model",
        str(model),
    )
    assert res.exit_code == 0, res.stderr
    return {"stdout": res.stdout, "json": json.loads(res.stdout), "model": model}


def test_json_is_the_contract(predicted: dict[str, Any]) -> None:
    out = predicted["json"]
    assert list(out)[:8] == [
        "schema_version",
        "as_of",
        "target",
        "horizon",
        "model",
        "backtest",
        "warnings",  # the data checks (PRODUCT §4)
        "customers",
    ]
    assert out["warnings"] == []
    assert out["schema_version"] == 1 and out["target"] == "churned" and out["horizon"] == "90d"
    assert out["model"] in ("logistic_regression", "lightgbm")
    bt = out["backtest"]
    for key in (
        "cutoffs",
        "train_rows",
        "test_rows",
        "auc",
        "average_precision",
        "brier",
        "calibration",
        "baselines",
    ):
        assert key in bt
    assert len(bt["cutoffs"]) == 1 and bt["cutoffs"][0].endswith("Z")
    assert [c["bin"] for c in bt["calibration"]] == list(range(10))
    assert sum(c["count"] for c in bt["calibration"]) == bt["test_rows"]
    assert set(bt["baselines"]) == {"recency", "risk_level"}
    assert bt["baselines"]["recency"]["brier"] is None
    assert 0.5 < bt["auc"] <= 1.0
    ids = [c["customer_id"] for c in out["customers"]]
    assert ids == sorted(ids) and ids
    for c in out["customers"]:
        assert set(c) == {"customer_id", "journey", "stage", "probability", "factors"}
        assert 0.0 <= c["probability"] <= 1.0
        assert c["stage"] != "churned"  # customers at the target are not scored
        assert 1 <= len(c["factors"]) <= 5
        contributions = [abs(f["contribution"]) for f in c["factors"]]
        assert contributions == sorted(contributions, reverse=True)
        assert set(c["factors"][0]) == {"feature", "value", "contribution"}


def test_same_input_same_bytes(demo: Path, predicted: dict[str, Any]) -> None:
    again = run("predict", str(demo / "events.csv"), "-j", str(demo / "j"), "-f", "json")
    assert again.exit_code == 0
    assert again.stdout == predicted["stdout"]
    # streamed piece by piece, yet exactly what json.dumps(indent=2) gives
    assert json.dumps(predicted["json"], indent=2, ensure_ascii=False) + "\n" == again.stdout


def test_saved_model_reloads_to_the_same_probabilities(
    demo: Path, predicted: dict[str, Any]
) -> None:
    doc = json.loads(predicted["model"].read_text())
    assert doc["format"] == "journeyctl-model" and doc["family"] == predicted["json"]["model"]
    assert doc["target"] == "churned" and doc["horizon"] == "90d"
    assert doc["journeys"] == [{"id": "demo", "version": 2}]
    assert (
        doc["training_window"]["cutoffs"]
        and doc["backtest"]["auc"] == predicted["json"]["backtest"]["auc"]
    )
    res = run(
        "place",
        str(demo / "events.csv"),
        "-j",
        str(demo / "j"),
        "-f",
        "json",
        "--model",
        str(predicted["model"]),
    )
    assert res.exit_code == 0, res.stderr
    placed = json.loads(res.stdout)
    want = {c["customer_id"]: c for c in predicted["json"]["customers"]}
    seen = 0
    for c in placed["customers"]:
        if c["status"] == "churned":
            assert c["prediction"] is None
            continue
        assert c["prediction"]["probability"] == want[c["customer_id"]]["probability"]
        assert c["prediction"]["factors"] == want[c["customer_id"]]["factors"]
        seen += 1
    assert seen == len(want)


def test_show_and_place_formats_with_model(demo: Path, predicted: dict[str, Any]) -> None:
    cid = predicted["json"]["customers"][0]["customer_id"]
    args = (str(demo / "events.csv"), "-j", str(demo / "j"), "--model", str(predicted["model"]))
    shown = run("show", cid, *args, "-f", "json")
    assert shown.exit_code == 0, shown.stderr
    assert (
        json.loads(shown.stdout)["prediction"]["probability"]
        == predicted["json"]["customers"][0]["probability"]
    )
    table = run("show", cid, *args)
    assert table.exit_code == 0 and "Prediction: churned within 90d" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run("place", *args, "-f", "csv").stdout)))
    assert "probability" in rows[0] and "top_factor" in rows[0]
    md = run("place", *args, "-f", "markdown")
    assert md.exit_code == 0 and "Prediction: churned within 90d" in md.stdout


def test_model_for_other_journeys_is_refused(
    demo: Path, predicted: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "demo.yaml").write_text(JOURNEY.replace("version: 2", "version: 3"))
    res = run(
        "place", str(demo / "events.csv"), "-j", str(tmp_path), "--model", str(predicted["model"])
    )
    assert res.exit_code == 2
    assert "other journeys" in res.stderr and "demo v2" in res.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    res = run("place", str(demo / "events.csv"), "-j", str(demo / "j"), "--model", str(bad))
    assert res.exit_code == 2 and "not a journeyctl model" in res.stderr
    doc = json.loads(predicted["model"].read_text())
    doc["features"] = doc["features"][:-1]
    bad.write_text(json.dumps(doc))
    res = run("show", "c0001", str(demo / "events.csv"), "-j", str(demo / "j"), "--model", str(bad))
    assert res.exit_code == 2 and "feature set" in res.stderr


def test_other_formats(demo: Path, predicted: dict[str, Any]) -> None:
    args = (str(demo / "events.csv"), "-j", str(demo / "j"))
    out = run("predict", *args, "-f", "csv")
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["customer_id"] for r in rows] == [
        c["customer_id"] for c in predicted["json"]["customers"]
    ]
    assert list(rows[0])[:7] == [
        "customer_id",
        "journey",
        "stage",
        "probability",
        "factor_1",
        "value_1",
        "contribution_1",
    ]
    md = run("predict", *args, "-f", "markdown")
    assert md.stdout.startswith("## Backtest: churned within 90d")
    table = run("predict", *args)
    assert "ROC AUC" in table.stdout and "baseline: recency" in table.stdout


def test_too_little_history_exits_2(demo: Path, tmp_path: Path) -> None:
    lines = (demo / "events.csv").read_text().splitlines(keepends=True)
    short = [ln for ln in lines[1:] if ln.split(",")[1] < "2025-07-01"]
    (tmp_path / "short.csv").write_text(lines[0] + "".join(short))
    res = run("predict", str(tmp_path / "short.csv"), "-j", str(demo / "j"))
    assert res.exit_code == 2
    assert "too little history" in res.stderr and "training cutoff" in res.stderr
    rare = run(
        "predict", str(demo / "events.csv"), "-j", str(demo / "j"), "--target", "event:pushback"
    )
    assert rare.exit_code == 2 and "positive examples" in rare.stderr


def test_bad_options_exit_2(demo: Path) -> None:
    args = (str(demo / "events.csv"), "-j", str(demo / "j"))
    for opts in (
        ("--target", "stage:nope"),
        ("--horizon", "3 months"),
        ("--cutoffs", "soon"),
        ("-f", "html"),
    ):
        res = run("predict", *args, *opts)
        assert res.exit_code == 2, opts
        assert "Traceback" not in res.stderr


def test_csv_cells_are_formula_safe(tmp_path: Path, demo: Path) -> None:
    text = (
        (demo / "events.csv").read_text().replace("c0001,", "=c0001,").replace("c0002,", "-c0002,")
    )
    (tmp_path / "e.csv").write_text(text)
    out = run("predict", str(tmp_path / "e.csv"), "-j", str(demo / "j"), "-f", "csv")
    assert out.exit_code == 0, out.stderr
    ids = [r[0] for r in csv.reader(io.StringIO(out.stdout))]
    assert "'-c0002" in ids and "'=c0001" in ids


def test_event_target_that_never_occurs_is_named_with_a_suggestion(demo: Path) -> None:
    args = (str(demo / "events.csv"), "-j", str(demo / "j"))
    res = run("predict", *args, "--target", "event:renewal_opend")
    assert res.exit_code == 2
    assert "no event named 'renewal_opend'" in res.stderr
    assert "hint: did you mean event:renewal_opened?" in res.stderr
    assert "positive examples" not in res.stderr


@pytest.mark.parametrize(
    ("target", "message", "hint"),
    [
        ("stage:renewl", "no journey has a stage 'renewl'", "hint: did you mean stage:renewal?"),
        ("stage:Renewal", "no journey has a stage 'Renewal'", "hint: did you mean stage:renewal?"),
        ("stage:zzz", "no journey has a stage 'zzz'", "hint: stages: "),
    ],
)
def test_stage_target_that_no_journey_has_is_named_with_a_suggestion(
    demo: Path, target: str, message: str, hint: str
) -> None:
    """As for `event:` targets, by the same rule (issue 15)."""
    res = run("predict", str(demo / "events.csv"), "-j", str(demo / "j"), "--target", target)
    assert res.exit_code == 2
    assert f"error: --target {target}: {message}" in res.stderr
    assert hint in res.stderr


def test_stage_target_with_too_few_positives_suggests_a_longer_horizon(demo: Path) -> None:
    args = (str(demo / "events.csv"), "-j", str(demo / "j"), "--target", "stage:renewal")
    res = run("predict", *args, "--horizon", "30d")
    assert res.exit_code == 2
    assert "positive examples in test (need 20)" in res.stderr
    assert "shorter --horizon" not in res.stderr
    hint = next(ln for ln in res.stderr.splitlines() if ln.strip().startswith("hint:"))
    assert "--horizon 45d gives about" in hint
    # and the suggestion works
    assert run("predict", *args, "--horizon", "45d", "-q").exit_code == 0


def test_a_horizon_too_long_for_the_log_is_told_to_shorten() -> None:
    """`--horizon 300d` on the sample leaves 1 training cutoff and so 4 positives: the hint said
    "use a longer --horizon", which leaves none; it says to shorten it (200d works)."""
    base = ("predict", "sample_journeys/events.csv", "-j", "sample_journeys")
    res = run(*base, "--horizon", "300d")
    assert res.exit_code == 2
    assert "training cutoff (need 2)" in res.stderr
    hint = next(ln for ln in res.stderr.splitlines() if ln.strip().startswith("hint:"))
    assert "shorter --horizon" in hint and "longer --horizon" not in hint
    assert run(*base, "--horizon", "200d", "-q").exit_code == 0
