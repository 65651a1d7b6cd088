"""Hostile article text in a real browser: escaped everywhere, never run, never reaching outside.

Two articles whose titles, event sentences and file names are full of script, event-handler,
``javascript:`` and outside-host payloads are uploaded through the running dashboard in
headless Chromium; every map symbol is clicked open, the evidence table and the upload
messages are read. The same store is then exported as standalone HTML and clicked through
from ``file://``. No dialog may open in any frame, no request may leave 127.0.0.1, and the
payloads must be visible as literal text (escaped, not silently stripped). The slide and
data exports must take the same text without failing or carrying it out as markup.
"""

from __future__ import annotations

import html
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from shapely.geometry import shape

from geo import export, map_features, standalone_html, store, timeline
from geo.extract import extract_bytes
from geo.uploads import store_uploads
from tests.browser_support import CHROMIUM, Guard, dashboard_server, guarded_page
from tests.dashboard_fixtures import build_empty_store

pytestmark = pytest.mark.browser

# ----- the hostile articles --------------------------------------------------------------------
TXT_NAME = '"><img src=x onerror=alert(7)><svg onload=alert(8)>.txt'
# A browser sends '"' in an upload's file name as "%22" (the HTML form-data encoding).
UPLOADED_TXT_NAME = TXT_NAME.replace('"', "%22")
TXT = (
    "NATO troops <script>alert(1)</script> reach Tapa <img src=x onerror=alert(2)>\n\n"
    "Tallinn, 12 June 2017. About 800 British troops arrived in Tapa, Estonia, in June 2017 "
    "<script>alert(1)</script> <img src=x onerror=alert(2)> $\\frac{1}{$ %s {0}.\n\n"
    "Exercise Saber Strike <svg onload=alert(3)> took place near Ādaži, Latvia, in June 2017 "
    "\"><iframe src=javascript:alert(5)>.\n\n"
    "About 900 US soldiers deployed to Orzysz, Poland, in 2017 <a href=\"javascript:alert(6)\">javascript:alert(4)</a> "
    "<img src=http://evil.example/x.png>.\n\n"
    "German tanks arrived in Rukla, Lithuania, in 2017 <span style=\"background:url(http://evil.example/c.png)\">"
    "css</span> <style>*{background:url(http://evil.example/s.css)}</style>.\n"
)
# Entity-encoded payloads become literal "<script>" text once the page is parsed; the real
# tags (script, img, iframe, style attribute) are dropped by the loader.
HTML_NAME = "<img src=x onerror=alert(13)>.html"
HTML = (
    "<html><head><title>&lt;script&gt;alert(11)&lt;/script&gt; Drills near Żagań</title>"
    "<script>alert(12)</script></head><body>"
    "<h1>&lt;script&gt;alert(11)&lt;/script&gt; Drills near Żagań &lt;img src=x onerror=alert(14)&gt;</h1>"
    "<p>Warsaw, 3 May 2018. Polish and US troops held an exercise near Żagań, Poland, in May 2018 "
    "&lt;img src=x onerror=alert(14)&gt; &lt;svg/onload=alert(15)&gt;.</p>"
    "<img src=\"http://evil.example/real.png\" onerror=\"alert(16)\"><iframe src=\"javascript:alert(17)\"></iframe>"
    "<p style=\"background:url(http://evil.example/p.png)\">More to follow.</p></body></html>"
)
# Unreadable files whose names carry HTML and Markdown (Streamlit renders messages as Markdown):
# the names reach the page only in the upload error messages.
BAD_NAMES = (
    "<svg onload=alert(18)>.txt",
    "![p](https:evil.example) [x](javascript:alert(19)) **bold** :red[red] :smile: `code`.txt",
)
BAD_BYTES = b"\x00\x01\x02 not text"

# What must be readable, literally, in the popups (evidence <= 160 chars, titles <= 100 chars).
POPUP_LITERALS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<svg onload=alert(3)>",
    '"><iframe src=javascript:alert(5)>', '<a href="javascript:alert(6)">javascript:alert(4)</a>',
    "<img src=http://evil.example/x.png>", '<span style="background:url(http://evil.example/c.png)">',
    "<script>alert(11)</script>", "<svg/onload=alert(15)>", TXT_NAME, HTML_NAME,
)
POPUP_TAGS = {"DIV", "B", "P", "BR", "I", "SMALL"}  # all that geo.layers writes itself
DEADLINE_MS = 60_000
RETRY_MS = 3_000


