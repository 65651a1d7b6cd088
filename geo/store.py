"""Stage 5, store: articles, places, mentions and events, in a GeoPackage file or in PostGIS.

Two back ends behind one interface (``Store``): a GeoPackage (SQLite) file, the default for
one analyst and the two-command start (``geo.store_gpkg``), and PostgreSQL with PostGIS for
a team's server (``geo.store_postgis``), chosen by ``--db postgresql://...`` or $FLANKMAP_DB.
Both hold the same tables (``articles``, ``places`` and ``events`` as points in EPSG:4326,
``mentions``) and give the same guarantees: an article is stored once by its content hash,
a batch is one transaction (all of it or none), and concurrent writers lose nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "var" / "events.gpkg"
SEEDS_DIR = ROOT / "seeds"
SERVER_SCHEMES = ("postgresql://", "postgres://")

TABLES = ("articles", "places", "mentions", "events")
EVENT_TYPES = ("deployment", "exercise", "chokepoint")
ARTICLE_COLUMNS = ["article_id", "source", "title", "published", "year", "date_basis", "ingested_at", "n_places",
                   "n_events"]
PLACE_COLUMNS = ["article_id", "place_id", "name", "kind", "country", "lat", "lon", "n_mentions", "roles"]
MENTION_COLUMNS = ["article_id", "place_id", "text", "start_offset", "end_offset", "role", "metonymy", "embedded"]
EVENT_COLUMNS = [
    "event_id", "article_id", "type", "place", "place_id", "kind", "country", "lat", "lon", "year", "status",
    "troops", "lead_nation", "contributors", "unit", "equipment", "exercise", "via_group", "evidence",
    "evidence_start", "evidence_end", "article_title", "article_source", "article_published", "countries", "date",
]

StoreLocation = Path | str  # a GeoPackage file, or a postgresql:// URL


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


@dataclass(frozen=True)
class RecordRows:
    """One extraction record as table rows, in the column order of ``*_COLUMNS``.

    Places and events start with (lon, lat), which each back end turns into its point geometry.
    """

    article: tuple[Any, ...]
    places: list[tuple[Any, ...]]
    mentions: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]


class Store(Protocol):
    """An open store. Writes happen inside ``transaction()``; reads work anywhere."""

    location: str           # where it is, fit to print (no password)
    errors: tuple[type[Exception], ...]  # what its database raises

    def transaction(self, claim: Iterable[str] = ()) -> AbstractContextManager[None]:
        """A write transaction, committed or rolled back whole. ``claim``: the article ids and sources it
        writes, which no concurrent writer writes until it ends."""

    def article_state(self, source: str, article_id: str) -> str:
        """Return "unchanged" (same text stored), "changed" (source stored with other text) or "new"."""

    def delete_source(self, source: str) -> None:
        """Delete every row of the article(s) stored under ``source`` (inside a transaction)."""

    def write_record(self, record: dict[str, Any]) -> None:
        """Insert one extraction record (inside a transaction); ``record['content_hash']`` is its id."""

    def is_stored(self, article_id: str) -> bool:
        """Return whether an article with this content hash is stored."""

    def stored_ids(self) -> frozenset[str]:
        """Return the content hashes of every stored article."""

    def load_events(self, filters: Filters) -> pd.DataFrame:
        """Return the stored events matching ``filters`` (columns: EVENT_COLUMNS), by year then insertion."""

    def load_articles(self) -> pd.DataFrame:
        """Return the stored articles (columns: ARTICLE_COLUMNS), in insertion order."""

    def version(self) -> tuple[int, int]:
        """Return a value that differs after every committed write (a cache key for readers)."""

    def table_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Return every row of the four tables in insertion order, as plain values, without the ingest time."""

    def counts(self) -> dict[str, int]:
        """Return the number of rows of each table."""

    def close(self) -> None:
        """Release the connection."""


