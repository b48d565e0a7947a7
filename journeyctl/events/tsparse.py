# mypy: disable-error-code="no-untyped-def"
"""Vectorised §3 timestamp parsing over an Arrow string array's bytes (numba).

The rules are those of `timestamps.parse_instant` (the reference, tested against this one):
`YYYY-MM-DD`, optionally `T`/`t`/space, `HH:MM`, optional `:SS` and `.fraction` (digits past
microseconds ignored), optional `Z`/`z` or `+HH:MM`/`-HH:MM`; years 1900-2199.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from journeyctl.jit import njit


@njit(cache=True)
def _digits(data, i, n):
    v = 0
    for k in range(i, i + n):
        c = data[k]
        if c < 48 or c > 57:
            return -1
        v = v * 10 + (c - 48)
    return v


@njit(cache=True)
def _days_from_civil(y, m, d):
    yy = y - (1 if m <= 2 else 0)
    era = yy // 400
    yoe = yy - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True, nogil=True)  # nogil: the chunks of a column parse on several threads
def _parse_all(data, offsets, out, ok):
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    for r in range(offsets.shape[0] - 1):
        a = offsets[r]
        e = offsets[r + 1]
        ok[r] = False
        n = e - a
        if n < 10:
            continue
        y = _digits(data, a, 4)
        mo = _digits(data, a + 5, 2)
        d = _digits(data, a + 8, 2)
        if y < 0 or mo < 0 or d < 0 or data[a + 4] != 45 or data[a + 7] != 45:
            continue
        h = 0
        mi = 0
        s = 0
        micro = 0
        off = 0
        i = a + 10
        if i < e:
            c = data[i]
            if not (c == 84 or c == 116 or c == 32) or i + 6 > e:
                continue
            h = _digits(data, i + 1, 2)
            mi = _digits(data, i + 4, 2)
            if h < 0 or mi < 0 or data[i + 3] != 58:
                continue
            i += 6
            if i < e and data[i] == 58:  # :SS
                if i + 3 > e:
                    continue
                s = _digits(data, i + 1, 2)
                if s < 0:
                    continue
                i += 3
                if i < e and data[i] == 46:  # .fraction
                    j = i + 1
                    nd = 0
                    while j < e and 48 <= data[j] <= 57:
                        if nd < 6:
                            micro = micro * 10 + (data[j] - 48)
                        nd += 1
                        j += 1
                    if nd == 0:
                        continue
                    for _ in range(nd, 6):
                        micro *= 10
                    i = j
            if i < e:
                c = data[i]
                if c == 90 or c == 122:  # Z / z
                    i += 1
                elif c == 43 or c == 45:  # +HH:MM / -HH:MM
                    if i + 6 != e or data[i + 3] != 58:
                        continue
                    oh = _digits(data, i + 1, 2)
                    om = _digits(data, i + 4, 2)
                    if oh < 0 or om < 0 or oh > 23 or om > 59:
                        continue
                    off = (oh * 3600 + om * 60) * (1 if c == 43 else -1)
                    i += 6
                else:
                    continue
            if i != e:
                continue
        if y < 1900 or y > 2199 or mo < 1 or mo > 12 or h > 23 or mi > 59 or s > 59:
            continue
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        maxd = dim[mo] + (1 if (mo == 2 and leap) else 0)
        if d < 1 or d > maxd:
            continue
        secs = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off
        out[r] = secs * 1_000_000 + micro
        ok[r] = True


def parse_instants(col: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """(microseconds since the epoch, valid) for each string of an Arrow string array."""
    if pa.types.is_large_string(col.type):
        col = col.cast(pa.string())
    n = len(col)
    bufs = col.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=col.offset * 4).astype(
        np.int64
    )
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(1, np.uint8)
    out = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=np.bool_)
    _parse_all(data, offsets, out, ok)
    return out, ok
