"""The PostGIS back end: the same store as the file, QGIS-ready, on a real server; the CLI and dashboard on it.

The store suite proper (idempotence, replacement, SIGKILL, parallel and Dask ingests,
concurrent ingest processes) runs on both back ends through the ``store_db`` and
``new_store`` fixtures; this module holds what only a server has.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from geo import store
from geo.ingest import ingest_paths
from geo.uploads import store_uploads
from tests.dashboard_fixtures import GOOD_ARTICLE
from tests.postgis_server import TemporaryPostgis
from tests.store_checks import assert_store_whole, query

ROOT = Path(__file__).resolve().parents[1]
QGIS_PYTHON = "/usr/bin/python3"  # Debian's Python, which python3-qgis belongs to


@pytest.fixture
def seeded(postgis_server: TemporaryPostgis, request: pytest.FixtureRequest) -> str:
    """A PostGIS store holding the seeds."""
    url = postgis_server.new_database(request.node.name)
    report = ingest_paths([store.SEEDS_DIR], db=url)
    assert report.added == 5 and not report.errors
    return url


def test_both_back_ends_hold_the_same_rows_and_give_the_same_events(seeded: str, tmp_path: Path) -> None:
    gpkg = tmp_path / "s.gpkg"
    ingest_paths([store.SEEDS_DIR], db=gpkg)
    assert store.table_rows(seeded) == store.table_rows(gpkg)
    pd.testing.assert_frame_equal(store.load_events(seeded), store.load_events(gpkg))
    filters = store.Filters(year_from=2016, year_to=2018, countries=("PL", "LT"), types=("deployment",))
    assert len(store.load_events(seeded, filters)) > 0
    pd.testing.assert_frame_equal(store.load_events(seeded, filters), store.load_events(gpkg, filters))
    articles = store.load_articles(seeded)
    assert list(articles.columns) == store.ARTICLE_COLUMNS
    assert articles.drop(columns="ingested_at").equals(store.load_articles(gpkg).drop(columns="ingested_at"))
    assert articles["ingested_at"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$").all()
    assert_store_whole(seeded)


def test_the_schema_has_types_keys_indexes_and_registered_point_columns(seeded: str) -> None:
    geometry = set(query(seeded, "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns"))
    assert geometry == {(t, "geom", "POINT", 4326) for t in
                        ("places", "events", "events_deployment", "events_exercise", "events_chokepoint")}
    keys = dict(query(seeded, "SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc "
                              "JOIN information_schema.key_column_usage kcu USING (constraint_name, table_name) "
                              "WHERE tc.constraint_type = 'PRIMARY KEY'"))
    assert {t: keys.get(t) for t in store.TABLES} == dict.fromkeys(store.TABLES, "fid")
    types = dict(query(seeded, "SELECT column_name, data_type FROM information_schema.columns "
                               "WHERE table_name = 'events'"))
    assert (types["year"], types["lat"], types["troops"], types["geom"]) == \
        ("integer", "double precision", "integer", "USER-DEFINED")
    indexes = {r[0] for r in query(seeded, "SELECT indexdef FROM pg_indexes WHERE tablename = 'events'")}
    for column in ("year", "type", "country", "article_id"):
        assert any(f"({column})" in d for d in indexes), column
    assert any("gist (geom)" in d for d in indexes)
    # An article's rows go with it: no orphan can be written even by another tool.
    assert query(seeded, "SELECT count(*) FROM information_schema.referential_constraints")[0][0] == 3


def test_qgis_opens_every_table_and_view_as_a_layer_without_setup(seeded: str) -> None:
    if shutil.which(QGIS_PYTHON) is None or subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"],
                                                          capture_output=True).returncode:
        message = "QGIS's Python bindings are not installed (make test installs python3-qgis)"
        if os.environ.get("FLANKMAP_REQUIRE_POSTGIS"):
            pytest.fail(message)
        pytest.skip(message)
    host_port, database = seeded.split("@")[1].split("/")
    host, port = host_port.split(":")
    done = subprocess.run([QGIS_PYTHON, str(ROOT / "tests" / "qgis_layers.py"), host, port, database, "flankmap"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"})
    assert done.returncode == 0, done.stderr[-2000:]
    layers = json.loads(done.stdout.strip().splitlines()[-1])
    events = store.load_events(seeded)
    counts = store.counts(seeded)
    for name in ("places", "events"):
        assert layers[name] | {"first_point": None, "first_key": None} == {
            "valid": True, "features": counts[name], "counted": counts[name], "geometry": "Point",
            "crs": "EPSG:4326", "key": ["fid"], "first_point": None, "first_key": None}, name
    for event_type in store.EVENT_TYPES:
        layer = layers[f"events_{event_type}"]
        wanted = int((events["type"] == event_type).sum())
        assert (layer["valid"], layer["features"], layer["geometry"], layer["crs"], layer["key"]) == \
            (True, wanted, "Point", "EPSG:4326", ["fid"]), event_type
    for name in ("articles", "mentions"):
        assert (layers[name]["valid"], layers[name]["features"], layers[name]["key"]) == (True, counts[name], ["fid"])
    for name in ("places", "events", "events_exercise"):  # QGIS draws each feature at its own point
        lon, lat = query(seeded, f"SELECT lon, lat FROM {name} WHERE fid = ?", (layers[name]["first_key"],))[0]
        assert layers[name]["first_point"] == pytest.approx([lon, lat]), name


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_command_line_ingests_into_and_exports_from_a_server(postgis_server: TemporaryPostgis,
                                                                  tmp_path: Path) -> None:
    url = postgis_server.new_database("cli")
    done = _cli("ingest", str(store.SEEDS_DIR), "--db", url, "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"5 added, 0 replaced, 0 unchanged, 0 failed; store: {url}" in done.stderr
    out = tmp_path / "view.geojson"
    done = _cli("export", "--format", "geojson", "--db", url, "--type", "deployment", "--output", str(out))
    assert done.returncode == 0, done.stderr
    features = json.loads(out.read_text())["features"]
    assert len(features) == (store.load_events(url)["type"] == "deployment").sum() > 0
    via_env = subprocess.run([sys.executable, "-m", "geo", "ingest", str(store.SEEDS_DIR), "--quiet"], cwd=ROOT,
                             capture_output=True, text=True, timeout=300,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "FLANKMAP_DB": url})
    assert "0 added, 0 replaced, 5 unchanged" in via_env.stderr, via_env.stderr


def test_a_server_that_is_down_or_empty_gets_one_line_and_nothing_written(postgis_server: TemporaryPostgis,
                                                                          tmp_path: Path) -> None:
    down = f"postgresql://flankmap:secret@127.0.0.1:{postgis_server.port + 1 if postgis_server.port < 65535 else 1}/x"
    done = _cli("ingest", str(store.SEEDS_DIR), "--db", down, "--quiet")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: postgresql://flankmap@127.0.0.1:")
    assert "cannot connect" in lines[0] and "secret" not in done.stderr
    empty = postgis_server.new_database("empty")
    done = _cli("export", "--format", "csv", "--db", empty, "--output", str(tmp_path / "x.csv"))
    assert done.returncode == 1 and "no event store in this database" in done.stderr
    assert not (tmp_path / "x.csv").exists()
    assert query(empty, "SELECT to_regclass('events') IS NULL")[0][0], "an export created the store's tables"


def _in_view(at: AppTest) -> int:
    caption = next(c.value for c in at.caption if "events in view" in c.value)
    return int(re.match(r"(\d+) events in view", caption).group(1))


def test_the_dashboard_reads_and_uploads_to_a_server(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLANKMAP_DB", seeded)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update({"from": "2014", "to": "2026"})  # every year
    at.run()
    assert not at.exception, at.exception
    total = len(store.load_events(seeded))
    assert _in_view(at) == total
    before = store.version(seeded)
    messages = store_uploads([("rukla.txt", GOOD_ARTICLE.encode())], seeded)
    assert messages[0].level == "success" and store.version(seeded) != before
    at.run()
    assert not at.exception
    assert _in_view(at) == len(store.load_events(seeded)) > total  # the new version shows at the next run


def test_a_store_opened_while_another_process_builds_the_schema_waits_for_it_and_then_builds_nothing(
        postgis_server: TemporaryPostgis, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race CI once lost: process B finds no current schema, waits for builder A, and once A has
    committed must not run the DDL again. Rebuilding indexes takes table locks in another order than
    a writer's, so a writer half-way through its batch and B deadlocked, and one of them failed."""
    from geo import store_postgis

    url = postgis_server.new_database("schema_race")
    store.connect(url).close()  # the schema, committed
    with psycopg.connect(url, autocommit=True) as builder, psycopg.connect(url, autocommit=True) as writer:
        builder.execute("UPDATE flankmap_meta SET schema_version = schema_version - 1")  # B must (re)build
        builder.execute("BEGIN")
        builder.execute("SELECT pg_advisory_xact_lock(%s)", (store_postgis.SCHEMA_LOCK,))  # A is building
        monkeypatch.setattr(store_postgis, "_READY", set())
        opener, outcome = _open_in_a_thread(url)
        _wait_until_waiting_on_the_schema_lock(writer)
        builder.execute("UPDATE flankmap_meta SET schema_version = schema_version + 1")
        writer.execute("BEGIN")
        writer.execute("SET LOCAL lock_timeout = '20s'")
        writer.execute("LOCK TABLE places IN ROW EXCLUSIVE MODE")  # a writer's batch, its places copied
        builder.execute("COMMIT")  # A is done: B goes on
        opener.join(timeout=20)
        alive = opener.is_alive()
        writer.execute("LOCK TABLE events IN ROW EXCLUSIVE MODE")  # and now its events
        writer.execute("COMMIT")
        opener.join(timeout=20)
    assert not alive, "opening the store waited on a writer's batch"
    assert outcome == [None], outcome


