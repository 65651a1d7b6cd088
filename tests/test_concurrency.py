"""Many users at once: dashboard sessions in threads, uploads racing them, ingest processes racing each other.

All sessions share one store (FLANKMAP_DB is process-wide), as the users of one server do.
Each session holds its own view (years, countries, types, set through the URL or the
widgets); some upload articles through the page's file uploader while the others keep
rerunning, and more articles arrive through ``store_uploads`` from other threads. Afterwards
every session must show exactly what ``geo.timeline.in_view`` gives for its own view on the
final store, every article must be stored exactly once with all its events, and SQLite must
find the file intact. A second test runs ``python -m geo ingest`` processes on overlapping
file sets into one new store.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import store, timeline
from geo.uploads import store_uploads
from tests.dashboard_fixtures import build_seed_store, filter_widget
from tests.store_checks import assert_store_whole, query

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
SESSIONS = 24          # dashboard sessions held at the same time
UPLOADING = 8          # of which upload through the page's file uploader
WRITERS = 4            # further threads storing uploads directly, like other servers' sessions
RERUNS = 3             # reruns of a non-uploading session while the uploads go on
RUN_TIMEOUT_S = 120    # one AppTest run, on a busy 2-core machine
TOTAL_TIMEOUT_S = 240  # the whole crowd
PROCESSES = 9          # concurrent `python -m geo ingest` processes on file lists, plus one on the folder

PLACES = (("Rukla", "Lithuania", "Vilnius", "LT"), ("Tapa", "Estonia", "Tallinn", "EE"),
          ("Orzysz", "Poland", "Warsaw", "PL"), ("Ādaži", "Latvia", "Riga", "LV"),
          ("Żagań", "Poland", "Warsaw", "PL"), ("Pabradė", "Lithuania", "Vilnius", "LT"),
          ("Cincu", "Romania", "Bucharest", "RO"), ("Novo Selo", "Bulgaria", "Sofia", "BG"))
NATIONS = ("US", "British", "German", "Canadian", "Dutch", "French", "Danish")
MONTHS = ("March", "April", "May", "June", "September", "October")


def article(i: int) -> bytes:
    """Return article number ``i``: a deployment or an exercise at one of PLACES in 2016-2021, unique text."""
    place, country, city, _ = PLACES[i % len(PLACES)]
    year, month, nation, n = 2016 + i % 6, MONTHS[i % len(MONTHS)], NATIONS[i % len(NATIONS)], 300 + 7 * i
    if i % 3 == 2:
        return (f"Exercise Iron Wolf {i} begins\n\n{city}, 3 {month} {year}. About {n} troops from "
                f"{nation} units took part in exercise Iron Wolf near {place}, {country}, the army said.\n").encode()
    return (f"{nation} troops arrive in {place}\n\n{city}, 3 {month} {year}. About {n} {nation} soldiers arrived "
            f"in {place}, {country}, on Friday for a NATO deployment, the defence ministry said.\n").encode()


@dataclass(frozen=True)
class Plan:
    """One session's view and what it uploads."""

    index: int
    years: tuple[int, int]
    countries: tuple[str, ...]
    types: tuple[str, ...]
    via_url: bool
    uploads: tuple[tuple[str, bytes], ...] = ()

    def view(self) -> timeline.ViewState:
        """Return the session's view as geo.timeline sees it."""
        return timeline.ViewState(year_from=self.years[0], year_to=self.years[1], countries=self.countries,
                                  types=self.types)


@dataclass
class Outcome:
    """What a session showed at the end (after all uploads), and what it saw on the way."""

    plan: Plan
    caption: int
    table: pd.DataFrame
    widgets: dict[str, object]
    query: dict[str, str]
    messages: list[str]
    runs: int
    seen_while_writing: list[int] = field(default_factory=list)


def plans(bounds: tuple[int, int]) -> list[Plan]:
    """Return SESSIONS different views; UPLOADING of them upload two articles each.

    Two uploaders share a file name with different texts (both articles must be kept), and two
    upload the very same file (stored once).
    """
    lo, hi = bounds
    countries = ((), ("LT",), ("PL",), ("EE", "LV"), ("RO", "BG"), ("PL", "LT"))
    types = ((), ("deployment",), ("exercise",), ("deployment", "exercise"))
    out = []
    for i in range(SESSIONS):
        start = lo + i % (hi - lo + 1)
        years = (start, min(hi, start + i % 4))
        files: tuple[tuple[str, bytes], ...] = ()
        if i < UPLOADING:
            files = ((f"session-{i}-a.txt", article(2 * i)), (f"session-{i}-b.txt", article(2 * i + 1)))
            if i == 1:
                files = (("report.txt", article(2 * i)), files[1])  # same name as session 0's first file
            if i == 0:
                files = (("report.txt", article(0)), files[1])
            if i == 3:
                files = (files[0], ("session-2-b.txt", article(5)))  # the very same file as session 2's
        out.append(Plan(i, years, countries[i % len(countries)], types[i % len(types)], via_url=i % 2 == 0,
                        uploads=files))
    return out