def uploads() -> list[tuple[str, bytes]]:
    """Return the hostile uploads: two articles with events, then the unreadable files."""
    return [(TXT_NAME, TXT.encode()), (HTML_NAME, HTML.encode())] + [(n, BAD_BYTES) for n in BAD_NAMES]


def test_the_payloads_are_evidence_of_real_events() -> None:
    """Guard for the other tests: the payload sentences really become stored events."""
    txt = extract_bytes(TXT.encode(), TXT_NAME)
    page = extract_bytes(HTML.encode(), HTML_NAME)
    assert "<script>alert(1)</script>" in txt["title"] and "<script>alert(11)</script>" in page["title"]
    evidence = " ".join(e["evidence"] for e in txt["events"] + page["events"])
    for literal in POPUP_LITERALS[:-2]:
        assert literal in evidence, literal
    assert {e["place_id"] for e in txt["events"]} >= {"catalogue:tapa_army_base", "catalogue:rukla_base",
                                                     "catalogue:orzysz_training_area"}
    assert {e["type"] for e in page["events"]} == {"exercise"}
    assert "alert(12)" not in page["title"] + " ".join(e["evidence"] for e in page["events"])  # real tag dropped


# ----- browser helpers -------------------------------------------------------------------------
FEATURES_JS = """
(mapName) => {
  const map = mapName ? window[mapName] : window.map;
  const out = [];
  map.eachLayer((l) => {
    const p = l.feature && l.feature.properties;
    if (!p || p.p === undefined) return;
    out.push({geometry: l.feature.geometry, popup: p.p});
  });
  return out;
}
"""
# Leave only the symbol whose popup is ``popup`` on the map (an area drawn later would cover a
# point symbol, see the report), centre the map on a point inside it and return that point in
# the frame's pixels; ``popup === null`` puts every hidden symbol back.
FOCUS_JS = """
([mapName, popup, lat, lon, zoom]) => {
  const map = mapName ? window[mapName] : window.map;
  map.closePopup();
  for (const [group, layer] of (window.__hiddenForTest || [])) group.addLayer(layer);
  window.__hiddenForTest = [];
  if (popup === null) return null;
  const groups = [];
  map.eachLayer((g) => { if (g instanceof L.GeoJSON) groups.push(g); });
  let found = false;
  for (const group of groups) {
    group.eachLayer((l) => {
      const p = l.feature && l.feature.properties;
      if (!p || p.p === undefined) return;
      if (p.p === popup) { found = true; return; }
      window.__hiddenForTest.push([group, l]);
    });
  }
  if (!found) return null;
  for (const [group, layer] of window.__hiddenForTest) group.removeLayer(layer);
  map.setView([lat, lon], zoom, {animate: false});
  const pt = map.latLngToContainerPoint([lat, lon]);
  const r = map.getContainer().getBoundingClientRect();
  return [r.left + pt.x, r.top + pt.y];
}
"""
POPUP_JS = """
(title) => {
  const c = document.querySelector(".leaflet-popup-content .flank-popup");
  if (!c || c.querySelector("b").textContent !== title) return null;
  return {text: c.innerText, html: c.innerHTML,
          tags: Array.from(c.querySelectorAll("*")).map((e) => e.tagName),
          attrs: Array.from(c.querySelectorAll("*")).flatMap((e) => Array.from(e.attributes).map((a) => a.name))};
}
"""


def _popup_title(popup_html: str) -> str:
    found = re.match(r'<div class="flank-popup"><b>(.*?)</b>', popup_html)
    assert found, popup_html[:200]
    return html.unescape(found.group(1))


def _inside(geometry: dict[str, Any]) -> tuple[float, float]:
    """Return (lat, lon) of a point well inside a symbol: a point itself, or a polygon's interior point."""
    geom = shape(geometry)
    if geom.geom_type != "Point":
        geom = geom.buffer(-0.1) if not geom.buffer(-0.1).is_empty else geom
        geom = geom.representative_point()
    return geom.y, geom.x


