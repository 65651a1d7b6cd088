"""build_map on its rendered HTML: feature counts per layer, escaping, local assets only, tiles, aggregation."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import layers, map_features
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
    assert _counts(out) == {"deployment": 2, "exercise": 2, "chokepoint": 1, "context": 2, "events": 8, "range": 0}
    features = map_features.aggregate(events)
    assert features["exercise"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")  # Estonia as an area
    assert features["exercise"][1]["geometry"]["type"] == "Point"
    assert features["chokepoint"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert "2 events" in features["deployment"][0]["properties"]["t"]
    for name in map_features.LAYER_TITLES.values():
        assert name in out  # each layer is listed in the layer control
    assert layers.ATTRIBUTION in out


def test_untrusted_text_is_escaped() -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    events = pd.DataFrame([_event(0, evidence=payload, article_title=payload, place=payload)])
    out = layers.build_map(events).get_root().render()
    assert "<script>alert" not in out and "<img src=x" not in out
    popup = map_features.aggregate(events)["deployment"][0]["properties"]["p"]
    assert "&lt;script&gt;alert" in popup and "<img" not in popup


def test_only_local_assets_without_tiles() -> None:
    out = layers.build_map(pd.DataFrame([_event(0)])).get_root().render()
    assert not re.findall(r"https?://", out)
    assert '<script src="/app/static/vendor/leaflet.js">' in out
    assert "openstreetmap" not in out.lower() and "tilelayer" not in out.lower()  # ("hostile" holds "tile")
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
    assert counts["events"] == 3000 and counts["deployment"] <= map_features.MAX_SYMBOLS
    assert len(out) < 1_000_000
    assert "more (see the evidence table)" in out


def test_empty_frame_draws_the_base_map() -> None:
    out = layers.build_map(pd.DataFrame(columns=EVENT_COLUMNS)).get_root().render()
    assert _counts(out)["events"] == 0


def test_article_text_is_never_a_template() -> None:
    # folium renders scripts through Jinja: "{{ ... }}" in an article must stay text, not run.
    payload = "x {{ 7*7 }} {% for i in range(3) %}L{% endfor %} {# c #} y"
    events = pd.DataFrame([_event(0, evidence=payload, place=payload, article_title="{{ config }}")])
    out = layers.build_map(events).get_root().render()
    assert "x 49" not in out and "LLL" not in out and "{{" not in out and "{%" not in out
    layer = next(c for c in layers.build_map(events)._children.values() if isinstance(c, layers.EventLayer))
    popup = json.loads(layer.data_json)["features"][0]["properties"]["p"]
    assert "x {{ 7*7 }} {% for i in range(3) %}L{% endfor %} {# c #} y" in popup


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))
@settings(max_examples=200, deadline=None)
def test_script_json_round_trips_and_is_inert(value: object) -> None:
    text = layers.script_json(value)
    assert json.loads(text) == value
    assert not re.search(r"\{[{%#]|<|>|&|'", text)


def test_dashboard_layers_keep_the_base_map_unchanged() -> None:
    """The map without events is the same for any events; the events and counts come as feature groups."""
    few = pd.DataFrame([_event(0)])
    more = pd.DataFrame([_event(0), _event(1, place="Ādaži", place_id="geonames:461650", lat=57.07, lon=24.32)])
    base = layers.base_map().get_root().render()
    assert "feature-count" not in base and "Natural Earth" in base
    groups = layers.event_layers(map_features.aggregate(more))
    assert [type(g) for g in groups] == [layers.EventLayer] * 4 + [layers.FeatureCounts]
    assert [g.layer_name for g in groups[:4]] == list(map_features.LAYER_TITLES.values())
    assert not groups[-1].control  # the counts are not a layer to switch off
    m = layers.base_map()
    for group in groups:
        group.add_to(m)
    assert _counts(m.get_root().render())["deployment"] == 2
    assert _counts(layers.build_map(few).get_root().render())["deployment"] == 1


def test_points_merge_into_cells_above_the_symbol_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_event(i, place=f"P{i}", place_id=f"geonames:{i}", lat=54.0 + i * 0.001, lon=25.0, troops=100 * (i + 1))
            for i in range(6)]
    rows.append(_event(9, place="Far", place_id="geonames:99", lat=44.0, lon=15.0))
    monkeypatch.setattr(map_features, "MAX_SYMBOLS", 2)
    features = map_features.aggregate(pd.DataFrame(rows))["deployment"]
    assert len(features) == 2
    near = next(f for f in features if f["properties"]["n"] == 6)
    assert near["properties"]["t"].startswith("6 places")
    assert near["geometry"]["coordinates"] == [25.0, round(54.0 + 0.0025, 4)]  # the mean of the six
    assert near["properties"]["r"] == round(2.5 * math.log10(600) + 1, 1)  # sized by the largest troops
    assert near["properties"]["p"].count("<p>") == map_features.MAX_LISTED + 1  # three listed, then "+3 more"
    assert "+3 more" in near["properties"]["p"]


def test_above_the_hard_limit_one_symbol_per_place(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_event(0), _event(1, type="exercise"), _event(2, type="deployment", country="RU")]
    monkeypatch.setattr(map_features, "HARD_EVENTS", 2)
    features = map_features.aggregate(pd.DataFrame(rows))
    assert map_features.feature_counts(features) == {"deployment": 0, "exercise": 0, "chokepoint": 0, "context": 1,
                                                     "events": 3, "range": 0}
    monkeypatch.setattr(map_features, "HARD_EVENTS", 50_000)
    assert map_features.feature_counts(map_features.aggregate(pd.DataFrame(rows)))["deployment"] == 1
