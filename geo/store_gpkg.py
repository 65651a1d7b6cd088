"""The GeoPackage back end of the store: one SQLite file, the default.

The file is written through SQLite itself with an explicit GeoPackage 1.3 schema, so a
whole ingest batch is one transaction: a kill at any moment leaves the previous store
readable and complete (SQLite's rollback journal), and readers (GDAL/pyogrio, QGIS,
this dashboard) see either all of a batch or none of it. Writers take the file's write
lock at the start of a transaction (BEGIN IMMEDIATE), so concurrent writers queue.

Layers: ``articles`` (attributes only), ``places`` and ``events`` (points, EPSG:4326),
``mentions`` (attributes only), and a view of the events per type (``events_deployment``...).
"""

from __future__ import annotations

import sqlite3
import struct
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import StoreError
from geo.store import ARTICLE_COLUMNS, EVENT_COLUMNS, EVENT_TYPES, MENTION_COLUMNS, PLACE_COLUMNS, SqlStore, record_rows

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10300
BUSY_TIMEOUT_MS = 60_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE IF NOT EXISTS articles (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, title TEXT,
  published TEXT, year INTEGER, date_basis TEXT, ingested_at TEXT NOT NULL, n_places INTEGER, n_events INTEGER);
CREATE TABLE IF NOT EXISTS places (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT, article_id TEXT NOT NULL, place_id TEXT NOT NULL,
  name TEXT NOT NULL, kind TEXT, country TEXT, lat REAL, lon REAL, n_mentions INTEGER, roles TEXT);
CREATE TABLE IF NOT EXISTS mentions (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL, place_id TEXT NOT NULL, text TEXT,
  start_offset INTEGER, end_offset INTEGER, role TEXT, metonymy INTEGER, embedded INTEGER);
CREATE TABLE IF NOT EXISTS events (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT, event_id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
  type TEXT NOT NULL, place TEXT, place_id TEXT, kind TEXT, country TEXT, lat REAL, lon REAL, year INTEGER,
  status TEXT, troops INTEGER, lead_nation TEXT, contributors TEXT, unit TEXT, equipment TEXT, exercise TEXT,
  via_group TEXT, evidence TEXT, evidence_start INTEGER, evidence_end INTEGER, article_title TEXT,
  article_source TEXT, article_published TEXT, countries TEXT, date TEXT)
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS events_article ON events(article_id);
CREATE INDEX IF NOT EXISTS events_year ON events(year);
CREATE INDEX IF NOT EXISTS events_type ON events(type);
CREATE INDEX IF NOT EXISTS events_country ON events(country);
CREATE INDEX IF NOT EXISTS places_article ON places(article_id);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article_id);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source)
"""

SRS_ROWS = [
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
    ("WGS 84 geodetic", 4326, "EPSG", 4326,
     'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
     'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
     'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]', "longitude/latitude coordinates in decimal degrees"),
]
LAYERS = [("articles", "attributes", None), ("mentions", "attributes", None), ("places", "features", "geom"),
          ("events", "features", "geom")] + [(f"events_{t}", "features", "geom") for t in EVENT_TYPES]

_INIT_LOCK = threading.Lock()


def gpkg_point(lon: float, lat: float) -> bytes:
    """Return a GeoPackage geometry blob of a point in EPSG:4326 (little endian, no envelope)."""
    return b"GP" + bytes([0, 0b00000001]) + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, lon, lat)


def file_version(path: Path) -> tuple[int, int]:
    """Return (mtime_ns, change counter) of the file: a value that differs after every committed write.

    The modification time alone can stay the same across two commits within one clock tick of
    the file system (kernels without fine-grained timestamps tick every few milliseconds), so a
    reader could keep the older contents; SQLite's file change counter (database header bytes
    24-27) is incremented by every commit in rollback-journal mode.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(28)
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise StoreError(f"{path}: {exc.strerror or exc}") from None
    return mtime_ns, int.from_bytes(header[24:28], "big") if len(header) == 28 else 0


def _insert(table: str, columns: list[str], geometry: bool) -> str:
    names = (["geom"] if geometry else []) + columns
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({','.join('?' * len(names))})"


INSERT_ARTICLE = _insert("articles", ARTICLE_COLUMNS, False)
INSERT_PLACE = _insert("places", PLACE_COLUMNS, True)
INSERT_MENTION = _insert("mentions", MENTION_COLUMNS, False)
INSERT_EVENT = _insert("events", EVENT_COLUMNS, True)


