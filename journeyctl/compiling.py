"""When journeyctl compiles its numba kernels, and where it caches them (no numba import here).

Compiling the kernels costs tens of seconds the first time and loading them from the cache about
a second after that; below `SMALL_INPUT_ROWS` events the pure-Python and numpy paths (the
reference engine, `parse_instant`, a numpy sort), which give the same output, are faster than
even loading the kernels (benchmarks/bench_startup.py measures both sides).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SMALL_INPUT_ROWS = 100_000


def user_cache_dir() -> Path:
    """Where journeyctl keeps numba's cache: the platform's per-user cache directory."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "journeyctl" / "numba"


def use_user_cache_dir() -> None:
    """Point numba's cache at `user_cache_dir()` unless the user chose NUMBA_CACHE_DIR.

    numba reads the variable once, when it is first imported: `journeyctl.jit` calls this first."""
    if not os.environ.get("NUMBA_CACHE_DIR"):
        os.environ["NUMBA_CACHE_DIR"] = str(user_cache_dir())
