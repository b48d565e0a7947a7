"""The replay order (customer, timestamp, input position) of the compiled sort equals lexsort's."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from journeyctl.events.order import replay_order
from journeyctl.events.table import Column, build_table, narrow_code_type

rows = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4)), max_size=60)


@given(rows)
def test_replay_order_matches_lexsort(pairs: list[tuple[int, int]]) -> None:
    ccode = np.asarray([c for c, _ in pairs], dtype=np.int64)
    ts = np.asarray([t for _, t in pairs], dtype=np.int64)
    perm, offsets = replay_order(ccode, 6, ts)
    expected = np.lexsort((np.arange(len(pairs)), ts, ccode))
    assert perm.tolist() == expected.tolist()
    assert offsets.tolist() == [0, *np.cumsum(np.bincount(ccode, minlength=6)).tolist()]


@given(rows, st.integers(1, 300))
def test_build_table_groups_and_keeps_ties_in_input_order(
    pairs: list[tuple[int, int]], n_values: int
) -> None:
    names = [f"c{c}" for c, _ in pairs]
    values = tuple(dict.fromkeys(names))
    cust = Column(np.asarray([values.index(n) for n in names], np.int32), values)
    ts = np.asarray([t for _, t in pairs], dtype=np.int64)
    seq = np.arange(len(pairs), dtype=np.int64)
    prop_values = tuple(str(i) for i in range(n_values))
    a = Column(np.asarray([i % n_values for i in range(len(pairs))], np.int32), prop_values)
    b = Column(np.asarray([(7 * i) % n_values for i in range(len(pairs))], np.int32), prop_values)
    table = build_table(cust, ts, seq, Column(cust.codes, values), {"a": a, "b": b})
    order = sorted(range(len(pairs)), key=lambda i: (names[i], int(ts[i]), i))
    assert table.seq.tolist() == order
    assert table.props["a"].codes.tolist() == [int(a.codes[i]) for i in order]
    assert table.props["b"].codes.tolist() == [int(b.codes[i]) for i in order]
    assert list(table.customer_ids) == sorted(set(names))


def test_narrow_code_type_leaves_room_for_minus_one() -> None:
    assert narrow_code_type(127) is np.int8
    assert narrow_code_type(128) is np.int16
    assert narrow_code_type(2**15) is np.int32
