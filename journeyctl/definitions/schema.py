"""The journey JSON Schema: loading it from the package and turning its errors into problems."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path as Path_
from typing import TYPE_CHECKING, Any

from journeyctl.definitions import parsecache, registry
from journeyctl.errors import Problem

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

    # not at run time: `journeyctl schema` prints the file and needs neither the YAML loader nor
    # the definition model
    from journeyctl.definitions.yamlio import Path, YamlDocument


def schema_text() -> str:
    """The schema exactly as shipped (what `journeyctl schema` prints)."""
    return resources.files("journeyctl").joinpath("schema/journey.schema.json").read_text("utf-8")


@cache
def validator() -> Draft202012Validator:
    # imported here: a document known to be valid (`check_schema`) never needs jsonschema, whose
    # import is a quarter of `validate`'s start-up (pre-commit runs it on every commit)
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_text()))


@cache
def _valid_salt() -> bytes:
    """What "this document passed the schema" depends on besides the document: the schema, this
    module's code (how errors are found) and journeyctl's version."""
    from journeyctl import __version__

    digest = hashlib.sha256(schema_text().encode())
    digest.update(Path_(__file__).read_bytes())
    digest.update(__version__.encode())
    return digest.digest()


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


@dataclass(frozen=True, slots=True)
class _Error:
    """One jsonschema error, read as Any (its attributes are loosely typed Unset sentinels)."""

    err: Any
    doc: YamlDocument
    path: Path
    where: str
    defn: str | None

    @property
    def inst(self) -> Any:
        return self.err.instance

    @property
    def value(self) -> Any:
        return self.err.validator_value

    def problem(
        self, message: str, hint: str | None, at: Path | None = None, key: bool = False
    ) -> Problem:
        line, col = self.doc.position(self.path if at is None else at, key=key)
        return registry.SCHEMA.at(self.doc.file, line, col, message, hint)


_Handler = Callable[[_Error], "list[Problem] | None"]
_SEE_DOCS = "see docs/journey-format.md"


def _additional_properties(e: _Error) -> list[Problem] | None:
    if not isinstance(e.inst, dict):
        return None
    allowed = list((e.err.schema.get("properties") or {}).keys())
    out = []
    for k in e.inst:
        if k in allowed:
            continue
        close = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"valid keys here: {', '.join(allowed)}"
        out.append(e.problem(f"{e.where}: unknown key `{k}`", hint, (*e.path, k), key=True))
    return out


def _required(e: _Error) -> list[Problem]:
    missing = [k for k in e.value if k not in e.inst] if isinstance(e.inst, dict) else []
    return [
        e.problem(
            f"{e.where}: missing required key `{k}`",
            f"add `{k}:` here ({_REQUIRED_HINT.get(k, _SEE_DOCS)})",
        )
        for k in missing
    ] or [e.problem(e.err.message, _SEE_DOCS)]


def _pattern(e: _Error) -> list[Problem]:
    if e.defn == "duration" or "hdw" in str(e.value):
        return [
            e.problem(f"{e.where}: {json.dumps(e.inst)} is not a duration", "use e.g. 7d, 12h, 2w")
        ]
    return [
        e.problem(
            f"{e.where}: {json.dumps(e.inst)} is not a valid id",
            "use lowercase letters, digits, - and _, starting with a letter or digit",
        )
    ]


def _type(e: _Error) -> list[Problem]:
    if e.defn in ("duration", "id"):
        return _pattern(e)
    expected = e.value if isinstance(e.value, list) else [e.value]
    names = " or ".join(str(_EXPECTED.get(t, t)) for t in expected)
    hint = (
        "null is not a value here; to match a missing value use {exists: false}"
        if e.inst is None
        else f"write it as {names}"
    )
    return [e.problem(f"{e.where}: expected {names}, got {_type_name(e.inst)}", hint)]


def _enum(e: _Error) -> list[Problem]:
    opts = ", ".join(json.dumps(o) for o in e.value)
    close = difflib.get_close_matches(str(e.inst), [str(o) for o in e.value], n=1)
    hint = f"did you mean {close[0]}?" if close else f"use one of {opts}"
    return [e.problem(f"{e.where}: {json.dumps(e.inst)} is not one of {opts}", hint)]


def _const(e: _Error) -> list[Problem]:
    return [e.problem(f"{e.where}: must be {json.dumps(e.value)}", _SEE_DOCS)]


def _not_empty(e: _Error) -> list[Problem]:
    return [e.problem(f"{e.where}: must not be empty", "give at least one item, or remove the key")]


def _minimum(e: _Error) -> list[Problem]:
    return [
        e.problem(f"{e.where}: must be at least {e.value}, got {e.inst}", f"use {e.value} or more")
    ]


def _maximum(e: _Error) -> list[Problem]:
    return [
        e.problem(f"{e.where}: must be at most {e.value}, got {e.inst}", f"use {e.value} or less")
    ]


def _matcher(e: _Error) -> list[Problem]:
    return [
        e.problem(
            f"{e.where}: not a valid matcher",
            "use a value, a list of values, or one of {eq|ne|lt|le|gt|ge: v}, "
            "{in: [..]}, {not_in: [..]}, {exists: true|false}",
        )
    ]


def _any_of(e: _Error) -> list[Problem] | None:
    if e.defn == "eventNames":
        return [e.problem(f"{e.where}: expected an event name or a list of event names", None)]
    if e.defn == "scalar" or (e.defn is None and e.inst is None):
        return [
            e.problem(
                f"{e.where}: expected a value (string, number or boolean), got {_type_name(e.inst)}",
                "null is not allowed here",
            )
        ]
    from jsonschema.exceptions import best_match

    best = best_match(e.err.context) if e.err.context else None
    return None if best is None else _humanize(best, e.doc)


def _dependent_required(e: _Error) -> list[Problem] | None:
    if not isinstance(e.inst, dict):
        return None
    return [
        e.problem(
            f"{e.where}: `{k}` needs `{dep}`",
            "`inactive` and `for` go together, e.g. {inactive: login, for: 21d}",
            (*e.path, k),
            key=True,
        )
        for k, deps in e.value.items()
        if k in e.inst
        for dep in deps
        if dep not in e.inst
    ]


def _too_many_keys(e: _Error) -> list[Problem]:
    return [e.problem(f"{e.where}: too many keys", _SEE_DOCS)]


# By jsonschema validator keyword; a handler that returns None falls through to the generic text.
_HANDLERS: dict[str, _Handler] = {
    "additionalProperties": _additional_properties,
    "required": _required,
    "pattern": _pattern,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "minItems": _not_empty,
    "minProperties": _not_empty,
    "minLength": _not_empty,
    "minimum": _minimum,
    "maximum": _maximum,
    "anyOf": _any_of,
    "oneOf": _any_of,
    "dependentRequired": _dependent_required,
    "maxProperties": _too_many_keys,
}

# Validators whose own wording is clearer than "not a valid matcher" inside a matcher.
_BEFORE_MATCHER = frozenset(
    {
        "additionalProperties",
        "required",
        "pattern",
        "type",
        "enum",
        "const",
        "minItems",
        "minProperties",
        "minLength",
        "minimum",
        "maximum",
    }
)


def _humanize(err: Any, doc: YamlDocument) -> list[Problem]:
    from journeyctl.definitions.parse import dotted

    path: Path = tuple(err.absolute_path)
    e = _Error(err, doc, path, dotted(path), _def_name(err.schema))
    v = str(err.validator)
    if e.defn == "matcher" and v not in _BEFORE_MATCHER:
        return _matcher(e)
    handler = _HANDLERS.get(v)
    found = handler(e) if handler is not None else None
    if found is not None:
        return found
    return [e.problem(f"{e.where}: {err.message[:300]}", _SEE_DOCS)]


def check_schema(doc: YamlDocument) -> list[Problem]:
    """Validate one journey document against the schema, one humane problem per error.

    A file whose exact bytes passed before (`parsecache.known_valid`) passes again unchecked."""
    if doc.digest and parsecache.known_valid(_valid_salt(), doc.digest):
        return []
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
    if not problems and doc.digest:
        parsecache.mark_valid(_valid_salt(), doc.digest)
    return problems
