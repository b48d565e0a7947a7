"""What every command shares: consoles, error handling, journeys resolution, formats."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from journeyctl.config import Config, journeys_paths, load_config
from journeyctl.errors import DefinitionsError, ExitCode, JourneyctlError, UsageError
from journeyctl.output.escape import safe_text
from journeyctl.output.problems import render_text

if TYPE_CHECKING:
    from journeyctl.definitions.load import LoadResult
    from journeyctl.definitions.model import JourneySet
    from journeyctl.events.model import BadRow
    from journeyctl.fileio import Output
    from journeyctl.inputs import EventInputs
    from journeyctl.output.tabledata import TableData
    from journeyctl.pipeline import PlaceRun

F = TypeVar("F", bound=Callable[..., Any])


def color_for(no_color: bool, is_terminal: bool) -> bool:
    """Colour on a terminal, off elsewhere; `--no-color` and a non-empty `NO_COLOR` turn it off
    (an empty `NO_COLOR` is unset, per no-color.org), a non-empty `FORCE_COLOR` turns it on off a
    terminal (CI logs that render colour)."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return is_terminal or bool(os.environ.get("FORCE_COLOR"))


def _terminal(color: bool, is_terminal: bool) -> bool | None:
    """rich's `force_terminal`: forced on for colour; off a terminal forced off, since rich would
    otherwise take FORCE_COLOR as a terminal and write styles despite NO_COLOR or --no-color."""
    return True if color else (None if is_terminal else False)


def _width(is_terminal: bool) -> int | None:
    """The terminal's width; off one 160 columns (cron mail, CI logs), unless COLUMNS says."""
    return None if is_terminal or os.environ.get("COLUMNS") else 160


def _soft_wrap(is_terminal: bool) -> bool:
    """Off a terminal long lines stay whole (a log has no width), unless COLUMNS gives one."""
    return not is_terminal and not os.environ.get("COLUMNS")


class _StdoutConsole(Console):
    """Rich ends the process with exit 1 when stdout's reader goes away; a closed pipe (`| head`)
    is not a failure: raise BrokenPipeError, which every command ends quietly with exit 0."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        with contextlib.suppress(OSError):  # no "Exception ignored" when Python flushes at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise BrokenPipeError


def out_console(no_color: bool = False) -> Console:
    color = color_for(no_color, sys.stdout.isatty())
    return _StdoutConsole(
        file=sys.stdout,
        no_color=not color,
        highlight=False,
        emoji=False,  # rich would show an id or a path holding `:zzz:` as an emoji
        soft_wrap=_soft_wrap(sys.stdout.isatty()),
        force_terminal=_terminal(color, sys.stdout.isatty()),
        width=_width(sys.stdout.isatty()),
    )


def err_console(no_color: bool = False) -> Console:
    color = color_for(no_color, sys.stderr.isatty())
    return Console(
        file=sys.stderr,
        no_color=not color,
        highlight=False,
        emoji=False,  # as on stdout: `--target stage:zzz` is not `stage💤`
        force_terminal=_terminal(color, sys.stderr.isatty()),
        width=_width(sys.stderr.isatty()),
    )


@contextlib.contextmanager
def progress_bar(
    label: str, quiet: bool, no_color: bool, unit: str = "customers"
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar with rate and ETA on stderr, only on a terminal: the
    one progress bar of every command."""
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


def default_format(kind: str) -> str:
    """`table` on a terminal; off one `text` for validate/diff and an uncoloured table elsewhere."""
    if kind in ("validate", "diff") and not sys.stdout.isatty():
        return "text"
    return "table"


def check_format(fmt: str | None, allowed: Iterable[str], kind: str) -> str:
    """The `--format` (or the default), checked against a command's `{format: renderer}` table."""
    fmt = fmt or default_format(kind)
    if fmt not in allowed:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(allowed)}")
    return fmt


def print_tables(tables: Sequence[TableData], no_color: bool) -> Console:
    """Draw tables for people on stdout; the console is returned for a summary line after them."""
    from journeyctl.output.tables import print_tables as draw

    con = out_console(no_color)
    draw(con, tables)
    return con


def warn_bad_rows(
    bad: Sequence[BadRow],
    rejects: str | None,
    quiet: bool,
    no_color: bool,
    warnings: Sequence[str] = (),
) -> None:
    """The input's warnings (nested columns left out, §8), then the warning for rows skipped
    under --skip-bad-rows: how many, where they went, the first."""
    if quiet:
        return
    con = err_console(no_color)
    for w in warnings:
        con.print(f"warning: {w}", markup=False)
    if not bad:
        return
    from journeyctl.pipeline import describe_bad_rows

    n = len(bad)
    con.print(
        f"warning: skipped {n} bad row{'s' if n != 1 else ''}"
        + (f" (all written to {rejects})" if rejects else ""),
        markup=False,
    )
    for line in describe_bad_rows(bad):
        con.print("  " + safe_text(line), markup=False)


