"""The semantic structural diff of two sets of journey files (PRODUCT §4 `diff`).

Parsed data is compared, never text, so reformatting, comments and key order are no change.
Mappings are walked key by key; stages, milestones and risks are matched by id; other lists of
mappings (transitions, the items of `all`/`any`) are aligned by a longest common subsequence and
addressed by index. A condition (`enter_when`, `when`), a segment value and a list of plain values
(activities, a risk's `stages`) are compared as a whole: the path stops there, so a change reads as
"this condition became that one". The `journey` and `version` keys are not changes: the id is how
journeys are matched and `version` is reported in `JourneyDiff.version`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from journeyctl.definitions.yamlio import Path, YamlDocument

_NOT_CONTENT = ("journey", "version")
_ATOMIC_KEYS = ("enter_when", "when")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Change:
    """One changed node. `line` is on the head side (base side for a removal); `head_line` is
    always on the head side (for a removal, the nearest node that still exists there)."""

    path: str
    kind: str  # added | removed | changed | moved
    base: Any
    head: Any
    line: int
    head_line: int


@dataclass(frozen=True, slots=True)
class VersionChange:
    base: Any
    head: Any
    bumped: bool | None
    line: int | None  # head-side line of `version`


@dataclass(frozen=True, slots=True)
class JourneyDiff:
    id: str
    change: str  # added | removed | renamed | changed | unchanged
    renamed_from: str | None
    file: str
    version: VersionChange
    changes: tuple[Change, ...]

    @property
    def version_not_bumped(self) -> bool:
        """The content changed but the version did not increase."""
        return self.change == "changed" and bool(self.changes) and self.version.bumped is False


def canonical(value: Any) -> str:
    """A text equal for equal parsed data whatever the key order; `1`, `1.0` and `true` differ."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def lcs_pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of `a` and `b`, in order."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _dotted(parts: Sequence[str | int]) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
            continue
        # A key that is not a plain name (a dot, a space, a newline...) is quoted as JSON, so a
        # path stays one unambiguous line.
        name = p if _PLAIN_KEY.fullmatch(p) else json.dumps(p)
        out += f".{name}" if out else name
    return out


def _ids(items: list[Any]) -> list[str] | None:
    """The ids of a list of `{id: ...}` mappings, when every item has a distinct string id."""
    ids = [it.get("id") if isinstance(it, dict) else None for it in items]
    if all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids):
        return [str(i) for i in ids]
    return None


class _Walker:
    def __init__(self, base: YamlDocument, head: YamlDocument):
        self.base = base
        self.head = head
        self.out: list[Change] = []

    def line(self, doc: YamlDocument, path: Path) -> int:
        return doc.position(path, key=True)[0]

    def emit(self, parts: list[str | int], kind: str, b: Any, h: Any, bp: Path, hp: Path) -> None:
        head_line = self.line(self.head, hp)
        line = self.line(self.base, bp) if kind == "removed" else head_line
        self.out.append(Change(_dotted(parts), kind, b, h, line, head_line))

    def node(self, b: Any, h: Any, parts: list[str | int], bp: Path, hp: Path) -> None:
        if canonical(b) == canonical(h):
            return
        atomic = bool(parts) and (
            parts[-1] in _ATOMIC_KEYS or (len(parts) == 2 and parts[0] == "segment")
        )
        if not atomic and isinstance(b, dict) and isinstance(h, dict):
            self.mapping(b, h, parts, bp, hp)
        elif not atomic and isinstance(b, list) and isinstance(h, list) and self._walkable(b, h):
            by_id = parts[-1:] in (["stages"], ["milestones"], ["risks"])
            bids, hids = (_ids(b), _ids(h)) if by_id else (None, None)
            if bids is not None and hids is not None:
                self.keyed_list(b, h, bids, hids, parts, bp, hp)
            else:
                self.indexed_list(b, h, parts, bp, hp)
        else:
            self.emit(parts, "changed", b, h, bp, hp)

    @staticmethod
    def _walkable(b: list[Any], h: list[Any]) -> bool:
        """Lists of mappings are walked; lists of plain values compare as a whole."""
        return all(isinstance(x, dict) for x in b + h) and bool(b or h)

    def mapping(
        self, b: dict[str, Any], h: dict[str, Any], parts: list[str | int], bp: Path, hp: Path
    ) -> None:
        skip = _NOT_CONTENT if not parts else ()
        for k, hv in h.items():
            if k in skip:
                continue
            if k in b:
                self.node(b[k], hv, [*parts, k], (*bp, k), (*hp, k))
            else:
                self.emit([*parts, k], "added", None, hv, (*bp, k), (*hp, k))
        for k, bv in b.items():
            if k not in h and k not in skip:
                self.emit([*parts, k], "removed", bv, None, (*bp, k), hp)

    def keyed_list(
        self,
        b: list[Any],
        h: list[Any],
        bids: list[str],
        hids: list[str],
        parts: list[str | int],
        bp: Path,
        hp: Path,
    ) -> None:
        common = set(bids) & set(hids)
        bseq = [i for i in bids if i in common]
        hseq = [i for i in hids if i in common]
        kept = {bseq[i] for i, _ in lcs_pairs(bseq, hseq)}
        for j, item_id in enumerate(hids):
            child = [*parts, item_id]
            if item_id not in common:
                self.emit(child, "added", None, h[j], (*bp,), (*hp, j))
                continue
            i = bids.index(item_id)
            if item_id not in kept:
                self.emit(child, "moved", i, j, (*bp, i), (*hp, j))
            self.node(b[i], h[j], child, (*bp, i), (*hp, j))
        for i, item_id in enumerate(bids):
            if item_id not in common:
                self.emit([*parts, item_id], "removed", b[i], None, (*bp, i), hp)

    def indexed_list(
        self, b: list[Any], h: list[Any], parts: list[str | int], bp: Path, hp: Path
    ) -> None:
        pairs = lcs_pairs([canonical(x) for x in b], [canonical(x) for x in h])
        i = j = 0
        for pi, pj in [*pairs, (len(b), len(h))]:
            # Between two equal items: pair what was replaced, then report what is left over.
            bgap, hgap = list(range(i, pi)), list(range(j, pj))
            for bi, hj in zip(bgap, hgap, strict=False):
                self.node(b[bi], h[hj], [*parts, hj], (*bp, bi), (*hp, hj))
            for hj in hgap[len(bgap) :]:
                self.emit([*parts, hj], "added", None, h[hj], bp, (*hp, hj))
            for bi in bgap[len(hgap) :]:
                self.emit([*parts, bi], "removed", b[bi], None, (*bp, bi), hp)
            i, j = pi + 1, pj + 1


