"""journeyctl: post-sale customer journeys as code."""

from journeyctl.definitions.load import LoadResult, load_journeys

__all__ = ["LoadResult", "load_journeys"]
__version__ = "0.1.0"
