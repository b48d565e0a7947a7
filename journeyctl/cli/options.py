"""Typer option declarations shared by the commands, and the event options as one bundle.

A command that reads events declares one parameter `inputs: EventInputs` and decorates itself
with `event_options(...)`: the decorator puts the event options in the command's signature in
that parameter's place (so typer shows and parses them) and hands the command one `EventInputs`
value. The options are declared here once, never copied into a command.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

from journeyctl.config import Config, load_config
from journeyctl.definitions.limits import MAX_FILE_SIZE_LIMIT
from journeyctl.errors import UsageError
from journeyctl.events.sources import FORMATS as INPUT_FORMATS
from journeyctl.inputs import EventInputs

F = TypeVar("F", bound=Callable[..., Any])


def complete_choices(choices: Iterable[str]) -> Callable[[str], list[str]]:
    """typer's `autocompletion` offering `choices` (those starting with what was typed so far),
    for an option whose values the command checks itself rather than through a click Choice."""
    names = list(choices)

    def complete(incomplete: str) -> list[str]:
        return [n for n in names if n.startswith(incomplete)]

    return complete


JOURNEYS_HELP = "Journey file or directory (repeatable); default: $JOURNEYCTL_JOURNEYS, journeyctl.toml, ./journeys"

EVENTS_HELP = (
    "Event files: CSV (.csv, .csv.gz, - for stdin), Parquet (.parquet, or a dataset directory), "
    "JSON Lines (.jsonl, .jsonl.gz), Arrow (.arrow); or --sql with --db-url"
)
Events = Annotated[
    list[str] | None, typer.Argument(help=EVENTS_HELP, metavar="EVENTS", show_default=False)
]
EventsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--events", metavar="FILE", help="Event file (repeatable): replay it under both sides"
    ),
]
InputFormat = Annotated[
    str | None,
    typer.Option(
        "--input-format",
        metavar=f"[{'|'.join(INPUT_FORMATS)}]",
        help="Read the event files as csv, parquet, jsonl or arrow",
        autocompletion=complete_choices(INPUT_FORMATS),
    ),
]
Sql = Annotated[
    str | None,
    typer.Option("--sql", metavar="QUERY", help="Read the events with this query (with --db-url)"),
]
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        metavar="URL",
        help="postgresql://USER:${PASSWORD}@HOST/DB, sqlite:///PATH or duckdb:///PATH "
        "(${NAME}: an environment variable)",
    ),
]
Journeys = Annotated[
    list[str] | None, typer.Option("--journeys", "-j", metavar="PATH", help=JOURNEYS_HELP)
]
Catalog = Annotated[
    str | None, typer.Option("--catalog", metavar="FILE", help="Event catalog kept elsewhere")
]
Accounts = Annotated[
    str | None,
    typer.Option(
        "--accounts",
        metavar="FILE",
        help="Accounts file (CSV, Parquet, JSON Lines, Arrow): one row per customer",
    ),
]
Columns = Annotated[
    list[str] | None,
    typer.Option("--column", metavar="NAME=COLUMN", help="Map a column: customer_id=AccountId"),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="INSTANT", help="`now` or an ISO instant; default: latest event"
    ),
]
SkipBad = Annotated[
    bool, typer.Option("--skip-bad-rows", help="Skip bad rows (counted) instead of stopping")
]
Rejects = Annotated[
    str | None,
    typer.Option("--rejects", metavar="FILE", help="Write every rejected row to this CSV"),
]


def force_option(outputs: Iterable[str]) -> Any:
    """`--force`, naming the outputs of this command it lets overwrite (--rejects and its own)."""
    *first, last = ["--rejects", *outputs]
    names = f"{', '.join(first)} and {last}" if first else last
    return Annotated[
        bool,
        typer.Option(
            "--force", help=f"Let {names} overwrite an input file or a file journeyctl did not make"
        ),
    ]


MemoryLimit = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        metavar="SIZE",
        help="Stay under this much memory (e.g. 2G, 512M): larger inputs are placed "
        "partition by partition via temporary files in $TMPDIR",
    ),
]
FailOnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on", metavar="NAME>N|NAME:LEVEL", help="Exit 1 when met, e.g. at_risk:high"
    ),
]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only results; no progress or notes")]
MaxFileSize = Annotated[
    int | None,
    typer.Option(
        "--max-file-size",
        metavar="BYTES",
        # bounded by the library (definitions.limits), whose message names the range; 0 keeps
        # meaning the default, as tests/test_validate_config.py pins
        help=f"Journey file limit, bytes (1 to {MAX_FILE_SIZE_LIMIT}; default 1000000)",
    ),
]
Model = Annotated[
    str | None,
    typer.Option("--model", metavar="FILE", help="Add the prediction (predict --save-model)"),
]


def format_option(formats: Iterable[str], help: str | None = None) -> Any:
    """`--format/-f`, showing the command's formats (its `RENDERERS` keys) as the choices and
    completing them.

    The value is checked by `common.check_format` against the same keys, whose message lists them;
    a click Choice would reject it first with a message of its own."""
    names = list(formats)
    return typer.Option(
        "--format",
        "-f",
        metavar=f"[{'|'.join(names)}]",
        help=help or "Output format",
        autocompletion=complete_choices(names),
    )


_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(i?B)?\s*$", re.IGNORECASE)


def parse_size(text: str, option: str) -> int:
    """`2G`, `512M`, `1.5GiB`, `800000000` as bytes (K, M, G, T are powers of 1024)."""
    m = _SIZE.match(text)
    if m is None or float(m.group(1)) <= 0:
        raise UsageError(f"bad {option} {text!r}", hint="use a size such as 2G, 512M or 1.5GiB")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


def columns_of(column: list[str] | None, config: Config) -> dict[str, str]:
    """journeyctl.toml's `[columns]`, overridden by `--column NAME=COLUMN`."""
    # imported here: events.ingest loads numpy and pyarrow, which `--help` must not pay for
    from journeyctl.events.ingest import parse_column_mappings

    mapping = dict(config.columns)
    mapping.update(parse_column_mappings(column or []))
    return parse_column_mappings(f"{k}={v}" for k, v in mapping.items())


