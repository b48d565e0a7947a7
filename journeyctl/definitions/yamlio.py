"""Safe YAML 1.2 (core schema) loading with source positions.

Files are parsed with ruamel.yaml's round-trip parser, which keeps line and column, and a
resolver limited to the YAML 1.2 core schema: dates and `1_000` stay strings, `on`/`yes` are
strings, and nothing in a file can construct objects or run code. The loaded tree is copied into
plain Python values plus a map from each node's path to its position; that copy is bounded in
size and depth, so alias bombs and absurd nesting end in a finding instead of exhausting memory.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path as FilePath  # `Path` here is a node path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from journeyctl.definitions import parsecache, registry
from journeyctl.errors import InputError, Problem

DEFAULT_MAX_FILE_SIZE = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64

Path = tuple[str | int, ...]
Scalar = str | int | float | bool | None

_CORE_SCHEMA: list[tuple[str, re.Pattern[str], str]] = [
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        "-+0123456789",
    ),
    (
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+0123456789.",
    ),
]


def _core_table() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, regexp, first in _CORE_SCHEMA:
        for ch in first:
            table.setdefault(ch, []).append((tag, regexp))
    table.setdefault("", []).append(_CORE_SCHEMA[0][:2])
    return table


# Built once: ruamel asks for the table for every plain scalar (a tenth of the parse time when it
# was rebuilt each time). ruamel extends the list it gets with the table's None entry in place
# (`resolvers += table.get(None, [])`); the table has no None key, so the lists stay as built.
_CORE_TABLE = _core_table()


class CoreSchemaResolver(VersionedResolver):  # type: ignore[misc]
    """Resolve plain scalars by the YAML 1.2 core schema only, whatever `%YAML` directive says."""

    @property
    def versioned_resolver(self) -> Any:
        return _CORE_TABLE


def _make_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Resolver = CoreSchemaResolver
    yaml.allow_duplicate_keys = False
    return yaml


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed YAML file: plain data plus the 1-based (line, col) of each node by path."""

    file: str
    data: Any
    positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict)
    # sha256 of the file's bytes ("" when the data is not the file's): lets a check whose result
    # depends only on them be skipped for a file that passed it before (`schema.check_schema`)
    digest: str = ""

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Best position for `path`: the node itself, else its nearest ancestor."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))


_PLAIN_TAGS = frozenset(
    {
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
        "tag:yaml.org,2002:str",
        "!!map",
        "!!seq",
        "!!str",
    }
)


_STR_TAGS = frozenset({"tag:yaml.org,2002:str", "!!str"})


def _tag_of(node: Any) -> str | None:
    return getattr(getattr(node, "tag", None), "value", None)


def _clean(text: str) -> str:
    """Replace lone surrogates (possible through YAML escapes) so the text can be written out."""
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


class _TooBig(Exception):
    pass


class _TooDeep(Exception):
    pass


class _Unsupported(Exception):
    def __init__(self, path: Path, what: str, at: tuple[int, int] | None = None):
        super().__init__(what)
        self.path = path
        self.what = what
        self.at = at  # where it is, when that is not the node at `path` (a key)


def _key_at(node: Any, key: Any) -> tuple[int, int] | None:
    """The 1-based position of `key` in mapping `node`; for a complex key (`? [a, b]`) ruamel
    records none, but the key node itself carries where it starts."""
    try:
        kl, kc = node.lc.key(key)
        return kl + 1, kc + 1
    except (KeyError, TypeError, AttributeError):
        pass
    lc = getattr(key, "lc", None)
    if lc is not None and isinstance(lc.line, int) and isinstance(lc.col, int):
        return lc.line + 1, lc.col + 1
    return None


