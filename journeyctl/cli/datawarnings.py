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
        from journeyctl.output.escape import safe_text

        # event names and columns come from the input: no control character reaches the terminal
        lines = render_text(warnings).splitlines()
        sys.stderr.write("".join(safe_text(line) + "\n" for line in lines))
