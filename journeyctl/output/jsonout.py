"""The one JSON writer of every output. Two styles, both two-space indented UTF-8:

- `dumps` / `dumps_bytes`: orjson (fast, deterministic) for documents made of our own values:
  ids, instants, counts, days to two decimals (place, show, validate, history, report).
- `dumps_exact`: the standard library's encoder, for documents that carry values as users wrote
  them or raw probabilities (diff's YAML values, predict's scores): orjson rejects integers past
  64 bits (YAML allows them) and writes small floats differently (`0.00005` for `5e-05`), and those
  documents' bytes must not change.
- `inline`: one JSON value on one line with `json.dumps` spacing (`{"a": 1}`), for a CSV cell or
  a line of text.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(obj: Any) -> str:
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def dumps_bytes(obj: Any) -> bytes:
    """Like `dumps`, as UTF-8 bytes without the final newline (a fragment of a larger document)."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2)


def dumps_exact(obj: Any) -> str:
    """Like `dumps`, for values of any size and floats as Python writes them (see above)."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def inline(obj: Any) -> str:
    """A JSON value on one line, with a space after `,` and `:` (a CSV cell, a line of text)."""
    return json.dumps(obj, ensure_ascii=False)
