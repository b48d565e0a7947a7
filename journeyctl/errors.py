"""Problems (findings with a position) and the one fatal-error family of journeyctl."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

Severity = Literal["error", "warning"]


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    INTERNAL = 3
    INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about an input file, with a 1-based position."""

    file: str
    line: int
    col: int
    severity: Severity
    rule: str
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.col, self.rule, self.message)


class JourneyctlError(Exception):
    """A user-facing fatal error: the CLI prints `message` (and `details`) and exits `exit_code`."""

    exit_code: int = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, details: list[str] | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.hint = hint


class UsageError(JourneyctlError):
    """A bad option or argument."""


class InputError(JourneyctlError):
    """Unreadable or malformed input data (files, CSV, encodings)."""


class DefinitionsError(JourneyctlError):
    """Journey definitions with errors were given to a command that needs valid ones."""

    def __init__(self, problems: list[Problem]):
        n = sum(1 for p in problems if p.severity == "error")
        super().__init__(
            f"the journey definitions have {n} error{'s' if n != 1 else ''}; "
            "fix them (see `journeyctl validate`) and run again"
        )
        self.problems = problems