def click_every_symbol(page: Any, frame: Any, map_name: str | None) -> list[dict[str, Any]]:
    """Click every event symbol of the Leaflet map in ``frame`` with the mouse; return each popup's content.

    One symbol at a time is left on the map and centred at zoom 8, then clicked with a real
    mouse click on the page (offset by the frame's position); its own popup must open.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    features = frame.evaluate(FEATURES_JS, map_name)
    assert features, "the map draws no event symbols"
    element = frame.frame_element() if frame.parent_frame is not None else None
    popups = []
    for feature in features:
        title = _popup_title(feature["popup"])
        lat, lon = _inside(feature["geometry"])
        deadline = time.monotonic() + DEADLINE_MS / 1000
        while True:  # the page may still be laying out (or re-rendering the map) when a click lands
            point = frame.evaluate(FOCUS_JS, [map_name, feature["popup"], lat, lon, 8])
            box = element.bounding_box() if element is not None else {"x": 0, "y": 0}
            if point is not None and box is not None:
                page.mouse.click(box["x"] + point[0], box["y"] + point[1])
            try:
                handle = frame.wait_for_function(POPUP_JS, arg=title, timeout=RETRY_MS)
                break
            except PlaywrightTimeout:
                if time.monotonic() > deadline:
                    raise
        popups.append({"title": title, **handle.json_value()})
    frame.evaluate(FOCUS_JS, [map_name, None, 0, 0, 0])
    return popups


def assert_popups_escaped(popups: list[dict[str, Any]], literals: tuple[str, ...] = POPUP_LITERALS) -> None:
    """Every popup holds only our own markup, and together they show every one of ``literals`` as text."""
    for popup in popups:
        assert set(popup["tags"]) <= POPUP_TAGS, (popup["title"], popup["tags"])
        assert set(popup["attrs"]) <= {"class"}, (popup["title"], popup["attrs"])
    text = "\n".join(p["text"] for p in popups)
    missing = [literal for literal in literals if literal not in text]
    assert not missing, missing


def assert_nothing_ran_or_left(guard: Guard, allowed_file: Path | None = None) -> None:
    """No dialog in any frame, no trapped dialog call, no request beyond this machine (or the exported file)."""
    assert guard.dialogs == [], guard.dialogs
    assert guard.trapped == [], guard.trapped
    assert guard.outside(allowed_file) == [], guard.outside(allowed_file)
    assert guard.blocked == [], guard.blocked


def _expected_counts(db: Path) -> dict[str, str]:
    shown = timeline.in_view(store.load_events(db), timeline.ViewState())
    return {k: str(v) for k, v in map_features.feature_counts(map_features.aggregate(shown)).items()}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Playwright, or a clean skip when Debian's Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        yield pw


# ----- the dashboard ---------------------------------------------------------------------------
def test_hostile_upload_in_the_dashboard(chromium: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    db = build_empty_store(tmp_path)
    started = time.monotonic()
    with dashboard_server(db) as url, guarded_page(chromium) as (page, guard):
        page.goto(url)
        uploader = page.locator('[data-testid="stSidebar"] input[type="file"]')
        expect(uploader).to_be_attached(timeout=DEADLINE_MS)
        uploader.set_input_files([{"name": n, "mimeType": "text/plain", "buffer": b} for n, b in uploads()])
        added = page.locator('[data-testid="stSidebar"] [data-testid="stAlertContentSuccess"]')
        expect(added).to_contain_text("2 articles added to the map: ", timeout=DEADLINE_MS)
        assert added.locator("img, a, strong, code, span, svg, script").count() == 0  # where they landed, as text

        # The upload messages: each hostile name shown literally, no markup made of it.
        errors = page.locator('[data-testid="stSidebar"] [data-testid="stAlertContentError"]')
        expect(errors).to_have_count(len(BAD_NAMES), timeout=DEADLINE_MS)
        texts = errors.all_inner_texts()
        for name in BAD_NAMES:
            assert any(t.startswith(f"{name}: ") for t in texts), (name, texts)
        assert errors.locator("img, a, strong, code, span, svg, script").count() == 0

        # The map shows every stored symbol; each popup is opened with a real click.
        want = _expected_counts(db)
        frame_el = page.locator('iframe[title*="streamlit_folium"] >> nth=-1')
        counts = page.frame_locator('iframe[title*="streamlit_folium"] >> nth=-1').locator("#feature-count")
        expect(counts).to_have_attribute("data-events", want["events"], timeout=DEADLINE_MS)
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_function("() => window.map && window.L", timeout=DEADLINE_MS)
        popups = click_every_symbol(page, frame, None)
        assert len(popups) == sum(int(want[k]) for k in map_features.LAYERS)
        assert_popups_escaped(popups, tuple(UPLOADED_TXT_NAME if x == TXT_NAME else x for x in POPUP_LITERALS))

        # The evidence table (Glide's accessible grid mirrors the canvas) shows the payloads as text.
        grid = page.locator('[data-testid="stDataFrame"] table[role="grid"]')
        expect(grid).to_contain_text("<script>alert(1)</script>", timeout=DEADLINE_MS)
        expect(grid).to_contain_text(UPLOADED_TXT_NAME)
        assert page.locator('[data-testid="stDataFrame"] script, [data-testid="stDataFrame"] iframe').count() == 0
        # No raw CSV of the table (formulas from articles would run in a spreadsheet): the export defuses them.
        page.locator('[data-testid="stDataFrame"]').hover()
        expect(page.get_by_role("button", name="Search")).to_be_visible()  # the table's toolbar is shown
        assert page.get_by_role("button", name="Download as CSV").count() == 0
        page.wait_for_load_state("networkidle")
    assert_nothing_ran_or_left(guard)
    print(f"\nxss dashboard: {len(popups)} popups clicked, {len(uploads())} hostile uploads, "
          f"{time.monotonic() - started:.1f}s")


# ----- the exports ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_events(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Return the events of a store holding only the hostile uploads (stored as the dashboard stores them)."""
    db = build_empty_store(tmp_path_factory.mktemp("hostile"))
    messages = store_uploads(uploads(), db)
    assert [m.level for m in messages] == ["error"] * len(BAD_NAMES) + ["success"]
    events = store.load_events(db)
    assert len(events) >= 8 and set(events["article_source"]) == {TXT_NAME, HTML_NAME}
    return events


