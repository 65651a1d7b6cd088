"""Server time per rerun (build_map + render) and map payload for 1,000 / 10,000 / 100,000 events.

Run: .venv/bin/python bench/bench_dashboard.py   (targets at 10,000: < 300 ms, < 1 MB)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.assets import use_local_assets
from geo.layers import aggregate, build_map, feature_counts
from geo.store import EVENT_COLUMNS

SIZES = (1_000, 10_000, 100_000)
SITES = 2_000  # distinct places, as a real corpus names a bounded set of bases, towns and areas
COUNTRIES = ["EE", "LV", "LT", "PL", "SK", "HU", "RO", "BG", "FI", "SE", "DE", "RU", "BY"]


def synthetic_events(n: int, seed: int = 0) -> pd.DataFrame:
    """Return ``n`` random events at SITES random places in the region, 2014-2025."""
    rng = np.random.default_rng(seed)
    site = rng.integers(0, SITES, n)
    site_lat = rng.uniform(43.0, 60.0, SITES)
    site_lon = rng.uniform(14.0, 32.0, SITES)
    site_country = rng.choice(COUNTRIES, SITES)
    frame = pd.DataFrame({c: "" for c in EVENT_COLUMNS}, index=range(n))
    frame["event_id"] = [f"e{i}" for i in range(n)]
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
    frame["article_source"] = "article.txt"
    frame["article_published"] = "2020-01-01"
    return frame


def main() -> None:
    """Print one row per size: build+render time, payload bytes, symbols drawn."""
    use_local_assets("app/static/vendor")
    build_map(synthetic_events(10))  # warm the boundary and geometry caches, as a running server has them
    print(f"{'events':>8} {'rerun ms':>9} {'payload KB':>11} {'symbols':>8}")
    for n in SIZES:
        events = synthetic_events(n)
        start = time.perf_counter()
        html = build_map(events).get_root().render()
        ms = (time.perf_counter() - start) * 1000
        counts = feature_counts(aggregate(events))
        symbols = sum(v for k, v in counts.items() if k != "events")
        print(f"{n:>8} {ms:>9.0f} {len(html) / 1024:>11.0f} {symbols:>8}")
        if n == 10_000:
            out = Path(__file__).resolve().parent / "out"
            out.mkdir(exist_ok=True)
            (out / "map_10000.html").write_text(html, encoding="utf-8")


if __name__ == "__main__":
    main()
