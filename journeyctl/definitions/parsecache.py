"""Parsed journey files, cached on disk by their content, so that reading an unchanged file again
costs a JSON load instead of a YAML parse.

pre-commit runs `journeyctl validate` on every commit, and most commits change no journey file or
one. ruamel.yaml's parser is pure Python and was most of `validate`'s time (about 175 ms of CPU for
the five sample files, more than importing the libraries the CLI is built on). A parse is a pure
function of the file's bytes and of the loader's code, so the key is a digest of both (`salt` is
the loader's): an edited file, or another journeyctl, never meets an entry made for something
else. Entries are plain JSON (no code is ever loaded from the cache), written atomically; a missing,
unreadable or damaged entry is a miss, and a cache that cannot be written is skipped without a word:
the cache only saves time, it never changes a result. Only files that parse into one plain document
are cached; a file with a finding is parsed every time, so its finding is always fresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from journeyctl.cachedir import user_cache_root

# Bound the directory: past MAX_ENTRIES files, the least recently written half is removed.
MAX_ENTRIES = 512

Positions = Mapping[tuple[str | int, ...], tuple[int, int]]
PositionMap = dict[tuple[str | int, ...], tuple[int, int]]
Parsed = tuple[Any, PositionMap, PositionMap]


def cache_dir() -> Path:
    """Where the parsed files are kept (JOURNEYCTL_CACHE_DIR, else the user's cache directory)."""
    chosen = os.environ.get("JOURNEYCTL_CACHE_DIR")
    return (Path(chosen) if chosen else user_cache_root()) / "parsed"


def _entry(salt: bytes, raw: bytes) -> Path:
    return cache_dir() / (hashlib.sha256(salt + b"\0" + raw).hexdigest() + ".json")


def _positions(rows: Any) -> PositionMap:
    out: PositionMap = {}
    for path, line, col in rows:
        if not (isinstance(path, list) and type(line) is int and type(col) is int):
            raise ValueError("not a cache entry")
        out[tuple(path)] = (line, col)
    return out


def load(salt: bytes, raw: bytes) -> Parsed | None:
    """The cached parse of `raw` (data, positions, key positions), or None."""
    if os.environ.get("JOURNEYCTL_NO_CACHE"):
        return None
    try:
        with open(_entry(salt, raw), "rb") as fh:
            entry = json.loads(fh.read())
        return entry["data"], _positions(entry["positions"]), _positions(entry["keys"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def store(salt: bytes, raw: bytes, data: Any, positions: Positions, keys: Positions) -> None:
    """Keep the parse of `raw`; a cache that cannot be written is left alone."""
    if os.environ.get("JOURNEYCTL_NO_CACHE"):
        return
    entry = {
        "data": data,
        "positions": [[list(p), line, col] for p, (line, col) in positions.items()],
        "keys": [[list(p), line, col] for p, (line, col) in keys.items()],
    }
    target = _entry(salt, raw)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, separators=(",", ":"))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _trim(target.parent)
    except (OSError, ValueError, TypeError):
        return


def _marker(salt: bytes, digest: str) -> Path:
    return cache_dir().parent / "valid" / hashlib.sha256(salt + digest.encode()).hexdigest()


def known_valid(salt: bytes, digest: str) -> bool:
    """Whether a file of content digest `digest` passed the check that `salt` names before."""
    if os.environ.get("JOURNEYCTL_NO_CACHE"):
        return False
    return _marker(salt, digest).is_file()


def mark_valid(salt: bytes, digest: str) -> None:
    """Remember that it passed (an empty marker file; a cache that cannot be written is skipped)."""
    if os.environ.get("JOURNEYCTL_NO_CACHE"):
        return
    target = _marker(salt, digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
        _trim(target.parent)
    except OSError:
        return


def _trim(directory: Path) -> None:
    entries = [e for e in os.scandir(directory) if not e.name.startswith(".tmp-")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for e in entries[: len(entries) - MAX_ENTRIES // 2]:
        Path(e.path).unlink(missing_ok=True)
