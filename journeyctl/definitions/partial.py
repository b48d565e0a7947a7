"""The valid parts of a journey with schema errors, so the semantic rules can check them too.

Without this, a file with one schema error showed only that error, and an unknown stage in a
transition appeared only after it was fixed. Each schema error is repaired in a copy of the data
in a way that cannot make a semantic rule fire or fall silent on the rest:

- a condition that holds an error becomes a placeholder no rule reads (`{milestones: []}`), so the
  stage, milestone, transition or risk around it keeps its id and its place;
- an unknown key, or a bad value of an optional key, is removed.

Nothing is ever invented: when an error cannot be repaired that way (a missing required key, a
stage that is not a mapping), the journey gets no semantic checks, as before.
"""

from __future__ import annotations

import copy
from typing import Any

from journeyctl.definitions.schema import validator
from journeyctl.definitions.yamlio import Path, YamlDocument

_CONDITION_KEYS = ("when", "enter_when")
# A condition that no rule reads: no event, property or milestone name.
_PLACEHOLDER: dict[str, Any] = {"milestones": []}


def _condition_root(path: Path) -> Path | None:
    """The top-level condition (`enter_when` / `when`) that `path` lies in, if any."""
    for k, part in enumerate(path):
        if part in _CONDITION_KEYS:
            return tuple(path[: k + 1])
    return None


def _protected(path: Path) -> bool:
    """Keys whose removal would change what a rule sees elsewhere: the id-bearing lists (an
    unknown-stage or unknown-milestone would follow), ids, terminal/outcome, and what decides
    segment overlap."""
    if path[0] in ("segment", "priority", "journey") or path[-1] in ("id", "terminal", "outcome"):
        return True
    return path in (("stages",), ("transitions",)) or (
        len(path) == 3 and path[0] == "stages" and path[2] == "milestones"
    )


def _delete(data: Any, path: Path) -> bool:
    """Remove the key at `path` from its mapping; False if it cannot or must not be removed."""
    if not path or not isinstance(path[-1], str) or _protected(path):
        return False
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(parent, dict):
        return False
    parent.pop(path[-1], None)
    return True


def _set(data: Any, path: Path, value: Any) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = copy.deepcopy(value)


def valid_part(doc: YamlDocument) -> YamlDocument | None:
    """A copy of `doc` whose schema errors are repaired; None when an error cannot be repaired
    without inventing a value or hiding a reference."""
    data = copy.deepcopy(doc.data)
    placeholders: set[Path] = set()
    for _ in range(3):  # a repair may uncover an error it hid (e.g. in an enclosing list)
        errors = [
            e
            for e in validator().iter_errors(data)
            if not any(tuple(e.absolute_path)[: len(p)] == p for p in placeholders)
        ]
        if not errors:
            return YamlDocument(doc.file, data, doc.positions, doc.key_positions)
        for err in errors:
            path: Path = tuple(err.absolute_path)
            root = _condition_root(path)
            if root is not None:
                if root not in placeholders:
                    _set(data, root, _PLACEHOLDER)
                    placeholders.add(root)
                continue
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                allowed = err.schema.get("properties") or {}
                for k in [k for k in err.instance if k not in allowed]:
                    _delete(data, (*path, k))
                continue
            if path == ("version",):
                data["version"] = 0  # no rule reads it; it is required, so it is replaced
                continue
            if err.validator == "required" or not path:
                return None
            while path and not isinstance(path[-1], str):
                path = path[:-1]  # an item of a list: remove the list's key
            if not _delete(data, path):
                return None
    return None
