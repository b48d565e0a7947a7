"""`journeyctl.toml`: settings found in the current directory or a parent."""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from journeyctl.definitions import limits, registry
from journeyctl.definitions.registry import RuleSettings
from journeyctl.errors import Severity, UsageError
from journeyctl.events.columns import REQUIRED

CONFIG_NAME = "journeyctl.toml"
# Seconds to wait for another run's lock on the history database (`--wait`, `wait =`); here, not
# in history/, so that the CLI can show it in --help without loading the history package.
DEFAULT_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class Kind:
    """What a key's value must be: `test` holds for the values that are; `name` says it."""

    name: str
    test: Callable[[Any], bool]
    hint: str | None = None
    secret: bool = False  # a wrong value is named by its type only: it may hold a password


def _is_text(v: Any) -> bool:
    return isinstance(v, str)


def _is_texts(v: Any) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def _is_text_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _is_number(v: Any) -> bool:
    # TOML's booleans are Python ints: `wait = true` is no number of seconds
    return not isinstance(v, bool) and isinstance(v, int | float)


PATH = Kind("a string (a path)", _is_text)
PATHS = Kind("a string (a path) or a list of them", _is_texts)
TEXT = Kind("a string", _is_text)
URL = Kind("a string (a database URL)", _is_text, secret=True)
TEXTS = Kind("a string or a list of strings", _is_texts)
COLUMN = Kind("a column name (a non-empty string)", lambda v: isinstance(v, str) and v != "")
RULE_IDS = Kind(
    "a list of rule ids", _is_text_list, hint=f'e.g. disable = ["{registry.MILESTONE_ORDER.id}"]'
)
SECONDS = Kind("a number of seconds, 0 or more", lambda v: _is_number(v) and v >= 0)
BYTES = Kind(
    f"a whole number of bytes from 1 to {limits.MAX_FILE_SIZE_LIMIT}",
    lambda v: _is_number(v) and isinstance(v, int) and 1 <= v <= limits.MAX_FILE_SIZE_LIMIT,
)

# TOML's types as a message names them (bool before int: a Python bool is an int)
TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "a whole number"),
    (float, "a number"),
    (str, "a string"),
    (list, "an array"),
    (dict, "a table"),
)

# Every key journeyctl.toml may hold and the type of its value: top-level keys, and the tables
# with their own keys. One table, read by one checker when the file loads, so that every command
# refuses the same mistakes: an unknown key (a typo, `jouneys =`, would otherwise be ignored
# without a word) and a value of the wrong type (which used to crash the command reading it).
# None: `[[notify]]` rules (§10), whose keys and values notify/config.py checks when `report`
# reads them (with the `${NAME}` they use).
KNOWN_KEYS: dict[str, Kind | dict[str, Kind] | None] = {
    "journeys": PATHS,
    "catalog": PATH,
    "accounts": PATH,
    "db": PATH,
    "out": PATH,
    "max_file_size": BYTES,
    "wait": SECONDS,
    # the required columns (PRODUCT §3), each mapped to the name the input gives it
    "columns": dict.fromkeys(REQUIRED, COLUMN),
    "report": {"by": TEXTS, "fail_on": TEXTS},
    "validate": {"disable": RULE_IDS, "warn": RULE_IDS, "error": RULE_IDS},
    "source": {"url": URL, "query": TEXT},  # §8: the events' database and query
    # §9; the timeout is --cluster-timeout only (docs/cluster.md)
    "cluster": {"address": TEXT},
    "notify": None,
}
# Keys users reach for that are command-line options only: the hint names the option.
OPTION_ONLY: dict[tuple[str | None, str], str] = {("cluster", "timeout"): "--cluster-timeout"}
# `[validate]` lists: rule ids, and the level each list gives them (None: turned off).
RULE_LISTS: dict[str, Severity | None] = {"disable": None, "warn": "warning", "error": "error"}


@dataclass(frozen=True, slots=True)
class Config:
    path: str | None = None
    journeys: tuple[str, ...] = ()
    catalog: str | None = None
    accounts: str | None = None
    columns: tuple[tuple[str, str], ...] = ()
    db: str | None = None
    out: str | None = None
    max_file_size: int | None = None
    wait: float | None = None  # seconds to wait for the history database's lock
    rules: RuleSettings = field(
        default_factory=RuleSettings
    )  # `[validate]`: rules turned off or at another level
    source_url: str | None = None  # [source] url: a database URL (`${NAME}` for secrets)
    source_query: str | None = None  # [source] query
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base_dir(self) -> str | None:
        return os.path.dirname(self.path) if self.path else None

    def resolve(self, p: str) -> str:
        """Paths in the config file are relative to the file's directory."""
        base = self.base_dir
        return p if base is None or os.path.isabs(p) else os.path.join(base, p)


def find_config(start: str | None = None) -> str | None:
    d = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(d, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load_config(path: str | None = None) -> Config:
    path = path or find_config()
    if path is None:
        return Config()
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}", hint="fix the config file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    text = raw.decode("utf-8")
    _check_keys(path, text, data)
    cfg = Config(path=path)
    j = data.get("journeys")
    journeys = (j,) if isinstance(j, str) else tuple(j or ())
    source = data.get("source", {})
    wait = data.get("wait")
    return Config(
        path=path,
        journeys=tuple(cfg.resolve(x) for x in journeys),
        catalog=cfg.resolve(data["catalog"]) if data.get("catalog") else None,
        accounts=cfg.resolve(data["accounts"]) if data.get("accounts") else None,
        columns=tuple(data.get("columns", {}).items()),
        db=cfg.resolve(data["db"]) if data.get("db") else None,
        out=cfg.resolve(data["out"]) if data.get("out") else None,
        max_file_size=data.get("max_file_size"),
        wait=None if wait is None else float(wait),
        rules=_rule_settings(path, text, data.get("validate", {})),
        source_url=source.get("url") or None,
        source_query=source.get("query") or None,
        extra={k: v for k, v in data.items()},
    )


