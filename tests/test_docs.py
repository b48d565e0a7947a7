"""Checks that keep README.md and docs/ true to the code: commands, options, rule ids, links,
and the output shown in the docs.

Every ```console block in the pages listed in EXAMPLE_PAGES is run: the `$ journeyctl ...` lines
in a fresh directory per `##` section (holding the files of the section's blocks labelled
`` `path`: ``, and `sample_journeys/`), and what they print must be what the block shows. After a
deliberate change of output, refresh the blocks with

    JOURNEYCTL_UPDATE_DOCS=1 python -m pytest tests/test_docs.py

and review the diff. Blocks with a `…` (trimmed output) are not checked; a section with
`<!-- docs-test: skip ... -->` is not run; `<!-- docs-test: copy SRC DEST -->` copies a file of the
repository into the section's directory first.
"""

from __future__ import annotations

import contextlib
import csv
import inspect
import io
import itertools
import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer

from journeyctl.cli import app
from journeyctl.definitions import registry, rules
from tests.helpers import run

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

INSTALL_AND_PLACE = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && "
    "journeyctl place sample_journeys/events.csv -j sample_journeys"
)
INSTALL_AND_TEST = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && python -m pytest"
)

# Pages other people write. A link to one of them that does not exist yet is an expected failure
# (xfail) rather than an error; every other link must resolve.
OTHERS = {
    "docs/report.md",
    "docs/history.md",
    "docs/diff.md",
    "docs/ci.md",
    "docs/predict.md",
    "docs/performance.md",
    "benchmarks/run.py",
}
# Pages this test also checks anchors (#fragment) in: their headings are written with these checks.
ANCHORED = {
    "README.md",
    "SECURITY.md",
    "docs/index.md",
    "docs/journey-format.md",
    "docs/conditions.md",
    "docs/validate.md",
    "docs/place.md",
    "docs/show.md",
    "docs/recipes.md",
    "docs/rules.md",
    "docs/analyze.md",
}

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


def fenced_blocks(text: str) -> list[str]:
    return [m.group(1).strip() for m in FENCE.finditer(text)]


def without_code(text: str) -> str:
    """The Markdown without fenced code blocks and inline code (links there are not links)."""
    text = FENCE.sub("", text)
    return re.sub(r"`[^`\n]*`", "", text)


def click_root() -> Any:
    """The click group behind the typer app (typer may vendor its own click: duck-typed)."""
    cmd = typer.main.get_command(app)
    assert hasattr(cmd, "commands"), "journeyctl is expected to be a command group"
    return cmd


# -- README -------------------------------------------------------------------------------------


def test_readme_opens_with_the_two_commands() -> None:
    blocks = fenced_blocks(README.read_text("utf-8"))
    assert blocks[:2] == [INSTALL_AND_PLACE, INSTALL_AND_TEST]


def test_readme_test_command_matches_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "-e '.[test]'" in ci, ".ci/run must install the package with its test extra"
    assert re.search(r"^python -m pytest\s*$", ci, re.M), ".ci/run must run `python -m pytest`"


def test_readme_commands_exist() -> None:
    text = README.read_text("utf-8")
    code = "\n".join(fenced_blocks(text) + re.findall(r"`([^`\n]+)`", text))
    # `journeyctl NAME` where a shell command starts: line start, `$ `, after && | ; or a path
    mentioned = set(re.findall(r"(?:^|\$ |[;&|]\s*|/)journeyctl ([a-z][a-z-]*)", code, re.M))
    assert mentioned, "the README mentions no journeyctl command"
    res = run("--help")
    assert res.exit_code == 0
    listed = set(click_root().commands)
    for name in sorted(mentioned):
        assert name in listed, f"README mentions `journeyctl {name}`, which is not a command"
        assert re.search(rf"^\s+{re.escape(name)}\s", res.stdout, re.M), (
            f"`journeyctl {name}` is not in `journeyctl --help`"
        )


def excerpt_mismatch(excerpt: list[str], real: list[str]) -> str | None:
    """Why `excerpt` (runs of lines separated by `…`) is not cut from `real`: each run must be
    a contiguous slice of it, in the same order (a trimmed output keeps the tool's order)."""
    runs: list[list[str]] = [[]]
    for line in excerpt:
        if line == "…":
            runs.append([])
        else:
            runs[-1].append(line)
    pos = 0
    for lines in runs:
        found = next(
            (
                k
                for k in range(pos, len(real) - len(lines) + 1)
                if real[k : k + len(lines)] == lines
            ),
            None,
        )
        if found is None:
            first = next((ln for ln in lines if ln not in real[pos:]), lines[0] if lines else "")
            return f"not a contiguous run of the real output after line {pos + 1}:\n{first}"
        pos = found + len(lines)
    return None


