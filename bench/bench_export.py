"""Benchmark: export a synthetic 10,000-event view in every format; print seconds and bytes.

Run: ``.venv/bin/python bench/bench_export.py [N]``. Target: under 5 s per format at 10,000.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import export
from geo.gazetteer import load_gazetteer
from geo.store import EVENT_COLUMNS

TARGET_S = 5.0
STATUSES = ("arrived", "planned", "announced", "requested", "ended", "")
COUNTRIES = ("EE", "LV", "LT", "PL", "RO", "BG", "SK", "HU", "FI", "RU", "BY", "UA")
SENTENCE = ("Some {n} troops from the allied battlegroup arrived at the training area near {place} on Tuesday, "
            "officials said, as part of the forward presence on the eastern flank.")


def synthetic_events(n: int, seed: int = 5) -> pd.DataFrame:
    """Return ``n`` random events in lon 14..32, lat 44..60, years 2014–2025, with every column filled."""
    rng = np.random.default_rng(seed)
    types = rng.choice(["deployment", "exercise", "chokepoint"], n, p=[0.6, 0.3, 0.1])
    troops = np.where(rng.random(n) < 0.4, rng.integers(50, 30_000, n), -1)
    country = rng.choice(COUNTRIES, n)
    frame = pd.DataFrame({
        "event_id": [f"bench-{i}" for i in range(n)],
        "article_id": [f"article-{i // 5}" for i in range(n)],
        "type": types,
        "place": [f"Place {i % 2000}" for i in range(n)],
        "place_id": [f"bench:{i % 2000}" for i in range(n)],
        "kind": "city",
        "country": country,
        "countries": country,
        "lat": rng.uniform(44, 60, n).round(5),
        "lon": rng.uniform(14, 32, n).round(5),
        "year": rng.integers(2014, 2026, n),
        "status": rng.choice(STATUSES, n),
        "troops": pd.Series(troops, dtype="float").where(troops >= 0),
        "lead_nation": rng.choice(["US", "GB", "DE", "CA", ""], n),
        "contributors": rng.choice(["", "FR,NL", "DK,NO", "PL"], n),
        "unit": "battalion", "equipment": "", "exercise": "", "via_group": "",
        "evidence": [SENTENCE.format(n=i % 900 + 100, place=f"Place {i % 2000}") for i in range(n)],
        "evidence_start": 0, "evidence_end": 160,
        "article_title": [f"Allied forces on the move, report {i // 5}" for i in range(n)],
        "article_source": [f"news/report-{i // 5}.html" for i in range(n)],
        "article_published": "2020-01-01",
    })
    return frame[[c for c in EVENT_COLUMNS if c in frame.columns]]


def main(n: int = 10_000) -> int:
    """Time each format once after a warm-up; return 1 if any is over the target.

    The warm-up (imports, gazetteer, boundaries) is a start-up cost a running dashboard has
    already paid; it is printed separately.
    """
    events = synthetic_events(n)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        load_gazetteer()
        for fmt in ("png", "html"):
            export.export_events(events.head(10), fmt, Path(folder) / f"warm.{fmt}")
        print(f"warm-up (imports, gazetteer, boundaries): {time.perf_counter() - start:.2f} s")
    print(f"{n:,} events")
    print(f"{'format':<8} {'seconds':>8} {'bytes':>12}")
    slow = False
    with tempfile.TemporaryDirectory() as folder:
        for fmt in export.FORMATS:
            start = time.perf_counter()
            path = export.export_events(events, fmt, Path(folder) / f"bench.{fmt}")
            seconds = time.perf_counter() - start
            slow |= seconds > TARGET_S
            print(f"{fmt:<8} {seconds:>8.2f} {path.stat().st_size:>12,}{'  SLOW' if seconds > TARGET_S else ''}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
