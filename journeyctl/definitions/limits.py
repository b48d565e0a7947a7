"""Bounds on the numbers of a journey definition and of the options that read definitions.

Each bound keeps a value inside what the engine, the output and the history database can hold
(instants in the years 1900-2199, 64-bit integers, SQLite INTEGER), so a value past it is a
validation finding (or an exit 2 for an option) instead of an overflow later.
The JSON Schema repeats the integer bounds; tests/test_validate.py checks they agree.
"""

from __future__ import annotations

MIN_YEAR = 1900
MAX_YEAR = 2199

# A duration is added to instants inside the supported years: 300 years (of 365 days) cannot take
# an instant of 1900-2199 outside the range datetime and the engine's int64 microseconds hold.
MAX_DURATION_DAYS = 300 * 365
MAX_DURATION_SECONDS = MAX_DURATION_DAYS * 86400
MAX_DURATION_TEXT = "300 years"

MAX_VERSION = 2**31 - 1  # `version`: authors bump it by one; also an INTEGER column in history
MIN_PRIORITY = -(2**31)
MAX_PRIORITY = 2**31 - 1
MAX_AT_LEAST = 10**9  # `at_least`: a count of events; far above any real log

# `--max-file-size` / `max_file_size`: the file is read into memory whole, so 1 GiB is the most
# that makes sense; the CLI's option parser must refuse a larger value with exit 2.
MAX_FILE_SIZE_LIMIT = 2**30
