"""Range rings: the catalogue, which deployments place a system, and the geodesic rings."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo import layers, map_features, ranges
from geo.store import EVENT_COLUMNS

CHERNYAKHOVSK = (54.633, 21.817)


def _deployment(i: int, **values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(EVENT_COLUMNS, "")
    row.update(event_id=f"e{i}", article_id="a", type="deployment", place="Chernyakhovsk", place_id="geonames:1",
               kind="city", country="RU", lat=CHERNYAKHOVSK[0], lon=CHERNYAKHOVSK[1], year=2018,
               evidence="Russia has moved Iskander missiles to Chernyakhovsk in Kaliningrad.",
               article_title="Iskanders in Kaliningrad", article_source="iskander.txt", equipment="Iskander")
    row.update(values)
    return row


def test_every_catalogue_row_has_a_range_and_a_source() -> None:
    systems = ranges.weapon_systems()
    assert len(systems) >= 10 and len({s.name for s in systems}) == len(systems)
    assert all(s.range_km > 0 and "http" in s.source and s.side in ("RU", "NATO") for s in systems)
    assert {"Iskander-M", "S-400"} <= {s.name for s in systems}
    assert next(s for s in systems if s.name == "Iskander-M").range_km == 500
    assert next(s for s in systems if s.name == "S-400").range_km == 400


@pytest.mark.parametrize(("text", "named"), [
    ("Russia moved Iskanders to Kaliningrad", ["Iskander-M"]),
    ("two S-400s and an Iskander-M brigade", ["Iskander-M", "S-400"]),
    ("US Patriot batteries arrived in Rzeszów", ["Patriot"]),
    ("a patriotic rally in Vilnius", []),         # not the system
    ("the Tornado-S rocket launchers", []),       # not in the catalogue
    ("NASAMS-like defences", []),                 # part of another word
])
def test_systems_are_named_by_their_aliases_as_whole_words(text: str, named: list[str]) -> None:
    assert sorted(s.name for s in ranges.systems_named(text)) == named


def test_the_ring_lies_its_range_from_the_site_in_every_direction() -> None:
    lat, lon = CHERNYAKHOVSK
    coords = ranges.ring(lat, lon, 500.0)
    assert coords[0] == coords[-1] and len(coords) == ranges.RING_VERTICES + 1
    distances = [ranges.great_circle_km(lat, lon, y, x) for x, y in coords]
    assert min(distances) > 499.0 and max(distances) < 501.0
    ys = [y for _, y in coords]
    assert max(ys) == pytest.approx(lat + 500 / 111.2, abs=0.05)  # due north: 500 km is some 4.5 degrees


def test_the_great_circle_distance_of_two_capitals() -> None:
    assert ranges.great_circle_km(52.2297, 21.0122, 54.6872, 25.2797) == pytest.approx(391, abs=3)  # Warsaw-Vilnius


def test_a_deployment_at_a_site_naming_a_system_gets_its_ring_and_its_evidence() -> None:
    events = pd.DataFrame([
        _deployment(0),
        _deployment(1, evidence="More Iskanders <b>arrived</b> in Chernyakhovsk.", year=2019),  # same site: one ring
        _deployment(2, place="Russia", kind="country", lat=61.5, lon=90.0),  # no site: no ring
        _deployment(3, type="exercise", place="Luga", lat=58.7, lon=29.8),   # fired in an exercise: no ring
    ])
    rings = ranges.range_rings(events)
    assert len(rings) == 1
    props = rings[0]["properties"]
    assert props["km"] == 500 and props["centre"] == [CHERNYAKHOVSK[1], CHERNYAKHOVSK[0]] and props["n"] == 2
    assert "Iskander-M: 500 km from Chernyakhovsk (RU)" in props["p"] and "Iskanders in Kaliningrad" in props["p"]
    assert props["c"] == ranges.SIDE_COLOURS["RU"]
    assert ranges.range_rings(events, ("Patriot",)) == []
    assert ranges.named_system_counts(events) == {"Iskander-M": 1}


def test_article_text_in_a_ring_popup_is_escaped() -> None:
    events = pd.DataFrame([_deployment(0, evidence='Iskanders <img src=x onerror="alert(1)"> in Chernyakhovsk',
                                       article_title="<script>alert(2)</script>")])
    popup = ranges.range_rings(events)[0]["properties"]["p"]
    assert "<img" not in popup and "<script" not in popup and "&lt;img" in popup


def test_the_map_carries_the_rings_in_a_layer_of_their_own() -> None:
    fmap = layers.build_map(pd.DataFrame([_deployment(0)]))
    ring_layer = next(c for c in fmap._children.values() if isinstance(c, layers.RangeLayer))
    features = json.loads(ring_layer.data_json)["features"]
    assert [f["properties"]["km"] for f in features] == [500]
    page = fmap.get_root().render()
    assert map_features.RANGE_TITLE in page and '"range":"1"' in page and "measure-state" in page
