"""Find journey files, load them, check them, and build the journey set."""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field

from journeyctl.definitions import limits, registry
from journeyctl.definitions.model import Catalog, CatalogEvent, Journey, JourneySet
from journeyctl.definitions.parse import build_catalog, build_for_rules, build_journey
from journeyctl.definitions.partial import valid_part
from journeyctl.definitions.registry import RuleSettings
from journeyctl.definitions.rules import RuleContext, run_rules
from journeyctl.definitions.schema import check_schema
from journeyctl.definitions.yamlio import (
    DEFAULT_MAX_FILE_SIZE,
    YamlDocument,
    load_yaml_bytes,
    load_yaml_file,
)
from journeyctl.errors import DefinitionsError, Problem, UsageError

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class LoadResult:
    journeys: JourneySet
    problems: tuple[Problem, ...]
    files: tuple[str, ...] = field(default=())
    documents: tuple[YamlDocument, ...] = field(default=())  # the parsed journey files

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def expand_paths(paths: list[str]) -> list[str]:
    """Files named by `paths` (files, directories read non-recursively, globs), in a stable order."""
    files: list[str] = []
    for p in paths:
        if any(ch in p for ch in "*?["):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                raise UsageError(
                    f"no file matches {p!r}", hint="check the pattern and the directory"
                )
            for m in matches:
                if os.path.isdir(m):
                    files.extend(_dir_files(m))
                else:
                    files.append(m)
        elif os.path.isdir(p):
            files.extend(_dir_files(p))
        elif os.path.exists(p):
            files.append(p)
        else:
            raise UsageError(
                f"{p}: no such file or directory",
                hint="give journey files or directories, or set --journeys",
            )
    seen: set[str] = set()
    out = []
    for f in files:
        key = os.path.normpath(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _dir_files(d: str) -> list[str]:
    # every *.yaml name, whatever it is: one that is not a regular file is a finding
    # (`not_a_file`), never silently left out, or its journey would vanish without a word
    return sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(YAML_SUFFIXES))


