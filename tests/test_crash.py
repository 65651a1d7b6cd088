"""Crash safety of ingest: ``python -m geo ingest`` killed with SIGKILL at two dozen moments, on both back ends.

One store, one corpus of short articles (ingest commits a batch of ``geo.ingest.BATCH``
articles per transaction). Each run is killed at a moment chosen from the run itself:

* ``schema``: as soon as the store appears (the first run creates the GeoPackage file, or
  the tables in the PostGIS database);
* ``startup``: after a random delay inside start-up (imports, gazetteer);
* ``journal``: as soon as a write transaction is under way (SQLite's rollback journal appears;
  the ingest's PostgreSQL session holds a transaction id), optionally a few milliseconds later
  (inside or just after the commit);
* ``commit``: once the run has committed a batch (SQLite's file change counter moved; the
  store's count of writes moved), plus a random delay inside the extraction of the next batch;
* ``late``: the same after the run's second committed batch.

After every kill the store must open, be intact (``PRAGMA integrity_check``; every point in
EPSG:4326), keep every article it had before with all its rows, hold only whole batches and no
half-written article. A final run must then complete with each article stored exactly once,
and the stored events must be those a clean extraction gives.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo import store
from geo.extract import extract_file
from geo.ingest import BATCH
from tests.store_checks import assert_store_whole, query

ROOT = Path(__file__).resolve().parents[1]
SEED = 7321
N_ARTICLES = 40 * BATCH  # more than two dozen runs can store, so every run has work left to be killed in
PLAN = ["schema"] + ["startup"] * 5 + ["journal"] * 7 + ["commit"] * 7 + ["late"] * 4
PLACES = ["Tapa", "Ādaži", "Šiauliai", "Orzysz", "Narva", "Rukla", "Constanța", "Mihail Kogălniceanu air base",
          "Bemowo Piskie", "Cincu", "Swietoszow", "Riga", "Vilnius", "Tallinn", "Bucharest", "Novo Selo", "Pabradė"]
APP_NAME = "flankmap-killed-ingest"  # the ingests' PostgreSQL sessions, told apart from this test's own
NATIONS = ["British", "German", "Canadian", "US", "French", "Dutch", "Polish", "Danish", "Norwegian"]


@dataclass
class Kill:
    """What one killed (or finished) run did."""

    trigger: str
    after_ms: int
    before: int
    after: int
    killed: bool
    journal_left: bool


def write_corpus(folder: Path, n: int, rng: random.Random) -> list[Path]:
    """Write ``n`` short, distinct articles (three sentences with places and events each)."""
    folder.mkdir()
    paths = []
    for i in range(n):
        year = 2015 + i % 9
        lines = [f"Troops move to {rng.choice(PLACES)}", "", f"June {1 + i % 28}, {year}", ""]
        lines += [f"{rng.choice(NATIONS)} troops arrived in {rng.choice(PLACES)} for exercise Saber Strike {year}."
                  for _ in range(3)]
        lines.append(f"Report number {i}.")
        path = folder / f"a{i:05d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def change_counter(db: Path) -> int:
    """SQLite's file change counter (header offset 24): moves at every committed write. 0 if no file."""
    try:
        with db.open("rb") as fh:
            fh.seek(24)
            return int.from_bytes(fh.read(4), "big")
    except OSError:
        return 0


def journal_state(db: Path) -> tuple[int, int, int] | None:
    """Identity of the rollback journal file, or None when there is none."""
    try:
        info = os.stat(f"{db}-journal")
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


class FileProbe:
    """What a GeoPackage shows of a running ingest, read off its files without opening the store."""

    def __init__(self, db: Path, articles: int) -> None:
        self.db, self.articles = db, articles
        self.counter = change_counter(db)
        self.stale = journal_state(db)  # a journal an earlier kill may have left behind
        self.wal_size = os.path.getsize(f"{db}-wal") if os.path.exists(f"{db}-wal") else 0

    def created(self) -> bool:
        """Whether the store exists."""
        return self.db.exists()

    def writing(self) -> bool:
        """Whether a write transaction is under way: a new rollback journal, or in WAL mode a growing WAL."""
        journal = journal_state(self.db)
        if journal is not None and journal != self.stale:
            return True
        try:
            size = os.path.getsize(f"{self.db}-wal")
        except OSError:
            return False
        grew = size > self.wal_size
        self.wal_size = size
        return grew

    def commits(self) -> int:
        """How many batches have been committed since the probe began.

        In rollback-journal mode SQLite's header counter tells without touching the store; in WAL
        mode (where the header does not move) the articles are counted instead.
        """
        if not os.path.exists(f"{self.db}-wal"):
            return change_counter(self.db) - self.counter
        try:
            conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=0.05)
            try:
                stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error:
            return 0
        return (stored - self.articles + BATCH - 1) // BATCH

    def killed_mid_write(self, writing_at_kill: bool) -> bool:
        """Whether the kill left a write transaction behind: a hot journal (rolled back at the next open)."""
        del writing_at_kill
        journal = journal_state(self.db)
        return (journal is not None and journal[1] > 0) or (os.path.exists(f"{self.db}-wal")
                                                            and os.path.getsize(f"{self.db}-wal") > 0)


