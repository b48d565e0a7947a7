"""The two sides of `journeyctl diff`: a journeys path, or a git revision read without a checkout.

A side given on the command line is a journeys file or directory when such a path exists;
otherwise it is a git revision of the repository that holds the current directory
(`origin/main`, `HEAD~1`, a sha). A revision is read with `git ls-tree` and `git cat-file`: the
journeys path inside it is the configured journeys path (-j, $JOURNEYCTL_JOURNEYS, journeyctl.toml,
./journeys) taken relative to the repository's top level. Nothing is checked out.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace

from journeyctl.definitions import registry
from journeyctl.definitions.load import (
    YAML_SUFFIXES,
    LoadResult,
    load_journeys,
    load_journeys_from_files,
)
from journeyctl.definitions.model import JourneySet
from journeyctl.definitions.registry import RuleSettings
from journeyctl.definitions.yamlio import DEFAULT_MAX_FILE_SIZE
from journeyctl.errors import InputError, Problem, UsageError

WORKING_TREE = "working tree"


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff, loaded: `label` as given, `kind` path, revision or working tree."""

    label: str
    kind: str
    load: LoadResult
    commit: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Entry:
    mode: str
    type: str
    sha: str
    path: str  # relative to the repository's top level


def _git(args: Sequence[str], cwd: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git; None when git itself cannot be run."""
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, env=env, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _toplevel(cwd: str) -> str | None:
    r = _git(["rev-parse", "--show-toplevel"], cwd)
    if r is None or r.returncode != 0:
        return None
    return os.path.realpath(r.stdout.decode("utf-8", "replace").strip())


def resolve_commit(spec: str, cwd: str) -> str | None:
    """The commit sha `spec` names in the repository at `cwd`, or None."""
    r = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", spec + "^{commit}"], cwd)
    if r is None or r.returncode != 0:
        return None
    return r.stdout.decode("ascii", "replace").strip() or None


def _ls_tree(top: str, commit: str, rel: str) -> list[_Entry]:
    args = ["ls-tree", "-z", "--full-name", commit]
    if rel:
        args += ["--", rel]
    r = _git(args, top)
    if r is None or r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip() if r is not None else "git not found"
        raise InputError(f"cannot list {rel or '/'} in {commit[:12]}: {err}")
    out = []
    for rec in r.stdout.split(b"\0"):
        if not rec:
            continue
        meta, _, path = rec.partition(b"\t")
        mode, typ, sha = meta.decode("ascii").split(" ")
        out.append(_Entry(mode, typ, sha, path.decode("utf-8", "surrogateescape")))
    return out


def _read_blob(top: str, sha: str, name: str) -> bytes:
    r = _git(["cat-file", "blob", sha], top)
    if r is None or r.returncode != 0:
        raise InputError(f"cannot read {name} from git (object {sha[:12]})")
    return r.stdout


def _rel_in_repo(path: str, top: str) -> str | None:
    """`path` relative to the repository top level ("" for the top itself), None if outside."""
    # Resolve symbolic links in the directories above (e.g. /tmp on macOS) but not the last part:
    # a journeys path that is itself a link is looked up as the link it is in the revision.
    absolute = os.path.abspath(path)
    parent, name = os.path.split(absolute)
    rel = os.path.relpath(os.path.join(os.path.realpath(parent), name), top)
    if rel == os.curdir:
        return ""
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def _revision_files(
    top: str, commit: str, label: str, journeys: Sequence[str]
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The journey files of `journeys` in the revision, named as in the working tree."""
    files: list[tuple[str, bytes]] = []
    notes: list[str] = []
    seen: set[str] = set()
    for p in journeys:
        if any(ch in p for ch in "*?["):
            raise UsageError(
                f"journeys path {p!r} is a glob; with a git revision name a directory or a file",
                hint="set -j to the journeys directory",
            )
        rel = _rel_in_repo(p, top)
        if rel is None:
            raise UsageError(
                f"journeys path {p!r} is outside the git repository {top}",
                hint="run journeyctl diff from inside the repository that holds the journeys",
            )
        if rel:
            entries = [e for e in _ls_tree(top, commit, rel) if e.path == rel]
            if not entries:
                notes.append(f"{p} does not exist in {label}: no journeys on that side")
                continue
            entry = entries[0]
        else:
            entry = _Entry("040000", "tree", commit, "")
        if entry.mode == "120000":
            notes.append(f"{p} in {label} is a symbolic link; it is not followed")
            continue
        if entry.type == "blob":
            children = [(p, entry)]
        elif entry.type == "tree":
            children = [
                (os.path.join(p, e.path.rsplit("/", 1)[-1]), e)
                for e in _ls_tree(top, commit, rel + "/" if rel else "")
                if e.type == "blob" and e.mode != "120000" and e.path.endswith(YAML_SUFFIXES)
            ]
            children.sort(key=lambda c: c[0])
        else:
            notes.append(f"{p} in {label} is a {entry.type}, not a journeys file or directory")
            continue
        for name, e in children:
            key = os.path.normpath(name)
            if key not in seen:
                seen.add(key)
                files.append((name, _read_blob(top, e.sha, name)))
    return files, notes


def _load_revision(
    label: str,
    commit: str,
    top: str,
    journeys: Sequence[str],
    catalog: str | None,
    max_file_size: int,
    rules: RuleSettings | None,
) -> Side:
    files, notes = _revision_files(top, commit, label, journeys)
    extra: list[Problem] = []
    cat: tuple[str, bytes] | None = None
    if catalog is not None:
        rel = _rel_in_repo(catalog, top)
        if rel is None:
            # A catalog kept outside the repository is the same on both sides.
            try:
                with open(catalog, "rb") as fh:
                    cat = (catalog, fh.read())
            except OSError as exc:
                extra.append(registry.UNREADABLE.at(catalog, 1, 1, f"cannot read: {exc.strerror}"))
        else:
            found = [e for e in _ls_tree(top, commit, rel) if e.path == rel and e.type == "blob"]
            if found:
                cat = (catalog, _read_blob(top, found[0].sha, catalog))
            else:
                extra.append(registry.UNREADABLE.at(catalog, 1, 1, f"catalog not found in {label}"))
    loaded = load_journeys_from_files(files, catalog=cat, max_file_size=max_file_size, rules=rules)
    if extra:
        loaded = replace(
            loaded, problems=tuple(sorted((*loaded.problems, *extra), key=Problem.sort_key))
        )
    return Side(label, "revision", loaded, commit, tuple(notes))


def load_side(
    spec: str | None,
    journeys: Sequence[str],
    *,
    catalog: str | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    role: str = "BASE",
    rules: RuleSettings | None = None,
) -> Side:
    """Load one side: None is the working tree (the configured journeys paths), else `spec`.

    `spec` is a journeys file or directory when that path exists, else a git revision of the
    repository holding the current directory; anything else is a usage error (exit 2).
    `rules` (journeyctl.toml `[validate]`) applies to both kinds of side, as in `validate`.
    """
    if spec is None:
        return Side(
            WORKING_TREE,
            WORKING_TREE,
            load_journeys(
                list(journeys), catalog=catalog, max_file_size=max_file_size, rules=rules
            ),
        )
    if spec == "":
        raise UsageError(f"{role} is empty; give a journeys directory or a git revision")
    if os.path.exists(spec):
        return Side(
            spec,
            "path",
            load_journeys([spec], catalog=catalog, max_file_size=max_file_size, rules=rules),
        )
    here = os.getcwd()
    top = _toplevel(here)
    commit = resolve_commit(spec, here) if top is not None else None
    if top is None or commit is None:
        where = (
            "this repository" if top is not None else "a repository (not inside a git work tree)"
        )
        raise UsageError(
            f"{role} {spec!r} is neither a journeys file or directory nor a git revision of {where}",
            hint="give a journeys directory or file, or a revision such as origin/main, HEAD~1 "
            "or a sha; in CI fetch the history (actions/checkout with fetch-depth: 0)",
        )
    return _load_revision(spec, commit, top, journeys, catalog, max_file_size, rules)


def side_journeys(side: Side) -> JourneySet | None:
    """The side's journeys when they can be replayed (no error on that side), else None."""
    return None if side.load.errors else side.load.journeys
