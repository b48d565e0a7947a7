"""Every shell example in README.md and docs/*.md parses as a shell would read it, and never
redirects by accident.

`--fail-on churned>0` unquoted is `--fail-on churned` with stdout sent to a file named `0`: the
command a reader copies then fails every night. Each example is parsed with bashlex (a parser of
the bash grammar), and an output redirection glued to the word before it (`name>0`) or aimed at a
bare number is an error: quote the condition. Shell examples are the ```sh / ```bash / ```shell
blocks, the `$ ` lines of ```console blocks, the commands of ```cron / ```crontab lines, and the
`run:` steps of the YAML (CI workflow) blocks.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import bashlex
import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```([a-z]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
SHELL = {"sh", "bash", "shell"}
CRON = {"cron", "crontab"}
# a crontab line: five time fields (or @daily & co) then the command; VAR=value lines set variables
CRON_LINE = re.compile(r"^\s*(?:@\w+|(?:\S+\s+){4}\S+)\s+(.*)$")
CRON_VAR = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=")


def _joined(lines: list[str]) -> Iterator[str]:
    """Lines with backslash continuations joined."""
    buf = ""
    for line in lines:
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        yield buf + line
        buf = ""
    if buf:
        yield buf


def _open_quote(code: str) -> bool:
    try:
        shlex.split(code)
    except ValueError:
        return True
    return False


def _console_commands(lines: list[str]) -> Iterator[str]:
    """The `$ ` commands of a console block; a quoted string open at a line's end goes on (as
    the shell's `>` prompt would) on the next lines, which are part of the command, not output."""
    joined = list(_joined(lines))
    k = 0
    while k < len(joined):
        line = joined[k]
        k += 1
        if not line.startswith("$ "):
            continue
        code = line[2:]
        while _open_quote(code) and k < len(joined):
            code += "\n" + joined[k]
            k += 1
        yield code


def _run_steps(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield value
            else:
                yield from _run_steps(value)
    elif isinstance(node, list):
        for item in node:
            yield from _run_steps(item)


def shell_examples(text: str) -> Iterator[str]:
    """The shell code of every example in a Markdown page."""
    for m in BLOCK.finditer(text):
        lang, body = m.group(1), m.group(2)
        lines = body.rstrip("\n").split("\n")
        if lang in SHELL:
            yield body
        elif lang == "console":
            yield from _console_commands(lines)
        elif lang in CRON:
            for line in lines:
                if not line.strip() or line.lstrip().startswith("#") or CRON_VAR.match(line):
                    continue
                cm = CRON_LINE.match(line)
                assert cm, f"not a crontab line: {line}"
                yield cm.group(1)
        elif lang == "yaml":
            try:
                doc = YAML(typ="safe", pure=True).load(body)
            except Exception:  # a deliberately broken journey file in the docs: not CI
                continue
            yield from _run_steps(doc)


def _redirects(node: bashlex.ast.node) -> Iterator[bashlex.ast.node]:
    if node.kind == "redirect":
        yield node
    for part in getattr(node, "parts", []) or []:
        yield from _redirects(part)
    for attr in ("list", "command"):
        child = getattr(node, attr, None)
        if isinstance(child, list):
            for c in child:
                yield from _redirects(c)
        elif child is not None and hasattr(child, "kind"):
            yield from _redirects(child)


def shell_problems(code: str) -> list[str]:
    """What is wrong with one shell example: a parse error or an accidental redirection."""
    try:
        trees = bashlex.parse(code)
    except Exception as exc:  # bashlex raises its own ParsingError and a few others
        return [f"does not parse as shell ({exc}): {code}"]
    out: list[str] = []
    for tree in trees:
        for r in _redirects(tree):
            if r.type not in (">", ">>") or isinstance(getattr(r, "input", None), int):
                continue  # `<`, `2>err`: meant
            start = r.pos[0]
            target = r.output.word if hasattr(r.output, "word") else ""
            glued = start > 0 and not code[start - 1].isspace()
            if glued or target.isdigit():
                end = r.pos[1]
                out.append(
                    f"unquoted `>` redirects stdout to {target!r} "
                    f"(…{code[max(0, start - 25) : end]}): quote it, e.g. --fail-on 'churned>0'"
                )
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_examples_parse_without_accidental_redirects(page: Path) -> None:
    problems = [p for code in shell_examples(page.read_text("utf-8")) for p in shell_problems(code)]
    assert not problems, "\n".join(problems)


def test_every_page_with_commands_has_examples_found() -> None:
    """The extraction finds the examples it is meant to (a block type it missed would pass)."""
    readme = list(shell_examples((ROOT / "README.md").read_text("utf-8")))
    assert any("journeyctl report" in code for code in readme)  # the cron line
    ci = list(shell_examples((ROOT / "docs" / "ci.md").read_text("utf-8")))
    assert any("--fail-on" in code for code in ci)  # a workflow's run: step


@pytest.mark.parametrize(
    ("code", "bad"),
    [
        ("journeyctl report e.csv --fail-on newly_at_risk:high,churned>0", True),
        ("journeyctl place e.csv --fail-on at_risk>5 --format csv", True),
        ("journeyctl place e.csv > 0", True),
        ("journeyctl report e.csv --fail-on 'churned>0'", False),
        ('journeyctl report e.csv --fail-on "churned>0" > out.txt 2>err.txt', False),
        ("./export.sh > /tmp/e.csv && journeyctl report /tmp/e.csv", False),
        ("journeyctl place 'unterminated", True),
    ],
)
def test_the_check_itself(code: str, bad: bool) -> None:
    assert bool(shell_problems(code)) is bad


def test_cron_lines_are_read_as_commands() -> None:
    text = "```cron\nMAILTO=x@example.com\n# c\n30 6 * * 1-5  journeyctl report e.csv --fail-on churned>0\n```\n"
    (code,) = shell_examples(text)
    assert code.startswith("journeyctl report") and shell_problems(code)
