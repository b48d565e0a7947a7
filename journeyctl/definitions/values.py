"""Value semantics of matchers and segments (PRODUCT §2 "Values, matchers and boundaries")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from journeyctl.definitions.model import Matcher, MatcherValue

_NUMBER = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


@lru_cache(maxsize=65536)
def text_number(text: str) -> Decimal | None:
    """The exact decimal value of a plain decimal number written as text, else None."""
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def yaml_number(value: MatcherValue) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value else None
    return text_number(value)


def yaml_text(value: MatcherValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _cmp(text: str, value: MatcherValue) -> int:
    """-1, 0 or 1 comparing event text with a matcher value (numbers exactly, else code points)."""
    a = text_number(text)
    b = yaml_number(value)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    t = yaml_text(value)
    return (text > t) - (text < t)


def values_equal(a: MatcherValue, b: MatcherValue) -> bool:
    """Equality of two definition values (used to check segments for overlap)."""
    na, nb = yaml_number(a), yaml_number(b)
    if na is not None and nb is not None:
        return na == nb
    return yaml_text(a) == yaml_text(b)


def text_equals(text: str, value: MatcherValue) -> bool:
    return _cmp(text, value) == 0


def matches(text: str, m: Matcher) -> bool:
    """Whether a property value (the raw cell, "" when empty or absent) satisfies a matcher."""
    op = m.op
    if text == "":
        if op == "exists":
            return not m.values[0]
        return op in ("ne", "not_in")
    if op == "exists":
        return bool(m.values[0])
    if op == "eq":
        return bool(m.values) and _cmp(text, m.values[0]) == 0
    if op == "ne":
        return not m.values or _cmp(text, m.values[0]) != 0
    if op == "in":
        return any(_cmp(text, v) == 0 for v in m.values)
    if op == "not_in":
        return all(_cmp(text, v) != 0 for v in m.values)
    if not m.values:
        return False
    c = _cmp(text, m.values[0])
    if op == "lt":
        return c < 0
    if op == "le":
        return c <= 0
    if op == "gt":
        return c > 0
    return c >= 0  # ge
