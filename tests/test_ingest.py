"""Ingest: idempotent, replacing, atomic under SIGKILL, the same in parallel and on Dask; on both back ends."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyogrio
import pytest

from geo import store
from geo.extract import extract_file
from geo.ingest import ingest_paths, ingest_uploads
from geo.ingest_dask import MAX_PARTITION, MIN_PARTITION, partition_size
from tests.store_checks import assert_store_whole, query

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def test_same_text_twice_adds_nothing_and_changed_file_replaces(store_db, tmp_path):
    db = store_db
    first = ingest_paths([SEEDS], db=db)
    assert first.added == 5 and not first.errors
    before = store.counts(db)
    again = ingest_paths([SEEDS], db=db)
    assert again.added == 0 and again.unchanged == 5
    assert store.counts(db) == before
    copy = tmp_path / "a.txt"
    copy.write_text("Troops in Tapa\n\nJune 1, 2017\n\nBritish troops arrived at Tapa in Estonia.", encoding="utf-8")
    ingest_paths([copy], db=db)
    copy.write_text("Drills in Ādaži\n\nJune 2, 2017\n\nCanadian troops trained at Ādaži in Latvia.", encoding="utf-8")
    report = ingest_paths([copy], db=db)
    assert report.replaced == 1
    events = store.load_events(db)
    mine = events[events["article_source"] == str(copy)]
    assert set(mine["country"]) == {"LV"}


def test_store_is_a_geopackage_with_named_layers(tmp_path):
    db = tmp_path / "s.gpkg"
    ingest_paths([SEEDS], db=db)
    layers = {name: geom for name, geom in pyogrio.list_layers(db)}
    assert layers == {"articles": None, "mentions": None, "places": "Point", "events": "Point",
                      "events_deployment": "Point", "events_exercise": "Point", "events_chokepoint": "Point"}
    info = pyogrio.read_info(db, layer="events")
    assert info["crs"] == "EPSG:4326" and info["features"] > 10
    events = store.load_events(db)
    for event_type in ("deployment", "exercise", "chokepoint"):
        view = pyogrio.read_info(db, layer=f"events_{event_type}")
        assert view["crs"] == "EPSG:4326" and view["features"] == (events["type"] == event_type).sum() > 0


def test_bad_upload_is_reported_and_changes_nothing(store_db):
    db = store_db
    ingest_paths([SEEDS], db=db)
    before = store.counts(db)
    report = ingest_uploads([("bad.html", b"\x00\x01" * 50), ("good.txt", b"Title line here\n\nMay 1, 2017\n\n"
                                                                          b"US troops arrived in Poland.")], db=db)
    assert report.added == 1 and len(report.errors) == 1 and report.errors[0].startswith("bad.html: ")
    after = store.counts(db)
    assert after["articles"] == before["articles"] + 1


def stored_articles(db: store.StoreLocation) -> int:
    return query(db, "SELECT count(*) FROM articles")[0][0]


@pytest.mark.slow
def test_sigkill_midway_leaves_the_store_whole_and_a_rerun_completes(store_db, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in SEEDS.iterdir()]
    for i in range(600):
        (corpus / f"a{i:04d}.txt").write_text(texts[i % len(texts)] + f"\n\nVariant {i}.", encoding="utf-8")
    db = store_db
    ingest_paths([SEEDS], db=db)
    base = store.counts(db)["articles"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db), "--quiet"],
                            cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    # Kill as soon as the first batch is committed, i.e. midway through the run.
    committed_first_batch = False
    for _ in range(1200):  # bounded: at most about 60 s
        if stored_articles(db) > base:
            committed_first_batch = True
            break
        try:
            proc.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            pass
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert committed_first_batch, "ingest ended before it could be killed midway"
    stored = store.counts(db)
    assert stored["articles"] >= base
    events = store.load_events(db)
    assert set(events["article_id"]) <= set(store.load_articles(db)["article_id"])
    assert base <= stored["articles"] < base + 600
    assert_store_whole(db)
    report = ingest_paths([corpus], db=db)
    assert not report.errors
    articles = store.load_articles(db)
    assert len(articles) == base + 600
    assert articles["source"].is_unique


def test_a_store_from_an_earlier_version_gains_the_date_column(tmp_path: Path) -> None:
    db = tmp_path / "old.gpkg"
    store.connect(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE events DROP COLUMN date")
    conn.close()
    report = ingest_paths([store.SEEDS_DIR], db=db)
    assert report.added == 5 and not report.errors
    events = store.load_events(db)
    assert "date" in events.columns and len(events) > 0


def _mixed_corpus(folder: Path) -> Path:
    """130 articles (real texts, some repeated) and one unreadable file in ``folder``."""
    folder.mkdir()
    sources = sorted(SEEDS.iterdir()) + sorted((ROOT / "tests" / "corpus" / "dev").glob("*.[tm]*"))
    sources = [p for p in sources if p.suffix in (".txt", ".md", ".html")][:100]  # so 30 texts repeat
    for i in range(130):  # more than MIN_FILES_PER_JOB per worker, with repeats of one text
        src = sources[i % len(sources)]
        (folder / f"{i:04d}{src.suffix}").write_bytes(src.read_bytes())
    (folder / "0999.txt").write_bytes(b"\xff\xfe\x00garbage")  # one bad file among them
    return folder


def test_a_parallel_ingest_stores_exactly_what_a_one_job_ingest_stores(new_store, tmp_path):
    corpus = _mixed_corpus(tmp_path / "corpus")
    one, two = new_store("one"), new_store("two")
    first = ingest_paths([corpus], db=one, jobs=1)
    second = ingest_paths([corpus], db=two, jobs=2)
    assert (first.added, first.unchanged, first.errors) == (second.added, second.unchanged, second.errors)
    assert len(first.errors) == 1 and first.unchanged > 0
    assert store.table_rows(one) == store.table_rows(two)
    assert_store_whole(two)
    again = ingest_paths([corpus], db=two, jobs=2)
    assert again.added == 0 and again.unchanged == first.added + first.unchanged


# The Dask tests run the command line in a fresh process, as an analyst does: the cluster's workers
# are spawned, and a spawned child re-runs the parent's main script, which inside pytest is not ours.
def _ingest_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", "ingest", "--quiet", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_dask_tasks_are_large_but_leave_every_worker_thread_several():
    assert partition_size(100, 2) == MIN_PARTITION  # a small ingest still spreads over both workers
    assert partition_size(10_000, 2) == MAX_PARTITION  # each task's overhead is spread over many files
    assert partition_size(3_000, 2) == 3_000 // 16  # eight tasks per thread
    assert partition_size(100_000, 100) == 125  # a cluster of 100 threads


def test_an_ingest_on_a_local_dask_cluster_stores_exactly_what_a_plain_ingest_stores(new_store, tmp_path):
    corpus = _mixed_corpus(tmp_path / "corpus")
    plain, on_dask = new_store("plain"), new_store("dask")
    first = ingest_paths([corpus], db=plain, jobs=1)
    done = _ingest_cli(str(corpus), "--db", str(on_dask), "--dask", "--jobs", "2")  # a local cluster of 2 workers
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert done.returncode == 1 and len(errors) == 1 and "0999.txt" in errors[0], done.stderr
    assert f"{first.added} added, 0 replaced, {first.unchanged} unchanged, 1 failed" in done.stderr
    assert store.table_rows(plain) == store.table_rows(on_dask)


def test_an_ingest_sent_to_a_running_scheduler_adds_only_new_texts(tmp_path):
    db = tmp_path / "s.gpkg"
    ingest_paths([SEEDS], db=db)
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(SEEDS / sorted(os.listdir(SEEDS))[0], extra / "same-text.txt")  # stored already
    (extra / "new.txt").write_text("Exercise Saber Strike 2018 opened in Latvia.\n", encoding="utf-8")
    address_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--no-dashboard", "--scheduler-file", str(address_file)],
                                 cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        workers = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                     "--no-dashboard", "--host", "127.0.0.1"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        done = _ingest_cli(str(extra), "--db", str(db), "--scheduler", address)
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            process.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    assert "1 added, 0 replaced, 1 unchanged, 0 failed" in done.stderr
    assert store.counts(db)["articles"] == 6


def test_a_source_replaced_within_one_batch_keeps_only_its_last_text(store_db, tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("Troops in Tapa\n\nJune 1, 2017\n\nBritish troops arrived at Tapa in Estonia.", encoding="utf-8")
    second.write_text("Drills in Ādaži\n\nJune 2, 2017\n\nCanadian troops trained at Ādaži in Latvia.",
                      encoding="utf-8")
    records = [extract_file(first) | {"source": "report.txt"}, extract_file(second) | {"source": "report.txt"}]
    conn = store.connect(store_db)
    try:
        with conn.transaction(claim=["report.txt"]):
            conn.write_record(records[0])
            assert conn.article_state("report.txt", records[1]["content_hash"]) == "changed"
            conn.delete_source("report.txt")
            conn.write_record(records[1])
    finally:
        conn.close()
    assert_store_whole(store_db)
    assert list(store.load_articles(store_db)["article_id"]) == [records[1]["content_hash"]]
    assert set(store.load_events(store_db)["country"]) == {"LV"}
