"""`journeyctl.toml`: settings found in the current directory or a parent."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from journeyctl.definitions import limits, registry
from journeyctl.definitions.registry import RuleSettings
from journeyctl.errors import Severity, UsageError

CONFIG_NAME = "journeyctl.toml"
# Seconds to wait for another run's lock on the history database (`--wait`, `wait =`); here, not
# in history/, so that the CLI can show it in --help without loading the history package.
DEFAULT_WAIT = 30.0

# Every key journeyctl.toml may hold: top-level keys, and the keys of the tables whose keys are
# fixed (None: the table's keys are the user's own, e.g. `[columns]`). A key not listed here is an
# error, because a typo (`jouneys =`) would otherwise be ignored without a word.
KNOWN_KEYS: dict[str, frozenset[str] | None] = {
    "journeys": None,
    "catalog": None,
    "accounts": None,
    "columns": None,
    "db": None,
    "out": None,
    "max_file_size": None,
    "wait": None,
    "report": frozenset({"by", "fail_on"}),
    "validate": frozenset({"disable", "warn", "error"}),
    "source": frozenset({"url", "query"}),  # §8: the events' database and query
    "cluster": frozenset(
        {"address"}
    ),  # §9; the timeout is --cluster-timeout only (docs/cluster.md)
    # `[[notify]]` rules (§10): their keys are checked where the rules are read (notify/config.py)
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
    journeys = (j,) if isinstance(j, str) else tuple(str(x) for x in j or ())
    cols = data.get("columns") or {}
    if not isinstance(cols, dict):
        raise UsageError(f'{path}: `columns` must be a table like {{customer_id = "AccountId"}}')
    mfs = _max_file_size(path, text, data.get("max_file_size"))
    source = data.get("source") or {}
    if not isinstance(source, dict) or not all(
        isinstance(source.get(k, ""), str) for k in ("url", "query")
    ):
        raise UsageError(
            f'{path}: `source` must be a table like {{url = "postgresql://...", query = "SELECT ..."}}'
        )
    return Config(
        path=path,
        journeys=tuple(cfg.resolve(x) for x in journeys),
        catalog=cfg.resolve(data["catalog"]) if data.get("catalog") else None,
        accounts=cfg.resolve(data["accounts"]) if data.get("accounts") else None,
        columns=tuple((str(k), str(v)) for k, v in cols.items()),
        db=cfg.resolve(data["db"]) if data.get("db") else None,
        out=cfg.resolve(data["out"]) if data.get("out") else None,
        max_file_size=mfs,
        rules=_rule_settings(path, text, data.get("validate")),
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
    line = _key_line(text, table, key)
    return UsageError(f"{path}:{line}: unknown key {where}`{key}`", hint=hint)


def _check_keys(path: str, text: str, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key not in KNOWN_KEYS:
            raise _unknown(path, text, None, key, list(KNOWN_KEYS))
        sub = KNOWN_KEYS[key]
        if sub is None:
            continue
        if not isinstance(value, dict):
            raise UsageError(
                f"{path}:{_key_line(text, None, key)}: `{key}` must be a table ([{key}])"
            )
        for k in value:
            if k not in sub:
                raise _unknown(path, text, key, k, sorted(sub))


def _max_file_size(path: str, text: str, value: Any) -> int | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (1 <= value <= limits.MAX_FILE_SIZE_LIMIT)
    ):
        raise UsageError(
            f"{path}:{_key_line(text, None, 'max_file_size')}: `max_file_size` must be a whole "
            f"number of bytes from 1 to {limits.MAX_FILE_SIZE_LIMIT}, got {value!r}"
        )
    return value


def _rule_settings(path: str, text: str, table: Any) -> RuleSettings:
    """`[validate] disable = [...]`, `warn = [...]`, `error = [...]`: rule ids by what to do."""
    if not table:
        return RuleSettings()
    disable: set[str] = set()
    levels: list[tuple[str, Severity]] = []
    seen: dict[str, str] = {}
    for name, level in RULE_LISTS.items():
        ids = table.get(name, [])
        where = f"{path}:{_key_line(text, 'validate', name)}: [validate] {name}"
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise UsageError(
                f"{where}: must be a list of rule ids",
                hint=f'e.g. disable = ["{registry.MILESTONE_ORDER.id}"]',
            )
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
