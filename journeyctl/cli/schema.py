"""`journeyctl schema`."""

from __future__ import annotations

import sys


def schema_cmd() -> None:
    """Print the journey JSON Schema."""
    from journeyctl.definitions.schema import schema_text

    sys.stdout.write(schema_text())