def writer_files(k: int) -> list[tuple[str, bytes]]:
    """Return the articles writer thread ``k`` stores directly (three each, numbered after the sessions')."""
    return [(f"writer-{k}-{j}.txt", article(100 + 3 * k + j)) for j in range(3)]


# ----- AppTest, many at once ---------------------------------------------------------------------
@contextmanager
def shared_runtime() -> Iterator[None]:
    """Let AppTest sessions run in parallel threads, sharing one Runtime as a server's sessions do.

    AppTest drives one session at a time: every run installs a process-wide mock Runtime and
    sets the global "global.appTest" option, then resets both when it ends, which would pull
    them away from sessions still running in other threads; and every run compiles the
    script again, while Python 3.11's ``ast.parse`` is not safe in parallel threads ("AST
    constructor recursion depth mismatch"). Here one mock Runtime (one cache storage), one
    script cache (compiling once, under its lock) and the option stay in place for the whole
    crowd, as in a real server.
    """
    from streamlit.runtime import Runtime
    from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test, local_script_runner
    from streamlit.testing.v1.util import patch_config_options

    runtime = mock.MagicMock(spec=Runtime)
    runtime.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    runtime.cache_storage_manager = MemoryCacheStorageManager()
    if hasattr(app_test, "DataframeSourceManager"):
        runtime.dataframe_source_mgr = app_test.DataframeSourceManager()
    per_run = type("PerRunRuntime", (), {"_instance": None})  # what each run installs, and nobody reads
    script_cache = app_test.ScriptCache()
    saved = Runtime._instance
    Runtime._instance = runtime
    try:
        with patch_config_options({"global.appTest": True}), mock.patch.object(app_test, "Runtime", per_run), \
                mock.patch.object(app_test, "ScriptCache", lambda: script_cache), \
                mock.patch.object(local_script_runner, "ScriptCache", lambda: script_cache):
            yield
    finally:
        Runtime._instance = saved


def _caption(at: AppTest) -> int:
    captions = [c.value for c in at.caption if "events in view" in c.value]
    assert len(captions) == 1, ("no caption", [type(e).__name__ for e in at.main], [e.value for e in at.error])
    return int(re.match(r"(\d+) events in view", captions[0]).group(1))


def _checked(at: AppTest, *, drawn: bool = True) -> AppTest:
    """The run raised nothing and (when ``drawn``) drew the page; a script that fails to compile shows neither."""
    assert not at.exception, [e.value for e in at.exception]
    if drawn:
        assert [t.value for t in at.title] == ["NATO's eastern flank"], [type(e).__name__ for e in at.main]
    return at


def _own_view_only(at: AppTest, plan: Plan) -> int:
    """Check a run against the session's own filters while the store is changing; return the count shown."""
    n = _caption(at)
    table = at.dataframe[0].value
    assert len(table) == n
    if plan.types:
        assert set(table["type"]) <= set(plan.types), (plan, set(table["type"]))
    if plan.countries:
        assert set(table["country"]) <= set(plan.countries), (plan, set(table["country"]))
    assert tuple(at.slider(key="years").value) == plan.years
    return n


