"""Sources that hand over Python values row by row (JSON Lines, SQLite) as a text table.

Each value becomes text by `python_text` (the same rules as for Arrow columns); a column holding a
list or an object in any row is marked nested (left out, or an error for a required column).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pyarrow as pa

from journeyctl.events.model import BadRow
from journeyctl.events.sources.text import python_text
from journeyctl.events.sources.typed import Loaded


class TextColumns:
    """Columns of text built row by row; a row may lack columns others have (JSON objects)."""

    def __init__(self, names: Sequence[str] = ()) -> None:
        self.columns: dict[str, list[str]] = {n: [] for n in names}
        self.nested: set[str] = set()
        self.rows = 0

    def add_mapping(self, row: Mapping[str, object]) -> None:
        for key, value in row.items():
            col = self.columns.get(key)
            if col is None:
                col = self.columns[key] = [""] * self.rows
            elif len(col) > self.rows:  # a key given twice: the last wins, as in JSON
                col.pop()
            text = python_text(value)
            if text is None:
                self.nested.add(key)
                text = ""
            col.append(text)
        self.rows += 1
        for col in self.columns.values():
            if len(col) < self.rows:
                col.append("")

    def add_values(self, names: Sequence[str], values: Iterable[object]) -> None:
        for name, value in zip(names, values, strict=True):
            text = python_text(value)
            if text is None:
                self.nested.add(name)
                text = ""
            self.columns[name].append(text)
        self.rows += 1

    def loaded(
        self,
        name: str,
        *,
        unit: Literal["row", "line"] = "row",
        lines: list[int] | None = None,
        bad: list[BadRow] | None = None,
        size: int = 0,
    ) -> Loaded:
        table = pa.table({k: pa.array(v, pa.string()) for k, v in self.columns.items()})
        return Loaded(
            table,
            name,
            unit,
            None if lines is None else np.asarray(lines, dtype=np.int64),
            bad or [],
            sorted(self.nested),
            size,
        )
