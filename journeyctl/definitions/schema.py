"""The journey JSON Schema: loading it from the package and turning its errors into problems."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from journeyctl.definitions import registry
from journeyctl.definitions.parse import dotted
from journeyctl.definitions.yamlio import Path, YamlDocument
from journeyctl.errors import Problem


def schema_text() -> str:
    """The schema exactly as shipped (what `journeyctl schema` prints)."""
    return resources.files("journeyctl").joinpath("schema/journey.schema.json").read_text("utf-8")


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text()))


def _def_name(schema: Any) -> str | None:
    root: Any = validator().schema
    defs = root.get("$defs", {})
    for name, sub in defs.items():
        if sub is schema or sub == schema:
            return str(name)
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_EXPECTED = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


_REQUIRED_HINT = {
    "journey": "a unique id such as analytics-enterprise-na",
    "version": "an integer you bump when you change the journey, e.g. 1",
    "stages": "a list of stages, each with an `id`",
    "id": "a lowercase id such as onboarding",
    "when": "a condition such as {event: login}",
    "severity": "low, medium, high or critical",
    "from": 'a stage id or "*"',
    "to": "a stage id",
    "outcome": "churned or completed; terminal stages need one",
}


def _humanize(err: Any, doc: YamlDocument) -> list[Problem]:
    # jsonschema's error attributes are loosely typed (Unset sentinels); read them as Any
    path: Path = tuple(err.absolute_path)
    where = dotted(path)
    defn = _def_name(err.schema)
    inst = err.instance

    def p(message: str, hint: str | None, at: Path = path, key: bool = False) -> Problem:
        line, col = doc.position(at, key=key)
        return registry.SCHEMA.at(doc.file, line, col, message, hint)

    v = err.validator
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = list((err.schema.get("properties") or {}).keys())
        out = []
        for k in inst:
            if k in allowed:
                continue
            close = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.6)
            hint = (
                f"did you mean `{close[0]}`?" if close else f"valid keys here: {', '.join(allowed)}"
            )
            out.append(p(f"{where}: unknown key `{k}`", hint, (*path, k), key=True))
        return out
    if v == "required":
        missing = (
            [k for k in err.validator_value if k not in inst] if isinstance(inst, dict) else []
        )
        return [
            p(
                f"{where}: missing required key `{k}`",
                f"add `{k}:` here ({_REQUIRED_HINT.get(k, 'see docs/journey-format.md')})",
            )
            for k in missing
        ] or [p(err.message, "see docs/journey-format.md")]
    if v == "pattern" or (defn in ("duration", "id") and v in ("type", "pattern")):
        if defn == "duration" or "hdw" in str(err.validator_value):
            return [p(f"{where}: {json.dumps(inst)} is not a duration", "use e.g. 7d, 12h, 2w")]
        return [
            p(
                f"{where}: {json.dumps(inst)} is not a valid id",
                "use lowercase letters, digits, - and _, starting with a letter or digit",
            )
        ]
    if v == "type":
        expected = (
            err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        )
        names = " or ".join(str(_EXPECTED.get(t, t)) for t in expected)
        hint = (
            "null is not a value here; to match a missing value use {exists: false}"
            if inst is None
            else f"write it as {names}"
        )
        return [p(f"{where}: expected {names}, got {_type_name(inst)}", hint)]
    if v == "enum":
        opts = ", ".join(json.dumps(o) for o in err.validator_value)
        close = difflib.get_close_matches(str(inst), [str(o) for o in err.validator_value], n=1)
        enum_hint = f"did you mean {close[0]}?" if close else f"use one of {opts}"
        return [p(f"{where}: {json.dumps(inst)} is not one of {opts}", enum_hint)]
    if v == "const":
        return [
            p(f"{where}: must be {json.dumps(err.validator_value)}", "see docs/journey-format.md")
        ]
    if v in ("minItems", "minProperties", "minLength"):
        return [p(f"{where}: must not be empty", "give at least one item, or remove the key")]
    if v == "minimum":
        return [
            p(
                f"{where}: must be at least {err.validator_value}, got {inst}",
                f"use {err.validator_value} or more",
            )
        ]
    if v == "maximum":
        return [
            p(
                f"{where}: must be at most {err.validator_value}, got {inst}",
                f"use {err.validator_value} or less",
            )
        ]
    if (v == "maxProperties" and defn == "matcher") or (defn == "matcher"):
        return [
            p(
                f"{where}: not a valid matcher",
                "use a value, a list of values, or one of {eq|ne|lt|le|gt|ge: v}, "
                "{in: [..]}, {not_in: [..]}, {exists: true|false}",
            )
        ]
    if v in ("anyOf", "oneOf"):
        if defn in ("eventNames",):
            return [p(f"{where}: expected an event name or a list of event names", None)]
        if defn == "scalar" or (defn is None and inst is None):
            return [
                p(
                    f"{where}: expected a value (string, number or boolean), got {_type_name(inst)}",
                    "null is not allowed here",
                )
            ]
        if err.context:
            best = best_match(err.context)
            if best is not None:
                return _humanize(best, doc)
    if v == "dependentRequired" and isinstance(inst, dict):
        return [
            p(
                f"{where}: `{k}` needs `{dep}`",
                "`inactive` and `for` go together, e.g. {inactive: login, for: 21d}",
                (*path, k),
                key=True,
            )
            for k, deps in err.validator_value.items()
            if k in inst
            for dep in deps
            if dep not in inst
        ]
    if v == "maxProperties":
        return [p(f"{where}: too many keys", "see docs/journey-format.md")]
    return [p(f"{where}: {err.message[:300]}", "see docs/journey-format.md")]


def check_schema(doc: YamlDocument) -> list[Problem]:
    """Validate one journey document against the schema, one humane problem per error."""
    problems: list[Problem] = []
    seen: set[tuple[int, int, str]] = set()
    for err in sorted(
        validator().iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))
    ):
        for prob in _humanize(err, doc):
            k = (prob.line, prob.col, prob.message)
            if k not in seen:
                seen.add(k)
                problems.append(prob)
    return problems
