"""The vectorised timestamp parser agrees with the reference parser on any text."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import example, given
from hypothesis import strategies as st

from journeyctl.events.timestamps import parse_instant
from journeyctl.events.tsparse import parse_instants

_TS_CHARS = st.sampled_from(list("0123456789-:TtZz+. x"))
_shaped = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, zone: (
        f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}{s}{frac}{zone}"
    ),
    st.integers(1890, 2210),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["T", "t", " ", "x"]),
    st.integers(0, 25),
    st.integers(0, 61),
    st.sampled_from(["", ":00", ":59", ":60", ":5"]),
    st.sampled_from(["", ".5", ".1234567", ".", ".000001"]),
    st.sampled_from(["", "Z", "z", "+01:00", "-23:59", "+24:00", "+0100", "+01:60", "Zx"]),
)


@given(
    st.lists(st.one_of(_shaped, st.text(_TS_CHARS, max_size=30), st.text(max_size=12)), max_size=30)
)
@example(["2026-03-02", "2026-02-29", "2024-02-29", "2026-03-02T10:00", "2026-03-02T10:00:00.Z"])
def test_vectorised_parser_matches_reference(texts: list[str]) -> None:
    ts, ok = parse_instants(pa.array(texts, pa.string()))
    for i, text in enumerate(texts):
        ref = parse_instant(text)
        assert bool(ok[i]) == (ref is not None), text
        if ref is not None:
            assert int(ts[i]) == ref, text
