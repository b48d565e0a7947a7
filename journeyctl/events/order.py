# mypy: disable-error-code="no-untyped-def"
"""Replay order of event rows (customer, timestamp, input position), compiled with numba.

A counting sort by customer code keeps input order within each customer in O(n); logs are
usually written in time order, so each customer's rows then only need a check, and the few
customers whose rows are out of time order get a stable sort of their own rows. This beats a
global comparison sort of 10M rows several times over (see benchmarks/).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from journeyctl.jit import njit

I64 = npt.NDArray[np.int64]


@njit(cache=True)
def _group(ccode, n_codes, ts):
    """(perm, offsets, unsorted): a counting sort by code, keeping input order within a code,
    and which codes' rows are then out of time order."""
    n = ccode.shape[0]
    offsets = np.zeros(n_codes + 1, np.int64)
    for i in range(n):
        offsets[ccode[i] + 1] += 1
    for k in range(n_codes):
        offsets[k + 1] += offsets[k]
    pos = offsets[:-1].copy()
    perm = np.empty(n, np.int64)
    for i in range(n):
        c = ccode[i]
        perm[pos[c]] = i
        pos[c] += 1
    unsorted = np.zeros(n_codes, np.bool_)
    for k in range(n_codes):
        for j in range(offsets[k] + 1, offsets[k + 1]):
            if ts[perm[j]] < ts[perm[j - 1]]:
                unsorted[k] = True
                break
    return perm, offsets, unsorted


def replay_order(ccode: npt.NDArray[np.integer], n_codes: int, ts: I64) -> tuple[I64, I64]:
    """(permutation, offsets): rows sorted by (code, ts, row index); code k's rows are
    perm[offsets[k]:offsets[k+1]]. Codes must be in 0..n_codes-1."""
    codes = np.ascontiguousarray(ccode, dtype=np.int64)
    perm, offsets, unsorted = _group(codes, n_codes, ts)
    bad = np.flatnonzero(unsorted)
    if bad.size:
        # the rows of the codes out of time order, sorted by (code, ts) with numpy: lexsort is
        # stable, so ties keep input order. (A sort inside the kernel made numba compile its
        # mergesort: 4 s of every first run.)
        lens = offsets[bad + 1] - offsets[bad]
        at = np.repeat(offsets[bad] - (np.cumsum(lens) - lens), lens) + np.arange(lens.sum())
        sub = perm[at]
        perm[at] = sub[np.lexsort((ts[sub], codes[sub]))]
    return perm, offsets
