"""Standard output as bytes, for the large JSON and CSV that are written as they are made."""

from __future__ import annotations

import sys
from typing import BinaryIO, TextIO


class _TextAsBytes:
    """Bytes written to a text stream without a binary buffer (a redirected sys.stdout)."""

    def __init__(self, text: TextIO) -> None:
        self.text = text

    def write(self, data: bytes) -> int:
        return self.text.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.text.flush()


def stdout_bytes() -> BinaryIO:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    return buffer if buffer is not None else _TextAsBytes(sys.stdout)  # type: ignore[return-value]
