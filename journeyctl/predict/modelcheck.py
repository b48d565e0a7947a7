"""Checks a saved model file passes before anything uses it (SECURITY.md: tampered models).

A model file comes from disk and may be truncated, edited or hostile. Everything the loader and
the scoring read is checked here first: the JSON's size and nesting, every field's type and the
parameter arrays' lengths; and a LightGBM model string is parsed, and scored once, by the library
in a child process, because a malformed string can abort the library (SIGABRT) instead of raising.
Each failure is a `ModelFileError` ("not a usable model file", exit 2).
"""

from __future__ import annotations

import json
import math
import os
import stat
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from journeyctl.errors import InputError

MAX_MODEL_BYTES = 256 << 20  # a model of 600 rounds of 7 leaves is well under 10 MB
MAX_DEPTH = 32  # the deepest a saved model nests is 4; json's parser recurses per level
_WIDTH = 10  # the child's exit code for a model of another width
CHILD_TIMEOUT = 300  # seconds for the child to parse and score a LightGBM model string

_HINT = "save a model with `journeyctl predict --save-model FILE`, or restore the file"


class ModelFileError(InputError):
    """A model file that cannot be used safely (exit 2)."""


def unusable(path: str, why: str) -> ModelFileError:
    return ModelFileError(f"{path}: not a usable model file: {why}", hint=_HINT)


def read_document(path: str) -> dict[str, Any]:
    """The model's JSON object: bounded in size and nesting before the parser sees it."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or device would block or never end
            raise unusable(path, "not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_MODEL_BYTES + 1)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file", hint=_HINT) from None
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_MODEL_BYTES:
        raise unusable(path, f"larger than {MAX_MODEL_BYTES >> 20} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise unusable(path, "not UTF-8 text") from None
    depth = _nesting(text)
    if depth > MAX_DEPTH:
        raise unusable(path, f"JSON nested {depth} levels deep (a model nests at most {MAX_DEPTH})")
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise unusable(path, f"not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict):
        raise unusable(path, "not a journeyctl model file (not a JSON object)")
    return doc


def _nesting(text: str) -> int:
    """The deepest `[`/`{` nesting outside strings (a linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest  # enough to refuse it
        elif ch in "]}":
            depth -= 1
    return deepest


def _is_str_list(v: object) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def check_header(path: str, doc: Mapping[str, Any]) -> None:
    """Types of the fields the loader reads, before it reads them."""
    spec = doc.get("feature_spec")
    if not isinstance(spec, dict):
        raise unusable(path, "feature_spec is not an object")
    for key in ("event_names", "numeric", "journeys", "stages", "risks"):
        if not _is_str_list(spec.get(key)):
            raise unusable(path, f"feature_spec.{key} is not a list of strings")
    distinct = spec.get("distinct")
    if not isinstance(distinct, list) or not all(
        isinstance(d, dict) and _is_str_list(d.get("events")) and isinstance(d.get("property"), str)
        for d in distinct
    ):
        raise unusable(path, "feature_spec.distinct is not a list of {events, property}")
    categorical = spec.get("categorical")
    if not isinstance(categorical, list) or not all(
        isinstance(c, dict) and isinstance(c.get("property"), str) and _is_str_list(c.get("levels"))
        for c in categorical
    ):
        raise unusable(path, "feature_spec.categorical is not a list of {property, levels}")
    if not isinstance(spec.get("accounts"), bool):
        raise unusable(path, "feature_spec.accounts is not true or false")
    if not _is_str_list(doc.get("features")):
        raise unusable(path, "features is not a list of strings")
    journeys = doc.get("journeys")
    if not isinstance(journeys, list) or not all(
        isinstance(j, dict)
        and isinstance(j.get("id"), str)
        and isinstance(j.get("version"), int)
        and not isinstance(j.get("version"), bool)
        for j in journeys
    ):
        raise unusable(path, "journeys is not a list of {id, version}")
    for key in ("fingerprint", "target", "horizon"):
        if not isinstance(doc.get(key), str):
            raise unusable(path, f"{key} is not a string")
    if not isinstance(doc.get("parameters"), dict):
        raise unusable(path, "parameters is not an object")


def check_linear(path: str, params: Mapping[str, Any], features: int) -> None:
    """Every array the linear model scores with, of the lengths scoring needs."""
    flags = {}
    for key in ("log1p", "indicator"):
        v = params.get(key)
        if not isinstance(v, list) or len(v) != features or not all(isinstance(b, bool) for b in v):
            raise unusable(path, f"parameters.{key} is not {features} booleans")
        flags[key] = v
    width = features + sum(flags["indicator"])
    for key, n in (("median", features), ("mean", width), ("scale", width), ("coef", width)):
        v = params.get(key)
        if not isinstance(v, list) or len(v) != n or not all(_number(x) for x in v):
            raise unusable(path, f"parameters.{key} is not {n} finite numbers")
    if any(x == 0 for x in params["scale"]):
        raise unusable(path, "parameters.scale holds a zero")
    if not _number(params.get("intercept")):
        raise unusable(path, "parameters.intercept is not a finite number")


# Run by the child: parse the model string, check its width, score one row both ways.
_CHILD = """
import sys, numpy as np, lightgbm as lgb
n = int(sys.argv[1])
b = lgb.Booster(model_str=sys.stdin.read())
if b.num_feature() != n:
    sys.stderr.write(f"\\n{b.num_feature()}\\n")
    sys.exit(10)
x = np.zeros((1, n), np.float32)
b.predict(x, raw_score=True, num_threads=1)
b.predict(x, pred_contrib=True, num_threads=1)
"""


def check_trees(path: str, params: Mapping[str, Any], features: int) -> None:
    """LightGBM's own parse of the model string, contained in a child process."""
    text = params.get("model_string")
    if not isinstance(text, str) or not text.startswith("tree\n"):
        raise unusable(path, "parameters.model_string is not a LightGBM model")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(features)],
            input=text.encode("utf-8", errors="replace"),
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise unusable(path, "LightGBM did not finish reading the model string") from None
    except OSError as exc:  # no process could be started: the environment, not the file
        raise InputError(
            f"cannot check the model {path}: cannot start a process ({exc.strerror})"
        ) from None
    if done.returncode == 0:
        return
    # the library's own output (warnings, dumps of the string) is not shown: only what it means
    if done.returncode == _WIDTH:
        got = done.stderr.decode("ascii", "replace").split()[-1:]
        raise unusable(
            path, f"its trees read {got[0] if got else '?'} features, it lists {features}"
        )
    how = f"it aborted, signal {-done.returncode}" if done.returncode < 0 else "it failed"
    raise unusable(path, f"LightGBM cannot read the model string ({how})")