def not_a_file(path: str) -> Problem | None:
    """`not-a-file`: the problem with a path that is not a regular file, without opening it
    (opening a FIFO for reading would block until a writer comes)."""
    rule = registry.NOT_A_FILE
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return rule.at(path, 1, 1, "a symlink loop", "remove it, or point it at a journey file")
        if os.path.islink(path):
            target = os.readlink(path)
            return rule.at(
                path,
                1,
                1,
                f"a dangling symlink (to {target}, which does not exist)",
                "remove it, or point it at an existing journey file",
            )
        return None  # e.g. permission denied: reading it says so (exit 2)
    if stat.S_ISREG(mode):
        return None
    what = (
        "a directory"
        if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    return rule.at(
        path,
        1,
        1,
        f"{what}, not a journey file",
        "move it out of the journeys directory, or rename it so that it does not end in .yaml",
    )


def load_journeys(
    paths: list[str],
    *,
    catalog: str | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    rules: RuleSettings | None = None,
) -> LoadResult:
    """Load, schema-check and rule-check every journey in `paths`; problems are values, not raises.

    `rules` (journeyctl.toml `[validate]`) turns rules off or changes their level.
    """
    check_max_file_size(max_file_size)
    files = expand_paths(paths)
    loaded = [(f, not_a_file(f) or load_yaml_file(f, max_size=max_file_size)) for f in files]
    cat = None
    if catalog is not None:
        cat = (catalog, load_yaml_file(catalog, max_size=max_file_size))
    return _check_and_build(loaded, cat, rules)


def load_journeys_from_files(
    files: Sequence[tuple[str, bytes]],
    *,
    catalog: tuple[str, bytes] | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    rules: RuleSettings | None = None,
) -> LoadResult:
    """Like `load_journeys`, from in-memory `(name, content)` pairs (e.g. read from a git revision).

    The names stand for paths: a journeys directory's files share their directory name.
    """
    check_max_file_size(max_file_size)
    loaded = [(name, load_yaml_bytes(raw, name, max_size=max_file_size)) for name, raw in files]
    cat = None
    if catalog is not None:
        cat = (catalog[0], load_yaml_bytes(catalog[1], catalog[0], max_size=max_file_size))
    return _check_and_build(loaded, cat, rules)


def _check_and_build(
    loaded: Sequence[tuple[str, YamlDocument | Problem]],
    catalog: tuple[str, YamlDocument | Problem] | None,
    settings: RuleSettings | None = None,
) -> LoadResult:
    settings = settings or RuleSettings()
    files = [f for f, _ in loaded]
    problems: list[Problem] = []
    journey_docs: list[YamlDocument] = []
    dir_catalogs: dict[str, Catalog] = {}  # absolute directory -> its catalog
    catalog_dirs: dict[str, str] = {}
    explicit: Catalog | None = None

    def add_catalog(directory: str, doc: YamlDocument) -> None:
        cat = build_catalog(doc, problems)
        if cat is not None:
            dir_catalogs[directory] = cat

    for f, loaded_file in loaded:
        if isinstance(loaded_file, Problem):
            problems.append(loaded_file)
            continue
        data = loaded_file.data
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else "a single value"
            problems.append(
                registry.NOT_A_MAPPING.at(
                    f,
                    1,
                    1,
                    f"file holds {kind}, not a mapping",
                    "a journey file starts with `journey: <id>`; a catalog with `events:`",
                )
            )
        elif "journey" in data:
            journey_docs.append(loaded_file)
        elif "events" in data:
            d = os.path.dirname(os.path.abspath(f))
            if d in catalog_dirs:
                problems.append(
                    registry.MULTIPLE_CATALOGS.at(
                        f,
                        1,
                        1,
                        f"a second event catalog in this directory (first: {catalog_dirs[d]})",
                        "keep one catalog per journeys directory",
                    )
                )
            else:
                catalog_dirs[d] = f
                add_catalog(d, loaded_file)
        else:
            problems.append(
                registry.UNKNOWN_FILE.at(
                    f,
                    1,
                    1,
                    "neither a journey (`journey:` key) nor an event catalog (`events:` key)",
                    "move other YAML files out of the journeys directory",
                )
            )
    if catalog is not None:
        catalog_name, loaded_cat = catalog
        if isinstance(loaded_cat, Problem):
            problems.append(loaded_cat)
        elif not isinstance(loaded_cat.data, dict) or "events" not in loaded_cat.data:
            problems.append(
                registry.CATALOG.at(
                    catalog_name,
                    1,
                    1,
                    "an event catalog is a mapping with an `events:` list",
                    None,
                )
            )
        else:
            explicit = build_catalog(loaded_cat, problems) or Catalog((), catalog_name)
    journeys: list[Journey] = []
    checked: list[Journey] = []  # also the valid parts of journeys with schema errors
    for doc in journey_docs:
        schema_problems = check_schema(doc)
        problems.extend(schema_problems)
        if schema_problems:
            part = valid_part(doc)
            if part is not None:  # checked by the rules, never used: the file has errors
                checked.append(build_for_rules(part, problems))
            continue
        j = build_journey(doc, problems)
        if j is not None:
            journeys.append(j)
            checked.append(j)
    ctx = RuleContext(tuple(checked), explicit, dir_catalogs)
    problems.extend(run_rules(ctx, skip=settings.disable))
    cat = explicit if explicit is not None else merge_catalogs(list(dir_catalogs.values()))
    kept = settings.apply(problems)
    kept.sort(key=Problem.sort_key)
    return LoadResult(
        JourneySet(tuple(journeys), cat), tuple(kept), tuple(files), tuple(journey_docs)
    )


def merge_catalogs(catalogs: Sequence[Catalog]) -> Catalog | None:
    """The catalog of the whole journey set, for what reads the input against every journey (the
    data checks' uncatalogued events, known values): every directory's events, the first listing
    of a name winning. Each journey's own names are checked against its own directory's."""
    if len(catalogs) <= 1:
        return catalogs[0] if catalogs else None
    seen: dict[str, CatalogEvent] = {}
    for c in catalogs:
        for e in c.events:
            seen.setdefault(e.name, e)
    return Catalog(tuple(seen.values()), ", ".join(c.file for c in catalogs))


def check_max_file_size(value: int) -> None:
    """`--max-file-size` / `max_file_size` within 1..MAX_FILE_SIZE_LIMIT, else a usage error."""
    if not 1 <= value <= limits.MAX_FILE_SIZE_LIMIT:
        raise UsageError(
            f"--max-file-size must be from 1 to {limits.MAX_FILE_SIZE_LIMIT} bytes, got {value}",
            hint="journey files are read into memory whole; split a larger file",
        )


def require_valid(result: LoadResult) -> JourneySet:
    """The journey set, or DefinitionsError (exit 2) when any error was found."""
    if result.errors:
        raise DefinitionsError(list(result.problems))
    if not result.journeys.journeys:
        raise UsageError(
            "no journey definitions found in " + ", ".join(result.files or ("the given paths",)),
            hint="point --journeys at a directory of journey YAML files",
        )
    return result.journeys
