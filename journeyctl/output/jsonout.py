"""JSON output: orjson (fast, UTF-8, deterministic) with two-space indentation."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(obj: Any) -> str:
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def dumps_bytes(obj: Any) -> bytes:
    """Like `dumps`, as UTF-8 bytes without the final newline (a fragment of a larger document)."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2)
