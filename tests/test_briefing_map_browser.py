"""The briefing map in Debian's headless Chromium, offline: APP-6 unit symbols of both sides on
the dashboard's map, and on the exported map a range ring of the right radius around the right
site and the measure tool giving the great-circle distance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo import export, ranges
from geo.ingest import ingest_paths
from geo.store import EVENT_COLUMNS
from tests.browser_support import CHROMIUM, dashboard_server, guarded_page
from tests.dashboard_fixtures import build_seed_store

pytestmark = pytest.mark.browser
DEADLINE_MS = 60_000
CHERNYAKHOVSK = (54.633, 21.817)
ZAPAD_ARTICLE = (
    "Zapad 2021 begins in Belarus and western Russia\n\nMinsk, 10 September 2021. Russian and Belarusian forces "
    "began the Zapad 2021 exercise on Friday at the Obuz-Lesnovsky training ground and at Mulino. Russia has "
    "deployed a tank battalion and S-400 air defence units to Baranovichi air base for the drills, the "
    "Belarusian defence ministry said.\n")
# The fills of the drawn unit symbols' frames, read back from their data: URIs.
SYMBOL_FILLS_JS = """() => Array.from(document.querySelectorAll("img.flank-symbol")).map((img) => {
    const svg = atob(img.src.split(",")[1]);
    return svg.includes("#80dfff") ? "friend" : svg.includes("#ff8080") ? "hostile" : "other";
})"""

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# The dashed polygons on the map (the rings), with their centre's distance to every vertex, by Leaflet's own measure.
RINGS_JS = """(name) => {
    const map = window[name], out = [];
    map.eachLayer((layer) => {
        if (layer instanceof L.Polygon && layer.options.dashArray === "6 4") {
            const centre = L.latLng(layer.feature.properties.centre[1], layer.feature.properties.centre[0]);
            const km = layer.getLatLngs()[0].map((p) => centre.distanceTo(p) / 1000);
            out.push({centre: [centre.lat, centre.lng], min: Math.min(...km), max: Math.max(...km),
                      km: layer.feature.properties.km});
        }
    });
    return out;
}"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    row: dict[str, object] = dict.fromkeys(EVENT_COLUMNS, "")
    row.update(event_id="e0", article_id="a", type="deployment", place="Chernyakhovsk", place_id="geonames:1",
               kind="city", country="RU", lat=CHERNYAKHOVSK[0], lon=CHERNYAKHOVSK[1], year=2018, status="arrived",
               evidence="Russia has moved Iskander missiles to Chernyakhovsk in Kaliningrad.",
               article_title="Iskanders in Kaliningrad", article_source="iskander.txt", equipment="Iskander")
    folder = tmp_path_factory.mktemp("briefing")
    return export.export_events(pd.DataFrame([row]), "html", folder / "view.html")


@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        yield playwright


def test_the_ring_has_the_systems_range_around_its_site_and_the_measure_tool_works_offline(
        pw: Any, exported: Path) -> None:
    expect = sync_api.expect
    with guarded_page(pw, viewport=(1400, 900)) as (page, guard):
        page.goto(exported.resolve().as_uri())
        page.wait_for_function("() => document.getElementById('feature-count')", timeout=DEADLINE_MS)
        assert page.get_attribute("#feature-count", "data-range") == "1"
        map_name = page.evaluate("() => Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))")
        rings = page.evaluate(RINGS_JS, map_name)
        assert len(rings) == 1
        ring = rings[0]
        assert ring["km"] == 500
        assert ring["centre"] == pytest.approx(list(CHERNYAKHOVSK), abs=1e-3)
        assert 498 < ring["min"] <= ring["max"] < 502  # Leaflet's haversine agrees with ours within 0.4 %

        ruler = page.get_by_role("button", name="Measure a distance")
        expect(ruler).to_be_visible()
        ruler.click()
        box = page.locator(".leaflet-container").bounding_box()
        assert box
        clicks = [(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.45),
                  (box["x"] + box["width"] * 0.65, box["y"] + box["height"] * 0.55)]
        for x, y in clicks:
            page.mouse.click(x, y)
        expect(page.locator("#measure-state")).to_have_attribute("data-points", "2")
        ends = page.evaluate("""([name, points]) => points.map(([x, y]) => {
            const map = window[name], rect = map.getContainer().getBoundingClientRect();
            const p = map.containerPointToLatLng([x - rect.left, y - rect.top]);
            return [p.lat, p.lng];
        })""", [map_name, clicks])
        measured = float(page.get_attribute("#measure-state", "data-km") or 0)
        expected = ranges.great_circle_km(*ends[0], *ends[1])
        assert expected > 50 and measured == pytest.approx(expected, rel=0.003)
        shown = page.locator(".flank-measure-label").inner_text()
        assert shown.endswith(" km") and float(shown[:-3]) == pytest.approx(measured, rel=0.01)
        ruler.click()  # stop measuring: a click on the map adds nothing
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.3)
        expect(page.locator("#measure-state")).to_have_attribute("data-points", "2")
    assert guard.outside(exported) == [] and guard.blocked == [] and guard.page_errors == []


def test_the_dashboard_map_draws_friendly_and_hostile_app6_symbols(pw: Any, tmp_path: Path) -> None:
    db = build_seed_store(tmp_path)
    article = tmp_path / "zapad.txt"
    article.write_text(ZAPAD_ARTICLE, encoding="utf-8")
    assert ingest_paths([article], db=db).added == 1
    with dashboard_server(db) as url, guarded_page(pw) as (page, guard):
        page.goto(url)
        frame = page.frame_locator('iframe[title*="streamlit_folium"]')
        sync_api.expect(frame.locator("img.flank-symbol").first).to_be_visible(timeout=DEADLINE_MS)
        fills = frame.locator("body").evaluate(SYMBOL_FILLS_JS)
        assert fills.count("friend") >= 3 and fills.count("hostile") >= 2, fills
        legend = frame.locator(".flank-legend")
        sync_api.expect(legend).to_contain_text("Deployments (APP-6)")
        assert legend.locator("img.flank-legend-symbol").count() == 4
    assert guard.outside() == [] and guard.blocked == []
