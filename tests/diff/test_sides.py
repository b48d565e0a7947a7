"""Resolving a side: a path, a git revision read without a checkout, or the working tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeyctl.diff.sides import WORKING_TREE, load_side
from journeyctl.errors import UsageError
from tests.diff import cases
from tests.diff.cases import edit
from tests.diff.conftest import GitRepo
from tests.helpers import run

CATALOG = "events:\n  - name: signed\n"


def test_revision_reads_files_without_checkout(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    first = repo.commit("base")
    repo.write("journeys/demo.yaml", cases.DUE_SHORTENED)
    repo.write("journeys/notes.txt", "not yaml")
    repo.commit("head")
    side = load_side(first, ["journeys"])
    assert (side.kind, side.label, side.commit) == ("revision", first, first)
    assert side.load.files == ("journeys/demo.yaml",)
    assert side.load.documents[0].data["stages"][0]["milestones"][0]["due"] == "10d"
    head = load_side("HEAD", ["journeys"])
    assert head.load.documents[0].data["stages"][0]["milestones"][0]["due"] == "5d"
    # Nothing was checked out: the working tree still holds the head version.
    assert "due: 5d" in (repo.root / "journeys/demo.yaml").read_text()
    assert repo.git("status", "--porcelain") == ""


def test_working_tree_and_paths(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.DUE_SHORTENED)
    repo.write("old/demo.yaml", cases.BASE)
    wt = load_side(None, ["journeys"])
    assert (wt.kind, wt.label) == (WORKING_TREE, "working tree")
    old = load_side("old", ["journeys"])
    assert (old.kind, old.load.files) == ("path", ("old/demo.yaml",))
    single = load_side("old/demo.yaml", ["journeys"])
    assert single.load.files == ("old/demo.yaml",)


def test_path_wins_over_a_revision_of_the_same_name(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit()
    repo.git("branch", "journeys")
    assert load_side("journeys", ["journeys"]).kind == "path"
    assert load_side("journeys^{commit}", ["journeys"]).kind == "revision"


def test_revision_with_a_configured_path_and_a_subdirectory(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("cs/maps/demo.yaml", cases.BASE)
    repo.write("cs/maps/catalog.yaml", CATALOG)
    repo.write("cs/maps/nested/ignored.yaml", "journey: nested\n")
    repo.write("journeyctl.toml", 'journeys = "cs/maps"\n')
    repo.commit()
    monkeypatch.chdir(repo.root / "cs")
    side = load_side("HEAD", ["maps"])
    assert side.load.files == ("maps/catalog.yaml", "maps/demo.yaml")
    assert side.load.journeys.catalog is not None
    # Through the CLI the configured path comes from journeyctl.toml found in a parent.
    res = run("diff", "HEAD", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [(j["id"], j["change"], j["file"]) for j in out["journeys"]] == [
        ("demo", "unchanged", str(repo.root / "cs/maps/demo.yaml"))
    ]


def test_a_single_journey_file_in_a_revision(repo: GitRepo) -> None:
    repo.write("demo.yaml", cases.BASE)
    first = repo.commit()
    side = load_side(first, ["demo.yaml"])
    assert side.load.files == ("demo.yaml",)
    assert side.load.journeys.journeys[0].id == "demo"


def test_journeys_at_the_repository_root(repo: GitRepo) -> None:
    repo.write("demo.yaml", cases.BASE)
    repo.write("README.md", "# not yaml")
    repo.commit()
    assert load_side("HEAD", ["."]).load.files == ("./demo.yaml",)


def test_missing_journeys_path_in_a_revision_is_an_empty_side(repo: GitRepo) -> None:
    repo.write("README.md", "start")
    first = repo.commit()
    repo.write("journeys/demo.yaml", cases.BASE)
    side = load_side(first, ["journeys"])
    assert side.load.files == () and side.load.problems == ()
    assert side.notes == (f"journeys does not exist in {first}: no journeys on that side",)
    res = run("diff", first, "--format", "json")
    assert res.exit_code == 0
    assert "note: journeys does not exist" in res.stderr
    assert [(j["id"], j["change"]) for j in json.loads(res.stdout)["journeys"]] == [
        ("demo", "added")
    ]


def test_invalid_file_in_a_revision_is_a_problem(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", "journey: demo\nstages: [\n")
    first = repo.commit()
    side = load_side(first, ["journeys"])
    assert [(p.file, p.rule) for p in side.load.problems] == [("journeys/demo.yaml", "yaml-syntax")]


def test_catalog_option_is_read_from_the_revision(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.write("meta/catalog.yaml", CATALOG)
    first = repo.commit()
    side = load_side(first, ["journeys"], catalog="meta/catalog.yaml")
    assert side.load.journeys.catalog is not None
    assert {p.rule for p in side.load.problems} == {"unknown-event"}
    repo.remove("meta/catalog.yaml")
    second = repo.commit()
    side = load_side(second, ["journeys"], catalog="meta/catalog.yaml")
    assert [(p.rule, p.message) for p in side.load.errors] == [
        ("unreadable", f"catalog not found in {second}")
    ]


def test_catalog_outside_the_repository_is_read_from_disk(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit()
    outside = tmp_path / "catalog.yaml"
    outside.write_text(CATALOG)
    assert load_side("HEAD", ["journeys"], catalog=str(outside)).load.journeys.catalog is not None


@pytest.mark.parametrize("spec", ["nosuch", "HEAD~5", "--", ""])
def test_neither_a_path_nor_a_revision(repo: GitRepo, spec: str) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit()
    with pytest.raises(UsageError):
        load_side(spec, ["journeys"])


def test_bad_side_through_the_cli_is_exit_2(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit()
    res = run("diff", "origin/main")
    assert res.exit_code == 2
    assert "BASE 'origin/main' is neither a journeys file or directory nor a git revision" in (
        res.stderr
    )
    assert "fetch-depth: 0" in res.stderr
    res = run("diff", "HEAD", "nosuch")
    assert res.exit_code == 2 and "HEAD 'nosuch'" in res.stderr


def test_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    res = run("diff", "HEAD~1")
    assert res.exit_code == 2
    assert "not inside a git work tree" in res.stderr


def test_globs_and_paths_outside_the_repository(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit()
    with pytest.raises(UsageError, match="glob"):
        load_side("HEAD", ["journeys/*.yaml"])
    with pytest.raises(UsageError, match="outside the git repository"):
        load_side("HEAD", [str(tmp_path)])


def test_working_tree_missing_journeys_is_exit_2(repo: GitRepo) -> None:
    repo.write("journeys/demo.yaml", cases.BASE)
    repo.commit()
    repo.remove("journeys/demo.yaml")
    res = run("diff", "HEAD", "-j", "nowhere")
    assert res.exit_code == 2
    assert "nowhere: no such file or directory" in res.stderr
    # Deleted files in the working tree are removed journeys.
    repo.write("journeys/other.yaml", edit(cases.BASE, "due: 10d", "due: 1d").replace("demo", "x"))
    res = run("diff", "HEAD", "--format", "json")
    assert [(j["id"], j["change"]) for j in json.loads(res.stdout)["journeys"]] == [
        ("demo", "removed"),
        ("x", "added"),
    ]


def test_symbolic_links_in_a_revision_are_not_followed(repo: GitRepo) -> None:
    repo.write("real/demo.yaml", cases.BASE)
    (repo.root / "journeys").symlink_to("real")
    (repo.root / "real" / "link.yaml").symlink_to("demo.yaml")
    first = repo.commit()
    side = load_side(first, ["journeys"])
    assert side.notes == (f"journeys in {first} is a symbolic link; it is not followed",)
    assert load_side(first, ["real"]).load.files == ("real/demo.yaml",)
