"""Fixtures shared by the export tests: a store built from seeds/ and its events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo import store
from tests.dashboard_fixtures import build_seed_store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the events of seeds/ (one per test module; a module may define its own ``db``)."""
    return build_seed_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def events(db: Path) -> pd.DataFrame:
    """The events of ``db``."""
    frame = store.load_events(db)
    assert len(frame) >= 10
    return frame
