"""A tampered model file is refused with exit 2, never a crash (issue 14, item 7).

A truncated LightGBM model string used to abort inside the library (SIGABRT, exit 134) and a
100k-deep JSON to overflow the parser (exit 3): these run in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def saved(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    model = tmp_path_factory.mktemp("model") / "model.json"
    res = run("predict", str(demo / "events.csv"), "-j", str(demo / "j"), "--save-model",
              str(model), "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    doc: dict[str, Any] = json.loads(model.read_text())
    return doc


def _trees(doc: dict[str, Any]) -> dict[str, Any]:
    """The same model file with a small LightGBM model of the right width."""
    import lightgbm as lgb

    n = len(doc["features"])
    rng = np.random.default_rng(1)
    data = lgb.Dataset(rng.random((300, n)), label=rng.integers(0, 2, 300))
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_threads": 1}, data, 5)
    return {**doc, "family": "lightgbm", "parameters": {"model_string": booster.model_to_string()}}


def _linear(doc: dict[str, Any]) -> dict[str, Any]:
    """The same model file with a logistic regression of the right width."""
    from journeyctl.predict.models import LinearModel

    rng = np.random.default_rng(1)
    x = rng.random((300, len(doc["features"]))).astype(np.float32)
    params = LinearModel.fit(x, rng.integers(0, 2, 300).astype(np.int8)).to_json()
    return {**doc, "family": "logistic_regression", "parameters": params}


def _place(demo: Path, model: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "journeyctl",
            "place",
            str(demo / "events.csv"),
            "-j",
            str(demo / "j"),
            "--model",
            str(model),
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _refused(res: subprocess.CompletedProcess[str]) -> str:
    assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
    assert "not a usable model file" in res.stderr
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    return res.stderr


def test_a_good_tree_model_is_used(demo: Path, saved: dict[str, Any], tmp_path: Path) -> None:
    model = tmp_path / "m.json"
    model.write_text(json.dumps(_trees(saved)))
    res = _place(demo, model)
    assert res.returncode == 0, res.stderr
    assert any(c["prediction"] for c in json.loads(res.stdout)["customers"])


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_model_string(
    demo: Path, saved: dict[str, Any], tmp_path: Path, keep: float
) -> None:
    doc = _trees(saved)
    text = doc["parameters"]["model_string"]
    doc["parameters"]["model_string"] = text[: int(len(text) * keep)]
    model = tmp_path / "m.json"
    model.write_text(json.dumps(doc))
    err = _refused(_place(demo, model))
    assert len(err.splitlines()) <= 3  # our message and hint, no bytes from the library


def test_deeply_nested_json(demo: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.json"
    model.write_text("[" * 100_000 + "]" * 100_000)
    _refused(_place(demo, model))
    model.write_text('{"format": "journeyctl-model", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _refused(_place(demo, model))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(feature_spec=[1, 2]),
        lambda d: d["feature_spec"].update(distinct=[3]),
        lambda d: d["feature_spec"].update(event_names="login"),
        lambda d: d.update(features=5),
        lambda d: d.update(journeys=[{"id": 1, "version": "2"}]),
        lambda d: d.update(parameters=[]),
        lambda d: d["parameters"].update(coef=["1"] * len(d["parameters"]["coef"])),
        lambda d: d["parameters"].update(coef=d["parameters"]["coef"][:-1]),
        lambda d: d["parameters"].update(mean=None),
        lambda d: d["parameters"].update(intercept="0"),
        lambda d: d["parameters"].update(log1p=[1] * len(d["parameters"]["log1p"])),
        lambda d: d["parameters"].update(scale=[0.0] * len(d["parameters"]["scale"])),
        lambda d: d.update(family="lightgbm", parameters={"model_string": 7}),
        lambda d: d.update(family="lightgbm", parameters={"model_string": "tree\nnonsense"}),
    ],
)
def test_wrong_types(demo: Path, saved: dict[str, Any], tmp_path: Path, change: Any) -> None:
    doc = _linear(json.loads(json.dumps(saved)))
    model = tmp_path / "m.json"
    model.write_text(json.dumps(doc))
    args = ("place", str(demo / "events.csv"), "-j", str(demo / "j"), "--model", str(model))
    assert run(*args).exit_code == 0  # the untouched file is usable
    change(doc)
    model.write_text(json.dumps(doc))
    res = run(*args)
    assert res.exit_code == 2, res.stderr
    assert "not a usable model file" in res.stderr


def test_a_fifo_is_refused_without_blocking(demo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "m.json"
    os.mkfifo(fifo)
    res = run("place", str(demo / "events.csv"), "-j", str(demo / "j"), "--model", str(fifo))
    assert res.exit_code == 2 and "not a regular file" in res.stderr