class _Converter:
    def __init__(self) -> None:
        self.nodes = 0
        self.positions: dict[Path, tuple[int, int]] = {}
        self.key_positions: dict[Path, tuple[int, int]] = {}

    def convert(self, node: Any, path: Path, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig()
        if depth > MAX_DEPTH:
            raise _TooDeep()
        tag = _tag_of(node)
        if (
            tag is not None
            and tag not in _PLAIN_TAGS
            and not (isinstance(node, TaggedScalar) and tag in _STR_TAGS)
        ):
            raise _Unsupported(path, f"the explicit tag {tag}")
        if isinstance(node, CommentedMap):
            out: dict[str, Any] = {}
            for key in node:
                if not isinstance(key, str):
                    if isinstance(key, bool | int | float) or key is None:
                        skey = (
                            "null"
                            if key is None
                            else str(key).lower()
                            if isinstance(key, bool)
                            else str(key)
                        )
                    else:
                        raise _Unsupported(
                            path, "a key that is not a plain scalar", _key_at(node, key)
                        )
                else:
                    skey = _clean(str(key))
                child = (*path, skey)
                try:
                    kl, kc = node.lc.key(key)
                    self.key_positions[child] = (kl + 1, kc + 1)
                    vl, vc = node.lc.value(key)
                    self.positions[child] = (vl + 1, vc + 1)
                except (KeyError, TypeError, AttributeError):
                    pass
                out[skey] = self.convert(node[key], child, depth + 1)
            return out
        if isinstance(node, CommentedSeq):
            items = []
            for i, item in enumerate(node):
                child = (*path, i)
                try:
                    il, ic = node.lc.item(i)
                    self.positions[child] = (il + 1, ic + 1)
                except (KeyError, TypeError, AttributeError):
                    pass
                items.append(self.convert(item, child, depth + 1))
            return items
        if isinstance(node, TaggedScalar) and _tag_of(node) in _STR_TAGS:
            return _clean(str(node.value))  # `!!str 01234` is the core schema's explicit string
        if node is None or isinstance(node, bool):
            return node
        if isinstance(node, int):
            if abs(node).bit_length() > 1024:
                raise _Unsupported(path, "a number this large")
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return _clean(str(node))
        raise _Unsupported(path, f"a value of YAML type {type(node).__name__!r}")


def _flow_depth(raw: bytes) -> int:
    """The deepest nesting of `[`/`{` in the text (brackets inside strings count too: a bound,
    not a parse; no journey nests anywhere near MAX_DEPTH). Pure Python, not numpy: `validate`
    must start fast, and deleting every other byte first leaves only a few brackets to count."""
    steps = map(_STEP.__getitem__, raw.translate(None, _NOT_BRACKETS))
    return max(itertools.accumulate(steps, initial=0))


_STEP = [1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256)]
_NOT_BRACKETS = bytes(b for b in range(256) if not _STEP[b])


def _char_name(ch: object) -> str:
    code = ch if isinstance(ch, int) else ord(str(ch)[:1] or "\0")
    return f"U+{code:04X}"


