"""What every events reader shares: the required columns, the chunk a file becomes, the errors."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from journeyctl.errors import InputError
from journeyctl.events.columns import REQUIRED

# What a spreadsheet writes instead of commas: Excel and LibreOffice in locales whose decimal mark
# is the comma save "CSV" with semicolons; "Text (tab delimited)" and many exports use tabs. Such a
# header reads as one column, and "missing required columns" would send the user the wrong way.
SEPARATORS = ((";", "semicolon"), ("\t", "tab"))


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


def separator_error(path: str, header: Sequence[str], wanted: Iterable[str]) -> InputError | None:
    """The error for a CSV that is not comma-separated, if the header says so: one column (no
    comma) that splits into the columns `wanted` on a semicolon or a tab (quoted or not: R's
    write.csv2 quotes every name)."""
    if len(header) != 1:
        return None
    for sep, name in SEPARATORS:
        cells = [c.strip().strip('"') for c in header[0].split(sep)]
        if len(cells) > 1 and all(w in cells for w in wanted):
            return InputError(
                f"{path}:1: the file looks {name}-separated; journeyctl reads comma-separated CSV",
                # the command on a line of its own, where it is not cut and can be copied
                details=[f"header: {header[0][:200]!r}", f"convert: {_convert_command(path, sep)}"],
                hint='save it from the spreadsheet as "CSV (comma delimited)", or run the '
                "command above",
            )
    return None


def _convert_command(path: str, sep: str) -> str:
    """A command that rewrites the file with commas (quoting as CSV needs), for the hint."""
    code = (
        "import csv,sys; csv.writer(sys.stdout).writerows("
        f'csv.reader(sys.stdin,delimiter="{sep.encode("unicode_escape").decode()}"))'
    )
    plain = path != "-" and path.endswith(".csv")
    src = shlex.quote(path) if plain else "IN.csv"
    out = shlex.quote(path.removesuffix(".csv") + "-comma.csv") if plain else "OUT.csv"
    return f"python3 -c '{code}' < {src} > {out}"


def open_error(path: str, exc: OSError) -> InputError:
    """The user-facing error for an events file that cannot be opened or read."""
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{path}: is a directory, not an events file")
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: no such file")
    return InputError(f"{path}: cannot read: {exc.strerror}")
