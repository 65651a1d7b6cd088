"""A store consistency check shared by the hostile-input, crash and concurrency tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

TABLES = ("articles", "places", "mentions", "events")


def assert_store_whole(db: Path) -> dict[str, int]:
    """Assert the file is intact and every article has exactly its rows; return the row counts per table.

    Intact: ``integrity_check`` and ``foreign_key_check`` pass. Whole: no place, mention or
    event without its article, each article's events and places number what it recorded, and
    its mentions add up to its places' ``n_mentions``.
    """
    conn = sqlite3.connect(db, timeout=60)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in TABLES[1:]:
            orphans = conn.execute(f"SELECT count(*) FROM {table} WHERE article_id NOT IN "
                                   "(SELECT article_id FROM articles)").fetchone()[0]
            assert orphans == 0, f"{orphans} {table} rows without their article"
        incomplete = conn.execute(
            "SELECT a.source FROM articles a WHERE a.n_events != (SELECT count(*) FROM events e WHERE "
            "e.article_id = a.article_id) OR a.n_places != (SELECT count(*) FROM places p WHERE "
            "p.article_id = a.article_id) OR (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id) "
            "!= (SELECT coalesce(sum(n_mentions), 0) FROM places p WHERE p.article_id = a.article_id)").fetchall()
        assert incomplete == [], f"articles whose rows are incomplete: {incomplete[:3]}"
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()
