"""`journeyctl.toml`: settings found in the current directory or a parent."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from typing import Any

from journeyctl.errors import UsageError

CONFIG_NAME = "journeyctl.toml"


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
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}", hint="fix the config file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    cfg = Config(path=path)
    j = data.get("journeys")
    journeys = (j,) if isinstance(j, str) else tuple(str(x) for x in j or ())
    cols = data.get("columns") or {}
    if not isinstance(cols, dict):
        raise UsageError(f'{path}: `columns` must be a table like {{customer_id = "AccountId"}}')
    mfs = data.get("max_file_size")
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
        max_file_size=int(mfs) if mfs is not None else None,
        source_url=source.get("url") or None,
        source_query=source.get("query") or None,
        extra={k: v for k, v in data.items()},
    )


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
