"""In-browser draw time: the dashboard on 1,000 / 10,000 / 100,000 synthetic events in headless Chromium.

Run: .venv/bin/python bench/bench_browser.py [N ...]   (target at 10,000: map drawn < 2 s after loading the page)

For each size a store is written (bench_dashboard.write_store), the dashboard started on it
(FLANKMAP_DB) and Debian's /usr/bin/chromium (never a downloaded browser) driven by Playwright:

* cold: the first page load, server caches empty (store read, gazetteer, features);
* warm: a new session loading the same page, caches filled (median of REPEATS sessions);
* map iframe: of the warm load, the part from the map iframe's navigation start to drawn
  (the rest is Streamlit's own page: its scripts, the websocket, the other elements);
* slider: the year slider's end thumb moved one year by keyboard, until the map is redrawn
  (median of REPEATS moves, each to a window not seen before);

each measured from the navigation start (or the key press) to the moment the map's
``#feature-count`` holds the expected event count and an animation frame has passed after the
layers were added (``data-drawn-at``, set by geo.layers.FeatureCounts). Also the bytes the
page received over the websocket during the warm load. Timings are taken on a shared machine
(2 cores, other jobs running), so they are noisy.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard import synthetic_events, write_store

from geo import map_features, timeline
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, dashboard_server

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 10_000, 100_000)
TARGET_MS = 2_000
REPEATS = 3
STARTUP_S = 120
WAIT_MS = 180_000
MAP_IFRAME = 'iframe[title*="streamlit_folium"]'


def _drawn(page: Any, events: int, expect: Any) -> int:
    """Wait until the map shows ``events`` events and has painted them; return data-drawn-at (epoch ms)."""
    counts = page.frame_locator(MAP_IFRAME).locator("#feature-count")
    expect(counts).to_have_attribute("data-events", str(events), timeout=WAIT_MS)
    expect(counts).to_have_attribute("data-drawn-at", re.compile(r"^\d+$"), timeout=WAIT_MS)
    return int(counts.get_attribute("data-drawn-at") or 0)


def _load(browser: Any, url: str, events: int, expect: Any) -> tuple[float, float, int, Any]:
    """Open ``url`` in a new page; return (ms from navigation start to drawn, ms from the map iframe's
    start to drawn, websocket bytes received, page)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    received = [0]
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.__setitem__(
        0, received[0] + len(data if isinstance(data, bytes) else data.encode()))))
    page.goto(url)
    drawn_at = _drawn(page, events, expect)
    origin = float(page.evaluate("performance.timeOrigin"))
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame_origin = float(frame.evaluate("performance.timeOrigin"))
    return drawn_at - origin, drawn_at - frame_origin, received[0], page


def measure(n: int, folder: Path, sync_api: Any) -> dict[str, float]:
    """Return the cold, warm, map-iframe and slider times (ms), websocket KB and symbols for ``n`` events."""
    events = synthetic_events(n)
    db = write_store(events, folder / f"browser-{n}.gpkg")
    lo, hi = timeline.year_bounds(events)
    everything = map_features.feature_counts(map_features.aggregate(events))
    shorter = [map_features.feature_counts(map_features.aggregate(timeline.in_time(events, lo, hi - k)))["events"]
               for k in range(1, REPEATS + 1)]
    with dashboard_server(db, startup_s=STARTUP_S) as url, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            cold, _, _, page = _load(browser, url, everything["events"], sync_api.expect)
            warm, in_frame = [], []
            for _ in range(REPEATS):
                page.close()
                total, frame_ms, received, page = _load(browser, url, everything["events"], sync_api.expect)
                warm.append(total)
                in_frame.append(frame_ms)
            end = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').nth(1)
            slider = []
            for want in shorter:
                end.focus()
                pressed = float(page.evaluate("Date.now()"))
                end.press("ArrowLeft")
                slider.append(_drawn(page, want, sync_api.expect) - pressed)
        finally:
            browser.close()
    symbols = sum(v for k, v in everything.items() if k != "events")
    return {"cold": cold, "warm": statistics.median(warm), "map": statistics.median(in_frame),
            "slider": statistics.median(slider), "ws_kb": received / 1024, "symbols": symbols}


def main() -> int:
    """Print one row per size; exit 0 (with a note) when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        print("bench_browser: /usr/bin/chromium not installed (make chromium); skipped")
        return 0
    try:
        from playwright import sync_api
    except ImportError:
        print("bench_browser: playwright not installed (make install-dev); skipped")
        return 0
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    print(f"{'events':>8} {'cold load ms':>13} {'warm load ms':>13} {'map iframe ms':>14} {'slider ms':>10} "
          f"{'ws KB':>8} {'symbols':>8}  (target: drawn < {TARGET_MS} ms at 10,000)")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            r = measure(n, Path(folder), sync_api)
            print(f"{n:>8} {r['cold']:>13.0f} {r['warm']:>13.0f} {r['map']:>14.0f} {r['slider']:>10.0f} "
                  f"{r['ws_kb']:>8.0f} {r['symbols']:>8}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