class ServerProbe:
    """What a PostGIS server shows of a running ingest: its tables, its sessions' transactions, its writes."""

    def __init__(self, db: str, articles: int) -> None:
        self.db = db
        # The server ends a killed client's session once it sees the socket closed; until then that
        # session would pass for the next run's.
        deadline = time.monotonic() + 30
        while self._sessions() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self._sessions(), "a killed ingest's session outlived it by 30 s"
        self.writes = self._writes()

    def _sessions(self) -> int:
        return query(self.db, f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{APP_NAME}' "
                              "AND datname = current_database()")[0][0]

    def _writes(self) -> int:
        if not self.created():
            return 0
        rows = query(self.db, "SELECT writes FROM flankmap_meta")
        return rows[0][0] if rows else 0

    def created(self) -> bool:
        """Whether the store's tables exist."""
        return bool(query(self.db, "SELECT to_regclass('flankmap_meta') IS NOT NULL")[0][0])

    def writing(self) -> bool:
        """Whether an ingest's transaction has written (holds a transaction id) and not ended."""
        return bool(query(self.db, f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{APP_NAME}' "
                                   "AND backend_xid IS NOT NULL AND datname = current_database()")[0][0])

    def commits(self) -> int:
        """How many batches have been committed since the probe began (the store's count of writes)."""
        return self._writes() - self.writes

    def killed_mid_write(self, writing_at_kill: bool) -> bool:
        """Whether the kill came inside a write transaction (the server then rolls it back)."""
        return writing_at_kill


def snapshot(db: store.StoreLocation) -> dict[str, tuple]:
    """Return every stored article with its rows: id -> (source, n_events, n_places, events, n_mentions)."""
    if store.is_server(db):
        if not query(db, "SELECT to_regclass('articles') IS NOT NULL")[0][0]:
            return {}
    elif not Path(db).exists() or not query(db, "SELECT 1 FROM sqlite_master WHERE name='articles'"):
        return {}
    events: dict[str, list[tuple]] = {}
    for row in query(db, "SELECT article_id, event_id, type, place_id, year FROM events ORDER BY event_id"):
        events.setdefault(row[0], []).append(row[1:])
    mentions = dict(query(db, "SELECT article_id, count(*) FROM mentions GROUP BY article_id"))
    return {aid: (source, n_events, n_places, tuple(events.get(aid, ())), mentions.get(aid, 0))
            for aid, source, n_events, n_places in query(db, "SELECT article_id, source, n_events, n_places "
                                                             "FROM articles")}


def check_whole(db: store.StoreLocation) -> dict[str, tuple]:
    """Assert the store opens, is intact and holds no half-written article; return its snapshot."""
    store.connect(db, create=False).close()  # the product's own open: rolls a hot journal back
    assert_store_whole(db)
    sources = [r[0] for r in query(db, "SELECT source FROM articles")]
    assert len(sources) == len(set(sources)), "an article stored twice"
    return snapshot(db)


