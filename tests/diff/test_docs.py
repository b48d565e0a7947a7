"""docs/diff.md shows the real output of the real commands: keep it in step."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from tests.diff import cases
from tests.diff.cases import edit
from tests.diff.conftest import GitRepo
from tests.helpers import run

DOC = Path(__file__).resolve().parents[2] / "docs" / "diff.md"
HEAD = edit(edit(cases.REGRESSION, "due: 10d", "due: 5d"), "region: [NA, EMEA]", "region: NA")


def blocks(lang: str) -> list[str]:
    """The bodies of the fenced blocks of `lang` ("" for none), in order."""
    out: list[str] = []
    body: list[str] | None = None
    fence_lang = ""
    for line in DOC.read_text().splitlines(keepends=True):
        if line.startswith("```"):
            if body is None:
                body, fence_lang = [], line[3:].strip()
            else:
                if fence_lang == lang:
                    out.append("".join(body))
                body = None
        elif body is not None:
            body.append(line)
    return out


def test_the_example_inputs_are_the_test_cases() -> None:
    assert blocks("yaml")[0] == cases.BASE
    assert next(b for b in blocks("") if b.startswith("customer_id,")) == cases.EVENTS


def test_the_example_outputs_are_real(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("events.csv", cases.EVENTS)
    repo.commit()
    repo.write("journeys/demo.yaml", HEAD)
    checked = 0
    for block in blocks("console"):
        command, _, shown = block.partition("\n")
        args = shlex.split(command.removeprefix("$ "))
        if args[:2] != ["journeyctl", "diff"] or ">/dev/null" in args:
            continue
        res = run(*args[1:])
        assert res.exit_code == 0, res.stderr
        if shown:
            # A trailing blank line cannot be shown in a fenced block.
            assert res.stdout.rstrip("\n") == shown.rstrip("\n"), command
        else:  # the JSON is shown compacted in the next json block
            (doc_json,) = blocks("json")
            assert json.loads(res.stdout) == json.loads(doc_json)
        checked += 1
    assert checked == 4
