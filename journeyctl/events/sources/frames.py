"""In-memory tables as events: pandas and polars DataFrames, pyarrow Tables and readers (§8).

Each becomes an Arrow table with its own types, then follows the same rules as a Parquet file.
polars and pandas are recognised by their type's module, so neither is imported unless used.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from journeyctl.errors import UsageError
from journeyctl.events.sources import FRAME_NAME
from journeyctl.events.sources.rows import TextColumns
from journeyctl.events.sources.typed import Loaded


def is_frame(obj: object) -> bool:
    module = type(obj).__module__.split(".")[0]
    return isinstance(obj, pa.Table | pa.RecordBatch | pa.RecordBatchReader) or module in (
        "pandas",
        "polars",
    )


def _pandas_table(df: Any) -> pa.Table:
    """A pandas DataFrame as Arrow; an object column Arrow cannot type (mixed values) is
    converted value by value, as a JSON column would be."""
    arrays: list[pa.Array] = []
    names = [str(c) for c in df.columns]
    for name, (_, series) in zip(names, df.items(), strict=True):
        try:
            arrays.append(pa.array(series, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            cols = TextColumns([name])
            for v in series.tolist():
                cols.add_values([name], [None if _is_na(v) else v])
            if cols.nested:
                arrays.append(pa.array([[]] * len(series)))  # a nested column: left out later
            else:
                arrays.append(pa.array(cols.columns[name], pa.string()))
    return pa.Table.from_arrays(arrays, names=names)


def _is_na(v: object) -> bool:
    try:
        return bool(v != v)  # NaN, NaT and pandas.NA are not equal to themselves
    except (TypeError, ValueError):
        return False


def read_frame(obj: object, name: str = FRAME_NAME) -> Loaded:
    if isinstance(obj, pa.Table):
        return Loaded(obj, name)
    if isinstance(obj, pa.RecordBatch):
        return Loaded(pa.Table.from_batches([obj]), name)
    if isinstance(obj, pa.RecordBatchReader):
        return Loaded(obj.read_all(), name)
    module = type(obj).__module__.split(".")[0]
    if module == "polars":
        return Loaded(obj.to_arrow(), name)  # type: ignore[attr-defined]
    if module == "pandas" and hasattr(obj, "columns"):
        return Loaded(_pandas_table(obj), name)
    raise UsageError(
        f"cannot read events from a {type(obj).__name__}",
        hint="give a path, a list of paths, a pandas or polars DataFrame, or a pyarrow Table",
    )
