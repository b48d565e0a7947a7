"""Place every customer: choose the engine, the one entry point the rest of journeyctl calls.

Two engines give the same `PlaceResult` (docs/architecture.md, "The two engines"):
`engine.reference` replays one customer at a time from the definitions, `engine.fast` replays
all customers in a compiled numba kernel. Both apply the same `engine.rulebook`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from journeyctl.compiling import SMALL_INPUT_ROWS
from journeyctl.definitions.model import Catalog, JourneySet
from journeyctl.engine.reference import place_customer, place_customer_series, place_reference
from journeyctl.engine.result import (
    ActiveRisk,
    Adoption,
    CustomerPlacement,
    Known,
    PlaceResult,
    Summary,
)
from journeyctl.engine.segments import event_attributes, match_journey, segment_keys
from journeyctl.events.ingest import EventLog

__all__ = [
    "ActiveRisk",
    "Adoption",
    "CustomerPlacement",
    "Known",
    "PlaceResult",
    "Summary",
    "event_attributes",
    "match_journey",
    "place",
    "place_customer",
    "place_customer_series",
    "segment_keys",
]

Engine = Literal["auto", "fast", "reference"]

# Below this many events `auto` uses the reference engine: loading or compiling the numba
# kernel costs more than it saves there (journeyctl.compiling).
SMALL_INPUT_EVENTS = SMALL_INPUT_ROWS


def catalog_values(catalog: Catalog | None) -> Known:
    """The catalog's known values of an event's property (for adoption), None when unlisted."""

    def known(event: str, prop: str) -> tuple[str, ...] | None:
        if catalog is None:
            return None
        ce = catalog.event(event)
        return ce.property_values(prop) if ce is not None else None

    return known


def place(
    journeys: JourneySet,
    log: EventLog,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None = None,
    engine: Engine | str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> PlaceResult:
    """Place every customer with an event at or before `as_of`.

    `engine`: "fast" (the compiled kernel), "reference" (the straightforward engine, one customer
    at a time), or "auto": the reference engine for small inputs (under `SMALL_INPUT_EVENTS`) or
    when a journey is too complex for the kernel, the fast one otherwise.
    """
    known = catalog_values(journeys.catalog)
    if engine == "reference" or (engine == "auto" and log.rows < SMALL_INPUT_EVENTS):
        return place_reference(journeys, log, as_of, accounts, known, progress)
    # imported here: the reference path never loads numba
    from journeyctl.engine.compiled import TooComplex, compile_journey
    from journeyctl.engine.fast import place_fast

    try:  # every journey before placing any, so a complex one costs no work thrown away
        compiled = [compile_journey(j) for j in journeys.journeys]
    except TooComplex:
        if engine == "fast":
            raise
        return place_reference(journeys, log, as_of, accounts, known, progress)
    return place_fast(journeys, compiled, log, as_of, accounts, known, progress)
