"""The `journeyctl-validate` pre-commit hook, run by the real `pre-commit` tool.

The hook repository is a snapshot of this working tree (its files copied and committed in a
temporary git repository), so what is tested is the code as it is now, untracked files included.
`pre-commit try-repo` would be the obvious command, but it always installs the hook into a
throwaway store of its own (it ignores PRE_COMMIT_HOME), so every call would build the hook's
virtualenv again. Instead each test writes the `.pre-commit-config.yaml` a user would write
(`repo:` the snapshot, `rev:` its commit) and runs `pre-commit run`; with one PRE_COMMIT_HOME for
the whole session, the hook's environment (journeyctl and its dependencies, installed from the
package index into pre-commit's own virtualenv) is built once and shared.

Without `pre-commit` (or git) the tests are skipped, except under CI (`CI` set), where that is a
failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

HOOK_ID = "journeyctl-validate"

GOOD = """\
journey: demo
version: 1
stages:
  - id: onboarding
    enter_when: {event: deal_closed}
    milestones:
      - id: kickoff
        when: {event: kickoff_held}
        due: 7d
  - id: adoption
    enter_when: {milestones: [kickoff]}
"""

BAD = GOOD.replace("due: 7d", "due: 7 days")

SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.pyc",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".benchmarks",
    "*.egg-info",
    "build",
    "dist",
    "node_modules",
    "journeyctl-report",
    ".journeyctl",
    "tests",
)


def require_tools() -> None:
    missing = [name for name in ("pre-commit", "git") if shutil.which(name) is None]
    if not missing:
        return
    message = f"{' and '.join(missing)} not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run the pre-commit hook test (pip install -e '.[test]')")
    pytest.skip(message)


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["NO_COLOR"] = "1"
    env.pop("JOURNEYCTL_JOURNEYS", None)
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout.strip()


def init_repo(path: Path, env: dict[str, str]) -> None:
    git(path, env, "init", "-q")
    git(path, env, "config", "user.name", "journeyctl tests")
    git(path, env, "config", "user.email", "tests@journeyctl.invalid")
    git(path, env, "config", "commit.gpgsign", "false")


def commit_all(path: Path, env: dict[str, str], message: str) -> str:
    git(path, env, "add", "-A")
    git(path, env, "commit", "-q", "--no-verify", "-m", message)
    return git(path, env, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, precommit_home: Path) -> tuple[Path, str]:
    """A git repository holding a snapshot of this working tree; (path, commit)."""
    require_tools()
    repo = tmp_path_factory.mktemp("hook-repo") / "journeyctl"
    shutil.copytree(ROOT, repo, ignore=SNAPSHOT_IGNORE)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    env = clean_env(precommit_home)
    init_repo(repo, env)
    return repo, commit_all(repo, env, "snapshot of the working tree")


@pytest.fixture
def user_repo(tmp_path: Path, hook_repo: tuple[Path, str], precommit_home: Path) -> Path:
    """A user's journeys repository whose pre-commit config uses the hook at `hook_repo`."""
    repo_path, rev = hook_repo
    env = clean_env(precommit_home)
    work = tmp_path / "journeys-repo"
    work.mkdir()
    init_repo(work, env)
    (work / ".pre-commit-config.yaml").write_text(
        textwrap.dedent(
            f"""\
            repos:
              - repo: {repo_path}
                rev: {rev}
                hooks:
                  - id: {HOOK_ID}
            """
        ),
        encoding="utf-8",
    )
    (work / "journeys").mkdir()
    (work / "journeys" / "good.yaml").write_text(GOOD, encoding="utf-8")
    commit_all(work, env, "a good journey")
    return work


def run_hook(work: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["pre-commit", "run", HOOK_ID, "--color", "never", "--files", *files],
        cwd=work,
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=1800,  # the first run builds the hook's virtualenv
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def test_hook_passes_on_a_good_journey(user_repo: Path, precommit_home: Path) -> None:
    proc = run_hook(user_repo, precommit_home, "journeys/good.yaml")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "journeyctl validate" in out
    assert "Passed" in out


def test_hook_fails_on_a_bad_journey(user_repo: Path, precommit_home: Path) -> None:
    (user_repo / "journeys" / "bad.yaml").write_text(BAD.replace("demo", "other"), encoding="utf-8")
    proc = run_hook(user_repo, precommit_home, "journeys/bad.yaml")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Failed" in out
    assert f"- hook id: {HOOK_ID}" in out
    problem = 'journeys/bad.yaml:9:14: error schema: stages[0].milestones[0].due: "7 days" is not a duration'
    assert problem in out
    assert "    hint: use e.g. 7d, 12h, 2w" in out


def test_hook_skips_files_that_are_not_yaml(user_repo: Path, precommit_home: Path) -> None:
    (user_repo / "notes.txt").write_text("journey: not checked\n", encoding="utf-8")
    proc = run_hook(user_repo, precommit_home, "notes.txt")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Skipped" in out


def test_hook_leaves_other_yaml_files_alone(user_repo: Path, precommit_home: Path) -> None:
    """A CI workflow or any other YAML file outside journeys/ is not a journey file: skipped."""
    workflow = user_repo / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs: {}\n", encoding="utf-8")
    (user_repo / "mkdocs.yaml").write_text("site_name: docs\n", encoding="utf-8")
    proc = run_hook(
        user_repo,
        precommit_home,
        ".github/workflows/ci.yml",
        "mkdocs.yaml",
        ".pre-commit-config.yaml",
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Skipped" in out
    assert "unknown-file" not in out


def test_hook_checks_rules_across_files(user_repo: Path, precommit_home: Path) -> None:
    """Changing one journey file validates the directory: a duplicate id of an unchanged file is
    found (validating the changed file alone would pass)."""
    (user_repo / "journeys" / "copy.yaml").write_text(GOOD, encoding="utf-8")
    proc = run_hook(user_repo, precommit_home, "journeys/copy.yaml")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "duplicate-journey-id" in out
    assert "journeys/good.yaml" in out or "journeys/copy.yaml" in out