def test_readme_sample_output_is_real() -> None:
    """The excerpt of `place` on the sample data is the real output: each run of rows as the
    tool prints it, in its order."""
    text = README.read_text("utf-8")
    sample = next(b for b in fenced_blocks(text) if b.startswith("Stage status"))
    res = run("place", "sample_journeys/events.csv", "-j", "sample_journeys")
    assert res.exit_code == 0, res.stderr + res.stdout
    real = res.stdout.splitlines()
    problem = excerpt_mismatch(sample.splitlines(), real)
    assert problem is None, f"README excerpt: {problem}"
    assert sample.splitlines()[-1] == real[-1], "the summary line changed: update README.md"


def test_excerpt_check_catches_reordered_rows() -> None:
    real = ["head", "a", "b", "c", "tail"]
    assert excerpt_mismatch(["head", "a", "…", "tail"], real) is None
    assert excerpt_mismatch(["head", "b", "a", "…"], real) is not None  # reordered
    assert excerpt_mismatch(["tail", "…", "head"], real) is not None  # runs out of order


def csv_section(page: str) -> str:
    start = page.index("### `csv`")
    return page[start : page.index("\n#", start + 1)]


def test_place_docs_name_every_csv_status() -> None:
    """docs/place.md's `csv` section names every status the CSV really has (`unmatched` too)."""
    res = run("place", "sample_journeys/events.csv", "-j", "sample_journeys", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    statuses = {r["status"] for r in rows}
    assert "unmatched" in statuses  # the sample has unmatched customers: they have a row
    section = csv_section((DOCS / "place.md").read_text("utf-8"))
    for status in sorted(statuses):
        assert f"`{status}`" in section, f"docs/place.md (csv) does not name status {status!r}"
    assert "have no row" not in section


# -- options ------------------------------------------------------------------------------------


def command_options(name: str) -> list[str]:
    cmd = click_root().commands[name]
    opts: list[str] = []
    for p in cmd.params:
        if p.param_type_name == "option" and not getattr(p, "hidden", False):
            opts += [*p.opts, *p.secondary_opts]
    return [*opts, "--help"]


@pytest.mark.parametrize("command", ["validate", "place", "show", "analyze"])
def test_every_option_is_documented(command: str) -> None:
    res = run(command, "--help")
    assert res.exit_code == 0
    page = (DOCS / f"{command}.md").read_text("utf-8")
    for opt in command_options(command):
        assert opt in res.stdout, f"{opt} is not in `journeyctl {command} --help`"
        assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", page), (
            f"`journeyctl {command} {opt}` is not documented in docs/{command}.md"
        )


# -- rule ids -----------------------------------------------------------------------------------
# The registry (journeyctl/definitions/registry.py) is the list of rules; the page must agree.

PHASE_LABEL = {
    "reading": "reading",
    "classifying": "classifying",
    "schema": "schema",
    "building": "building",
    "semantic": "semantic rules",
}


def rules_table() -> list[str]:
    """The rows of the "All rules" table, as the registry says they must read."""
    return [
        f"| [`{r.id}`](#{r.id}) | {r.severity} | {PHASE_LABEL[r.phase]} | {r.summary} |"
        for r in registry.ALL
    ]


def test_rules_table_is_the_registry() -> None:
    text = (DOCS / "rules.md").read_text("utf-8")
    rows = [ln for ln in text.splitlines() if ln.startswith("| [`")]
    assert rows == rules_table(), "the table in docs/rules.md must list registry.ALL in order"


def test_config_key_table_names_every_key() -> None:
    """docs/place.md's table of what each journeyctl.toml key takes names every key of the one
    table the config is checked by (config.KNOWN_KEYS), at the top level and in its tables."""
    from journeyctl.config import KNOWN_KEYS, Kind

    text = (DOCS / "place.md").read_text("utf-8")
    after = text.split("| key | takes |", 1)[1].splitlines()[2:]
    rows = list(itertools.takewhile(lambda ln: ln.startswith("|"), after))
    documented = {re.sub(r"^\|\s*", "", r).split(" |")[0] for r in rows}
    named = set()
    for cell in documented:
        table = re.match(r"`\[(\w+)\]`", cell)
        keys = re.findall(r"`(\w+)`", cell.split("]`", 1)[-1] if table else cell)
        named |= {f"{table.group(1)}.{k}" if table else k for k in keys}
    expected = set()
    for key, spec in KNOWN_KEYS.items():
        if isinstance(spec, Kind):
            expected.add(key)
        elif spec is not None:
            expected |= {f"{key}.{k}" for k in spec}
    assert named == expected


