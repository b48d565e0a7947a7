from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_journeys"

# CI runs a fixed set of examples (derandomize) so a landing never depends on luck; local runs
# ("dev", "thorough") draw new examples each time to keep finding bugs.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Parsed journey files are cached by content (definitions/parsecache.py): the tests keep theirs in
# a directory of their own, not in the user's cache (subprocesses inherit it).
os.environ.setdefault("JOURNEYCTL_CACHE_DIR", tempfile.mkdtemp(prefix="journeyctl-test-cache-"))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer settings leak into tests."""
    monkeypatch.delenv("JOURNEYCTL_JOURNEYS", raising=False)
    monkeypatch.delenv("JOURNEYCTL_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
