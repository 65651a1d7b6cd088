"""Store checks shared by the ingest, hostile-input, crash and concurrency tests, on either back end."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from geo import store

TABLES = store.TABLES


def query(db: store.StoreLocation, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the rows of ``sql`` run on the store's own database (no product code involved)."""
    if store.is_server(db):
        with psycopg.connect(str(db), autocommit=True) as conn:
            return [tuple(r) for r in conn.execute(sql.replace("?", "%s"), params).fetchall()]
    conn = sqlite3.connect(Path(db), timeout=60)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def assert_store_whole(db: store.StoreLocation) -> dict[str, int]:
    """Assert the store is intact and every article has exactly its rows; return the row counts per table.

    Intact: SQLite's ``integrity_check`` and ``foreign_key_check`` pass (a GeoPackage), or every
    table's rows have their point in EPSG:4326 (PostGIS). Whole: no place, mention or event
    without its article, each article's events and places number what it recorded, and its
    mentions add up to its places' ``n_mentions``.
    """
    if store.is_server(db):
        for table in ("places", "events"):
            bad = query(db, f"SELECT count(*) FROM {table} WHERE ST_SRID(geom) != 4326 OR "
                            "abs(ST_X(geom) - lon) > 1e-12 OR abs(ST_Y(geom) - lat) > 1e-12")[0][0]
            assert bad == 0, f"{bad} {table} rows whose geometry is not their point"
    else:
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        assert query(db, "PRAGMA foreign_key_check") == []
    for table in TABLES[1:]:
        orphans = query(db, f"SELECT count(*) FROM {table} WHERE article_id NOT IN "
                            "(SELECT article_id FROM articles)")[0][0]
        assert orphans == 0, f"{orphans} {table} rows without their article"
    incomplete = query(db,
        "SELECT a.source FROM articles a WHERE a.n_events != (SELECT count(*) FROM events e WHERE "
        "e.article_id = a.article_id) OR a.n_places != (SELECT count(*) FROM places p WHERE "
        "p.article_id = a.article_id) OR (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id) "
        "!= (SELECT coalesce(sum(n_mentions), 0) FROM places p WHERE p.article_id = a.article_id)")
    assert incomplete == [], f"articles whose rows are incomplete: {incomplete[:3]}"
    return {t: query(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
