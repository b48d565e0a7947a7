"""The data checks' warnings (PRODUCT §4) as every command that reads events prints them."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from journeyctl.checks import DataWarning, render_text

# `--fail-on warnings>N`: a count every command that reads events takes
FAIL_ON_NAME = "warnings"


def print_warnings(warnings: Sequence[DataWarning], quiet: bool) -> None:
    """On stderr, like `validate --format text` problems (so editors and CI can read them)."""
    if warnings and not quiet:
        sys.stderr.write(render_text(warnings))
