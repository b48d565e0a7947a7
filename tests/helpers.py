from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from journeyctl.cli import app


def run(*args: str, input: str | bytes | None = None) -> Any:
    """Invoke the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def run_json(*args: str) -> Any:
    res = run(*args)
    assert res.exit_code == 0, res.stderr + res.stdout
    return json.loads(res.stdout)


def subset_mismatches(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Compare `expected` as a subset of `actual`: dict keys recursively, lists element-wise."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        out = []
        for k, v in expected.items():
            if k not in actual:
                out.append(f"{path}.{k}: missing")
            else:
                out.extend(subset_mismatches(v, actual[k], f"{path}.{k}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items {expected!r}, got {actual!r}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out.extend(subset_mismatches(e, a, f"{path}[{i}]"))
        return out
    if expected != actual or (type(expected) is bool and type(actual) is not bool):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []
