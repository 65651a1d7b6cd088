"""Stage 5, store: a GeoPackage (SQLite) of articles, places, mentions and events.

The file is written through SQLite itself with an explicit GeoPackage 1.3 schema, so a
whole ingest batch is one transaction: a kill at any moment leaves the previous store
readable and complete (SQLite's rollback journal), and readers (GDAL/pyogrio, QGIS,
this dashboard) see either all of a batch or none of it.

Layers: ``articles`` (attributes only), ``places`` and ``events`` (points, EPSG:4326),
``mentions`` (attributes only).
"""

from __future__ import annotations

import os
import sqlite3
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import StoreError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "var" / "events.gpkg"
SEEDS_DIR = ROOT / "seeds"
GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10300
BUSY_TIMEOUT_MS = 60_000

EVENT_COLUMNS = [
    "event_id", "article_id", "type", "place", "place_id", "kind", "country", "lat", "lon", "year", "status",
    "troops", "lead_nation", "contributors", "unit", "equipment", "exercise", "via_group", "evidence",
    "evidence_start", "evidence_end", "article_title", "article_source", "article_published", "countries", "date",
]

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
  article_source TEXT, article_published TEXT, countries TEXT, date TEXT);
CREATE INDEX IF NOT EXISTS events_article ON events(article_id);
CREATE INDEX IF NOT EXISTS events_year ON events(year);
CREATE INDEX IF NOT EXISTS places_article ON places(article_id);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article_id);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
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
          ("events", "features", "geom")]


def gpkg_point(lon: float, lat: float) -> bytes:
    """Return a GeoPackage geometry blob of a point in EPSG:4326 (little endian, no envelope)."""
    return b"GP" + bytes([0, 0b00000001]) + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, lon, lat)


@dataclass(frozen=True)
class Filters:
    """What the user has in view. Empty tuples mean "all"."""

    year_from: int | None = None
    year_to: int | None = None
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    period: str | None = None  # how the time window reads in titles ("Mar 2017 to Jun 2017", "as of 2018")
    article_ids: tuple[str, ...] = ()  # only these articles' events


_INIT_LOCK = threading.Lock()


def resolve_db(db: str | Path | None) -> Path:
    """Return the store path: ``db``, $FLANKMAP_DB, or var/events.gpkg."""
    if db:
        return Path(db)
    env = os.environ.get("FLANKMAP_DB")
    return Path(env) if env else DEFAULT_DB


def connect(db: str | Path | None = None, *, create: bool = True) -> sqlite3.Connection:
    """Open (and create when missing) the GeoPackage; raise StoreError with the reason."""
    path = resolve_db(db)
    if not create and not path.exists():
        raise StoreError(f"{path}: no such store")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=FULL")
        _ensure_schema(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a readable store ({exc})") from None
    except OSError as exc:
        raise StoreError(f"{path}: {exc.strerror or exc}") from None
    return conn


def _ensure_schema(conn: sqlite3.Connection) -> None:
    with _INIT_LOCK:
        have = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='events'").fetchone()
        if have:
            _migrate(conn)
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"PRAGMA application_id={GPKG_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={GPKG_USER_VERSION}")
            # executescript() would commit the open transaction, so statements go one by one.
            for statement in filter(str.strip, SCHEMA.split(";")):
                conn.execute(statement)
            conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", SRS_ROWS)
            for table, data_type, geom in LAYERS:
                srs = 4326 if geom else None
                conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, srs_id, "
                             "min_x, min_y, max_x, max_y) VALUES (?,?,?,?,?,?,?,?)",
                             (table, data_type, table, srs, -180 if geom else None, -90 if geom else None,
                              180 if geom else None, 90 if geom else None))
                if geom:
                    conn.execute("INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?,?,?,?,0,0)",
                                 (table, geom, "POINT", 4326))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a store written by an earlier version up to the current columns."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    if "countries" not in columns:
        conn.execute("ALTER TABLE events ADD COLUMN countries TEXT")
        conn.execute("UPDATE events SET countries = country WHERE countries IS NULL")
    if "date" not in columns:
        conn.execute("ALTER TABLE events ADD COLUMN date TEXT")  # "YYYY-MM" when the text gives the month


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction taken at once (BEGIN IMMEDIATE), committed or rolled back whole."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def article_state(conn: sqlite3.Connection, source: str, article_id: str) -> str:
    """Return "unchanged" (same text stored), "changed" (source stored with other text) or "new"."""
    if conn.execute("SELECT 1 FROM articles WHERE article_id=?", (article_id,)).fetchone():
        return "unchanged"
    if conn.execute("SELECT 1 FROM articles WHERE source=?", (source,)).fetchone():
        return "changed"
    return "new"


def delete_source(conn: sqlite3.Connection, source: str) -> None:
    """Delete every row of the article(s) stored under ``source`` (inside a transaction)."""
    ids = [r[0] for r in conn.execute("SELECT article_id FROM articles WHERE source=?", (source,))]
    for table in ("events", "places", "mentions", "articles"):
        conn.executemany(f"DELETE FROM {table} WHERE article_id=?", [(i,) for i in ids])


def write_record(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
    """Insert one extraction record (inside a transaction). ``record['content_hash']`` is its id."""
    aid = record["content_hash"]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute("INSERT INTO articles (article_id, source, title, published, year, date_basis, ingested_at, "
                 "n_places, n_events) VALUES (?,?,?,?,?,?,?,?,?)",
                 (aid, record["source"], record.get("title"), record.get("published"), record.get("year"),
                  record.get("date_basis"), now, len(record["places"]), len(record["events"])))
    conn.executemany(
        "INSERT INTO places (geom, article_id, place_id, name, kind, country, lat, lon, n_mentions, roles) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(gpkg_point(p["lon"], p["lat"]), aid, p["place_id"], p["name"], p["kind"], p["country"], p["lat"], p["lon"],
          len(p["mentions"]), ",".join(p.get("roles", []))) for p in record["places"]])
    conn.executemany(
        "INSERT INTO mentions (article_id, place_id, text, start_offset, end_offset, role, metonymy, embedded) "
        "VALUES (?,?,?,?,?,?,?,?)",
        [(aid, p["place_id"], m["text"], m["start"], m["end"], m["role"], int(m["metonymy"]), int(m["embedded"]))
         for p in record["places"] for m in p["mentions"]])
    conn.executemany(
        "INSERT INTO events (geom, event_id, article_id, type, place, place_id, kind, country, lat, lon, year, "
        "status, troops, lead_nation, contributors, unit, equipment, exercise, via_group, evidence, evidence_start, "
        "evidence_end, article_title, article_source, article_published, countries, date) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(gpkg_point(e["lon"], e["lat"]), f"{aid[:16]}-{i}", aid, e["type"], e["place"], e["place_id"], e["kind"],
          e["country"], e["lat"], e["lon"], e["year"], e["status"], e["troops"], e["lead_nation"],
          ",".join(e["contributors"]), e["unit"], ",".join(e["equipment"]), e["exercise"], e["via_group"],
          e["evidence"], e["evidence_start"], e["evidence_end"], record.get("title"), record["source"],
          record.get("published"), ",".join(e.get("countries") or ([e["country"]] if e["country"] else [])),
          e.get("date")) for i, e in enumerate(record["events"])])


def load_events(db: str | Path | None = None, filters: Filters | None = None) -> pd.DataFrame:
    """Return the stored events matching ``filters`` as a DataFrame (columns: EVENT_COLUMNS)."""
    conn = connect(db)
    try:
        where, params = _where(filters or Filters())
        sql = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events{where} ORDER BY year, fid"
        return pd.read_sql_query(sql, conn, params=params)
    finally:
        conn.close()


def _where(f: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.year_from is not None:
        clauses.append("year >= ?")
        params.append(f.year_from)
    if f.year_to is not None:
        clauses.append("year <= ?")
        params.append(f.year_to)
    if f.types:
        clauses.append(f"type IN ({','.join('?' * len(f.types))})")
        params.extend(f.types)
    if f.countries:
        # A group event ("the Baltic states") lists its members in ``countries``.
        clauses.append("(" + " OR ".join("(',' || countries || ',') LIKE ?" for _ in f.countries) + ")")
        params.extend(f"%,{c},%" for c in f.countries)
    if f.contributors:
        clauses.append("(" + " OR ".join("(',' || contributors || ',' || lead_nation || ',') LIKE ?"
                                          for _ in f.contributors) + ")")
        params.extend(f"%,{c},%" for c in f.contributors)
    if f.article_ids:
        clauses.append(f"article_id IN ({','.join('?' * len(f.article_ids))})")
        params.extend(f.article_ids)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def load_articles(db: str | Path | None = None) -> pd.DataFrame:
    """Return the stored articles (one row each)."""
    conn = connect(db)
    try:
        return pd.read_sql_query("SELECT article_id, source, title, published, year, date_basis, ingested_at, "
                                 "n_places, n_events FROM articles ORDER BY fid", conn)
    finally:
        conn.close()


def version(db: str | Path | None = None) -> tuple[int, int]:
    """Return (mtime_ns, change counter) of the store: a value that differs after every committed write.

    A cache key for readers. The modification time alone can stay the same across two commits
    within one clock tick of the file system (kernels without fine-grained timestamps tick every
    few milliseconds), so a reader could keep the older contents; SQLite's file change counter
    (database header bytes 24-27) is incremented by every commit in rollback-journal mode.
    """
    path = resolve_db(db)
    try:
        with path.open("rb") as fh:
            header = fh.read(28)
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise StoreError(f"{path}: {exc.strerror or exc}") from None
    return mtime_ns, int.from_bytes(header[24:28], "big") if len(header) == 28 else 0


def counts(db: str | Path | None = None) -> dict[str, int]:
    """Return the number of rows of each layer."""
    conn = connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "places", "mentions", "events")}
    finally:
        conn.close()
