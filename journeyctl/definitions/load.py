"""Find journey files, load them, check them, and build the journey set."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from journeyctl.definitions import registry
from journeyctl.definitions.model import Catalog, Journey, JourneySet
from journeyctl.definitions.parse import build_catalog, build_journey
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
    return sorted(
        os.path.join(d, n)
        for n in os.listdir(d)
        if n.endswith(YAML_SUFFIXES) and os.path.isfile(os.path.join(d, n))
    )


def load_journeys(
    paths: list[str],
    *,
    catalog: str | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> LoadResult:
    """Load, schema-check and rule-check every journey in `paths`; problems are values, not raises."""
    files = expand_paths(paths)
    loaded = [(f, load_yaml_file(f, max_size=max_file_size)) for f in files]
    cat = None
    if catalog is not None:
        cat = (catalog, load_yaml_file(catalog, max_size=max_file_size))
    return _check_and_build(loaded, cat)


def load_journeys_from_files(
    files: Sequence[tuple[str, bytes]],
    *,
    catalog: tuple[str, bytes] | None = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> LoadResult:
    """Like `load_journeys`, from in-memory `(name, content)` pairs (e.g. read from a git revision).

    The names stand for paths: a journeys directory's files share their directory name.
    """
    loaded = [(name, load_yaml_bytes(raw, name, max_size=max_file_size)) for name, raw in files]
    cat = None
    if catalog is not None:
        cat = (catalog[0], load_yaml_bytes(catalog[1], catalog[0], max_size=max_file_size))
    return _check_and_build(loaded, cat)


def _check_and_build(
    loaded: Sequence[tuple[str, YamlDocument | Problem]],
    catalog: tuple[str, YamlDocument | Problem] | None,
) -> LoadResult:
    files = [f for f, _ in loaded]
    problems: list[Problem] = []
    journey_docs: list[YamlDocument] = []
    catalogs: list[Catalog] = []
    catalog_dirs: dict[str, str] = {}

    def add_catalog(doc: YamlDocument) -> None:
        cat = build_catalog(doc, problems)
        if cat is not None:
            catalogs.append(cat)

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
                add_catalog(loaded_file)
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
            catalogs.insert(0, build_catalog(loaded_cat, problems) or Catalog((), catalog_name))
    journeys: list[Journey] = []
    for doc in journey_docs:
        schema_problems = check_schema(doc)
        problems.extend(schema_problems)
        if schema_problems:
            continue
        j = build_journey(doc, problems)
        if j is not None:
            journeys.append(j)
    cat = catalogs[0] if catalogs else None
    problems.extend(run_rules(RuleContext(tuple(journeys), cat)))
    problems.sort(key=Problem.sort_key)
    return LoadResult(
        JourneySet(tuple(journeys), cat), tuple(problems), tuple(files), tuple(journey_docs)
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
