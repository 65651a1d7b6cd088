"""Server time per rerun and map payload for 1,000 / 10,000 / 100,000 synthetic events.

Run: .venv/bin/python bench/bench_dashboard.py [N ...] [--no-postgis]
(targets at 10,000: rerun < 300 ms, payload < 1 MB)

Two tables:

* map: ``aggregate`` alone and ``build_map`` + render (the map as one HTML page), payload bytes
  and the symbols drawn, on an in-memory frame;
* page: the whole dashboard through Streamlit's AppTest on a store of N events: the first run
  (store read, caches cold), a rerun after moving the year slider to a window not seen before
  (features built), the same window again (cached), and a rerun that does not change the view
  (export format), each the median of a few runs. AppTest runs the script as the server does,
  minus the websocket. The page table runs on a GeoPackage and, when PostgreSQL with PostGIS
  is installed (``make test`` installs it), on a throwaway PostGIS server (``--no-postgis`` skips it).

Timings on a shared machine are noisy (2 cores shared with other jobs while these figures were taken).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import store
from geo.assets import use_local_assets
from geo.layers import aggregate, build_map, feature_counts
from geo.store import EVENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 10_000, 100_000)
SITES = 2_000  # distinct places, as a real corpus names a bounded set of bases, towns and areas
COUNTRIES = ["EE", "LV", "LT", "PL", "SK", "HU", "RO", "BG", "FI", "SE", "DE", "RU", "BY"]
PER_ARTICLE = 10
REPEATS = 3


def synthetic_events(n: int, seed: int = 0) -> pd.DataFrame:
    """Return ``n`` random events at SITES random places in the region, 2014-2025.

    Events come in articles of PER_ARTICLE; an article is published in a random month of its
    first event's year, so about a tenth of the events (plus those sharing that year) have a month.
    """
    rng = np.random.default_rng(seed)
    site = rng.integers(0, SITES, n)
    site_lat = rng.uniform(43.0, 60.0, SITES)
    site_lon = rng.uniform(14.0, 32.0, SITES)
    site_country = rng.choice(COUNTRIES, SITES)
    frame = pd.DataFrame({c: "" for c in EVENT_COLUMNS}, index=range(n))
    frame["event_id"] = [f"e{i}" for i in range(n)]
    frame["article_id"] = [f"a{i // PER_ARTICLE}" for i in range(n)]
    frame["type"] = rng.choice(["deployment", "exercise", "chokepoint"], n, p=[0.6, 0.35, 0.05])
    frame["place"] = [f"Site {s}" for s in site]
    frame["place_id"] = [f"geonames:{s}" for s in site]
    frame["country"] = site_country[site]
    frame["lat"], frame["lon"] = site_lat[site], site_lon[site]
    frame["year"] = rng.integers(2014, 2026, n)
    frame["status"] = rng.choice(["arrived", "planned", "announced", "ended", ""], n)
    frame["troops"] = np.where(rng.random(n) < 0.3, rng.integers(50, 5000, n), np.nan)
    frame["evidence"] = "Some 300 soldiers of the battlegroup arrived at the base on Monday, the ministry said. " * 2
    frame["article_title"] = "Allied troops arrive on NATO's eastern flank"
    frame["article_source"] = [f"article-{i // PER_ARTICLE}.txt" for i in range(n)]
    first_year = frame["year"].to_numpy()[(np.arange(n) // PER_ARTICLE) * PER_ARTICLE]
    month = rng.integers(1, 13, n)[(np.arange(n) // PER_ARTICLE) * PER_ARTICLE]
    frame["article_published"] = [f"{y}-{m:02d}-15" for y, m in zip(first_year, month, strict=True)]
    return frame


def write_store(events: pd.DataFrame, db: store.StoreLocation) -> store.StoreLocation:
    """Write ``events`` (as from synthetic_events) to a new store at ``db`` through geo.store, one article per id."""
    conn = store.connect(db)
    try:
        with conn.transaction():
            for aid, rows in events.groupby("article_id", sort=False):
                first = rows.iloc[0]
                record = {
                    "content_hash": f"{aid:0>16}", "source": first["article_source"], "title": first["article_title"],
                    "published": first["article_published"], "year": int(first["year"]), "date_basis": "bench",
                    "places": [],
                    "events": [{
                        "lon": float(r.lon), "lat": float(r.lat), "type": r.type, "place": r.place,
                        "place_id": r.place_id, "kind": "city", "country": r.country, "year": int(r.year),
                        "status": r.status, "troops": None if r.troops != r.troops else int(r.troops),
                        "lead_nation": "", "contributors": [], "unit": "", "equipment": [], "exercise": "",
                        "via_group": "", "evidence": r.evidence, "evidence_start": 0, "evidence_end": len(r.evidence),
                        "countries": [r.country],
                    } for r in rows.itertuples()],
                }
                conn.write_record(record)
    finally:
        conn.close()
    return db


def _median_ms(run: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_map(sizes: tuple[int, ...]) -> None:
    """Print aggregate and build_map+render times, payload and symbols per size."""
    use_local_assets("app/static/vendor")
    build_map(synthetic_events(1_000, seed=1))  # warm the boundary and geometry caches, as a running server has
    print(f"{'events':>8} {'aggregate ms':>13} {'map+render ms':>14} {'payload KB':>11} {'symbols':>8}")
    for n in sizes:
        events = synthetic_events(n)
        agg = _median_ms(lambda events=events: aggregate(events))
        full = _median_ms(lambda events=events: build_map(events).get_root().render())
        html = build_map(events).get_root().render()
        counts = feature_counts(aggregate(events))
        symbols = sum(v for k, v in counts.items() if k != "events")
        print(f"{n:>8} {agg:>13.0f} {full:>14.0f} {len(html) / 1024:>11.0f} {symbols:>8}")
        if n == 10_000:
            out = Path(__file__).resolve().parent / "out"
            out.mkdir(exist_ok=True)
            (out / "map_10000.html").write_text(html, encoding="utf-8")


def page_times(db: store.StoreLocation) -> tuple[float, float, float, float]:
    """Return the dashboard's (first run, new window, seen window, other rerun) ms on the store ``db``."""
    from streamlit.testing.v1 import AppTest

    # "missing ScriptRunContext" is logged when the script's module is set up outside a session.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    os.environ["FLANKMAP_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    start = time.perf_counter()
    at.run()
    first = (time.perf_counter() - start) * 1000
    assert not at.exception, at.exception
    lo, hi = at.slider(key="years").value
    windows = iter([(y, y) for y in range(lo, hi + 1)] * 4)
    formats = iter(["csv", "geojson", "html"] * 4)

    def new_window() -> None:
        at.slider(key="years").set_value(next(windows)).run()

    def seen_window() -> None:
        at.slider(key="years").set_value((lo, lo)).run()
        at.slider(key="years").set_value((lo + 1, lo + 1)).run()

    new = _median_ms(new_window)
    seen_window()
    seen = _median_ms(seen_window) / 2
    other = _median_ms(lambda: at.selectbox(key="export_format").set_value(next(formats)).run())
    assert not at.exception, at.exception
    return first, new, seen, other


