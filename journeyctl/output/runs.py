"""Sorted runs of output records on disk, merged in key order (the streaming mode's output).

Each partition's customers are rendered and written as one run sorted by customer id; the runs
are then merged, so the output is in the same order as in memory while only one record per run
is held at a time.
"""

from __future__ import annotations

import heapq
import os
import struct
from collections.abc import Iterable, Iterator

_LEN = struct.Struct("<I")


class Runs:
    def __init__(self, directory: str, name: str) -> None:
        self.directory = directory
        self.name = name
        self.paths: list[str] = []

    def add(self, records: Iterable[tuple[str, bytes]]) -> None:
        """Write one run: (key, data) records, already sorted by key."""
        path = os.path.join(self.directory, f"{self.name}-{len(self.paths)}.run")
        with open(path, "wb") as fh:
            for key, data in records:
                k = key.encode("utf-8")
                fh.write(_LEN.pack(len(k)) + k + _LEN.pack(len(data)) + data)
        self.paths.append(path)

    def merged(self) -> Iterator[bytes]:
        """Every record's data, in key order (equal keys: earlier runs first)."""
        yield from (data for _, data in heapq.merge(*map(_read, self.paths), key=_key))


def _key(record: tuple[str, bytes]) -> str:
    return record[0]


def _read(path: str) -> Iterator[tuple[str, bytes]]:
    with open(path, "rb") as fh:
        while head := fh.read(4):
            (n,) = _LEN.unpack(head)
            key = fh.read(n).decode("utf-8")
            (m,) = _LEN.unpack(fh.read(4))
            yield key, fh.read(m)