def processes_running(marker: str) -> list[int]:
    """Return the pids of processes whose command line holds ``marker``."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def assert_no_orphans(corpus: Path) -> None:
    """Assert the killed ingest's worker processes leave with it (within a few seconds)."""
    deadline = time.monotonic() + 10
    while processes_running(str(corpus)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes_running(str(corpus)), "worker processes outlived their killed ingest"


def run_and_kill(db: store.StoreLocation, corpus: Path, trigger: str, rng: random.Random, log: Path,
                 articles: int) -> tuple[bool, int, bool]:
    """Start an ingest of a store holding ``articles``, kill it at the moment ``trigger`` picks;
    return (killed, ms after start, whether the kill left a write transaction behind)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PGAPPNAME": APP_NAME}
    probe = ServerProbe(str(db), articles) if store.is_server(db) else FileProbe(Path(db), articles)
    with log.open("ab") as err:
        proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db), "--quiet"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    started = time.monotonic()
    deadline = started + 60
    try:
        if trigger == "startup":
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=rng.uniform(0.05, 1.8))
        else:
            moment = {
                "schema": probe.created,
                "journal": probe.writing,
                "commit": lambda: probe.commits() >= 1,
                "late": lambda: probe.commits() >= 2,
            }[trigger]
            while proc.poll() is None and time.monotonic() < deadline and not moment():
                time.sleep(0.0005)
            extra = {"schema": 0.0, "journal": rng.choice([0, 0, 0, 0.002, 0.005, 0.02]),
                     "commit": rng.uniform(0, 0.15), "late": rng.uniform(0, 0.3)}[trigger]
            if extra:
                time.sleep(extra)
        if proc.poll() is not None:
            return False, int((time.monotonic() - started) * 1000), False
        writing_at_kill = store.is_server(db) and probe.writing()
        proc.send_signal(signal.SIGKILL)
        elapsed = int((time.monotonic() - started) * 1000)
        killed = proc.wait(timeout=30) == -signal.SIGKILL  # it may have ended just before
        return killed, elapsed, probe.killed_mid_write(writing_at_kill)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_ingest_survives_sigkill_at_two_dozen_moments(store_db: store.StoreLocation, tmp_path: Path) -> None:
    started = time.monotonic()
    rng = random.Random(SEED)
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, N_ARTICLES, rng)
    db = store_db
    log = tmp_path / "ingest.log"
    kills: list[Kill] = []
    plan = PLAN[:1] + rng.sample(PLAN[1:], len(PLAN) - 1)
    for trigger in plan:
        before = snapshot(db)
        if trigger != "schema" and N_ARTICLES - len(before) < 3 * BATCH:
            trigger = "startup"  # too little left to catch a commit: kill during start-up instead
        killed, elapsed, journal_left = run_and_kill(db, corpus, trigger, rng, log, len(before))
        assert_no_orphans(corpus)
        after = check_whole(db)
        lost = {aid for aid in before if after.get(aid) != before[aid]}
        assert not lost, f"{trigger} kill after {elapsed} ms changed or lost {len(lost)} stored articles"
        added = len(after) - len(before)
        assert added >= 0 and (added % BATCH == 0 or len(after) == N_ARTICLES), \
            f"{trigger} kill after {elapsed} ms left part of a batch: {added} articles added"
        kills.append(Kill(trigger, elapsed, len(before), len(after), killed, journal_left))
    kill_seconds = time.monotonic() - started

    final = subprocess.run([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db), "--quiet"],
                           cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                           timeout=300, check=False)
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr and "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
    left = N_ARTICLES - kills[-1].after
    assert re.search(rf"^{left} added, 0 replaced, {N_ARTICLES - left} unchanged, 0 failed;", final.stderr, re.M), \
        final.stderr
    stored = check_whole(db)
    assert len(stored) == N_ARTICLES
    assert sorted(s[0] for s in stored.values()) == sorted(str(p) for p in paths)

    # What survived the kills is what a clean extraction gives.
    by_source = {s[0]: s for s in stored.values()}
    for path in random.Random(SEED).sample(paths, 40):
        record = extract_file(path)
        _, n_events, n_places, events, n_mentions = by_source[str(path)]
        assert n_events == len(record["events"]) == len(events)
        assert n_places == len(record["places"])
        assert n_mentions == sum(len(p["mentions"]) for p in record["places"])
        assert sorted((e["type"], e["place_id"], e["year"]) for e in record["events"]) == \
            sorted(e[1:] for e in events)

    done = [k for k in kills if k.killed]
    moments = Counter(k.trigger for k in done)
    mid_write = [k for k in done if k.journal_left]
    rolled_back = [k for k in mid_write if k.after == k.before]
    kind = "PostGIS" if store.is_server(db) else "GeoPackage"
    print(f"\n[crash] {kind}: {len(done)} SIGKILLs survived ({dict(moments)}), {len(kills) - len(done)} runs finished "
          f"first; {len(mid_write)} kills inside a write transaction (hot journal or open transaction left, "
          f"{len(rolled_back)} rolled back whole); kill points (ms after start) "
          f"{[f'{k.trigger}@{k.after_ms}' for k in done]}; "
          f"progress {[k.after for k in kills]}; {N_ARTICLES} articles stored once each; "
          f"kills {kill_seconds:.1f} s, total {time.monotonic() - started:.1f} s")
    assert len(done) >= 20
    assert len(moments) >= 4, "kills of too few kinds"
    assert len({k.before for k in done}) >= 5, "kills at too few states of the store"
    assert max(k.after_ms for k in done) - min(k.after_ms for k in done) > 1000, "kill times are not spread"
    assert mid_write, "no kill landed inside a write transaction"
    assert any(k.after > k.before for k in done), "no kill came after a committed batch"
