"""The per-user cache directory journeyctl keeps its caches in (numba kernels, parsed journeys).

Everything under it can be deleted at any time: it is rebuilt on the next run."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def user_cache_root() -> Path:
    """The platform's per-user cache directory, `journeyctl` in it."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "journeyctl"
