"""The running page in Debian's headless Chromium: drawn features, the slider moved by hand, play, upload.

Also: one map iframe at any moment (the map is updated in place) and no request to any
host but the local server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from geo import map_features, store, timeline
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, dashboard_server
from tests.dashboard_fixtures import ARTICLE_2019, GOOD_ARTICLE, build_seed_store

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed_store(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[str]:
    with dashboard_server(db) as url:
        yield url


def _expected(db: Path, **view: object) -> dict[str, str]:
    events = store.load_events(db)
    shown = timeline.in_view(events, timeline.ViewState(**view))  # type: ignore[arg-type]
    return {k: str(v) for k, v in map_features.feature_counts(map_features.aggregate(shown)).items()}


MAP_IFRAME = 'iframe[title*="streamlit_folium"]'
# Counts the map iframes after every change of the page, keeping the largest number seen.
WATCH_IFRAMES = """() => {
    const count = () => document.querySelectorAll('MAP_IFRAME').length;
    window.__maxMapIframes = count();
    new MutationObserver(() => { window.__maxMapIframes = Math.max(window.__maxMapIframes, count()); })
        .observe(document.body, {childList: true, subtree: true});
}""".replace("MAP_IFRAME", MAP_IFRAME)


def _year_thumbs(page: Any) -> tuple[Any, Any]:
    """Return the (start, end) thumbs' range inputs of the sidebar's year slider."""
    thumbs = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]')
    return thumbs.nth(0), thumbs.nth(1)


def _browser(pw: Any) -> Any:
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def test_map_in_the_browser(server: str, db: Path, tmp_path: Path) -> None:
    expect = sync_api.expect
    hosts: set[str] = set()
    with sync_api.sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url.split(":", 1)[0]))
            counts = page.frame_locator(MAP_IFRAME).locator("#feature-count")

            year, country = 2017, "LT"
            page.goto(f"{server}/?from={year}&to={year}&country={country}")
            want = _expected(db, year_from=year, year_to=year, countries=(country,))
            assert int(want["events"]) > 0
            expect(counts).to_have_attribute("data-deployment", want["deployment"], timeout=60_000)
            expect(counts).to_have_attribute("data-events", want["events"])
            expect(page.get_by_text(f"{want['events']} events in view")).to_be_visible()

            # Move the slider as a person does: the end thumb by keyboard, the start thumb by mouse.
            page.evaluate(WATCH_IFRAMES)
            start, end = _year_thumbs(page)
            last = max(int(y) for y in store.load_events(db)["year"].dropna())
            to = next(y for y in range(year + 1, last + 1)
                      if _expected(db, year_from=year, year_to=y, countries=(country,))["events"] != want["events"])
            end.focus()
            for _ in range(to - year):
                end.press("ArrowRight")
            expect(end).to_have_value(str(to))
            wider = _expected(db, year_from=year, year_to=to, countries=(country,))
            expect(counts).to_have_attribute("data-events", wider["events"], timeout=60_000)
            expect(page.get_by_text(f"{wider['events']} events in view")).to_be_visible()

            lo = int(start.get_attribute("min") or 0)
            box = start.locator("xpath=../..").bounding_box()  # the visible thumb around the hidden input
            track = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').bounding_box()
            assert box and track
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(track["x"] - 20, box["y"] + box["height"] / 2, steps=12)
            page.mouse.up()
            assert lo < year
            expect(start).to_have_value(str(lo))
            dragged = _expected(db, year_from=lo, year_to=to, countries=(country,))
            expect(counts).to_have_attribute("data-events", dragged["events"], timeout=60_000)
            expect(counts).to_have_attribute("data-deployment", dragged["deployment"])
            assert page.evaluate("window.__maxMapIframes") == 1  # the layers changed inside the one map

            page.goto(f"{server}/?from={year}&to={year}&country={country}&type=deployment")
            before = _expected(db, year_from=year, year_to=year, countries=(country,), types=("deployment",))
            expect(counts).to_have_attribute("data-events", before["events"], timeout=60_000)
            page.evaluate(WATCH_IFRAMES)
            article = tmp_path / "rukla.txt"
            article.write_text(GOOD_ARTICLE, encoding="utf-8")
            page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(str(article))
            expect(page.get_by_text("1 article added to the map: 2 events in LT (Rukla Military Base, Lithuania), "
                                    "2017.")).to_be_visible(timeout=60_000)
            after = _expected(db, year_from=year, year_to=year, countries=(country,), types=("deployment",))
            assert int(after["events"]) > int(before["events"])
            expect(counts).to_have_attribute("data-events", after["events"], timeout=60_000)
            expect(page.locator(MAP_IFRAME)).to_have_count(1)
            assert page.evaluate("window.__maxMapIframes") == 1  # never two maps during the upload's reruns

            page.goto(f"{server}/")
            expect(counts).to_have_attribute("data-events", _expected(db)["events"], timeout=60_000)
            map_frame = page.frame_locator(MAP_IFRAME)
            expect(map_frame.locator(".leaflet-control-attribution")).to_contain_text("Natural Earth")
            expect(map_frame.get_by_role("button", name="Measure a distance")).to_be_visible()
            expect(map_frame.get_by_text("Range rings")).to_be_visible()  # its entry in the layer control
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=False)
        finally:
            browser.close()
    assert hosts <= {"127.0.0.1", "localhost", "data", "blob", "about"}, hosts


def test_play_steps_to_the_end_and_stops(server: str, db: Path) -> None:
    expect = sync_api.expect
    years = sorted(int(y) for y in store.load_events(db)["year"].dropna().unique())
    first, last = years[-3], years[-1]
    with sync_api.sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            counts = page.frame_locator(MAP_IFRAME).locator("#feature-count")
            page.goto(f"{server}/?from={first}&to={first}")
            expect(counts).to_have_attribute("data-events", _expected(db, year_from=first, year_to=first)["events"],
                                             timeout=60_000)
            play = page.get_by_role("switch", name="Play")
            page.get_by_text("Play (a step every").click()  # the switch's label, as a person clicks it
            expect(play).to_be_checked()
            start, end = _year_thumbs(page)
            expect(end).to_have_value(str(last), timeout=60_000)
            expect(start).to_have_value(str(last))
            expect(play).not_to_be_checked()  # it stopped at the end
            expect(counts).to_have_attribute("data-events", _expected(db, year_from=last, year_to=last)["events"],
                                             timeout=60_000)
            expect(page.get_by_text(f"events in view ({last})")).to_be_visible()
        finally:
            browser.close()


def test_an_upload_outside_the_view_names_where_it_landed_and_one_click_shows_it(tmp_path: Path) -> None:
    expect = sync_api.expect
    db = build_seed_store(tmp_path)  # its own store: the upload must not change the other tests' counts
    with dashboard_server(db) as url, sync_api.sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            counts = page.frame_locator(MAP_IFRAME).locator("#feature-count")
            page.goto(f"{url}/?from=2022&to=2022")
            narrowed = _expected(db, year_from=2022, year_to=2022)
            expect(counts).to_have_attribute("data-events", narrowed["events"], timeout=60_000)
            article = tmp_path / "tapa.txt"
            article.write_text(ARTICLE_2019, encoding="utf-8")
            page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(str(article))
            message = page.locator('[data-testid="stSidebar"] [data-testid="stAlertContentSuccess"]')
            expect(message).to_have_text("1 article added to the map: 2 events in EE (Estonia, Tapa Army Base), 2019.",
                                         timeout=60_000)
            expect(counts).to_have_attribute("data-events", narrowed["events"])  # 2019 is not in view yet
            page.get_by_role("button", name="Outside this view: show them").click()
            widened = _expected(db, year_from=2019, year_to=2022)
            assert int(widened["events"]) > int(narrowed["events"])
            expect(counts).to_have_attribute("data-events", widened["events"], timeout=60_000)
            expect(page).to_have_url(re.compile(r"[?&]from=2019(&|$)"))
            expect(page.get_by_role("button", name="Outside this view: show them")).to_have_count(0)
        finally:
            browser.close()
