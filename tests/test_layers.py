"""build_map on its rendered HTML: feature counts per layer, escaping, local assets only, tiles."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from geo import layers
from geo.assets import asset_files, use_local_assets
from geo.store import EVENT_COLUMNS


def _event(i: int, **values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(EVENT_COLUMNS, "")
    row.update(event_id=f"e{i}", article_id="a", type="deployment", place="Tapa", place_id="geonames:588348",
               kind="city", country="EE", lat=59.26, lon=25.96, year=2017, status="arrived", troops=None,
               evidence="Troops arrived.", article_title="T", article_source="s.txt", article_published="2017-02-01")
    row.update(values)
    return row


@pytest.fixture(autouse=True)
def _local_assets() -> None:
    use_local_assets("app/static/vendor")


def _counts(html_text: str) -> dict[str, int]:
    match = re.search(r"var values = (\{[^}]*\});", html_text)
    assert match, "feature counts missing from the map"
    return {k: int(v) for k, v in json.loads(match.group(1)).items()}


def test_feature_counts_per_layer() -> None:
    events = pd.DataFrame([
        _event(0), _event(1, status="planned", troops=800),  # same place and layer: one symbol
        _event(2, place="Ādaži", place_id="geonames:461650", country="LV", lat=57.07, lon=24.32),
        _event(3, type="exercise", place="Estonia", place_id="country:EE", kind="country", lat=58.6, lon=25.0),
        _event(4, type="exercise", place="Toruń", place_id="geonames:3083271", country="PL", lat=53.0, lon=18.6),
        _event(5, type="chokepoint", place="Suwałki Gap", place_id="catalogue:suwalki_gap", kind="chokepoint",
               country="PL", lat=54.2, lon=23.0),
        _event(6, type="exercise", place="Brest", place_id="geonames:629634", country="BY", lat=52.1, lon=23.7),
        _event(7, place="Kaliningrad", place_id="admin1:RU-KGD", kind="region", country="RU", lat=54.7, lon=20.5),
    ])
    m = layers.build_map(events)
    out = m.get_root().render()
    assert _counts(out) == {"deployment": 2, "exercise": 2, "chokepoint": 1, "context": 2, "events": 8}
    features = layers.aggregate(events)
    assert features["exercise"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")  # Estonia as an area
    assert features["exercise"][1]["geometry"]["type"] == "Point"
    assert features["chokepoint"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert "2 events" in features["deployment"][0]["properties"]["t"]
    for name in layers.LAYER_TITLES.values():
        assert name in out  # each layer is listed in the layer control
    assert layers.ATTRIBUTION in out


def test_untrusted_text_is_escaped() -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    events = pd.DataFrame([_event(0, evidence=payload, article_title=payload, place=payload)])
    out = layers.build_map(events).get_root().render()
    assert "<script>alert" not in out and "<img src=x" not in out
    popup = layers.aggregate(events)["deployment"][0]["properties"]["p"]
    assert "&lt;script&gt;alert" in popup and "<img" not in popup


def test_only_local_assets_without_tiles() -> None:
    out = layers.build_map(pd.DataFrame([_event(0)])).get_root().render()
    assert not re.findall(r"https?://", out)
    assert '<script src="/app/static/vendor/leaflet.js">' in out
    assert "openstreetmap" not in out.lower() and "tile" not in out.lower()
    assert set(asset_files()) >= {"leaflet", "leaflet_css", "markerclusterjs"}
    assert all(p.is_file() for p in asset_files().values())


def test_tiles_only_when_asked() -> None:
    out = layers.build_map(pd.DataFrame([_event(0)]), tiles=True).get_root().render()
    assert "tile.openstreetmap.org" in out and "basemaps.cartocdn.com" in out


def test_many_events_stay_small() -> None:
    rows = [_event(i, place=f"P{i % 300}", place_id=f"geonames:{i % 300}", lat=50 + (i % 300) / 30,
                   lon=20 + (i % 17), evidence="x" * 300) for i in range(3000)]
    out = layers.build_map(pd.DataFrame(rows)).get_root().render()
    counts = _counts(out)
    assert counts["events"] == 3000 and counts["deployment"] <= layers.MAX_SYMBOLS
    assert len(out) < 1_000_000
    assert "more (see the evidence table)" in out


def test_empty_frame_draws_the_base_map() -> None:
    out = layers.build_map(pd.DataFrame(columns=EVENT_COLUMNS)).get_root().render()
    assert _counts(out)["events"] == 0