def _key_line(text: str, table: str | None, key: str) -> int:
    """The 1-based line where `key` is set (in `[table]`, or at the top level); 1 if not found.

    tomllib gives no positions, so this reads the lines: enough for a message's line number.
    """
    current: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        header = re.match(r"^\[\[?\s*([^\]]*?)\s*\]\]?", s)
        if header:
            name = header.group(1).strip().strip("\"'")
            if table is None and (name == key or name.startswith(key + ".")):
                return n
            current = name
            continue
        m = re.match(r"^([\"']?)([^\"'=\s.]+)\1\s*[=.]", s)
        if m and m.group(2) == key and current == table:
            return n
    return 1


def suggest_key(key: str, known: Sequence[str]) -> str:
    """The hint for an unknown key of journeyctl.toml: the nearest known key, else all of them."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else "valid keys: " + ", ".join(known)


def _unknown(path: str, text: str, table: str | None, key: str, known: list[str]) -> UsageError:
    where = f"[{table}] " if table else ""
    hint = suggest_key(key, known)
    option = OPTION_ONLY.get((table, key))
    if option is not None:
        hint = f"`{key}` is set on the command line only, with {option}; {hint}"
    elif table is not None and key in KNOWN_KEYS:
        # `journeys = "x"` appended at the end of the file: TOML reads it as a key of the table
        # above, so "valid keys: by, fail_on" alone would send the user the wrong way
        hint = (
            f"`{key}` is a top-level key: write it before the first [table] (TOML puts a key "
            f"written after [{table}] in [{table}])"
        )
    line = _key_line(text, table, key)
    return UsageError(f"{path}:{line}: unknown key {where}`{key}`", hint=hint)


def _check_keys(path: str, text: str, data: dict[str, Any]) -> None:
    """Every key known and every value of its type (KNOWN_KEYS), before any command uses one."""
    for key, value in data.items():
        if key not in KNOWN_KEYS:
            raise _unknown(path, text, None, key, list(KNOWN_KEYS))
        spec = KNOWN_KEYS[key]
        if spec is None:
            continue
        if isinstance(spec, Kind):
            _check_value(path, text, None, key, value, spec)
            continue
        if not isinstance(value, dict):
            raise UsageError(
                f"{path}:{_key_line(text, None, key)}: `{key}` must be a table ([{key}])"
            )
        for k, v in value.items():
            if k not in spec:
                raise _unknown(path, text, key, k, list(spec))
            _check_value(path, text, key, k, v, spec[k])


def _check_value(path: str, text: str, table: str | None, key: str, value: Any, kind: Kind) -> None:
    if kind.test(value):
        return
    where = f"[{table}] " if table else ""
    raise UsageError(
        f"{path}:{_key_line(text, table, key)}: {where}`{key}` must be {kind.name}, "
        f"not {_type_of(value) if kind.secret else _as_written(value)}",
        hint=kind.hint,
    )


def _type_of(value: Any) -> str:
    for t, name in TYPE_NAMES:
        if isinstance(value, t):
            return name
    return "a date or time"


def _as_written(value: Any) -> str:
    """A value as the TOML file spells it (`true`, `"x"`), short enough for a message."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, bool | int | float | str | list):
        shown = json.dumps(value, ensure_ascii=False, default=str)
    else:  # dates and times
        shown = str(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _rule_settings(path: str, text: str, table: dict[str, list[str]]) -> RuleSettings:
    """`[validate] disable = [...]`, `warn = [...]`, `error = [...]`: rule ids by what to do (lists
    of strings: _check_keys saw to that)."""
    disable: set[str] = set()
    levels: list[tuple[str, Severity]] = []
    seen: dict[str, str] = {}
    for name, level in RULE_LISTS.items():
        ids = table.get(name, [])
        where = f"{path}:{_key_line(text, 'validate', name)}: [validate] {name}"
        for rid in ids:
            if rid not in registry.BY_ID:
                raise UsageError(
                    f"{where}: unknown rule id `{rid}`", hint=registry.suggest_rule(rid)
                )
            if rid in seen:
                raise UsageError(f"{where}: rule `{rid}` is already in `{seen[rid]}`")
            seen[rid] = name
            if level != "error" and rid not in registry.RELAXABLE:
                raise UsageError(
                    f"{where}: rule `{rid}` cannot be turned off or made a warning: a journey "
                    "with this problem cannot be used",
                    hint="rules that can: " + ", ".join(sorted(registry.RELAXABLE)),
                )
            if level is None:
                disable.add(rid)
            else:
                levels.append((rid, level))
    return RuleSettings(frozenset(disable), tuple(levels))


def journeys_paths(option: list[str] | None, config: Config) -> list[str]:
    """PRODUCT §4 discovery: --journeys, else $JOURNEYCTL_JOURNEYS, else the config, else ./journeys."""
    if option:
        return list(option)
    env = os.environ.get("JOURNEYCTL_JOURNEYS")
    if env:
        return [p for p in env.split(os.pathsep) if p]
    if config.journeys:
        return list(config.journeys)
    return ["journeys"]
