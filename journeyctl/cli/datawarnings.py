"""The data checks' warnings (PRODUCT §4) as every command that reads events prints them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the checks import the engine: not at start-up (`--help`, `validate`)
    from journeyctl.checks import DataWarning

# `--fail-on warnings>N`: a count every command that reads events takes
FAIL_ON_NAME = "warnings"


def print_warnings(warnings: Sequence[DataWarning], quiet: bool) -> None:
    """On stderr, like `validate --format text` problems (so editors and CI can read them)."""
    if warnings and not quiet:
        from journeyctl.checks import render_text

        sys.stderr.write(render_text(warnings))