def _line_col_of_char(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def _line_col_of_offset(text: bytes, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def load_yaml_bytes(
    raw: bytes, file: str, *, max_size: int = DEFAULT_MAX_FILE_SIZE
) -> YamlDocument | Problem:
    """Parse one YAML file's bytes; return the document or the problem that stopped it."""
    text = _checked_text(raw, file, max_size)
    if isinstance(text, Problem):
        return text
    docs = _parse_documents(text, file)
    if isinstance(docs, Problem):
        return docs
    return _to_document(docs, file)


def _too_large(file: str, size: int, max_size: int) -> Problem:
    # `-j events.csv` (a slip for the events argument) is too large far more often than a
    # journey is: then the path, not the limit, is what to fix
    yaml = file.lower().endswith((".yaml", ".yml"))
    return registry.FILE_TOO_LARGE.at(
        file,
        1,
        1,
        f"file is {size:,} bytes, over the {max_size:,}-byte limit; it was not parsed",
        "split the file, or raise the limit with --max-file-size"
        if yaml
        else "this does not look like a journey file (*.yaml): check the path given to "
        "-j/--journeys",
    )


def _checked_text(raw: bytes, file: str, max_size: int) -> str | Problem:
    """The file's text, or why it is not YAML worth parsing (size, encoding, empty, too deep)."""
    if len(raw) > max_size:
        return _too_large(file, len(raw), max_size)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return registry.ENCODING.at(
            file, 1, 1, "file is UTF-16; journey files must be UTF-8", "re-save the file as UTF-8"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col_of_offset(raw, exc.start)
        return registry.ENCODING.at(
            file,
            line,
            col,
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "re-save the file as UTF-8",
        )
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line, col = _line_col_of_offset(text.encode(), text.encode().index(b"\x00"))
        return registry.ENCODING.at(
            file, line, col, "file contains a NUL byte: it looks binary", "is this a YAML file?"
        )
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return registry.EMPTY_FILE.at(
            file, 1, 1, "file is empty", "a journey file starts with `journey: <id>`"
        )
    if _flow_depth(raw) > MAX_DEPTH:
        # ruamel's scanner is quadratic in flow nesting: refuse before it starts
        return _too_deep(file, f"the YAML is nested more than {MAX_DEPTH} levels deep")
    return text


def _too_deep(file: str, message: str = "the YAML is nested too deeply to read") -> Problem:
    return registry.YAML_TOO_DEEP.at(file, 1, 1, message, "flatten the structure")


def _parse_documents(text: str, file: str) -> list[Any] | Problem:
    """ruamel's documents, or the finding for why they cannot be read."""
    yaml = _make_yaml()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. ReusedAnchorWarning: legal YAML, not a problem
            return list(yaml.load_all(io.StringIO(text)))
    except ReaderError as exc:
        line, col = _line_col_of_char(text, exc.position)
        return registry.ENCODING.at(
            file,
            line,
            col,
            f"control character {_char_name(exc.character)} is not allowed in YAML",
            "remove it (only printable characters, tab and newlines are allowed)",
        )
    except MarkedYAMLError as exc:
        return _syntax_problem(exc, file)
    except RecursionError:
        return _too_deep(file)
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            return registry.YAML_NUMBER.at(
                file, 1, 1, "a number has more than 4300 digits", "use a smaller number"
            )
        msg = " ".join(str(exc).split())[:300]
        return registry.YAML_SYNTAX.at(file, 1, 1, msg or "invalid YAML", "fix the YAML syntax")
    except Exception as exc:
        # ruamel raises assorted non-YAML errors on odd tags and directives (`!!bool maybe`,
        # `%YAML 1.3`, an empty `!!float`): any failure to parse is a finding, never a crash
        msg = " ".join(str(exc).split())[:200]
        return registry.YAML_SYNTAX.at(
            file,
            1,
            1,
            f"the YAML cannot be read ({type(exc).__name__}{': ' + msg if msg else ''})",
            "remove explicit tags (`!!...`) and directives (`%YAML`), or fix the syntax",
        )


def _syntax_problem(exc: MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = exc.problem or "invalid YAML"
    if "found character '\\t'" in str(exc) or "\t" in (exc.problem or ""):
        hint = "YAML indentation must use spaces, not tabs"
    elif "alias" in (exc.context or ""):
        # `from: *` (any stage) reads as a YAML alias with no name
        hint = 'a bare `*` starts a YAML alias: quote it, e.g. from: "*"'
    elif "duplicate key" in (exc.problem or ""):
        what = exc.problem.split("\n")[0]
        hint = "remove or rename one of the keys"
    else:
        hint = "fix the YAML syntax at this position"
    what = " ".join(what.split())
    return registry.YAML_SYNTAX.at(file, line, col, what, hint)


def _to_document(docs: list[Any], file: str) -> YamlDocument | Problem:
    """The one document as plain values with positions, or why it is not one plain document."""
    if len(docs) != 1:
        return (registry.MULTIPLE_DOCUMENTS if docs else registry.EMPTY_FILE).at(
            file,
            1,
            1,
            f"file holds {len(docs)} YAML documents; one journey per file",
            "split it into one file per document",
        )
    conv = _Converter()
    try:
        data = conv.convert(docs[0], (), 0)
    except _TooBig:
        return registry.YAML_TOO_COMPLEX.at(
            file,
            1,
            1,
            f"the YAML expands to more than {MAX_NODES:,} nodes (an alias bomb?)",
            "remove the anchors and aliases that repeat large structures",
        )
    except _TooDeep:
        return _too_deep(file, f"the YAML is nested more than {MAX_DEPTH} levels deep")
    except RecursionError:
        return _too_deep(file)
    except _Unsupported as exc:
        line, col = exc.at or conv.positions.get(exc.path, (1, 1))
        return registry.YAML_TYPE.at(
            file,
            line,
            col,
            f"{exc.what} is not allowed here (only plain mappings, lists and scalars)",
            "remove the explicit YAML tag or the complex key",
        )
    lc = getattr(docs[0], "lc", None)
    if lc is not None and isinstance(lc.line, int) and isinstance(lc.col, int):
        conv.positions[()] = (lc.line + 1, lc.col + 1)
    return YamlDocument(file, data, conv.positions, conv.key_positions)


def load_yaml_file(path: str, *, max_size: int = DEFAULT_MAX_FILE_SIZE) -> YamlDocument | Problem:
    """Read and parse one YAML file; a file that cannot be read at all is an InputError (exit 2)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_size + 1)
            if len(raw) > max_size:
                import os

                return _too_large(path, os.fstat(fh.fileno()).st_size, max_size)
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read: {exc.strerror}", hint="check the path and its permissions"
        ) from None
    salt = _cache_salt()
    digest = hashlib.sha256(raw).hexdigest()
    hit = parsecache.load(salt, raw)
    if hit is not None:
        return YamlDocument(path, *hit, digest=digest)
    doc = load_yaml_bytes(raw, path, max_size=max_size)
    if isinstance(doc, YamlDocument):
        parsecache.store(salt, raw, doc.data, doc.positions, doc.key_positions)
        return replace(doc, digest=digest)
    return doc


@functools.cache
def _cache_salt() -> bytes:
    """What a cached parse depends on besides the file: this loader's code and journeyctl's version
    (a digest of this module's source, so an edited loader never reads an older loader's parse)."""
    from journeyctl import __version__

    digest = hashlib.sha256(FilePath(__file__).read_bytes())
    digest.update(__version__.encode())
    return digest.digest()
