"""The columns every events input must have (PRODUCT §3). A module of its own, without numpy or
pyarrow, because journeyctl.toml's `[columns]` keys are checked against it when the config loads,
which `--help` pays for."""

from __future__ import annotations

REQUIRED = ("customer_id", "timestamp", "event")
