"""journeyctl: post-sale customer journeys as code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeyctl.definitions.load import LoadResult, load_journeys

__all__ = ["LoadResult", "load_journeys"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported on first use: `python -m journeyctl` then sets up its signal handling before the
    # heavy imports, so a Ctrl-C during them is an ordinary interrupt (exit 130), not a traceback.
    if name in __all__:
        from journeyctl.definitions import load

        return getattr(load, name)
    raise AttributeError(f"module 'journeyctl' has no attribute {name!r}")
