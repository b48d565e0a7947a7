"""Journey analytics (PRODUCT §11): how customers really travel each journey against its design.

Pure functions over placements and the event table; no CLI, no rendering.
"""

from __future__ import annotations

from journeyctl.analytics.analyze import analyze
from journeyctl.analytics.model import Analysis, JourneyAnalysis, Tables

__all__ = ["Analysis", "JourneyAnalysis", "Tables", "analyze"]