def run_session(plan: Plan, barrier: threading.Barrier) -> Outcome:
    """Drive one dashboard session: set its view, upload or rerun while others write, then read the final page."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
    runs = 0
    if plan.via_url:
        at.query_params.update({"from": str(plan.years[0]), "to": str(plan.years[1])})
        if plan.countries:
            at.query_params["country"] = ",".join(plan.countries)
        if plan.types:
            at.query_params["type"] = ",".join(plan.types)
        _checked(at.run())
        runs += 1
    else:
        _checked(at.run())
        at.slider(key="years").set_value(plan.years)
        filter_widget(at, "Host country").set_value(list(plan.countries))
        filter_widget(at, "Event type").set_value(list(plan.types))
        _checked(at.run())
        runs += 2
    seen = [_own_view_only(at, plan)]
    barrier.wait()  # every session holds its view: now the uploads start, while the others rerun
    messages: list[str] = []
    if plan.uploads:
        at.file_uploader(key="upload_0").set_value([(name, data, "text/plain") for name, data in plan.uploads])
        _checked(at.run(), drawn=False)  # stores the files and asks for a rerun (st.rerun), left to us
        _checked(at.run())
        runs += 2
        messages = [m.value for m in (*at.success, *at.info, *at.error)]
        seen.append(_own_view_only(at, plan))
    else:
        for _ in range(RERUNS):
            _checked(at.run())
            runs += 1
            seen.append(_own_view_only(at, plan))
    barrier.wait()  # every write is done: the final page of each session
    _checked(at.run())
    runs += 1
    widgets = {"years": tuple(at.slider(key="years").value),
               "countries": tuple(filter_widget(at, "Host country").value),
               "types": tuple(filter_widget(at, "Event type").value)}
    query = {k: at.query_params[k] for k in ("from", "to", "country", "type") if k in at.query_params}
    return Outcome(plan, _caption(at), at.dataframe[0].value, widgets, dict(query), messages, runs, seen)


def run_writer(k: int, db: Path, barrier: threading.Barrier) -> list[str]:
    """Store three articles directly while the sessions upload and rerun; return the messages."""
    barrier.wait()
    messages = [m.text for m in store_uploads(writer_files(k), db)]
    barrier.wait()
    return messages


def _expected_query(plan: Plan) -> dict[str, str]:
    out = {"from": str(plan.years[0]), "to": str(plan.years[1])}
    if plan.countries:
        out["country"] = ",".join(plan.countries)
    if plan.types:
        out["type"] = ",".join(plan.types)
    return out


def check_store(db: store.StoreLocation, articles: dict[str, tuple[str, bytes]]) -> None:
    """Every article (content hash -> name, bytes) stored exactly once with its events; the store intact."""
    assert_store_whole(db)
    by_id: dict[str, list[tuple[str, int, int]]] = {}
    for aid, source, n_events, n_places in query(db, "SELECT article_id, source, n_events, n_places FROM articles"):
        by_id.setdefault(aid, []).append((source, n_events, n_places))
    for aid, (name, _) in articles.items():
        assert len(by_id.get(aid, [])) == 1, (name, by_id.get(aid))
        assert by_id[aid][0][1] > 0, (name, "no events")
    for aid, stored in by_id.items():  # rows per article are checked by assert_store_whole
        assert len(stored) == 1, (aid, stored)
    assert query(db, "SELECT count(*) - count(DISTINCT event_id) FROM events")[0][0] == 0


def _headline(message: str) -> str:
    """The count an upload message starts with, without where the events landed ("...: 3 events in LT")."""
    return re.split(r"[:;.]", message, maxsplit=1)[0]


def test_many_sessions_and_uploads_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_seed_store(tmp_path)
    monkeypatch.setenv("FLANKMAP_DB", str(db))
    seed_ids = set(store.load_articles(db)["article_id"])
    bounds = timeline.year_bounds(store.load_events(db))
    crowd = plans(bounds)
    uploaded = {hashlib.sha256(data).hexdigest(): (name, data) for p in crowd for name, data in p.uploads}
    uploaded |= {hashlib.sha256(data).hexdigest(): (name, data) for k in range(WRITERS)
                 for name, data in writer_files(k)}
    barrier = threading.Barrier(SESSIONS + WRITERS, timeout=TOTAL_TIMEOUT_S)
    started = time.monotonic()
    outcomes: list[Outcome] = []
    writer_messages: list[str] = []
    with shared_runtime(), ThreadPoolExecutor(max_workers=SESSIONS + WRITERS) as pool:
        futures = [pool.submit(run_session, plan, barrier) for plan in crowd]
        futures += [pool.submit(run_writer, k, db, barrier) for k in range(WRITERS)]
        try:
            for future in as_completed(futures, timeout=TOTAL_TIMEOUT_S):
                result = future.result()  # re-raises a session's exception or failed check
                if isinstance(result, Outcome):
                    outcomes.append(result)
                else:
                    writer_messages.extend(result)
        except BaseException:
            barrier.abort()  # release the others at once instead of letting them wait for the timeout
            raise
    wall = time.monotonic() - started

    # No upload lost or doubled; the store whole.
    check_store(db, uploaded)
    stored = store.load_articles(db)
    assert set(stored["article_id"]) == seed_ids | set(uploaded)
    assert (stored["source"] == "report.txt").sum() == 2  # two users' different files with one name: both kept
    assert [_headline(m) for m in writer_messages] == ["3 articles added to the map"] * WRITERS

    # Each session shows its own view of the final store, and nobody else's.
    final = store.load_events(db)
    assert len(outcomes) == SESSIONS
    for outcome in outcomes:
        plan = outcome.plan
        assert outcome.widgets == {"years": plan.years, "countries": plan.countries, "types": plan.types}, plan
        assert outcome.query == _expected_query(plan), (plan, outcome.query)
        expected = timeline.evidence_table(timeline.in_view(final, plan.view()))
        assert outcome.caption == len(expected), (plan, outcome.caption, len(expected))
        pd.testing.assert_frame_equal(outcome.table.reset_index(drop=True), expected, check_dtype=False)
        # Articles are only ever added here, so a session's count never went down between its runs
        # (no run saw a half-written batch or an older store than a run before it).
        assert outcome.seen_while_writing == sorted(outcome.seen_while_writing), (plan, outcome.seen_while_writing)
        assert outcome.caption >= outcome.seen_while_writing[-1]
        if plan.uploads:
            assert outcome.messages and all("added to the map" in m or "already stored" in m
                                            for m in outcome.messages), (plan.index, outcome.messages)
    shared = [m for o in outcomes if o.plan.index in (2, 3) for m in o.messages]  # one file, uploaded twice
    assert sorted(map(_headline, shared)) == sorted(["2 articles added to the map", "1 article added to the map",
                                                     "1 article already stored, nothing changed"]), shared
    runs = sum(o.runs for o in outcomes)
    print(f"\nconcurrency: {SESSIONS} sessions held at once ({UPLOADING} uploading through the page, {WRITERS} "
          f"writer threads), {len(uploaded)} distinct articles uploaded, {runs} page runs, wall {wall:.1f}s")


# ----- ingest processes -------------------------------------------------------------------------------
def test_concurrent_ingest_processes_lose_and_double_nothing(store_db: store.StoreLocation, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = []
    for i in range(24):
        path = corpus / f"article-{i:02d}.txt"
        path.write_bytes(article(200 + i))
        files.append(path)
    # Process k takes a window of 9 files (the windows overlap and wrap around), one more takes the
    # whole folder: every file is submitted by three to six of the ten processes at once.
    sets: list[list[Path]] = [[files[(6 * k + j) % len(files)] for j in range(9)] for k in range(PROCESSES)]
    sets.append([corpus])
    submissions = [1 + sum(f in s for s in sets[:-1]) for f in files]
    assert min(submissions) == 3 and max(submissions) == 6 and len(sets) == 10
    db = store_db  # not created yet: the processes race to create it (its file or its tables), too
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "geo", "ingest", *map(str, s), "--db", str(db), "--quiet"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in sets]
    outputs = []
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=TOTAL_TIMEOUT_S)
            outputs.append((proc.returncode, err.decode(errors="replace")))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    wall = time.monotonic() - started
    failed = [f"process {i} exited {code}: {err.strip()}" for i, (code, err) in enumerate(outputs) if code]
    assert not failed, "\n".join(failed)  # a string, so pytest prints every reason whole
    articles = {hashlib.sha256(f.read_bytes()).hexdigest(): (str(f), f.read_bytes()) for f in files}
    check_store(db, articles)
    stored = store.load_articles(db)
    assert len(stored) == len(files) and stored["source"].is_unique
    assert set(stored["article_id"]) == set(articles)
    kind = "PostGIS" if store.is_server(db) else "GeoPackage"
    print(f"\nconcurrency: {len(procs)} ingest processes, {sum(submissions)} file "
          f"submissions of {len(files)} articles into one new {kind} store, wall {wall:.1f}s")


def test_store_version_changes_with_every_commit_even_within_one_clock_tick(tmp_path: Path) -> None:
    """The dashboard's cache key must not miss a commit that left the file's mtime as it was."""
    db = tmp_path / "v.gpkg"
    store.connect(db).close()
    before = store.version(db)
    frozen = (os.stat(db).st_atime_ns, before[0])
    assert store_uploads([("a.txt", article(0))], db)[0].level == "success"
    os.utime(db, ns=frozen)  # as if the commit happened within the same tick of a coarse clock
    after = store.version(db)
    assert after[0] == before[0] and after != before
    assert store_uploads([("a.txt", article(0))], db)[0].level == "info"  # nothing written: same version
    assert store.version(db) == after


def test_store_version_moves_with_every_committed_write_and_only_then(store_db: store.StoreLocation) -> None:
    """The dashboard's cache key, on either back end."""
    store.connect(store_db).close()
    first = store.version(store_db)
    assert store.version(store_db) == first
    assert store_uploads([("a.txt", article(1))], store_db)[0].level == "success"
    second = store.version(store_db)
    assert second != first
    assert store_uploads([("a.txt", article(1))], store_db)[0].level == "info"  # nothing written
    assert store.version(store_db) == second
    assert store_uploads([("b.txt", article(2))], store_db)[0].level == "success"
    assert store.version(store_db) not in (first, second)
