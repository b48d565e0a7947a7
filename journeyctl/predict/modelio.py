"""Saved models: one JSON document, never pickle (nothing in it can run code).

It holds the family and its parameters (coefficients for the linear model, LightGBM's own text
model format for trees), the feature spec, the target and horizon, the training window, the
backtest metrics, and a fingerprint of the journeys (ids and versions) and the feature set; a model
is refused for other journeys or another feature set.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from journeyctl.definitions.model import JourneySet
from journeyctl.durations import Duration
from journeyctl.errors import InputError
from journeyctl.fileio import write_atomic
from journeyctl.predict.models import LINEAR, TREES, Model, from_json
from journeyctl.predict.spec import FEATURE_VERSION, FeatureSpec
from journeyctl.predict.target import Target, parse_horizon, parse_target

FORMAT = "journeyctl-model"
FORMAT_VERSION = 1


def journeys_key(journeys: JourneySet) -> list[list[Any]]:
    return [[j.id, j.version] for j in sorted(journeys.journeys, key=lambda j: j.id)]


def fingerprint(journeys: list[list[Any]], spec: FeatureSpec) -> str:
    text = json.dumps(
        {
            "journeys": journeys,
            "features": [c.name for c in spec.columns()],
            "spec": spec.to_json(),
        },
        sort_keys=True,
    )
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SavedModel:
    target: Target
    horizon: Duration
    spec: FeatureSpec
    model: Model
    document: dict[str, Any]


def model_document(
    journeys: JourneySet,
    target: Target,
    horizon: Duration,
    spec: FeatureSpec,
    model: Model,
    extra: dict[str, Any],
) -> dict[str, Any]:
    key = journeys_key(journeys)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "family": model.family,
        "target": target.text,
        "horizon": horizon.text,
        **extra,
        "journeys": [{"id": i, "version": v} for i, v in key],
        "fingerprint": fingerprint(key, spec),
        "features": [c.name for c in spec.columns()],
        "feature_spec": spec.to_json(),
        "parameters": model.to_json(),
    }


def save_model(path: str, document: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def _bad(path: str, why: str, hint: str | None = None) -> InputError:
    return InputError(
        f"{path}: {why}", hint=hint or "save a model with `journeyctl predict --save-model FILE`"
    )


def load_model(path: str, journeys: JourneySet) -> SavedModel:
    """Read a saved model, refusing one made for other journeys or another feature set."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise _bad(path, "no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, f"not a journeyctl model file ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(path, "not a journeyctl model file")
    if doc.get("format_version") != FORMAT_VERSION or doc.get("family") not in (LINEAR, TREES):
        raise _bad(
            path, f"model format {doc.get('format_version')!r} is not supported by this journeyctl"
        )
    try:
        spec = FeatureSpec.from_json(doc["feature_spec"])
        features = list(doc["features"])
        stored = [(str(j["id"]), int(j["version"])) for j in doc["journeys"]]
        fp = str(doc["fingerprint"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(path, f"model file is incomplete ({exc})") from None
    if doc["feature_spec"].get("version") != FEATURE_VERSION or features != [
        c.name for c in spec.columns()
    ]:
        raise _bad(
            path,
            "the model was made with another feature set than this journeyctl computes",
            "retrain it with `journeyctl predict --save-model FILE`",
        )
    now = journeys_key(journeys)
    if [[i, v] for i, v in stored] != now:
        raise _bad(
            path,
            "the model was trained for other journeys: "
            + ", ".join(f"{i} v{v}" for i, v in stored)
            + "; these are: "
            + ", ".join(f"{i} v{v}" for i, v in now),
            "retrain it on these journeys with `journeyctl predict --save-model FILE`",
        )
    if fp != fingerprint(now, spec):
        raise _bad(path, "the model's fingerprint does not match its journeys and feature set")
    try:
        model = from_json(doc["family"], doc["parameters"])
    except Exception as exc:  # a corrupt parameter block, whatever the library raises
        raise _bad(path, f"cannot read the model parameters ({type(exc).__name__})") from None
    return SavedModel(
        parse_target(str(doc["target"]), journeys),
        parse_horizon(str(doc["horizon"])),
        spec,
        model,
        doc,
    )
