"""YAML 1.2 core-schema loading through `journeyctl.definitions.yamlio` (PRODUCT §2).

`load_yaml_bytes` must turn every input into either a `YamlDocument` or a `Problem` (never an
exception), keep the core schema (no dates, no `1_000` integers, no `on`/`yes` booleans), reject
what could construct objects, and stay quick on hostile input.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from journeyctl.definitions.yamlio import (
    DEFAULT_MAX_FILE_SIZE,
    YamlDocument,
    load_yaml_bytes,
    load_yaml_file,
)
from journeyctl.errors import InputError, Problem

FILE = "journeys/demo.yaml"


def load(raw: bytes | str, **kwargs: Any) -> YamlDocument | Problem:
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return load_yaml_bytes(raw, FILE, **kwargs)


def data(raw: bytes | str) -> Any:
    doc = load(raw)
    assert isinstance(doc, YamlDocument), doc
    assert doc.file == FILE
    return doc.data


def problem(raw: bytes | str, **kwargs: Any) -> Problem:
    prob = load(raw, **kwargs)
    assert isinstance(prob, Problem), prob
    assert prob.file == FILE
    assert prob.severity == "error"
    assert prob.line >= 1 and prob.col >= 1
    assert prob.message
    return prob


# ---- the core schema ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "on",
        "off",
        "On",
        "yes",
        "no",
        "y",
        "n",
        "Yes",
        "NO",
        "2026-01-01",
        "2026-03-02T10:00:00Z",
        "2026-03-02 10:00:00",
        "1_000",
        "0b101",
        "12:30:00",
        "0x",
        "1e",
        "nan",
        "inf",
        "NA",
        "None",
        "+",
        "=",
        "<<",
    ],
)
def test_plain_scalars_that_stay_strings(text: str) -> None:
    assert data(f"value: {text}\n") == {"value": text}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0x1f", 31),
        ("0o17", 15),
        ("42", 42),
        ("-7", -7),
        ("+7", 7),
        ("007", 7),
        ("1.5", 1.5),
        ("7.", 7.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("-.inf", float("-inf")),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("", None),
    ],
)
def test_core_schema_values(text: str, value: Any) -> None:
    got = data(f"value: {text}\n")["value"]
    assert got == value
    assert type(got) is type(value)


def test_nan_is_a_float_nan() -> None:
    got = data("value: .nan\n")["value"]
    assert isinstance(got, float) and got != got


def test_quoted_scalars_are_strings() -> None:
    assert data("a: '0x1f'\nb: \"true\"\nc: '7'\n") == {"a": "0x1f", "b": "true", "c": "7"}


def test_yaml_1_1_directive_does_not_bring_back_yaml_1_1_booleans() -> None:
    assert data("%YAML 1.1\n---\na: yes\nb: 2026-01-01\nc: 1_000\n") == {
        "a": "yes",
        "b": "2026-01-01",
        "c": "1_000",
    }


@pytest.mark.parametrize(
    ("raw", "key"),
    [("7: a\n", "7"), ("false: a\n", "false"), ("~: a\n", "null"), ("1.5: a\n", "1.5")],
)
def test_non_string_keys_become_strings(raw: str, key: str) -> None:
    assert data(raw) == {key: "a"}


def test_positions_are_1_based_for_values_and_keys() -> None:
    doc = load("journey: demo\nstages:\n  - id: onboarding\n    title: x\n")
    assert isinstance(doc, YamlDocument)
    assert doc.positions[("journey",)] == (1, 10)
    assert doc.key_positions[("journey",)] == (1, 1)
    assert doc.positions[("stages", 0)] == (3, 5)
    assert doc.positions[("stages", 0, "id")] == (3, 9)
    assert doc.key_positions[("stages", 0, "title")] == (4, 5)
    # an unknown path falls back to its nearest known ancestor
    assert doc.position(("stages", 0, "id", "nope")) == (3, 9)


def test_anchors_and_aliases_are_expanded() -> None:
    assert data("a: &c {event: x}\nb: *c\n") == {"a": {"event": "x"}, "b": {"event": "x"}}


# ---- syntax problems -------------------------------------------------------------------------


def test_duplicate_key_is_a_problem_at_the_duplicate() -> None:
    prob = problem("journey: demo\nversion: 1\ntitle: a\nversion: 2\n")
    assert (prob.rule, prob.line, prob.col) == ("yaml-syntax", 4, 1)
    assert 'duplicate key "version"' in prob.message
    assert prob.hint == "remove or rename one of the keys"


def test_nested_duplicate_key_is_a_problem_at_the_duplicate() -> None:
    prob = problem("stages:\n  - id: a\n    title: x\n    id: b\n")
    assert (prob.rule, prob.line, prob.col) == ("yaml-syntax", 4, 5)


def test_duplicate_key_in_a_flow_mapping() -> None:
    prob = problem("when: {event: a, at_least: 2, event: b}\n")
    assert (prob.rule, prob.line, prob.col) == ("yaml-syntax", 1, 31)


@pytest.mark.parametrize(
    ("raw", "line", "col"),
    [
        ("journey: demo\nstages:\n\t- id: a\n", 3, 1),
        ("journey: demo\nsegment:\n  size: smb\n\tregion: NA\n", 4, 1),
        ("segment:\n  \tregion: NA\n", 2, 3),
    ],
)
def test_tab_indentation_is_a_problem_with_a_hint(raw: str, line: int, col: int) -> None:
    prob = problem(raw)
    assert (prob.rule, prob.line, prob.col) == ("yaml-syntax", line, col)
    assert prob.hint == "YAML indentation must use spaces, not tabs"


def test_unclosed_flow_sequence() -> None:
    prob = problem("stages: [a, b\n")
    assert prob.rule == "yaml-syntax"
    assert prob.hint == "fix the YAML syntax at this position"


def test_undefined_alias() -> None:
    prob = problem("a: 1\nb: *nope\n")
    assert (prob.rule, prob.line, prob.col) == ("yaml-syntax", 2, 4)


# ---- empty, comment-only, not a mapping, several documents --------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"", b"\n", b"   \n\n  \n", b"# just a comment\n", b"# one\n\n  # two\n", b"\xef\xbb\xbf"],
    ids=["empty", "newline", "blank-lines", "comment", "comments", "bom-only"],
)
def test_empty_and_comment_only_files(raw: bytes) -> None:
    prob = problem(raw)
    assert (prob.rule, prob.line, prob.col) == ("empty-file", 1, 1)
    assert prob.message == "file is empty"


def test_a_list_document_loads_as_a_list() -> None:
    # the loader returns it; `load_journeys` then reports `not-a-mapping`
    assert data("- onboarding\n- adoption\n") == ["onboarding", "adoption"]


def test_a_scalar_document_loads_as_a_scalar() -> None:
    assert data("hello\n") == "hello"


def test_several_documents_are_a_problem() -> None:
    prob = problem("journey: a\n---\njourney: b\n")
    assert prob.rule == "multiple-documents"
    assert prob.message == "file holds 2 YAML documents; one journey per file"


# ---- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_is_an_encoding_problem(codec: str) -> None:
    raw = "journey: demo\nversion: 1\n".encode(codec)
    if codec != "utf-16":  # the BOM-less forms need the BOM to be recognised as UTF-16
        raw = ("\ufeff" + "journey: demo\n").encode(codec)
    prob = problem(raw)
    assert (prob.rule, prob.line, prob.col) == ("encoding", 1, 1)
    assert prob.message == "file is UTF-16; journey files must be UTF-8"
    assert prob.hint == "re-save the file as UTF-8"


def test_utf16_without_bom_is_an_encoding_problem() -> None:
    prob = problem("journey: demo\n".encode("utf-16-le"))
    assert (prob.rule, prob.line) == ("encoding", 1)


def test_latin1_is_an_encoding_problem_with_its_line_and_column() -> None:
    raw = "journey: demo\nversion: 1\ntitle: Café Onboarding\n".encode("latin-1")
    prob = problem(raw)
    assert (prob.rule, prob.line, prob.col) == ("encoding", 3, 11)
    assert prob.message == "file is not valid UTF-8 (byte 0xe9)"
    assert prob.hint == "re-save the file as UTF-8"


def test_latin1_with_crlf_line_endings() -> None:
    prob = problem(b"journey: demo\r\ntitle: na\xefve\r\n")
    assert (prob.rule, prob.line, prob.col) == ("encoding", 2, 10)


def test_utf8_bom_is_accepted() -> None:
    doc = load(b"\xef\xbb\xbfjourney: demo\nversion: 1\n")
    assert isinstance(doc, YamlDocument)
    assert doc.data == {"journey": "demo", "version": 1}
    assert doc.positions[("journey",)] == (1, 10)  # the BOM takes no column


def test_utf8_text_is_accepted() -> None:
    assert data("title: Café — Zürich 東京\n") == {"title": "Café — Zürich 東京"}


def test_nul_byte_is_an_encoding_problem_with_its_line() -> None:
    prob = problem(b"journey: demo\nversion: 1\ntitle: a\x00b\n")
    assert (prob.rule, prob.line, prob.col) == ("encoding", 3, 9)
    assert prob.message == "file contains a NUL byte: it looks binary"


def test_escaped_nul_in_a_quoted_string_is_just_text() -> None:
    assert data('title: "a\\0b"\n') == {"title": "a\x00b"}


def test_control_character_is_reported_at_its_line() -> None:
    prob = problem(b"journey: demo\nversion: 1\ntitle: a\x07b\n")
    assert (prob.line, prob.col) == (3, 9)
    assert "U+0007" in prob.message


# ---- nothing in a file can construct objects ----------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "journey: !!python/name:os.system\n",
        "journey: !!python/object/apply:os.system 'true'\n",
        "journey: !!binary aGVsbG8=\n",
        "journey: !!timestamp 2026-01-01\n",
        "journey: !!set {a, b}\n",
        "journey: !custom text\n",
    ],
)
def test_explicit_tags_on_scalars_are_a_yaml_type_problem(raw: str) -> None:
    prob = problem(raw)
    assert (prob.rule, prob.line, prob.col) == ("yaml-type", 1, 10)
    assert prob.hint == "remove the explicit YAML tag or the complex key"


@pytest.mark.parametrize(
    "raw",
    [
        "journey: !!python/object:os.system {}\n",
        "journey: !!python/object/apply:os.system ['echo hi']\n",
        "journey: !!python/object/new:builtins.dict {}\n",
        "stages: [!!python/object:builtins.dict {id: a}]\n",
        "journey: !custom {a: 1}\n",
    ],
)
def test_explicit_tags_on_collections_are_a_yaml_type_problem(raw: str) -> None:
    prob = problem(raw)
    assert prob.rule == "yaml-type"


def test_python_tags_never_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for raw in (
        f"a: !!python/object/apply:os.system ['touch {marker}']\n",
        f"a: !!python/object/apply:subprocess.call [['touch', '{marker}']]\n",
        f"a: !!python/object/new:os.system ['touch {marker}']\n",
    ):
        load(raw)
    assert not marker.exists()


@pytest.mark.parametrize("raw", ["? [a, b]\n: 1\n", "? {a: 1}\n: x\n", "{? [x] : 1}\n"])
def test_complex_keys_are_a_yaml_type_problem(raw: str) -> None:
    assert problem(raw).rule == "yaml-type"


def test_complex_key_is_reported_at_its_line() -> None:
    prob = problem("journey: demo\nversion: 1\n? [a, b]\n: 1\n")
    assert (prob.rule, prob.line, prob.col) == ("yaml-type", 3, 3)
    nested = problem("journey: demo\nstages:\n  - id: a\n    ? {x: 1}\n    : 2\n")
    assert (nested.rule, nested.line, nested.col) == ("yaml-type", 4, 7)


# ---- hostile input: alias bombs, nesting, huge numbers, huge files ------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> bytes:
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * width)}]")
    return ("\n".join(lines) + "\n").encode()


def test_alias_bomb_is_yaml_too_complex_quickly() -> None:
    start = time.process_time()
    prob = problem(billion_laughs())
    spent = time.process_time() - start
    assert (prob.rule, prob.line, prob.col) == ("yaml-too-complex", 1, 1)
    assert "alias bomb" in prob.message
    assert spent < 5, f"took {spent:.1f}s of CPU"


def test_small_aliases_are_fine() -> None:
    doc = data(billion_laughs(levels=3, width=3))
    assert doc["c"] == [[["lol"] * 3] * 3] * 3


def test_deep_flow_list_is_a_problem_not_an_exception() -> None:
    prob = problem(b"[" * 10_000 + b"]" * 10_000)
    assert prob.rule == "yaml-too-deep"


def test_deep_flow_mapping_is_a_problem_not_an_exception() -> None:
    prob = problem(b"{a: " * 10_000 + b"1" + b"}" * 10_000)
    assert prob.rule == "yaml-too-deep"


def test_deep_block_mapping_is_a_problem_not_an_exception() -> None:
    raw = "".join("  " * i + "a:\n" for i in range(500)) + "  " * 500 + "1\n"
    assert problem(raw).rule == "yaml-too-deep"


def test_nesting_over_the_depth_limit_is_yaml_too_deep() -> None:
    prob = problem(b"[" * 100 + b"]" * 100)
    assert prob.rule == "yaml-too-deep"
    assert prob.message == "the YAML is nested more than 64 levels deep"


def test_deep_flow_nesting_is_rejected_quickly() -> None:
    raw = b"[" * 300 + b"a," * 50_000 + b"]" * 300
    start = time.process_time()
    prob = problem(raw)
    spent = time.process_time() - start
    assert prob.rule == "yaml-too-deep"
    assert spent < 1.5, f"took {spent:.1f}s of CPU"


def test_huge_decimal_integer_is_a_problem() -> None:
    prob = problem(b"version: " + b"9" * 5000 + b"\n")
    assert prob.rule == "yaml-number"


def test_negative_huge_decimal_integer_is_a_problem() -> None:
    assert isinstance(load(b"version: -" + b"9" * 5000 + b"\n"), Problem)


@pytest.mark.parametrize("digits", [b"0x" + b"f" * 5000, b"0o" + b"7" * 6000], ids=["hex", "octal"])
def test_huge_hex_integer_is_a_problem(digits: bytes) -> None:
    assert isinstance(load(b"version: " + digits + b"\n"), Problem)


def test_long_float_is_fine() -> None:
    assert data(b"score: 1." + b"9" * 5000 + b"\n") == {"score": 2.0}


def test_over_the_size_limit_is_file_too_large_without_parsing() -> None:
    raw = b"journey: [" * 10  # would be a syntax error if it were parsed
    prob = problem(raw, max_size=50)
    assert (prob.rule, prob.line, prob.col) == ("file-too-large", 1, 1)
    assert prob.message == "file is 100 bytes, over the 50-byte limit; it was not parsed"
    assert prob.hint == "split the file, or raise the limit with --max-file-size"


def test_size_limit_boundary() -> None:
    raw = b"title: " + b"x" * (100 - 8) + b"\n"
    assert len(raw) == 100
    assert isinstance(load(raw, max_size=100), YamlDocument)
    assert problem(raw, max_size=99).rule == "file-too-large"


def test_default_size_limit_is_one_megabyte() -> None:
    assert DEFAULT_MAX_FILE_SIZE == 1_000_000
    ok = b"# " + b"x" * (DEFAULT_MAX_FILE_SIZE - 20) + b"\ntitle: a\n"
    assert len(ok) <= DEFAULT_MAX_FILE_SIZE
    assert isinstance(load(ok), YamlDocument)
    assert problem(b"#" * (DEFAULT_MAX_FILE_SIZE + 1)).rule == "file-too-large"


def test_50_mb_file_is_rejected_quickly_by_load_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    chunk = b"- {event: login, where: {feature: dashboards}}\n" * 20_000
    with open(path, "wb") as fh:
        while fh.tell() < 50_000_000:
            fh.write(chunk)
    size = path.stat().st_size
    start = time.perf_counter()
    prob = load_yaml_file(str(path))
    spent = time.perf_counter() - start
    assert isinstance(prob, Problem)
    assert (prob.file, prob.rule, prob.line, prob.col) == (str(path), "file-too-large", 1, 1)
    assert prob.message == (
        f"file is {size:,} bytes, over the 1,000,000-byte limit; it was not parsed"
    )
    assert spent < 0.5, f"took {spent:.2f}s"


def test_load_yaml_file_reads_and_parses(tmp_path: Path) -> None:
    path = tmp_path / "j.yaml"
    path.write_text("journey: demo\n", encoding="utf-8")
    doc = load_yaml_file(str(path))
    assert isinstance(doc, YamlDocument)
    assert (doc.file, doc.data) == (str(path), {"journey": "demo"})


def test_load_yaml_file_on_a_directory_is_an_input_error(tmp_path: Path) -> None:
    # a path that cannot be read is bad input (exit 2), not a finding (PRODUCT §4)
    with pytest.raises(InputError, match="is a directory"):
        load_yaml_file(str(tmp_path))


# ---- properties: never an exception -------------------------------------------------------------


def check_result(result: object) -> None:
    assert isinstance(result, YamlDocument | Problem)
    if isinstance(result, Problem):
        assert result.file == FILE
        assert result.severity == "error"
        assert result.line >= 1 and result.col >= 1
        assert result.rule
        assert result.message


@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    check_result(load_yaml_bytes(raw, FILE))


@given(st.text(max_size=1_000))
def test_arbitrary_text_never_raises(text: str) -> None:
    check_result(load_yaml_bytes(text.encode("utf-8"), FILE))


YAML_ALPHABET = ":-[]{}!&*#|>'\"%@`,?\n \t\\abcxyz019.~+eE_"


@given(st.text(alphabet=YAML_ALPHABET, max_size=200))
def test_yaml_punctuation_soup_never_raises(text: str) -> None:
    check_result(load_yaml_bytes(text.encode("utf-8"), FILE))


YAML_TOKENS = st.sampled_from(
    [
        "%YAML 1.1\n",
        "%YAML 1.2\n",
        "%TAG ! tag:example.com,2000:\n",
        "---\n",
        "...\n",
        "!!str ",
        "!!int ",
        "!!float ",
        "!!bool ",
        "!!null ",
        "!!map ",
        "!!seq ",
        "!!binary ",
        "!!timestamp ",
        "!!set ",
        "!!omap ",
        "!!python/object:os.system ",
        "!x ",
        "&a ",
        "*a ",
        "<<: ",
        "? ",
        ": ",
        "- ",
        "{",
        "}",
        "[",
        "]",
        ", ",
        "\n",
        "  ",
        "key",
        "1",
        "0x1f",
        "0o7",
        ".nan",
        "-.inf",
        "yes",
        "~",
        "'q'",
        '"\\t"',
        "|\n  block\n",
        ">-\n  folded\n",
        "# c\n",
        "2026-01-01",
        "1_000",
    ]
)


@example("a: !!bool maybe\n")
@example("%YAML 1.3\n---\na: 1\n")
@example("a: !!float\n")
@example("a: !!int ''\n")
@example("a: !!omap x\n")
@example("a: !!set x\n")
@example("? : :\n")
@given(st.lists(YAML_TOKENS, max_size=30).map("".join))
def test_yaml_token_soup_never_raises(text: str) -> None:
    check_result(load_yaml_bytes(text.encode("utf-8"), FILE))
