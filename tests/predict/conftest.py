from __future__ import annotations

from pathlib import Path

import pytest

from tests.predict.synth import JOURNEY, synth_csv


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journeys directory `j/` and `events.csv` with enough history to backtest."""
    d = tmp_path_factory.mktemp("predict")
    (d / "j").mkdir()
    (d / "j" / "demo.yaml").write_text(JOURNEY)
    (d / "events.csv").write_text(synth_csv())
    return d