class SqlStore:
    """The reads both back ends share, written once; a back end gives its placeholder (``MARK``),
    ``_query`` and ``_frame``, and how ``table_rows`` reads each column (``ROW_COLUMNS``)."""

    MARK = "?"
    ROW_COLUMNS: ClassVar[dict[str, list[str]]] = {"articles": [c for c in ARTICLE_COLUMNS if c != "ingested_at"],
                                                   "places": PLACE_COLUMNS, "mentions": MENTION_COLUMNS,
                                                   "events": EVENT_COLUMNS}

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _frame(self, sql: str, params: list[Any], columns: list[str]) -> pd.DataFrame:
        raise NotImplementedError

    def is_stored(self, article_id: str) -> bool:
        """Return whether an article with this content hash is stored."""
        return bool(self._query(f"SELECT 1 FROM articles WHERE article_id = {self.MARK}", (article_id,)))

    def article_state(self, source: str, article_id: str) -> str:
        """Return "unchanged" (same text stored), "changed" (source stored with other text) or "new"."""
        if self.is_stored(article_id):
            return "unchanged"
        if self._query(f"SELECT 1 FROM articles WHERE source = {self.MARK} LIMIT 1", (source,)):
            return "changed"
        return "new"

    def stored_ids(self) -> frozenset[str]:
        """Return the content hashes of every stored article."""
        return frozenset(r[0] for r in self._query("SELECT article_id FROM articles"))

    def load_events(self, filters: Filters) -> pd.DataFrame:
        """Return the stored events matching ``filters`` (columns: EVENT_COLUMNS), by year then insertion."""
        where, params = filter_clause(filters, self.MARK)
        return self._frame(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events{where} ORDER BY year, fid", params,
                           EVENT_COLUMNS)

    def table_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Return every row of the four tables in insertion order, as plain values, without the ingest time."""
        return {t: self._query(f"SELECT {', '.join(self.ROW_COLUMNS[t])} FROM {t} ORDER BY fid") for t in TABLES}

    def counts(self) -> dict[str, int]:
        """Return the number of rows of each table."""
        return {t: self._query(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def resolve_db(db: StoreLocation | None) -> StoreLocation:
    """Return where the store is: ``db``, $FLANKMAP_DB, or var/events.gpkg (a URL stays a string)."""
    location = db or os.environ.get("FLANKMAP_DB") or DEFAULT_DB
    return str(location) if is_server(location) else Path(location)


def is_server(location: StoreLocation) -> bool:
    """Return whether ``location`` names a database server (postgresql://...) rather than a file."""
    return str(location).startswith(SERVER_SCHEMES)


def connect(db: StoreLocation | None = None, *, create: bool = True) -> Store:
    """Open the store (creating its tables when missing, unless ``create`` is false); raise StoreError."""
    location = resolve_db(db)
    if is_server(location):
        from geo.store_postgis import PostgisStore

        return PostgisStore.open(str(location), create=create)
    from geo.store_gpkg import GeoPackageStore

    return GeoPackageStore.open(Path(location), create=create)


def record_rows(record: dict[str, Any], ingested_at: Any) -> RecordRows:
    """Return ``record`` (an extraction record) as the rows both back ends insert."""
    aid = record["content_hash"]
    places, events = record["places"], record["events"]
    return RecordRows(
        article=(aid, record["source"], record.get("title"), record.get("published"), record.get("year"),
                 record.get("date_basis"), ingested_at, len(places), len(events)),
        places=[(p["lon"], p["lat"], aid, p["place_id"], p["name"], p["kind"], p["country"], p["lat"], p["lon"],
                 len(p["mentions"]), ",".join(p.get("roles", []))) for p in places],
        mentions=[(aid, p["place_id"], m["text"], m["start"], m["end"], m["role"], bool(m["metonymy"]),
                   bool(m["embedded"])) for p in places for m in p["mentions"]],
        events=[(e["lon"], e["lat"], f"{aid[:16]}-{i}", aid, e["type"], e["place"], e["place_id"], e["kind"],
                 e["country"], e["lat"], e["lon"], e["year"], e["status"], e["troops"], e["lead_nation"],
                 ",".join(e["contributors"]), e["unit"], ",".join(e["equipment"]), e["exercise"], e["via_group"],
                 e["evidence"], e["evidence_start"], e["evidence_end"], record.get("title"), record["source"],
                 record.get("published"), ",".join(e.get("countries") or ([e["country"]] if e["country"] else [])),
                 e.get("date")) for i, e in enumerate(events)])


def filter_clause(f: Filters, mark: str) -> tuple[str, list[Any]]:
    """Return the SQL ``WHERE`` clause (or "") of ``f`` and its parameters, with ``mark`` as placeholder."""
    clauses: list[str] = []
    params: list[Any] = []

    def any_of(values: tuple[str, ...]) -> str:
        return ",".join([mark] * len(values))

    if f.year_from is not None:
        clauses.append(f"year >= {mark}")
        params.append(f.year_from)
    if f.year_to is not None:
        clauses.append(f"year <= {mark}")
        params.append(f.year_to)
    if f.types:
        clauses.append(f"type IN ({any_of(f.types)})")
        params.extend(f.types)
    if f.countries:
        # A group event ("the Baltic states") lists its members in ``countries``.
        clauses.append("(" + " OR ".join(f"(',' || countries || ',') LIKE {mark}" for _ in f.countries) + ")")
        params.extend(f"%,{c},%" for c in f.countries)
    if f.contributors:
        clauses.append("(" + " OR ".join(f"(',' || contributors || ',' || lead_nation || ',') LIKE {mark}"
                                          for _ in f.contributors) + ")")
        params.extend(f"%,{c},%" for c in f.contributors)
    if f.article_ids:
        clauses.append(f"article_id IN ({any_of(f.article_ids)})")
        params.extend(f.article_ids)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def load_events(db: StoreLocation | None = None, filters: Filters | None = None) -> pd.DataFrame:
    """Return the stored events matching ``filters`` as a DataFrame (columns: EVENT_COLUMNS)."""
    with closing(connect(db)) as conn:
        return conn.load_events(filters or Filters())


def load_articles(db: StoreLocation | None = None) -> pd.DataFrame:
    """Return the stored articles (one row each)."""
    with closing(connect(db)) as conn:
        return conn.load_articles()


def version(db: StoreLocation | None = None) -> tuple[int, int]:
    """Return a value of the store that differs after every committed write (see ``Store.version``)."""
    location = resolve_db(db)
    if not is_server(location):
        from geo.store_gpkg import file_version

        return file_version(Path(location))  # read off the file's header: no connection needed
    with closing(connect(location, create=False)) as conn:
        return conn.version()


def counts(db: StoreLocation | None = None) -> dict[str, int]:
    """Return the number of rows of each table."""
    with closing(connect(db)) as conn:
        return conn.counts()


def table_rows(db: StoreLocation | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of the four tables in insertion order, without the ingest time (to compare stores)."""
    with closing(connect(db, create=False)) as conn:
        return conn.table_rows()
