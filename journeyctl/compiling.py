"""When journeyctl compiles its numba kernels, and where it caches them (no numba import here).

Below `SMALL_INPUT_ROWS` events the pure-Python and numpy paths (the reference engine,
`parse_instant`, a numpy sort), which give the same output, are used instead of the kernels.
Measured on the sample journeys (CPU seconds, 2 cores): the reference engine costs about 55 us
per event (20k: 1.0 s, 100k: 6.9 s, 200k: 11.8 s) against under 5 us for the kernel, but the
kernel first costs ~1 s to import numba and load it from the cache, and ~7 s more to compile
it when the cache is empty (8.5 s before the replay kernel's callees were compiled once instead
of once per literal argument, and the replay order stopped compiling numba's mergesort). So the kernel pays for itself from ~20k events with a warm cache and
from ~200k with a cold one; 100k keeps the sample (49k events) and other first runs free of
compiling while losing at most a few seconds on warm runs (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from journeyctl.cachedir import user_cache_root

SMALL_INPUT_ROWS = 100_000


def user_cache_dir() -> Path:
    """Where journeyctl keeps numba's cache: in the platform's per-user cache directory."""
    return user_cache_root() / "numba"


def use_user_cache_dir() -> None:
    """Point numba's cache at `user_cache_dir()` unless the user chose NUMBA_CACHE_DIR.

    numba reads the variable once, when it is first imported: `journeyctl.jit` calls this first."""
    if not os.environ.get("NUMBA_CACHE_DIR"):
        os.environ["NUMBA_CACHE_DIR"] = str(user_cache_dir())
