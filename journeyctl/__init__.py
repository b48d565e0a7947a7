"""journeyctl: post-sale customer journeys as code.

The Python API (PRODUCT §8): `load_journeys`, `validate`, `place`, `predict`, `Placement`,
`Prediction` and the `Error` family (see `journeyctl.api`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeyctl.api import (
        Error,
        InputError,
        InvalidJourneys,
        Journeys,
        Placement,
        Prediction,
        Problem,
        UsageError,
        load_journeys,
        place,
        predict,
        validate,
    )

__all__ = [
    "Error",
    "InputError",
    "InvalidJourneys",
    "Journeys",
    "Placement",
    "Prediction",
    "Problem",
    "UsageError",
    "load_journeys",
    "place",
    "predict",
    "validate",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # the API loads on first use: importing the package alone (as every `journeyctl` command
    # does) loads neither the definitions nor pandas, so `--help` starts fast
    if name in __all__:
        from journeyctl import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
