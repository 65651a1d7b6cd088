"""Fixtures shared by the tests: a store built from seeds/ and its events; an empty store on each back end."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from geo import store
from tests.dashboard_fixtures import build_seed_store
from tests.postgis_server import TemporaryPostgis, postgres_bin


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


# ----- the two store back ends -------------------------------------------------------------------------
BACK_ENDS = ("gpkg", "postgis")


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[TemporaryPostgis]:
    """A PostGIS server for the whole run (Debian's packages; ``make test`` installs them).

    Without them the PostGIS tests are skipped, unless FLANKMAP_REQUIRE_POSTGIS is set (as
    ``make test`` sets it): then they fail, so CI cannot pass without running them.
    """
    if postgres_bin() is None:
        message = "PostgreSQL with PostGIS is not installed (make test installs it from Debian's packages)"
        if os.environ.get("FLANKMAP_REQUIRE_POSTGIS"):
            pytest.fail(message)
        pytest.skip(message)
    server = TemporaryPostgis().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACK_ENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], store.StoreLocation]:
    """A maker of new, empty stores on each back end: ``new_store(name)`` returns a GeoPackage path
    not created yet, or the URL of a new PostGIS database."""
    if request.param == "gpkg":
        return lambda name: tmp_path / f"{name}.gpkg"
    server = request.getfixturevalue("postgis_server")
    return lambda name: server.new_database(f"{request.node.name}_{name}")


@pytest.fixture
def store_db(new_store: Callable[[str], store.StoreLocation]) -> store.StoreLocation:
    """Where a new, empty store goes, on each back end (see ``new_store``)."""
    return new_store("store")
