"""Ingest: extract articles and store them, idempotent by content hash and atomic by batch.

The same text twice adds nothing; a changed file (same path, new text) replaces its
rows (uploads, named only by the browser, never replace); each batch is one SQLite
transaction, so a kill leaves the previous store whole.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from geo import store
from geo.errors import ArticleError, GeoError, StoreError
from geo.extract import extract_article
from geo.gazetteer import load_gazetteer
from geo.load import display_name, load_article, parse_bytes

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml")
BATCH = 200


@dataclass
class IngestReport:
    """What an ingest did. ``errors`` holds one "FILE: reason" line per failed input."""

    db: Path
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Return the article files named by ``paths`` (folders are searched recursively)."""
    out: list[Path] = []
    for p in map(Path, paths):
        try:
            is_dir = p.is_dir()
        except OSError:  # e.g. a name too long: reading it reports the reason as this file's error
            is_dir = False
        if is_dir:
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES))
        else:
            out.append(p)
    return out


def ingest_paths(paths: Sequence[str | Path], db: str | Path | None = None, *, progress: bool = False) -> IngestReport:
    """Extract and store every article under ``paths``; return the report."""
    files = expand_paths(paths)
    return _ingest(((str(f), None) for f in files), len(files), db, progress)


def ingest_uploads(uploads: Sequence[tuple[str, bytes]], db: str | Path | None = None) -> IngestReport:
    """Extract and store uploaded articles given as (file name, bytes).

    An upload never replaces a stored article: a browser's file name is no identity, and two
    users' different "report.txt" are two articles (the same text twice is still stored once).
    """
    return _ingest(iter(uploads), len(uploads), db, progress=False, replace=False)


def _ingest(items: Iterable[tuple[str, bytes | None]], total: int, db: str | Path | None,
            progress: bool, *, replace: bool = True) -> IngestReport:
    gaz = load_gazetteer()
    report = IngestReport(db=store.resolve_db(db))
    conn = store.connect(db)
    pending: list[tuple[str, dict]] = []
    try:
        bar = tqdm(total=total, unit="article", disable=not progress, leave=False)
        for source, data in items:
            bar.update(1)
            try:
                article = load_article(source) if data is None else parse_bytes(data, source)
                if _stored(conn, article.content_hash, report):
                    report.unchanged += 1  # the same text is stored already: no need to extract it again
                    continue
                record = extract_article(article, gaz)
            except GeoError as exc:
                report.errors.append(str(exc))
                continue
            except Exception as exc:
                report.errors.append(str(ArticleError(display_name(source), f"unexpected {type(exc).__name__}")))
                continue
            pending.append((record["source"], record))
            if len(pending) >= BATCH:
                _flush(conn, pending, report, replace)
                pending = []
        if pending:
            _flush(conn, pending, report, replace)
        bar.close()
    finally:
        conn.close()
    return report


def _stored(conn: sqlite3.Connection, article_id: str, report: IngestReport) -> bool:
    try:
        return conn.execute("SELECT 1 FROM articles WHERE article_id=?", (article_id,)).fetchone() is not None
    except sqlite3.Error as exc:
        raise StoreError(f"{report.db}: cannot read the store ({exc})") from None


def _flush(conn: sqlite3.Connection, pending: list[tuple[str, dict]], report: IngestReport,
           replace: bool = True) -> None:
    """Store ``pending`` in one transaction; a database failure becomes one StoreError line."""
    try:
        _write_batch(conn, pending, report, replace)
    except sqlite3.Error as exc:
        raise StoreError(f"{report.db}: cannot write the store ({exc}); earlier batches are kept") from None


def _write_batch(conn: sqlite3.Connection, pending: list[tuple[str, dict]], report: IngestReport,
                 replace: bool = True) -> None:
    with store.transaction(conn):
        for source, record in pending:
            state = store.article_state(conn, source, record["content_hash"])
            if state == "unchanged":
                report.unchanged += 1
                continue
            if state == "changed" and replace:
                store.delete_source(conn, source)
                report.replaced += 1
            else:
                report.added += 1
            store.write_record(conn, record)
            report.article_ids.append(record["content_hash"])


def ensure_default_store(db: str | Path | None = None) -> Path:
    """Return the store path, building it from ``seeds/`` first when it does not exist yet.

    The first build happens in a temporary file renamed into place, so a half-built
    default store is never seen.
    """
    path = store.resolve_db(db)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".building-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        ingest_paths([store.SEEDS_DIR], db=tmp)
        if not path.exists():
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