def test_every_rule_has_a_section_in_registry_order() -> None:
    text = (DOCS / "rules.md").read_text("utf-8")
    sections = re.findall(r"^## `([a-z-]+)`\s*$", text, re.M)
    assert sections == [r.id for r in registry.ALL]


def test_every_section_states_the_default_severity() -> None:
    text = (DOCS / "rules.md").read_text("utf-8")
    for r in registry.ALL:
        body = text.split(f"## `{r.id}`\n", 1)[1].lstrip()
        assert body.startswith(f"**{r.severity.capitalize()}.**"), r.id


def test_semantic_rules_are_named_after_their_ids() -> None:
    semantic = [r for r in registry.ALL if r.phase == "semantic"]
    assert [info for info, _ in rules.RULES] == semantic
    for info, fn in rules.RULES:
        assert fn.__name__ == info.id.replace("-", "_")
        assert (inspect.getdoc(fn) or "").startswith(f"`{info.id}`")


def test_no_rule_id_is_written_outside_the_registry() -> None:
    # every emitter goes through registry.RULE.at(...): a quoted id elsewhere is a second source
    # of truth. One-word ids ("schema", "catalog", ...) are ordinary words too, so only
    # hyphenated ids are searched for.
    ids = [r.id for r in registry.ALL if "-" in r.id]
    for path in sorted((ROOT / "journeyctl").rglob("*.py")):
        if path.name == "registry.py":
            continue
        text = path.read_text("utf-8")
        for rid in ids:
            assert f'"{rid}"' not in text, f"{path}: the rule id {rid!r} is written out"
        assert not re.search(r"\bProblem\(", text) or path.name == "errors.py", (
            f"{path}: make problems with registry.RULE.at(...)"
        )


def test_rule_docstrings_are_quoted() -> None:
    page = " ".join((DOCS / "rules.md").read_text("utf-8").split())
    for _, fn in rules.RULES:
        doc = " ".join((inspect.getdoc(fn) or "").split())
        assert doc, f"{fn.__name__} has no docstring"
        assert doc in page, f"the docstring of {fn.__name__} is not quoted in docs/rules.md"


# -- links --------------------------------------------------------------------------------------


