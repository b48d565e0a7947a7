"""Parsed journey files are cached by content: the same findings and placements, never a stale
parse (definitions/parsecache.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.definitions import parsecache
from journeyctl.definitions.schema import check_schema
from journeyctl.definitions.yamlio import YamlDocument, load_yaml_file
from tests.conftest import SAMPLES
from tests.helpers import run

GOOD = "journey: demo\nversion: 1\nstages:\n  - id: onboarding\n    enter_when: {event: signed}\n"
BAD_STAGE = GOOD + "transitions:\n  - {from: nowhere, to: onboarding, when: {event: x}}\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JOURNEYCTL_NO_CACHE", raising=False)
    return tmp_path / "cache" / "parsed"


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json")) if cache.exists() else []


def test_a_hit_is_the_same_document(tmp_path: Path, cache: Path) -> None:
    for src in SAMPLES.glob("*.yaml"):
        first = load_yaml_file(str(src))
        assert isinstance(first, YamlDocument)
        assert len(_entries(cache)) >= 1
        again = load_yaml_file(str(src))
        assert again == first  # data, every position and key position, the file name


def test_validate_output_is_the_same_cold_and_warm(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "j").mkdir()
    shutil.copy(SAMPLES / "analytics-smb-emea.yaml", tmp_path / "j")
    (tmp_path / "j" / "bad.yaml").write_text(BAD_STAGE)
    cold = run("validate", str(tmp_path / "j"), "--format", "json")
    warm = run("validate", str(tmp_path / "j"), "--format", "json")
    assert cold.exit_code == warm.exit_code == 1
    assert cold.stdout == warm.stdout
    assert "nowhere" in cold.stdout  # the finding, with its position, from the cached parse too


def test_an_edited_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "j").mkdir()
    f = tmp_path / "j" / "demo.yaml"
    f.write_text(BAD_STAGE)
    assert run("validate", str(tmp_path / "j")).exit_code == 1
    f.write_text(GOOD)
    assert run("validate", str(tmp_path / "j")).exit_code == 0
    f.write_text(BAD_STAGE)
    assert run("validate", str(tmp_path / "j")).exit_code == 1


def test_a_damaged_entry_is_a_miss(tmp_path: Path, cache: Path) -> None:
    f = tmp_path / "demo.yaml"
    f.write_text(GOOD)
    first = load_yaml_file(str(f))
    for entry in _entries(cache):
        entry.write_text('{"data": 1, "positions": [["x", "y", 3]]')
    assert load_yaml_file(str(f)) == first
    for entry in _entries(cache):
        entry.write_text(json.dumps({"data": {}, "positions": [[["a"], "1", 1]], "keys": []}))
    assert load_yaml_file(str(f)) == first


def test_an_unwritable_cache_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")  # the cache directory would be under a regular file: cannot be made
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(blocker))
    res = run("validate", str(SAMPLES))
    assert res.exit_code == 0, res.stderr
    assert "5 files checked: 0 errors, 0 warnings" in res.stderr + res.stdout
    assert "cache" not in res.stderr


def test_findings_are_not_cached(tmp_path: Path, cache: Path) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text("journey: [unclosed\n")
    assert not isinstance(load_yaml_file(str(f)), YamlDocument)
    assert _entries(cache) == []


def test_the_directory_stays_bounded(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsecache, "MAX_ENTRIES", 8)
    for i in range(20):
        f = tmp_path / f"j{i}.yaml"
        f.write_text(GOOD.replace("demo", f"demo{i}"))
        load_yaml_file(str(f))
    assert 4 <= len(_entries(cache)) <= 8


def test_no_cache_setting(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYCTL_NO_CACHE", "1")
    f = tmp_path / "demo.yaml"
    f.write_text(GOOD)
    assert isinstance(load_yaml_file(str(f)), YamlDocument)
    assert _entries(cache) == []


def test_the_cache_holds_no_code(tmp_path: Path, cache: Path) -> None:
    # entries are JSON: loading one can run nothing (a pickle could)
    load_yaml_file(str(SAMPLES / "analytics-smb-emea.yaml"))
    for entry in _entries(cache):
        json.loads(entry.read_text())
    out = subprocess.run(["grep", "-rl", "pickle", str(Path(parsecache.__file__))], check=False)
    assert out.returncode == 1


def _jsonschema_loaded_by_validate(path: Path) -> bool:
    """Whether a fresh process that validates `path` had to import jsonschema."""
    code = (
        "import sys; from journeyctl.api import validate; "
        f"assert not validate({str(path)!r}); print('jsonschema' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return out.strip() == "True"


def test_a_file_that_passed_the_schema_is_not_checked_again(tmp_path: Path, cache: Path) -> None:
    """pre-commit validates unchanged files on every commit: a file whose exact bytes passed the
    schema before skips it, and jsonschema (a quarter of the start-up) is not even imported."""
    (tmp_path / "j").mkdir()
    shutil.copy(SAMPLES / "analytics-smb-emea.yaml", tmp_path / "j")
    assert _jsonschema_loaded_by_validate(tmp_path / "j")
    assert list((cache.parent / "valid").iterdir())
    assert not _jsonschema_loaded_by_validate(tmp_path / "j")


def test_an_edit_that_breaks_the_schema_is_found(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "j").mkdir()
    f = tmp_path / "j" / "demo.yaml"
    f.write_text(GOOD)
    assert run("validate", str(tmp_path / "j")).exit_code == 0
    f.write_text(GOOD.replace("version: 1", "version: one"))
    res = run("validate", str(tmp_path / "j"), "--format", "text")
    assert res.exit_code == 1 and "version" in res.stdout, res.stdout
    f.write_text(GOOD)
    assert run("validate", str(tmp_path / "j")).exit_code == 0


def test_a_pass_under_another_schema_does_not_count(tmp_path: Path, cache: Path) -> None:
    """The mark names the schema and the checker's code: a newer journeyctl, or an edited
    schema, checks every file again."""
    f = tmp_path / "demo.yaml"
    f.write_text(GOOD.replace("version: 1", "version: one"))
    doc = load_yaml_file(str(f))
    assert isinstance(doc, YamlDocument) and doc.digest
    parsecache.mark_valid(b"another schema", doc.digest)
    assert check_schema(doc)
