"""A command group that imports a command's module only when that command runs.

typer builds every command of an app, with every parameter, before it parses the command line; a
command's module also imports what the command needs. `journeyctl validate` and `schema` run on
every commit (pre-commit) and would pay for all of it. This group lists the commands from a static
table (name, module, function, one-line help): the command list (`--help`), the completion of a
command name and the "did you mean" of a typo read the table; parsing, running or `--help` of one
command builds that one command.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperGroup

from journeyctl.cli.command import Command


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """Where a command's function lives, and the line the command list shows for it."""

    module: str
    function: str
    short_help: str

    def load(self) -> Callable[..., Any]:
        fn: Callable[..., Any] = getattr(importlib.import_module(self.module), self.function)
        return fn


def build_command(name: str, spec: LazyCommand) -> Any:
    """The click command typer would build for `app.command(name, short_help=...)(function)`.

    Through a one-command Typer and `typer.main.get_command`, typer's public way to get the click
    object of an app; the settings are the root app's (see cli/__init__.py)."""
    sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    sub.command(name, short_help=spec.short_help, cls=_Command)(spec.load())
    return typer.main.get_command(sub)


class _Command(Command):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # get_params: the parameters with --help, which click adds per context
        _coerce_without_pydantic(self.get_params(ctx))
        rest: list[str] = super().parse_args(ctx, args)
        return rest


class _Commands(Mapping[str, Any]):
    """The group's `commands`: the table's names, in its order; a command is built on first use."""

    def __init__(self, table: Mapping[str, LazyCommand]) -> None:
        self._table = table
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = build_command(name, self._table[name])
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


class LazyGroup(TyperGroup):
    """The root group: commands from `COMMANDS` (set by the subclass), built when used."""

    table: Mapping[str, LazyCommand] = {}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _Commands(self.table)  # type: ignore[assignment]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        # not `commands.get`: a KeyError while building a command is a bug, not "No such command"
        return self.commands[cmd_name] if cmd_name in self.table else None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _coerce_without_pydantic(self.get_params(ctx))
        rest: list[str] = super().parse_args(ctx, args)
        return rest

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # typer's version builds every command to ask for its short help: read the table
        rows = [(name, spec.short_help) for name, spec in self.table.items()]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        from typer.core import CompletionItem  # type: ignore[attr-defined]

        items = [
            CompletionItem(name, help=spec.short_help)
            for name, spec in self.table.items()
            if name.startswith(incomplete)
        ]
        # the group's own options (--help, --version, ...) when the word starts with a dash
        items.extend(super(TyperGroup, self).shell_complete(ctx, incomplete))
        return items


class _Coercion:
    """typer's value coercion of one parameter, without pydantic where typer's needs none of it.

    typer (0.2x) converts every parameter value through a pydantic TypeAdapter, built on the
    parameter's first value; importing pydantic costs more than typer itself, on every
    `validate`. typer returns a missing value (None) before any adapter: None, or `()` for a
    multiple parameter. For a plain string (no parser, no path checks, no choices) the adapter
    returns the string as given, a list for a `list[str]`. Both are done here; anything else (an
    int, a path, bytes) goes to typer's own coercion, built then."""

    def __init__(self, param: Any) -> None:
        self._param = param
        desc = param.type_descriptor
        plain = not (
            getattr(desc.parameter_info, "parser", None) is not None
            or desc.is_path
            or desc.is_choice
            or desc.is_file
        )
        self._one_str = plain and desc.annotation is str
        self._str_list = plain and desc.annotation == list[str]

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        if self._str_list and multi and isinstance(value, (list, tuple)):
            if all(isinstance(v, str) for v in value):
                return list(value)
        elif self._one_str and not multi and isinstance(value, str):
            return value
        # typer's own: drop this stand-in and let the parameter build its adapter
        self._param._runtime_param = None
        return self._param.get_runtime_param().coerce(value, param=param, ctx=ctx)


def _coerce_without_pydantic(params: Iterable[Any]) -> None:
    """Give typer's parameters `_Coercion` before their first value; a typer without the lazy
    runtime coercion these attributes belong to (older, or changed) is left alone."""
    for param in params:
        if getattr(param, "type_descriptor", None) is None:
            continue
        if getattr(param, "_runtime_param", False) is None:
            param._runtime_param = _Coercion(param)
