"""What every command shares: consoles, error handling, journeys resolution, formats."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, TextIO, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from journeyctl.config import Config, journeys_paths, load_config
from journeyctl.definitions.load import LoadResult, load_journeys, require_valid
from journeyctl.definitions.model import JourneySet
from journeyctl.errors import DefinitionsError, ExitCode, JourneyctlError, UsageError
from journeyctl.output.problems import render_text

F = TypeVar("F", bound=Callable[..., Any])

JOURNEYS_HELP = "Journey file or directory (repeatable); default: $JOURNEYCTL_JOURNEYS, journeyctl.toml, ./journeys"


def want_color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ


def out_console(no_color: bool = False) -> Console:
    color = want_color(no_color) and sys.stdout.isatty()
    return Console(
        file=sys.stdout,
        no_color=not color,
        highlight=False,
        soft_wrap=not sys.stdout.isatty(),
        force_terminal=color or None,
        width=None if sys.stdout.isatty() else 160,
    )


def err_console(no_color: bool = False) -> Console:
    color = want_color(no_color) and sys.stderr.isatty()
    return Console(
        file=sys.stderr,
        no_color=not color,
        highlight=False,
        force_terminal=color or None,
        width=None if sys.stderr.isatty() else 160,
    )


@contextlib.contextmanager
def progress_bar(
    label: str, quiet: bool, no_color: bool, unit: str = "customers"
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar with rate and ETA on stderr, only on a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} {unit}/s" if speed else f"- {unit}/s")

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        Rate(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console(no_color), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class _TextAsBytes:
    """Bytes written to a text stream without a binary buffer (a redirected sys.stdout)."""

    def __init__(self, text: TextIO) -> None:
        self.text = text

    def write(self, data: bytes) -> int:
        return self.text.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.text.flush()


def stdout_bytes() -> BinaryIO:
    """Standard output for bytes (large JSON and CSV are written as they are made)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    return buffer if buffer is not None else _TextAsBytes(sys.stdout)  # type: ignore[return-value]


def default_format(kind: str) -> str:
    """`table` on a terminal; off one `text` for validate/diff and an uncoloured table elsewhere."""
    if kind in ("validate", "diff") and not sys.stdout.isatty():
        return "text"
    return "table"


def check_format(fmt: str | None, allowed: tuple[str, ...], kind: str) -> str:
    fmt = fmt or default_format(kind)
    if fmt not in allowed:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(allowed)}")
    return fmt


def print_error(err: JourneyctlError) -> None:
    con = err_console()
    if isinstance(err, DefinitionsError):
        sys.stderr.write(render_text(err.problems))
    con.print(f"[bold red]error:[/] {escape(err.message)}")
    for d in err.details:
        con.print(f"  {escape(d)}")
    if err.hint:
        con.print(f"  hint: {escape(err.hint)}")


def handle_errors(fn: F) -> F:
    """Turn the project's errors into a message and its exit code; anything else is a bug (3)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except JourneyctlError as err:
            print_error(err)
            raise typer.Exit(int(err.exit_code)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except Exception as exc:
            if os.environ.get("JOURNEYCTL_DEBUG"):
                traceback.print_exc()
            sys.stderr.write(
                f"internal error: {type(exc).__name__}: {exc}. This is a bug in journeyctl; please "
                "report it with the command you ran (run with --debug for the traceback)\n"
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return wrapper  # type: ignore[return-value]


def load_valid_journeys(
    journeys: list[str] | None,
    config: Config,
    catalog: str | None,
    max_file_size: int | None,
    quiet: bool = False,
) -> JourneySet:
    """Load the journeys for a command other than validate/diff: errors stop it (exit 2)."""
    result = load(journeys, config, catalog, max_file_size)
    if result.warnings and not result.errors and not quiet:  # with errors, all problems print once
        sys.stderr.write(render_text(result.warnings))
    return require_valid(result)


def load(
    journeys: list[str] | None, config: Config, catalog: str | None, max_file_size: int | None
) -> LoadResult:
    paths = journeys_paths(journeys, config)
    kwargs: dict[str, Any] = {"catalog": catalog or config.catalog, "rules": config.rules}
    mfs = max_file_size or config.max_file_size
    if mfs:
        kwargs["max_file_size"] = mfs
    return load_journeys(paths, **kwargs)


def get_config() -> Config:
    return load_config()