def diff_documents(base: YamlDocument, head: YamlDocument) -> list[Change]:
    """Every change from `base` to `head` of one journey, in the head file's order."""
    walker = _Walker(base, head)
    walker.node(base.data, head.data, [], (), ())
    return walker.out


def _content(doc: YamlDocument) -> str:
    data = doc.data if isinstance(doc.data, dict) else {}
    return canonical({k: v for k, v in data.items() if k not in _NOT_CONTENT})


def _by_id(docs: Sequence[YamlDocument]) -> dict[str, YamlDocument]:
    """Journey documents by id; a duplicate id (a validation error) keeps the first file."""
    out: dict[str, YamlDocument] = {}
    for d in docs:
        jid = d.data.get("journey") if isinstance(d.data, dict) else None
        if isinstance(jid, str) and jid not in out:
            out[jid] = d
    return out


def _version(base: YamlDocument | None, head: YamlDocument | None) -> VersionChange:
    def get(d: YamlDocument | None) -> Any:
        return d.data.get("version") if d is not None and isinstance(d.data, dict) else None

    bv, hv = get(base), get(head)
    bumped: bool | None = None
    if base is not None and head is not None:
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (bv, hv))
        bumped = bool(ints and hv > bv)
    line = None
    if head is not None and isinstance(head.data, dict) and "version" in head.data:
        line = head.position(("version",), key=True)[0]
    return VersionChange(bv, hv, bumped, line)


def _renames(removed: dict[str, YamlDocument], added: dict[str, YamlDocument]) -> dict[str, str]:
    """head id -> base id for journeys whose content is identical under a new id."""
    out: dict[str, str] = {}
    free = sorted(removed)
    for hid in sorted(added):
        sig = _content(added[hid])
        match = next((bid for bid in free if _content(removed[bid]) == sig), None)
        if match is not None:
            out[hid] = match
            free.remove(match)
    return out


def diff_journeys(base: Sequence[YamlDocument], head: Sequence[YamlDocument]) -> list[JourneyDiff]:
    """Per journey (sorted by id; a removed journey by its base id): what changed, §4."""
    b, h = _by_id(base), _by_id(head)
    removed = {k: v for k, v in b.items() if k not in h}
    added = {k: v for k, v in h.items() if k not in b}
    renames = _renames(removed, added)
    out: list[JourneyDiff] = []
    for jid, hd in h.items():
        if jid in b:
            changes = diff_documents(b[jid], hd)
            same = canonical(b[jid].data) == canonical(hd.data)
            kind = "unchanged" if same else "changed"
            out.append(JourneyDiff(jid, kind, None, hd.file, _version(b[jid], hd), tuple(changes)))
        elif jid in renames:
            bd = b[renames[jid]]
            out.append(
                JourneyDiff(jid, "renamed", bd.data["journey"], hd.file, _version(bd, hd), ())
            )
        else:
            out.append(JourneyDiff(jid, "added", None, hd.file, _version(None, hd), ()))
    gone = set(renames.values())
    for jid, bd in removed.items():
        if jid not in gone:
            out.append(JourneyDiff(jid, "removed", None, bd.file, _version(bd, None), ()))
    out.sort(key=lambda d: d.id)
    return out


def renamed_journeys(diffs: Sequence[JourneyDiff]) -> dict[str, str]:
    """head id -> base id of every renamed journey."""
    return {d.id: d.renamed_from for d in diffs if d.renamed_from is not None}
