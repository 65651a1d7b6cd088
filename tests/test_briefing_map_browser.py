"""The exported map's briefing tools in Debian's headless Chromium, offline: a range ring of the
right radius around the right site, and the measure tool giving the great-circle distance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo import export, ranges
from geo.store import EVENT_COLUMNS
from tests.browser_support import CHROMIUM, guarded_page

pytestmark = pytest.mark.browser
DEADLINE_MS = 60_000
CHERNYAKHOVSK = (54.633, 21.817)

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
