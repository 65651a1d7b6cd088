"""Ingest: extract articles and store them, idempotent by content hash and atomic by batch.

The same text twice adds nothing; a changed file (same path, new text) replaces its
rows (uploads, named only by the browser, never replace); each batch is one SQLite
transaction, so a kill leaves the previous store whole.

With ``jobs`` > 1, worker processes load and extract the files while this process alone
writes, in the files' order: the store ends up exactly as a one-job ingest leaves it.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from tqdm import tqdm

from geo import store
from geo.errors import ArticleError, GeoError, StoreError
from geo.extract import extract_article
from geo.gazetteer import load_gazetteer
from geo.load import display_name, load_article, parse_bytes

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml")
BATCH = 200
MIN_FILES_PER_JOB = 50  # below this a worker's start-up (loading the gazetteer) costs more than it saves
CHUNK = 8  # files handed to a worker at a time


@dataclass
class IngestReport:
    """What an ingest did. ``errors`` holds one "FILE: reason" line per failed input."""

    db: str  # where the store is, fit to print
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


@dataclass(frozen=True)
class DaskCluster:
    """Where extraction runs on Dask: the scheduler at ``scheduler``, or a local cluster (None)."""

    scheduler: str | None = None


def ingest_paths(paths: Sequence[str | Path], db: str | Path | None = None, *, progress: bool = False,
                 jobs: int = 1, dask: bool = False, scheduler: str | None = None) -> IngestReport:
    """Extract and store every article under ``paths``; return the report.

    ``jobs`` extracting processes (0: one per core) on this machine, or, with ``dask`` or a
    ``scheduler`` address, on a Dask cluster (a local one of ``jobs`` workers by default).
    """
    files = expand_paths(paths)
    jobs = default_jobs() if jobs <= 0 else jobs
    cluster = DaskCluster(scheduler) if dask or scheduler else None
    return _ingest(((str(f), None) for f in files), len(files), db, progress, jobs=jobs, cluster=cluster)


def default_jobs() -> int:
    """Return the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ingest_uploads(uploads: Sequence[tuple[str, bytes]], db: str | Path | None = None) -> IngestReport:
    """Extract and store uploaded articles given as (file name, bytes).

    An upload never replaces a stored article: a browser's file name is no identity, and two
    users' different "report.txt" are two articles (the same text twice is still stored once).
    """
    return _ingest(iter(uploads), len(uploads), db, progress=False, replace=False)


# One extracted item: ("ok", record), ("unchanged", None) or ("error", "FILE: reason").
Outcome = tuple[str, object]


def extract_item(source: str, data: bytes | None, is_stored: Callable[[str], bool], gaz: object) -> Outcome:
    """Load and extract one article unless its text is stored already; return its outcome."""
    try:
        article = load_article(source) if data is None else parse_bytes(data, source)
        if is_stored(article.content_hash):
            return "unchanged", None  # the same text is stored already: no need to extract it again
        return "ok", extract_article(article, gaz)
    except GeoError as exc:
        return "error", str(exc)
    except Exception as exc:
        return "error", str(ArticleError(display_name(source), f"unexpected {type(exc).__name__}"))


_WORKER: dict[str, object] = {}


def _start_worker(stored: frozenset[str], parent: int) -> None:
    # The parent's pid comes from the parent: read here with getppid(), it would already be 1 (init)
    # when the parent was killed between the fork and this call, and the worker would wait forever.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _WORKER["stored"] = stored
    _WORKER["gaz"] = load_gazetteer()


def _exit_with_parent(parent: int) -> None:
    # A worker blocks on its queue forever once the ingest that started it is killed (SIGKILL
    # runs no clean-up); it watches its parent and leaves with it.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _extract_in_worker(item: tuple[str, bytes | None]) -> Outcome:
    stored = _WORKER["stored"]
    return extract_item(item[0], item[1], stored.__contains__, _WORKER["gaz"])  # type: ignore[attr-defined]


def _outcomes(items: Iterable[tuple[str, bytes | None]], total: int, conn: store.Store,
              report: IngestReport, jobs: int, cluster: DaskCluster | None) -> Iterator[Outcome]:
    """The outcome of every item, in the items' order, extracted here, by ``jobs`` workers or
    on the Dask ``cluster``."""
    if cluster is None and (jobs <= 1 or total < MIN_FILES_PER_JOB * 2):
        gaz = load_gazetteer()
        for source, data in items:
            yield extract_item(source, data, lambda h: _stored(conn, h, report), gaz)
        return
    # Workers see the stored texts as of the start; a text repeated within this run is
    # caught when it is written (store.article_state), as in a one-job ingest.
    stored = conn.stored_ids()
    if cluster is not None:
        from geo.ingest_dask import dask_outcomes

        yield from dask_outcomes([source for source, _ in items], stored, cluster.scheduler, jobs)
        return
    jobs = min(jobs, total // MIN_FILES_PER_JOB)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(stored, os.getpid())) as pool:
        yield from pool.map(_extract_in_worker, items, chunksize=CHUNK)


def _ingest(items: Iterable[tuple[str, bytes | None]], total: int, db: str | Path | None,
            progress: bool, *, replace: bool = True, jobs: int = 1,
            cluster: DaskCluster | None = None) -> IngestReport:
    conn = store.connect(db)
    report = IngestReport(db=conn.location)
    pending: list[tuple[str, dict]] = []
    try:
        bar = tqdm(total=total, unit="article", disable=not progress, leave=False)
        for status, value in _outcomes(items, total, conn, report, jobs, cluster):
            bar.update(1)
            if status == "unchanged":
                report.unchanged += 1
                continue
            if status == "error":
                report.errors.append(str(value))
                continue
            record = cast(dict, value)
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


def _stored(conn: store.Store, article_id: str, report: IngestReport) -> bool:
    try:
        return conn.is_stored(article_id)
    except conn.errors as exc:
        raise StoreError(f"{report.db}: cannot read the store ({exc})") from None


def _flush(conn: store.Store, pending: list[tuple[str, dict]], report: IngestReport,
           replace: bool = True) -> None:
    """Store ``pending`` in one transaction; a database failure becomes one StoreError line."""
    try:
        _write_batch(conn, pending, report, replace)
    except conn.errors as exc:
        raise StoreError(f"{report.db}: cannot write the store ({exc}); earlier batches are kept") from None


def _write_batch(conn: store.Store, pending: list[tuple[str, dict]], report: IngestReport,
                 replace: bool = True) -> None:
    done = IngestReport(db=report.db)  # counted apart, and added to the report once committed
    claim = [key for source, record in pending for key in (source, record["content_hash"])]
    with conn.transaction(claim=claim):
        for source, record in pending:
            state = conn.article_state(source, record["content_hash"])
            if state == "unchanged":
                done.unchanged += 1
                continue
            if state == "changed" and replace:
                conn.delete_source(source)
                done.replaced += 1
            else:
                done.added += 1
            conn.write_record(record)
            done.article_ids.append(record["content_hash"])
    report.added += done.added
    report.replaced += done.replaced
    report.unchanged += done.unchanged
    report.article_ids.extend(done.article_ids)


def ensure_default_store(db: store.StoreLocation | None = None) -> store.StoreLocation:
    """Return where the store is, building a GeoPackage from ``seeds/`` first when it does not exist yet.

    The first build happens in a temporary file renamed into place, so a half-built
    default store is never seen. A server's store is used as it is: a team's database
    is not given sample articles it did not ask for.
    """
    path = store.resolve_db(db)
    if store.is_server(path):
        return path
    path = Path(path)
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
