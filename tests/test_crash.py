"""Crash safety of ingest: ``python -m geo ingest`` killed with SIGKILL at two dozen moments.

One store, one corpus of short articles (ingest commits a batch of ``geo.ingest.BATCH``
articles per transaction). Each run is killed at a moment chosen from the run itself:

* ``schema``: as soon as the store file appears (the first run creates the GeoPackage);
* ``startup``: after a random delay inside start-up (imports, gazetteer);
* ``journal``: as soon as SQLite's rollback journal appears, i.e. inside a write transaction,
  optionally a few milliseconds later (inside or just after the commit);
* ``commit``: once the run has committed a batch (SQLite's file change counter moved), plus
  a random delay inside the extraction of the next batch;
* ``late``: the same after the run's second committed batch.

After every kill the store must open, pass ``PRAGMA integrity_check``, keep every article
it had before with all its rows, hold only whole batches and no half-written article. A
final run must then complete with each article stored exactly once, and the stored
events must be those a clean extraction gives.
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
from tests.store_checks import assert_store_whole

ROOT = Path(__file__).resolve().parents[1]
SEED = 7321
N_ARTICLES = 40 * BATCH  # more than two dozen runs can store, so every run has work left to be killed in
PLAN = ["schema"] + ["startup"] * 5 + ["journal"] * 7 + ["commit"] * 7 + ["late"] * 4
PLACES = ["Tapa", "Ādaži", "Šiauliai", "Orzysz", "Narva", "Rukla", "Constanța", "Mihail Kogălniceanu air base",
          "Bemowo Piskie", "Cincu", "Swietoszow", "Riga", "Vilnius", "Tallinn", "Bucharest", "Novo Selo", "Pabradė"]
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


def commits_since(db: Path, counter: int, articles: int) -> int:
    """How many batches have been committed since the change counter was ``counter`` (with ``articles``).

    In rollback-journal mode SQLite's header counter tells without touching the store; in WAL
    mode (where the header does not move) the articles are counted instead.
    """
    if not os.path.exists(f"{db}-wal"):
        return change_counter(db) - counter
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return (conn.execute("SELECT count(*) FROM articles").fetchone()[0] - articles + BATCH - 1) // BATCH
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def journal_state(db: Path) -> tuple[int, int, int] | None:
    """Identity of the rollback journal file, or None when there is none."""
    try:
        info = os.stat(f"{db}-journal")
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def writing(db: Path, stale: tuple[int, int, int] | None, wal_size: list[int]) -> bool:
    """Whether a write transaction is under way: a rollback journal is being written (not the ``stale``
    one an earlier kill may have left behind) or, in WAL mode, the WAL grows."""
    journal = journal_state(db)
    if journal is not None and journal != stale:
        return True
    try:
        size = os.path.getsize(f"{db}-wal")
    except OSError:
        return False
    grew = size > wal_size[0]
    wal_size[0] = size
    return grew


def snapshot(db: Path) -> dict[str, tuple]:
    """Return every stored article with its rows: id -> (source, n_events, n_places, events, n_mentions)."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='articles'").fetchone():
            return {}
        events: dict[str, list[tuple]] = {}
        for row in conn.execute("SELECT article_id, event_id, type, place_id, year FROM events ORDER BY event_id"):
            events.setdefault(row[0], []).append(row[1:])
        mentions = dict(conn.execute("SELECT article_id, count(*) FROM mentions GROUP BY article_id").fetchall())
        return {aid: (source, n_events, n_places, tuple(events.get(aid, ())), mentions.get(aid, 0))
                for aid, source, n_events, n_places in
                conn.execute("SELECT article_id, source, n_events, n_places FROM articles")}
    finally:
        conn.close()


def check_whole(db: Path) -> dict[str, tuple]:
    """Assert the store opens, is intact and holds no half-written article; return its snapshot."""
    conn = store.connect(db, create=False)  # the product's own open: rolls a hot journal back
    conn.close()
    assert_store_whole(db)
    conn = sqlite3.connect(db)
    try:
        sources = [r[0] for r in conn.execute("SELECT source FROM articles")]
        assert len(sources) == len(set(sources)), "an article stored twice"
    finally:
        conn.close()
    return snapshot(db)


def run_and_kill(db: Path, corpus: Path, trigger: str, rng: random.Random, log: Path,
                 articles: int) -> tuple[bool, int]:
    """Start an ingest of a store holding ``articles``, kill it at the moment ``trigger`` picks;
    return (killed, ms after start)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    counter = change_counter(db)
    stale = journal_state(db)
    wal_size = [os.path.getsize(f"{db}-wal") if os.path.exists(f"{db}-wal") else 0]
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
                "schema": lambda: db.exists(),
                "journal": lambda: writing(db, stale, wal_size),
                "commit": lambda: commits_since(db, counter, articles) >= 1,
                "late": lambda: commits_since(db, counter, articles) >= 2,
            }[trigger]
            while proc.poll() is None and time.monotonic() < deadline and not moment():
                time.sleep(0.0005)
            extra = {"schema": 0.0, "journal": rng.choice([0, 0, 0, 0.002, 0.005, 0.02]),
                     "commit": rng.uniform(0, 0.15), "late": rng.uniform(0, 0.3)}[trigger]
            if extra:
                time.sleep(extra)
        if proc.poll() is not None:
            return False, int((time.monotonic() - started) * 1000)
        proc.send_signal(signal.SIGKILL)
        elapsed = int((time.monotonic() - started) * 1000)
        return proc.wait(timeout=30) == -signal.SIGKILL, elapsed  # it may have ended just before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_ingest_survives_sigkill_at_two_dozen_moments(tmp_path: Path) -> None:
    started = time.monotonic()
    rng = random.Random(SEED)
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, N_ARTICLES, rng)
    db = tmp_path / "store.gpkg"
    log = tmp_path / "ingest.log"
    kills: list[Kill] = []
    plan = PLAN[:1] + rng.sample(PLAN[1:], len(PLAN) - 1)
    for trigger in plan:
        before = snapshot(db)
        if trigger != "schema" and N_ARTICLES - len(before) < 3 * BATCH:
            trigger = "startup"  # too little left to catch a commit: kill during start-up instead
        killed, elapsed = run_and_kill(db, corpus, trigger, rng, log, len(before))
        journal = journal_state(db)  # a hot journal: SQLite rolls it back when the store is next opened
        journal_left = (journal is not None and journal[1] > 0) or (os.path.exists(f"{db}-wal")
                                                                    and os.path.getsize(f"{db}-wal") > 0)
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
    print(f"\n[crash] {len(done)} SIGKILLs survived ({dict(moments)}), {len(kills) - len(done)} runs finished "
          f"first; {len(mid_write)} kills inside a write transaction (journal left behind, "
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