class GeoPackageStore(SqlStore):
    """A GeoPackage file opened for reading and writing (see the module's docstring)."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.location = str(path)
        self.conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> GeoPackageStore:
        """Return the store at ``path`` (created when missing, unless ``create`` is false); raise StoreError."""
        if not create and not path.exists():
            raise StoreError(f"{path}: no such store")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous=FULL")
            _ensure_schema(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a readable store ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{path}: {exc.strerror or exc}") from None
        return cls(path, conn)

    @contextmanager
    def transaction(self, claim: Iterable[str] = ()) -> Iterator[None]:
        """A write transaction taken at once (BEGIN IMMEDIATE: the file's one writer), committed or rolled
        back whole. ``claim`` needs nothing more: no other writer runs meanwhile."""
        del claim
        with _immediate(self.conn):
            yield

    def delete_source(self, source: str) -> None:
        """Delete every row of the article(s) stored under ``source`` (inside a transaction)."""
        ids = [(r[0],) for r in self.conn.execute("SELECT article_id FROM articles WHERE source=?", (source,))]
        for table in ("events", "places", "mentions", "articles"):
            self.conn.executemany(f"DELETE FROM {table} WHERE article_id=?", ids)

    def write_record(self, record: dict[str, Any]) -> None:
        """Insert one extraction record (inside a transaction)."""
        rows = record_rows(record, datetime.now(UTC).isoformat(timespec="seconds"))
        self.conn.execute(INSERT_ARTICLE, rows.article)
        self.conn.executemany(INSERT_PLACE, [(gpkg_point(r[0], r[1]), *r[2:]) for r in rows.places])
        self.conn.executemany(INSERT_MENTION, rows.mentions)
        self.conn.executemany(INSERT_EVENT, [(gpkg_point(r[0], r[1]), *r[2:]) for r in rows.events])

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def _frame(self, sql: str, params: list[Any], columns: list[str]) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=params)

    def load_articles(self) -> pd.DataFrame:
        """Return the stored articles (one row each)."""
        return self._frame(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles ORDER BY fid", [], ARTICLE_COLUMNS)

    def version(self) -> tuple[int, int]:
        """Return (mtime_ns, change counter) of the file (see ``file_version``)."""
        return file_version(self.path)

    def close(self) -> None:
        """Close the file."""
        self.conn.close()


def _ensure_schema(conn: sqlite3.Connection) -> None:
    with _INIT_LOCK:
        have = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='events'").fetchone()
        if have:
            _migrate(conn)
            return
        with _immediate(conn):
            conn.execute(f"PRAGMA application_id={GPKG_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={GPKG_USER_VERSION}")
            _run_script(conn, SCHEMA)
            conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", SRS_ROWS)
            _add_indexes_and_layers(conn)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction holding the file's write lock from its start, committed or rolled back whole."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would commit the open transaction, so statements go one by one.
    for statement in filter(str.strip, script.split(";")):
        conn.execute(statement)


def _add_indexes_and_layers(conn: sqlite3.Connection) -> None:
    """Create the indexes and the per-type views, and register every layer (all idempotent)."""
    _run_script(conn, INDEXES)
    for event_type in EVENT_TYPES:  # one layer per event type, for QGIS and GDAL
        conn.execute(f"CREATE VIEW IF NOT EXISTS events_{event_type} AS "
                     f"SELECT * FROM events WHERE type = '{event_type}'")
    for table, data_type, geom in LAYERS:
        conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, srs_id, "
                     "min_x, min_y, max_x, max_y) VALUES (?,?,?,?,?,?,?,?)",
                     (table, data_type, table, 4326 if geom else None, -180 if geom else None,
                      -90 if geom else None, 180 if geom else None, 90 if geom else None))
        if geom:
            conn.execute("INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?,?,?,?,0,0)",
                         (table, geom, "POINT", 4326))


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a store written by an earlier version up to the current columns, indexes and views."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='view'")}
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    if "countries" in columns and "date" in columns and {"events_type", "events_country"} <= indexes \
            and {f"events_{t}" for t in EVENT_TYPES} <= views:
        return
    with _immediate(conn):
        columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}  # as of holding the lock
        if "countries" not in columns:
            conn.execute("ALTER TABLE events ADD COLUMN countries TEXT")
            conn.execute("UPDATE events SET countries = country WHERE countries IS NULL")
        if "date" not in columns:
            conn.execute("ALTER TABLE events ADD COLUMN date TEXT")  # "YYYY-MM" when the text gives the month
        _add_indexes_and_layers(conn)