def _wait_until_waiting_on_the_schema_lock(conn: psycopg.Connection) -> None:
    for _ in range(200):
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()
        if row and row[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the store never waited on the schema lock")


def test_upgrading_an_older_schema_waits_for_a_writers_batch_instead_of_deadlocking_it(
        postgis_server: TemporaryPostgis, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import store_postgis

    url = postgis_server.new_database("schema_upgrade")
    store.connect(url).close()
    with psycopg.connect(url, autocommit=True) as writer:
        writer.execute("UPDATE flankmap_meta SET schema_version = schema_version - 1")  # an older release's store
        writer.execute("BEGIN")
        writer.execute("SET LOCAL lock_timeout = '20s'")
        writer.execute("LOCK TABLE articles IN ROW EXCLUSIVE MODE")  # an older release's batch: its article
        writer.execute("LOCK TABLE places IN ROW EXCLUSIVE MODE")  # and its places written
        monkeypatch.setattr(store_postgis, "_READY", set())
        opener, outcome = _open_in_a_thread(url)
        _wait_until_waiting_on_a_table(writer)
        writer.execute("LOCK TABLE events IN ROW EXCLUSIVE MODE")  # and now its events
        writer.execute("COMMIT")
        opener.join(timeout=20)
    assert outcome == [None], outcome
    assert query(url, "SELECT schema_version FROM flankmap_meta")[0][0] == store_postgis.SCHEMA_VERSION


def _wait_until_waiting_on_a_table(conn: psycopg.Connection) -> None:
    for _ in range(200):
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND NOT granted").fetchone()
        if row and row[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the store never waited on the writer")


def _open_in_a_thread(url: str) -> tuple[threading.Thread, list[BaseException | None]]:
    """Start opening the store at ``url`` in a thread; return it and the list its outcome goes to."""
    outcome: list[BaseException | None] = []

    def open_store() -> None:
        try:
            store.connect(url).close()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    opener = threading.Thread(target=open_store)
    opener.start()
    return opener, outcome
