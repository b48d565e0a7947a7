"""What a packager and a user upgrading read besides the code: LICENSE and CHANGELOG.md."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the opening line of each licence text this test knows, by SPDX id
LICENSE_OPENINGS = {"MIT": "MIT License"}
# Keep a Changelog 1.1.0: the only kinds of change
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$")


def project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        data: dict[str, object] = tomllib.load(fh)["project"]
    return data


def test_license_file_matches_pyproject() -> None:
    spdx = project()["license"]
    assert spdx in LICENSE_OPENINGS, f"pyproject license {spdx!r}: add its text's opening here"
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert text.splitlines()[0] == LICENSE_OPENINGS[str(spdx)]
    assert "Permission is hereby granted, free of charge" in text
    assert re.search(r"^Copyright \(c\) \d{4} ", text, re.M)


def test_changelog_keeps_a_changelog() -> None:
    lines = (ROOT / "CHANGELOG.md").read_text("utf-8").splitlines()
    assert lines[0] == "# Changelog"
    assert "keepachangelog.com" in "\n".join(lines[:6])
    versions = [ln for ln in lines if ln.startswith("## ")]
    assert versions[0] == "## [Unreleased]", "the first section collects the unreleased changes"
    for heading in versions[1:]:
        assert RELEASE.match(heading), f"a release heading is `## [X.Y.Z] - YYYY-MM-DD`: {heading}"
    kinds = {ln[4:] for ln in lines if ln.startswith("### ")}
    assert kinds <= KINDS, f"Keep a Changelog kinds only: {sorted(kinds - KINDS)}"
    released = [RELEASE.match(h).group(1) for h in versions[1:]]  # type: ignore[union-attr]
    assert released == sorted(released, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    assert project()["version"] in released or len(versions) == 1