def test_hostile_text_in_the_exported_html(chromium: Any, hostile_events: pd.DataFrame, tmp_path: Path) -> None:
    target = export.export_events(hostile_events, "html", tmp_path / "view.html", title="<script>alert(20)</script>")
    page_source = target.read_text(encoding="utf-8")
    assert "<script>alert(" not in page_source  # only escaped copies (\u003c... or &lt;...) of the payloads
    assert standalone_html.external_references(page_source) == []
    with guarded_page(chromium, viewport=(1600, 900)) as (page, guard):
        page.goto(target.resolve().as_uri())
        page.wait_for_function("() => document.getElementById('time-state') && "
                               "Number(document.getElementById('time-state').dataset.visible) > 0",
                               timeout=DEADLINE_MS)
        from playwright.sync_api import expect

        expect(page.locator(".flank-head h1")).to_have_text("<script>alert(20)</script>")
        map_name = page.evaluate("() => Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))")
        popups = click_every_symbol(page, page.main_frame, map_name)
        assert len(popups) == int(page.get_attribute("#time-state", "data-visible") or 0)
        assert_popups_escaped(popups)
        assert page.locator("iframe, img[src^='http'], script[src]").count() == 0
    assert_nothing_ran_or_left(guard, allowed_file=target)
    assert guard.page_errors == []


def test_hostile_text_in_slide_and_data_exports(hostile_events: pd.DataFrame, tmp_path: Path) -> None:
    """PNG, SVG, PDF, CSV, GeoJSON and GeoPackage take the payloads as plain text, without failing."""
    title = "<script>alert(21)</script> $\\frac{1}{$ %s {0}"
    assert any("$\\frac{1}{$" in e for e in hostile_events["evidence"])  # unbalanced mathtext in the table pages
    for fmt in ("png", "svg", "pdf", "csv", "geojson", "gpkg"):
        # Not as the caption: matplotlib measures wrapped text as mathtext regardless of text.parse_math
        # (see the report), so a caption with "$\\frac{1}{$" still fails in geo.render._footer.
        path = export.export_events(hostile_events, fmt, tmp_path / f"view.{fmt}", title=title,
                                    caption="<b>caption</b> %s {0}")
        assert path.stat().st_size > 1000, fmt
    svg = ET.parse(tmp_path / "view.svg").getroot()  # well-formed XML: any text was escaped
    tags = {el.tag.rsplit("}", 1)[-1] for el in svg.iter()}
    assert not tags & {"script", "foreignObject", "iframe", "image", "a"}, tags
    assert not any(k.startswith("on") for el in svg.iter() for k in el.attrib)
    assert b"evil.example" not in (tmp_path / "view.svg").read_bytes()
    pdf = (tmp_path / "view.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/JavaScript" not in pdf and b"/URI" not in pdf and b"/Launch" not in pdf
    assert (tmp_path / "view.png").read_bytes().startswith(b"\x89PNG")
    doc = json.loads((tmp_path / "view.geojson").read_text(encoding="utf-8"))
    assert any("<script>alert(1)</script>" in (f["properties"]["evidence"] or "") for f in doc["features"])
    csv = pd.read_csv(io.BytesIO((tmp_path / "view.csv").read_bytes()), encoding="utf-8-sig")
    assert len(csv) == len(hostile_events) and csv["article_source"].isin([TXT_NAME, HTML_NAME]).all()
