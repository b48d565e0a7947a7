"""What every events reader shares: the required columns, the chunk a file becomes, the errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from journeyctl.errors import InputError

REQUIRED = ("customer_id", "timestamp", "event")


@dataclass(slots=True)
class Chunk:
    """One source's valid rows, as arrow string columns plus parsed timestamps."""

    n: int
    cid: pa.Array | pa.ChunkedArray
    event: pa.Array | pa.ChunkedArray
    ts: npt.NDArray[np.int64]
    props: dict[str, pa.Array | pa.ChunkedArray]


def missing_columns_error(
    where: str, header: Sequence[str], mapping: Mapping[str, str]
) -> InputError | None:
    """The error for required columns the header lacks (listing the columns found), if any."""
    missing = [
        f"{req} (column {mapping[req]!r})" if req in mapping else req
        for req in REQUIRED
        if mapping.get(req, req) not in header
    ]
    if not missing:
        return None
    return InputError(
        f"{where}: missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
        details=[f"columns found: {', '.join(header) or '(none)'}"],
        hint="map other names with --column customer_id=AccountId (or [columns] in journeyctl.toml)",
    )


def open_error(path: str, exc: OSError) -> InputError:
    """The user-facing error for an events file that cannot be opened or read."""
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{path}: is a directory, not an events file")
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: no such file")
    return InputError(f"{path}: cannot read: {exc.strerror}")
