from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notify import data
from tests.notify.servers import HttpRecorder, http_server


@pytest.fixture
def http() -> Iterator[HttpRecorder]:
    with http_server() as rec:
        yield rec


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scenario in a fresh directory, made the current one."""
    data.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path
