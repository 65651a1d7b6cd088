"""Exports: map snapshots, PDF briefing, standalone HTML and data files, written atomically."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from PIL import Image

from geo import briefing_table, export, render, standalone_html, store
from geo.cli import main
from geo.errors import ExportError
from geo.store import EVENT_COLUMNS, Filters

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _event(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(EVENT_COLUMNS, "")
    row.update(event_id="e1", article_id="a1", type="deployment", place="Šiauliai", place_id="geonames:594739",
               kind="city", country="LT", countries="LT", lat=55.93, lon=23.32, year=2017, status="arrived",
               troops=1200, evidence="Troops arrived in Šiauliai.", evidence_start=0, evidence_end=27,
               article_title="Title", article_source="a.txt", article_published="2017-02-01")
    row.update(overrides)
    return row


@pytest.fixture(scope="module")
def hostile() -> pd.DataFrame:
    """Events whose article text tries to break out of HTML, CSV and mathtext."""
    return pd.DataFrame([
        _event(place=HOSTILE, evidence=HOSTILE + " $x^2$", article_title="</script><b>t</b>"),
        _event(event_id="e2", type="exercise", place="=HYPERLINK(\"http://x\")", place_id="", year=2018,
               evidence="=1+1", troops=None),
    ])


@pytest.fixture(scope="module")
def exported(events: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    return {fmt: export.export_events(events, fmt, folder / f"view.{fmt}", title="Seed view", caption="Caption",
                                      filters=Filters(year_from=2015, year_to=2022))
            for fmt in export.FORMATS}


def _without_scripts(page: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.IGNORECASE | re.DOTALL)


# ----- snapshots ------------------------------------------------------------------------------
def test_png_is_a_slide_with_content(exported: dict[str, Path]) -> None:
    with Image.open(exported["png"]) as image:
        width, height = image.size
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert width >= 1600 and height >= 900
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    assert pixels.std() > 20  # a blank or single-colour image has almost none


def _colour_share(pixels: np.ndarray, rgb: tuple[int, int, int]) -> float:
    """The share of ``pixels`` (H x W x 3) within a few levels of ``rgb``."""
    return float((np.abs(pixels.astype(int) - np.array(rgb)).max(axis=2) <= 6).mean())


def test_the_png_draws_app6_symbols_on_the_map_and_in_the_legend(exported: dict[str, Path]) -> None:
    with Image.open(exported["png"]) as image:
        pixels = np.asarray(image.convert("RGB"))
    height, width, _ = pixels.shape
    legend = pixels[int(height * 0.09):int(height * 0.32), int(width * 0.77):]
    frame_map = pixels[int(height * 0.12):int(height * 0.95), :int(width * 0.75)]
    friend, hostile = (128, 223, 255), (255, 128, 128)  # APP-6 fills: friendly blue, hostile red
    assert _colour_share(legend, friend) > 0.001 and _colour_share(legend, hostile) > 0.001
    assert _colour_share(frame_map, friend) > 0.0005  # the seeds' allied deployments as friendly frames
    assert _colour_share(frame_map, hostile) > 0.0002  # and the Russian ones as hostile diamonds


def test_svg_is_a_slide_with_the_legend(exported: dict[str, Path]) -> None:
    svg = exported["svg"].read_text(encoding="utf-8")
    root = re.search(r"<svg\b[^>]*>", svg)
    assert root
    width = int(re.search(r'width="(\d+)px"', root.group(0)).group(1))  # type: ignore[union-attr]
    height = int(re.search(r'height="(\d+)px"', root.group(0)).group(1))  # type: ignore[union-attr]
    assert width >= 1600 and height >= 900
    assert svg.count("<path") > 100
    for entry in ("Deployments (APP-6)", "friendly unit (NATO, partners)", "hostile unit (Russia, Belarus)",
                  "planned or requested (dashed)", "troops", "exercise area", "chokepoint", "Russia, Belarus",
                  "Seed view", "2015–2022", render.ATTRIBUTION, "Caption", "Generated"):
        assert entry in svg, entry


def test_snapshot_of_hostile_text_is_escaped(hostile: pd.DataFrame, tmp_path: Path) -> None:
    path = export.export_events(hostile, "svg", tmp_path / "h.svg", title="<b>&</b>")
    svg = path.read_text(encoding="utf-8")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in svg


def test_empty_view_still_renders(tmp_path: Path) -> None:
    empty = pd.DataFrame(columns=EVENT_COLUMNS)
    path = export.export_events(empty, "png", tmp_path / "empty.png")
    with Image.open(path) as image:
        assert image.size[0] >= 1600


def test_extent_fits_events_within_bounds() -> None:
    frame = pd.DataFrame({"lon": [24.0, 24.1], "lat": [56.0, 56.05]})
    extent = render.fit_extent(frame, 16 / 9)
    assert extent.lat1 - extent.lat0 == pytest.approx(render.MIN_SPAN_LAT)
    assert extent.lon0 < 24.0 < 24.1 < extent.lon1
    wide = render.fit_extent(pd.DataFrame({"lon": [-4.0, 59.0], "lat": [36.5, 71.0]}), 16 / 9)
    assert wide.lat1 - wide.lat0 <= render.MAX_SPAN_LAT + 1e-9
    default = render.fit_extent(pd.DataFrame({"lon": [], "lat": []}), 16 / 9)
    assert default.lon0 < 25 < default.lon1 and default.lat0 < 55 < default.lat1


# ----- PDF ------------------------------------------------------------------------------------
def test_pdf_has_map_then_event_table(exported: dict[str, Path], events: pd.DataFrame) -> None:
    data = exported["pdf"].read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    table_pages = briefing_table.paginate(briefing_table.table_rows(events))
    assert pages == 1 + len(table_pages) >= 2


def test_event_table_lists_evidence_and_sources(events: pd.DataFrame) -> None:
    rows = briefing_table.table_rows(events)
    assert len(rows) == len(events)
    text = "\n".join("\n".join(row) for page in briefing_table.paginate(rows) for row in page)
    flat = re.sub(r"\s+", " ", text)
    for evidence in events["evidence"]:
        assert re.sub(r"\s+", " ", evidence.strip())[:40] in flat
    assert all(src in text.replace("\n", "") for src in events["article_source"].str[-12:])
    headings = [h for h, _ in briefing_table.TABLE_COLUMNS]
    assert "Evidence" in headings and "Source" in headings


def test_pdf_table_is_capped_and_says_so(events: pd.DataFrame) -> None:
    many = pd.concat([events] * (briefing_table.MAX_TABLE_EVENTS // len(events) + 2), ignore_index=True)
    figures = list(briefing_table.render_table_pages(many, heading="h"))
    last = " ".join(t.get_text() for t in figures[-1].texts)
    assert f"{len(many) - briefing_table.MAX_TABLE_EVENTS:,} more events not listed" in last


# ----- HTML -----------------------------------------------------------------------------------
def test_html_refers_to_nothing_outside_itself(exported: dict[str, Path]) -> None:
    page = exported["html"].read_text(encoding="utf-8")
    assert standalone_html.external_references(page) == []
    markup = _without_scripts(page)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", markup, flags=re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", page, flags=re.IGNORECASE)
    assert "<link" not in markup
    assert "L.map(" in page and "time-state" in page and "leaflet-container" in page
    assert render.ATTRIBUTION in page


def test_html_escapes_article_text(hostile: pd.DataFrame, tmp_path: Path) -> None:
    page = export.export_events(hostile, "html", tmp_path / "h.html", title="<i>T</i>").read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "</script><b>t</b>" not in page
    assert "<i>T</i>" not in page and "&lt;i&gt;T&lt;/i&gt;" in page


def test_inline_assets_drops_what_it_cannot_inline(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(b"\x89PNG")
    (tmp_path / "x.css").write_text(".a{background:url(images/a.png)} .b{background:url(images/none.png)}")
    (tmp_path / "x.js").write_text("var s = '</script>';")
    page = ('<link rel="stylesheet" href="https://cdn/x.css"/><link rel="stylesheet" href="https://cdn/y.css"/>'
            '<script src="https://cdn/x.js"></script><script src="https://cdn/jquery.js"></script>')
    out = standalone_html.inline_assets(page, {"x_css": tmp_path / "x.css", "x_js": tmp_path / "x.js"})
    assert "https://" not in out
    assert "data:image/png;base64," in out and "url(none)" not in out and "none" in out
    assert "<\\/script>" in out
    assert standalone_html.external_references(out) == []


# ----- data files -----------------------------------------------------------------------------
def test_geojson_is_rfc7946_and_round_trips(exported: dict[str, Path], events: pd.DataFrame) -> None:
    doc = json.loads(exported["geojson"].read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert len(doc["features"]) == len(events)
    first = doc["features"][0]
    assert first["geometry"]["coordinates"] == [first["properties"]["lon"], first["properties"]["lat"]]
    assert set(EVENT_COLUMNS) <= set(first["properties"])
    back = gpd.read_file(exported["geojson"])
    assert len(back) == len(events)
    assert set(EVENT_COLUMNS) <= set(back.columns)
    assert sorted(back["event_id"]) == sorted(events["event_id"])
    assert np.allclose(back.geometry.x.sort_values(), events["lon"].sort_values())


def test_geopackage_has_events_and_articles(exported: dict[str, Path], events: pd.DataFrame) -> None:
    layers = dict(pyogrio.list_layers(exported["gpkg"]).tolist())
    assert layers["events"] == "Point" and "articles" in layers
    info = pyogrio.read_info(exported["gpkg"], layer="events")
    assert info["crs"] == "EPSG:4326" and info["features"] == len(events)
    points = pyogrio.read_dataframe(exported["gpkg"], layer="events")
    assert set(EVENT_COLUMNS) <= set(points.columns)
    assert np.allclose(points.geometry.y.sort_values(), events["lat"].sort_values())
    articles = pyogrio.read_dataframe(exported["gpkg"], layer="articles", read_geometry=False)
    assert articles["n_events"].sum() == len(events)
    assert set(articles["article_id"]) == set(events["article_id"])


def test_csv_has_every_attribute_and_opens_in_excel(exported: dict[str, Path], events: pd.DataFrame) -> None:
    raw = exported["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    back = pd.read_csv(exported["csv"], encoding="utf-8-sig")
    assert list(back.columns)[: len(EVENT_COLUMNS)] == EVENT_COLUMNS
    assert len(back) == len(events)


def test_csv_keeps_accents_and_defuses_formulas(hostile: pd.DataFrame, tmp_path: Path) -> None:
    path = export.export_events(hostile, "csv", tmp_path / "h.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert back.loc[1, "place"].startswith("'=") and back.loc[1, "evidence"] == "'=1+1"
    ok = export.export_events(pd.DataFrame([_event()]), "csv", tmp_path / "ok.csv")
    assert "Šiauliai" in ok.read_text(encoding="utf-8-sig")


def test_empty_view_writes_valid_data_files(tmp_path: Path) -> None:
    empty = pd.DataFrame(columns=EVENT_COLUMNS)
    doc = json.loads(export.export_events(empty, "geojson", tmp_path / "e.geojson").read_text())
    assert doc == {"type": "FeatureCollection", "features": []}
    gpkg = export.export_events(empty, "gpkg", tmp_path / "e.gpkg")
    assert {name for name, _ in pyogrio.list_layers(gpkg).tolist()} == {"events", "articles"}


# ----- filters and the command line -----------------------------------------------------------
def test_cli_honours_year_and_country(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lt.geojson"
    assert main(["export", "--format", "geojson", "--db", str(db), "--year", "2017", "--country", "LT",
                 "--output", str(out)]) == 0
    props = [f["properties"] for f in json.loads(out.read_text())["features"]]
    assert props
    assert all(p["year"] == 2017 for p in props)
    assert all("LT" in p["countries"].split(",") for p in props)
    everything = store.load_events(db)
    assert len(props) < len(everything)


def test_cli_honours_type_and_year_range(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "dep.csv"
    assert main(["export", "--format", "csv", "--db", str(db), "--from", "2016", "--to", "2017", "--type",
                 "deployment", "--output", str(out)]) == 0
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert len(back) and set(back["type"]) == {"deployment"} and back["year"].between(2016, 2017).all()


@pytest.mark.parametrize("fmt", ["png", "csv"])
def test_cli_error_is_one_line_with_the_path(db: Path, tmp_path: Path, fmt: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / f"x.{fmt}"
    assert main(["export", "--format", fmt, "--db", str(db), "--output", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {target}: ")
    assert not target.parent.exists()


def test_cli_missing_store_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.gpkg"
    assert main(["export", "--format", "csv", "--db", str(missing), "--output", str(tmp_path / "x.csv")]) == 1
    assert capsys.readouterr().err.startswith(f"error: {missing}: ")
    assert list(tmp_path.iterdir()) == []


# ----- atomic writing -------------------------------------------------------------------------
def test_unwritable_paths_raise_export_error(events: pd.DataFrame, tmp_path: Path) -> None:
    for target, reason in ((tmp_path / "no" / "x.csv", "does not exist"), (tmp_path, "is a directory")):
        with pytest.raises(ExportError) as caught:
            export.export_events(events, "csv", target)
        message = str(caught.value)
        assert message.startswith(f"{target}: ") and reason in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_an_export_error(events: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format"):
        export.export_events(events, "docx", tmp_path / "x.docx")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere, so permissions cannot be tested")
def test_read_only_directory_raises_export_error(events: pd.DataFrame, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(ExportError, match="permission denied"):
        export.export_events(events, "csv", folder / "x.csv")


def test_failed_write_keeps_the_old_file_and_no_temp(events: pd.DataFrame, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "view.csv"
    target.write_text("previous")

    def broken(frame: pd.DataFrame, tmp: Path, options: export.ExportOptions) -> None:
        tmp.write_text("half a fi")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(export.WRITERS, "csv", broken)
    with pytest.raises(ExportError, match="no space left on device"):
        export.export_events(events, "csv", target)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["view.csv"]


def test_overwrite_replaces_the_file_whole(events: pd.DataFrame, tmp_path: Path) -> None:
    target = tmp_path / "view.geojson"
    target.write_text("old")
    export.export_events(events, "geojson", target)
    assert json.loads(target.read_text())["type"] == "FeatureCollection"
    assert [p.name for p in tmp_path.iterdir()] == ["view.geojson"]


# ----- the standalone HTML in a real browser ---------------------------------------------------
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_html_draws_the_map_offline_in_chromium(exported: dict[str, Path], events: pd.DataFrame) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-quic"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(exported["html"].resolve().as_uri())
            page.wait_for_selector(".leaflet-container", state="attached")
            page.wait_for_function("document.getElementById('time-state') && "
                                   "Number(document.getElementById('time-state').dataset.visible) > 0")
            drawn = page.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path").count()
            assert drawn > 0
            year = int(events["year"].min())
            years = sorted({int(y) for y in events["year"].dropna()})
            page.locator(".flank-time input").fill(str(years.index(year) + 1))
            page.wait_for_function(f"document.getElementById('time-state').dataset.year === '{year}'")
            assert int(page.get_attribute("#time-state", "data-visible") or 0) > 0
        finally:
            browser.close()
    assert errors == []
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert outside == []


def test_a_caption_that_looks_like_mathtext_is_drawn_as_text(tmp_path: Path) -> None:
    events = pd.DataFrame([_event()])
    hostile = r"Cost $\frac{1}{$ and 100% of $5 — " + "long caption words " * 40
    for fmt in ("png", "svg"):
        out = export.export_events(events, fmt, tmp_path / f"caption.{fmt}", caption=hostile)
        assert out.stat().st_size > 10_000
    assert r"\frac{1}{" in (tmp_path / "caption.svg").read_text(encoding="utf-8")


def test_template_syntax_in_user_text_is_not_evaluated(tmp_path: Path) -> None:
    """folium renders elements through Jinja: "{{ 7*7 }}" in a title or an article must stay text."""
    events = pd.DataFrame([_event(place="Tapa {{ 7*7 }}", evidence="Troops {{ 6*7 }} arrived {% if 1 %}x{% endif %}",
                                  article_title="Title {{ 5*5 }}")])
    out = export.export_events(events, "html", tmp_path / "t.html", title="Heading {{ 9*9 }}",
                               caption="Caption {{ 8*8 }}", filters=Filters(countries=("{{ 4*4 }}",)))
    page = html.unescape(out.read_text(encoding="utf-8").encode().decode("unicode_escape", errors="ignore"))
    for evaluated in ("Tapa 49", "Troops 42", "Title 25", "Heading 81", "Caption 64"):
        assert evaluated not in page
    for literal in ("Heading {{ 9*9 }}", "Caption {{ 8*8 }}", "{{ 4*4 }}", "Troops {{ 6*7 }}"):
        assert literal in page


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_a_point_inside_an_exercise_area_opens_its_own_popup(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    events = pd.DataFrame([
        _event(event_id="p", place="Orzysz", place_id="", kind="town", country="PL", lat=53.81, lon=21.95,
               year=2017, evidence="the point's evidence", countries="PL"),
        _event(event_id="a", type="exercise", place="Poland", place_id="country:PL", kind="country", country="PL",
               lat=52.1, lon=19.4, year=2017, evidence="the area's evidence", countries="PL"),
    ])
    page_file = export.export_events(events, "html", tmp_path / "nested.html")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_file.resolve().as_uri())
            page.wait_for_function("document.getElementById('time-state') && "
                                   "Number(document.getElementById('time-state').dataset.visible) > 0")
            # The point's position once the map has stopped moving (two frames alike).
            x, y = page.evaluate("""() => new Promise(resolve => {
                const map = window[Object.keys(window).find(k => k.startsWith("map_"))];
                const where = () => {
                    const p = map.latLngToContainerPoint([53.81, 21.95]);
                    const box = map.getContainer().getBoundingClientRect();
                    return [p.x + box.left, p.y + box.top];
                };
                let last = where();
                const check = () => requestAnimationFrame(() => requestAnimationFrame(() => {
                    const now = where();
                    if (now[0] === last[0] && now[1] === last[1] && !map._animatingZoom) resolve(now);
                    else { last = now; check(); }
                }));
                check();
            })""")
            page.mouse.click(x, y)
            expect(page.locator(".leaflet-popup-content")).to_contain_text("the point's evidence")
        finally:
            browser.close()


def test_the_snapshot_draws_range_rings_and_names_them_in_the_legend(tmp_path: Path) -> None:
    iskander = _event(place="Chernyakhovsk", place_id="geonames:1", kind="city", country="RU", countries="RU",
                      lat=54.633, lon=21.817, evidence="Russia moved Iskander missiles to Chernyakhovsk.")
    with_ring = export.export_events(pd.DataFrame([iskander]), "svg", tmp_path / "ring.svg")
    without = export.export_events(pd.DataFrame([_event()]), "svg", tmp_path / "plain.svg")
    assert "range ring of a system" in with_ring.read_text(encoding="utf-8")
    assert "range ring of a system" not in without.read_text(encoding="utf-8")
