"""APP-6 symbols: the SIDC built from a deployment, the drawn SVG, and their place on the map."""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest

from geo import layers, symbols
from geo.store import EVENT_COLUMNS


def _deployment(**values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(EVENT_COLUMNS, "")
    row.update(event_id="e0", article_id="a", type="deployment", place="Rukla", place_id="geonames:1", kind="city",
               country="LT", lat=55.05, lon=24.3, year=2017, status="arrived", evidence="Troops arrived in Rukla.")
    row.update(values)
    return row


@pytest.mark.parametrize(("event", "code"), [
    # friend (3), land unit (10), present (0), task force (4), battalion (16), infantry (121100)
    (_deployment(unit="battlegroup", lead_nation="DE",
                 evidence="The German-led battlegroup arrived in Rukla."), "10031004161211000000"),
    # hostile (6) on Russian soil, a missile (130700) brigade (18)
    (_deployment(country="RU", unit="brigade", evidence="Russia moved an Iskander brigade to Chernyakhovsk."),
     "10061000181307000000"),
    # planned (1): a dashed frame; an air defence (130100) battery (15)
    (_deployment(country="PL", status="planned", unit="battery", equipment="Patriot",
                 evidence="A US Patriot battery will deploy to Rzeszów."), "10031010151301000000"),
    # fighter aircraft: the air symbol set (01), no echelon
    (_deployment(unit="detachment", equipment="F-16s", evidence="Four F-16s arrived at Šiauliai for air policing."),
     "10030100001101040000"),
    # Russian warships: the sea surface set (30), a combatant (120000)
    (_deployment(country="RU", evidence="Russian corvettes moved to Baltiysk."), "10063000001200000000"),
    # Russian troops named on a partner's soil are hostile; nothing names their arm: an empty land frame
    (_deployment(country="MD", evidence="Russia keeps some 1,500 men in Transnistria."), "10061000000000000000"),
    # nobody's side known, no host of either side
    (_deployment(country="", evidence="Forces gathered near the border."), "10011000000000000000"),
])
def test_the_sidc_says_whose_forces_what_arm_what_size_and_whether_planned(event: dict[str, object],
                                                                           code: str) -> None:
    assert symbols.sidc(event) == code


def test_the_svg_comes_from_military_symbol_as_a_data_uri() -> None:
    uri, width, height = symbols.symbol_icon("10061000181307000000")
    assert uri.startswith("data:image/svg+xml;base64,") and height == symbols.SYMBOL_HEIGHT_PX and width > 10
    svg = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
    assert "<svg" in svg and "#ff8080" in svg  # the hostile fill
    assert "#80dfff" in symbols.symbol_svg("10031004161211000000")  # the friendly fill
    assert 'stroke-dasharray' in symbols.symbol_svg("10031010151301000000")  # planned: a dashed frame


@pytest.mark.parametrize("bad", ["1003100416121100000", "<svg onload=alert(1)>", "10031004161211000000x"])
def test_only_a_sidc_becomes_a_symbol(bad: str) -> None:
    with pytest.raises(ValueError):
        symbols.symbol_svg(bad)


def test_deployments_are_drawn_as_their_symbols_and_the_legend_explains_the_frames() -> None:
    events = pd.DataFrame([_deployment(unit="battlegroup", lead_nation="DE"),
                           _deployment(event_id="e1", place="Kaliningrad", place_id="geonames:2", country="RU",
                                       lat=54.7, lon=20.5, evidence="Russia moved Iskanders to Kaliningrad.")])
    fmap = layers.build_map(events)
    deployment_layers = [c for c in fmap._children.values() if isinstance(c, layers.EventLayer)]
    drawn = {f["properties"]["s"] for layer in deployment_layers for f in layer.data["features"]
             if "s" in f["properties"]}
    assert drawn == {"10031004161211000000", "10061000001307000000"}
    icons = {code for layer in deployment_layers for code in json.loads(layer.symbols_json)}
    assert icons == drawn
    page = fmap.get_root().render()
    assert "Deployments (APP-6)" in page and "hostile unit (Russia, Belarus)" in page


def test_drawing_a_symbol_writes_no_file_and_keeps_every_shape(tmp_path, monkeypatch) -> None:
    from geo.symbol_drawing import symbol_drawing

    monkeypatch.chdir(tmp_path)
    symbols.symbol_svg.cache_clear()
    svg = symbols.symbol_svg("10033000001200000000")  # a friendly warship: its frame is an ellipse
    assert list(tmp_path.iterdir()) == []  # the package's own cropping would leave "svg.tmp" here
    assert "<ellipse" in svg
    _, _, width, height = (float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    assert width == pytest.approx(height, rel=0.05) and 40 < width < 50  # cropped around the round frame
    area = symbol_drawing("10033000001200000000", 20)
    assert len(area.get_children()) >= 3  # the frame's fill and outline, and the icon