def fail_on_met(met: Sequence[str], no_color: bool) -> None:
    """Exit 1 when a --fail-on condition is met, saying which on stderr: always, also with --quiet
    (PRODUCT §4), since cron mails a job's output and an alert that says nothing is lost."""
    if met:
        err_console(no_color).print("fail-on met: " + ", ".join(met), markup=False)
        raise typer.Exit(int(ExitCode.FINDINGS))


def print_error(err: JourneyctlError) -> None:
    """The one-screen message; its text quotes input (ids, paths, cells): markup and control
    characters in it are shown, never obeyed."""
    con = err_console()
    if isinstance(err, DefinitionsError):
        sys.stderr.write(render_text(err.problems))
    con.print(f"[bold red]error:[/] {escape(safe_text(err.message))}")
    for d in err.details:
        con.print(f"  {escape(safe_text(d))}")
    if err.hint:
        con.print(f"  hint: {escape(safe_text(err.hint))}")


def thread_error() -> JourneyctlError:
    return JourneyctlError(
        "cannot start a thread: the process's limits (ulimit -v, ulimit -u) leave no room for one",
        hint="raise the limits (e.g. ulimit -v 4000000), or run where more memory is allowed",
    )


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
        except KeyboardInterrupt as exc:
            # what was already done, when something was (a stored snapshot)
            said = f": {exc.args[0]}" if exc.args and isinstance(exc.args[0], str) else ""
            sys.stderr.write(f"interrupted{said}\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:  # the reader closed stdout (`| head`): it has what it wanted
            raise typer.Exit(0) from None
        except MemoryError:  # also Arrow's ArrowMemoryError, a MemoryError
            from journeyctl.events.limits import out_of_memory

            print_error(out_of_memory())
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
        except Exception as exc:
            if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
                print_error(thread_error())  # the environment's limits, not a bug
                raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
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
    from journeyctl.definitions.load import require_valid

    result = load(journeys, config, catalog, max_file_size)
    if result.warnings and not result.errors and not quiet:  # with errors, all problems print once
        sys.stderr.write(render_text(result.warnings))
    return require_valid(result)


def guard_outputs(
    inputs: EventInputs | None,
    journeys: list[str] | None,
    config: Config,
    catalog: str | None,
    *outputs: Output,
    also_read: Sequence[str | None] = (),
) -> None:
    """Before anything is read or written: no output (`--rejects` and the command's own
    `outputs`) may be an input file or a file journeyctl did not make, unless --force (exit 2)."""
    from journeyctl.fileio import Output, check_outputs, input_files, is_rejects_csv

    outs = list(outputs)
    if inputs is not None and inputs.rejects:
        outs.append(Output("--rejects", inputs.rejects, "rejects CSV", is_rejects_csv))
    if not outs:
        return
    # only files can be overwritten: SQL queries and in-memory tables are not paths
    given = [*inputs.sources, inputs.accounts] if inputs is not None else []
    read = [
        *(s for s in given if isinstance(s, str)),
        *journeys_paths(journeys, config),
        catalog or config.catalog,
        *also_read,
    ]
    force = inputs.force if inputs is not None else False
    check_outputs(outs, input_files(read), force=force)


def place_events(
    inputs: EventInputs,
    js: JourneySet,
    quiet: bool,
    no_color: bool,
) -> PlaceRun:
    """`pipeline.run_place` with the progress bar and the bad-row warning (place, show, report)."""
    from journeyctl.pipeline import run_place

    with progress_bar("placing customers", quiet, no_color) as progress:
        run = run_place(js, inputs, progress=progress)
    warn_bad_rows(run.log.bad_rows, inputs.rejects, quiet, no_color, run.log.warnings)
    from journeyctl.cli.datawarnings import print_warnings

    print_warnings(run.warnings, quiet)
    return run


def load(
    journeys: list[str] | None, config: Config, catalog: str | None, max_file_size: int | None
) -> LoadResult:
    from journeyctl.definitions.load import load_journeys

    paths = journeys_paths(journeys, config)
    kwargs: dict[str, Any] = {"catalog": catalog or config.catalog, "rules": config.rules}
    # `is None`, not `or`: --max-file-size 0 is a usage error, not the default
    mfs = max_file_size if max_file_size is not None else config.max_file_size
    if mfs is not None:
        kwargs["max_file_size"] = mfs
    return load_journeys(paths, **kwargs)


def get_config() -> Config:
    return load_config()