def pages() -> list[Path]:
    return [README, ROOT / "SECURITY.md", *sorted(DOCS.glob("*.md"))]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text("utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, re.M)}


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    text = without_code(page.read_text("utf-8"))
    broken: list[str] = []
    pending: list[str] = []
    for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
            continue  # http:, https:, mailto:
        path_part, _, fragment = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page.resolve()
        rel = dest.relative_to(ROOT).as_posix() if dest.is_relative_to(ROOT) else str(dest)
        if not dest.exists():
            (pending if rel in OTHERS else broken).append(target)
            continue
        source = page.relative_to(ROOT).as_posix()
        if fragment and source in ANCHORED and rel in ANCHORED and fragment not in anchors(dest):
            broken.append(f"{target} (no heading #{fragment} in {rel})")
    assert not broken, f"broken links in {page.relative_to(ROOT)}: {broken}"
    if pending:
        pytest.xfail(f"pages not written yet: {sorted(set(pending))}")


# -- output shown in the docs -------------------------------------------------------------------

EXAMPLE_PAGES = [
    "docs/validate.md",
    "docs/place.md",
    "docs/show.md",
    "docs/rules.md",
    "docs/analyze.md",
]
UPDATE = os.environ.get("JOURNEYCTL_UPDATE_DOCS") == "1"
CONSOLE = re.compile(r"^```console\n(.*?)^```[ \t]*$", re.M | re.S)
LABELLED = re.compile(r"^`([^`\s]+)`:\n\n```[a-z]*\n(.*?)^```[ \t]*$", re.M | re.S)


def sections(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each `##` section (the text before the first one included)."""
    starts = [0] + [m.start() for m in re.finditer(r"^## ", text, re.M)]
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


class _Stream(io.TextIOBase):
    """A text stream that also copies what it is given to a shared log, unbuffered, so that
    stdout and stderr interleave exactly as on a terminal."""

    def __init__(self, own: io.StringIO, log: io.StringIO) -> None:
        self.own = own
        self.log = log

    def write(self, s: str) -> int:
        self.own.write(s)
        self.log.write(s)
        return len(s)

    def isatty(self) -> bool:
        return False


def run_merged(args: list[str]) -> tuple[int, str, str, str]:
    """Run the CLI in-process: exit code, stdout, stderr, and both in the order written."""
    out, err, log = io.StringIO(), io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with (
        contextlib.redirect_stdout(_Stream(out, log)),
        contextlib.redirect_stderr(_Stream(err, log)),
    ):
        try:
            click_root().main(args=args, prog_name="journeyctl", standalone_mode=True)
        except SystemExit as exc:
            code = exc.code
    rc = code if isinstance(code, int) else 0 if code is None else 1
    return rc, out.getvalue(), err.getvalue(), log.getvalue()


def run_shell_line(
    command: str, expected: list[str], cwd: Path, state: dict[str, int]
) -> list[str]:
    """What one `$ command` line of a console block prints, run in `cwd`."""
    if command == "echo $?":
        return [str(state["rc"])]
    if command.startswith("cat "):
        args = shlex.split(command)[1:]
        numbered = args[0] == "-n"
        path = cwd / args[-1]
        if not path.exists():  # the block shows a file the commands read: write it
            body = [re.sub(r"^\s*\d+\t", "", ln) if numbered else ln for ln in expected]
            path.write_text("\n".join(body) + "\n", encoding="utf-8")
        lines = path.read_text("utf-8").splitlines()
        return [f"{i:>6}\t{ln}" for i, ln in enumerate(lines, 1)] if numbered else lines
    main, *filters = [part.strip() for part in command.split(" | ")]
    argv = shlex.split(main)
    assert argv[0] == "journeyctl", f"cannot run `{command}` in a docs example"
    redirect = None
    if ">" in argv:
        redirect = argv[argv.index(">") + 1]
        argv = argv[: argv.index(">")]
    rc, stdout, stderr, merged = run_merged(argv[1:])
    state["rc"] = rc
    if redirect is not None:
        (cwd / redirect).write_text(stdout, encoding="utf-8")
        text = stderr
    elif filters:  # a pipe reads stdout only; stderr reaches the terminal (first, here)
        text = stderr
    else:
        text = merged
    lines = text.splitlines()
    piped = stdout.splitlines() if filters and redirect is None else []
    for f in filters:
        name, count = f.split()
        n = int(count.lstrip("-"))
        piped = piped[:n] if name == "head" else piped[-n:] if name == "tail" else piped
    return lines + piped


def run_console_block(block: str, cwd: Path) -> str:
    state = {"rc": 0}
    out: list[str] = []
    current: list[tuple[str, list[str]]] = []
    for line in block.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            current.append((line[2:], []))
        else:
            assert current, f"a console block must start with `$ `:\n{block}"
            current[-1][1].append(line)
    for command, expected in current:
        out.append(f"$ {command}")
        out.extend(run_shell_line(command, expected, cwd, state))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("name", EXAMPLE_PAGES)
def test_console_examples_are_real(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = ROOT / name
    text = page.read_text("utf-8")
    new_text = text
    mismatches: list[str] = []
    for k, (start, end) in enumerate(sections(text)):
        section = text[start:end]
        blocks = [m for m in CONSOLE.finditer(section) if "…" not in m.group(1)]
        if not blocks or "<!-- docs-test: skip" in section:
            continue
        cwd = tmp_path / f"section-{k}"
        cwd.mkdir()
        (cwd / "sample_journeys").symlink_to(ROOT / "sample_journeys")
        for m in LABELLED.finditer(section):
            dest = cwd / m.group(1)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(m.group(2), encoding="utf-8")
        for src, dest_name in re.findall(r"<!-- docs-test: copy (\S+) (\S+) -->", section):
            dest = cwd / dest_name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / src, dest)
        monkeypatch.chdir(cwd)
        for m in blocks:
            actual = run_console_block(m.group(1), cwd)
            if actual != m.group(1):
                heading = section.splitlines()[0]
                mismatches.append(f"{heading}\n--- docs\n{m.group(1)}--- real\n{actual}")
                new_text = new_text.replace(m.group(0), f"```console\n{actual}```", 1)
    if UPDATE and new_text != text:
        page.write_text(new_text, encoding="utf-8")
        return
    assert not mismatches, (
        f"{name}: output shown differs from the real output (refresh with "
        "JOURNEYCTL_UPDATE_DOCS=1 python -m pytest tests/test_docs.py):\n\n" + "\n".join(mismatches)
    )