def _param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    if default is inspect.Parameter.empty:
        return inspect.Parameter(name, kind, annotation=annotation)
    return inspect.Parameter(name, kind, annotation=annotation, default=default)


def event_options(
    *, events: str = "argument", memory_limit: bool = False, outputs: Iterable[str] = ()
) -> Callable[[F], F]:
    """Replace the command's `inputs` parameter by the event options; pass it an `EventInputs`.

    `events`: `argument` (EVENTS... required) or `option` (`--events`, optional: then `inputs`
    is None when no events are given). `memory_limit`: offer `--memory-limit`. `outputs`: the
    command's options naming a file it writes (besides --rejects), the ones --force concerns:
    its help names them, so that no command lists an output it does not have."""
    bundle = [
        _param("events", Events if events == "argument" else EventsOption, None),
        _param("input_format", InputFormat, None),
        _param("sql", Sql, None),
        _param("db_url", DbUrl, None),
        _param("accounts", Accounts, None),
        _param("column", Columns, None),
        _param("as_of", AsOf, None),
        _param("skip_bad_rows", SkipBad, False),
        _param("rejects", Rejects, None),
        # every command that writes a file reads events: --force travels with the inputs
        _param("force", force_option(outputs), False),
    ]
    if memory_limit:
        bundle.append(_param("memory_limit", MemoryLimit, None))
    names = [p.name for p in bundle]

    def decorate(fn: F) -> F:
        hints = get_type_hints(fn, include_extras=True)
        params: list[inspect.Parameter] = []
        for p in inspect.signature(fn).parameters.values():
            if p.name == "inputs":
                params.extend(bundle)
            else:
                params.append(p.replace(annotation=hints[p.name]))

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {n: kwargs.pop(n) for n in names}
            paths = values["events"] or []
            inputs = None
            if paths or events == "argument" or values["sql"] or values["db_url"]:
                # `diff` without --events (or a query): no event inputs
                from journeyctl.events.sources import parse_format
                from journeyctl.events.sources.select import event_sources

                config = load_config()
                limit = values.get("memory_limit")
                sources = event_sources(
                    paths,
                    sql=values["sql"],
                    db_url=values["db_url"],
                    config_url=config.source_url,
                    config_query=config.source_query,
                )
                inputs = EventInputs(
                    tuple(sources),
                    columns_of(values["column"], config),
                    values["accounts"] or config.accounts,
                    values["as_of"],
                    values["skip_bad_rows"],
                    values["rejects"],
                    parse_size(limit, "--memory-limit") if limit else None,
                    values["force"],
                    parse_format(values["input_format"]),
                )
            return fn(*args, inputs=inputs, **kwargs)

        wrapper.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper  # type: ignore[return-value]

    return decorate
