"""journeyctl: post-sale customer journeys as code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeyctl.definitions.load import LoadResult, load_journeys

__all__ = ["LoadResult", "load_journeys"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # `from journeyctl import load_journeys` works as before; importing the package alone (as
    # every `journeyctl` command does) does not load the definitions, so `--help` starts fast
    if name in __all__:
        from journeyctl.definitions import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