def bench_page(sizes: tuple[int, ...], new_store: Callable[[int], store.StoreLocation], back_end: str) -> None:
    """Print the dashboard's run times through AppTest on a store of each size made by ``new_store``."""
    print(f"\n{'events':>8} {'store':>10} {'write s':>8} {'first run ms':>13} {'new window ms':>14} "
          f"{'seen window ms':>15} {'other rerun ms':>15}")
    for n in sizes:
        start = time.perf_counter()
        db = write_store(synthetic_events(n), new_store(n))
        written = time.perf_counter() - start
        first, new, seen, other = page_times(db)
        print(f"{n:>8} {back_end:>10} {written:>8.1f} {first:>13.0f} {new:>14.0f} {seen:>15.0f} {other:>15.0f}")


def main() -> None:
    """Run both tables for the sizes given on the command line (default 1,000, 10,000, 100,000)."""
    sizes = tuple(int(a) for a in sys.argv[1:] if not a.startswith("--")) or SIZES
    bench_map(sizes)
    with tempfile.TemporaryDirectory() as folder:
        bench_page(sizes, lambda n: Path(folder) / f"bench-{n}.gpkg", "GeoPackage")
    from tests.postgis_server import TemporaryPostgis, postgres_bin

    if "--no-postgis" in sys.argv or postgres_bin() is None:
        print("PostGIS: skipped" + ("" if "--no-postgis" in sys.argv else " (no PostgreSQL with PostGIS installed)"))
        return
    with TemporaryPostgis(durable=True) as server:
        bench_page(sizes, lambda n: server.new_database(f"bench_{n}"), "PostGIS")


if __name__ == "__main__":
    main()
