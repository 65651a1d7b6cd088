"""The gazetteer resolves every kind of place the product reads about, offline."""

from __future__ import annotations

import itertools
import math

import pytest
import shapely
from pyproj import Geod

from geo.gazetteer import load_gazetteer

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000


def best(gaz, name):
    found = gaz.lookup(name)
    assert found, f"{name!r} did not resolve"
    return found[0]


@pytest.mark.parametrize(
    ("name", "kind", "country", "lat", "lon", "tolerance_km"),
    [
        # eFP battlegroups, 2017 and 2022
        ("Tapa", None, "EE", 59.26, 25.96, 15),
        ("Ādaži", None, "LV", 57.10, 24.35, 15),
        ("Adazi", None, "LV", 57.10, 24.35, 15),
        ("Rukla", None, "LT", 55.05, 24.38, 15),
        ("Orzysz", None, "PL", 53.81, 21.95, 15),
        ("Lešť", None, "SK", 48.36, 19.32, 25),
        ("Cincu", None, "RO", 45.91, 24.80, 25),
        ("Novo Selo", None, "BG", 42.47, 26.52, 60),
        ("Tata", None, "HU", 47.65, 18.32, 25),
        # training areas, air bases, missile defence
        ("Pabradė", None, "LT", 54.98, 25.76, 20),
        ("Drawsko Pomorskie", None, "PL", 53.53, 15.81, 25),
        ("Šiauliai Air Base", "air_base", "LT", 55.89, 23.39, 10),
        ("Ämari", None, "EE", 59.26, 24.21, 10),
        ("Amari", None, "EE", 59.26, 24.21, 10),
        ("Redzikowo", None, "PL", 54.48, 17.11, 10),
        ("Deveselu", None, "RO", 44.08, 24.38, 10),
        # both sides' ranges, naval bases and airfields, and the islands of the Aegean (added 2026-12)
        ("Putlos", "training_area", "DE", 54.30, 10.93, 15),
        ("Kapustin Yar range", "training_area", "RU", 48.6, 45.8, 40),
        ("Lesvos", "island", "GR", 39.2, 26.3, 40),
        ("Lemnos", "island", "GR", 39.9, 25.25, 40),
        ("Gölcük Naval Base", "naval_base", "TR", 40.72, 29.80, 10),
        ("Savasleyka", "air_base", "RU", 55.44, 42.31, 10),
        ("Trøndelag", "region", "NO", 63.5, 11.0, 80),
        ("Krasnodar Territory", "region", "RU", 45.3, 39.1, 150),
        # a second sweep of the flank's sites and waters (2026-12)
        ("Banak air station", "air_base", "NO", 70.07, 24.97, 10),
        ("Berga naval base", "naval_base", "SE", 59.07, 18.12, 10),
        ("Dretun range", "training_area", "BY", 55.7, 29.1, 40),
        ("Brestsky range", "training_area", "BY", 52.1, 24.0, 30),
        ("Archipelago Sea", "sea", "FI", 60.2, 21.5, 80),
        ("Sea of Åland", "sea", None, 60.1, 19.3, 60),
        ("Sulina channel", "strait", "RO", 45.17, 29.3, 40),
        ("Siversky", "air_base", "RU", 59.36, 30.04, 10),
        ("Storskog", "border", "NO", 69.68, 30.13, 10),
        ("Vaalimaa", "border", "FI", 60.58, 27.85, 15),
        ("Medyka border crossing", "border", "PL", 49.80, 22.94, 10),
        ("Focșani Gate", "chokepoint", "RO", 45.75, 27.3, 60),
        ("Faslane", "naval_base", "GB", 56.07, -4.82, 10),
        ("Eygelshoven", "base", "NL", 50.90, 6.04, 10),
        # Russian and Belarusian sites
        ("Kaliningrad", None, "RU", 54.71, 20.51, 40),
        ("Pskov", None, "RU", 57.82, 28.33, 20),
        ("Barysaw", None, "BY", 54.23, 28.50, 30),
        ("Borisov", None, "BY", 54.23, 28.50, 30),
        ("Asipovichy", None, "BY", 53.30, 28.64, 30),
        ("Hrodna", None, "BY", 53.68, 23.83, 10),
        ("Grodno", None, "BY", 53.68, 23.83, 10),
        # seas, gulfs, islands, regions
        ("Baltic Sea", "sea", "", 57.5, 19.5, 400),
        ("Gulf of Finland", "gulf", None, 59.8, 26.0, 250),
        ("Gulf of Riga", "gulf", None, 57.6, 23.5, 100),
        ("Black Sea", "sea", None, 43.4, 34.0, 400),
        ("Sea of Azov", "sea", None, 46.0, 36.5, 200),
        ("Gotland", None, "SE", 57.5, 18.55, 60),
        ("Åland", None, "AX", 60.2, 20.0, 80),
        ("Aland", None, "AX", 60.2, 20.0, 80),
        ("Bornholm", None, "DK", 55.1, 14.9, 40),
        ("Kaliningrad Oblast", "region", "RU", 54.7, 21.0, 100),
        ("Crimea", None, "UA", 45.3, 34.4, 150),
        ("Donbas", None, "UA", 48.3, 38.0, 150),
        ("Transnistria", None, "MD", 47.2, 29.4, 100),
        ("Latgale", None, "LV", 56.3, 27.3, 100),
        # chokepoints and corridors
        ("Suwałki Gap", "chokepoint", "PL", 54.2, 23.2, 60),
        ("Sulwaki Gap", "chokepoint", "PL", 54.2, 23.2, 60),
        ("Fehmarn Belt", None, None, 54.57, 11.3, 40),
        ("Øresund", None, None, 55.9, 12.7, 60),
        ("Bosporus", None, "TR", 41.12, 29.06, 40),
        ("Dardanelles", None, "TR", 40.2, 26.4, 60),
        ("Kerch Strait", None, None, 45.3, 36.5, 60),
        # aliases: local, Polish, German, Russian forms and transliterations
        ("Vilnius", None, "LT", 54.69, 25.28, 10),
        ("Wilno", None, "LT", 54.69, 25.28, 10),
        ("Kyiv", None, "UA", 50.45, 30.52, 10),
        ("Kiev", None, "UA", 50.45, 30.52, 10),
        ("Narva", None, "EE", 59.38, 28.19, 10),
        ("Нарва", None, "EE", 59.38, 28.19, 10),
        ("Königsberg", None, "RU", 54.71, 20.51, 40),
        # both sides' ranges and waters named in exercise reports
        ("Molkino", "training_area", "RU", 44.8, 38.74, 25),
        ("Kaliakra", None, "BG", 43.36, 28.47, 10),
        ("Blåtind skytefelt", "training_area", "NO", 68.79, 18.58, 20),
        ("Hanöbukten", "gulf", "SE", 55.85, 14.6, 40),
        ("Ravlunda skjutfält", "training_area", "SE", 55.73, 14.18, 10),
        ("Pechenga range", "training_area", "RU", 69.45, 31.1, 25),
        ("Rhine Ordnance Barracks", "base", "DE", 49.43, 7.71, 5),
    ],
)
def test_every_kind_of_place_resolves(gaz, name, kind, country, lat, lon, tolerance_km):
    match = best(gaz, name)
    place = match.place
    assert km(lat, lon, place.lat, place.lon) <= tolerance_km, (name, place)
    if kind is not None:
        assert place.kind == kind, (name, place)
    if country:
        assert place.country == country, (name, place)


def test_misspelled_suwalki_gap_is_fuzzy(gaz):
    match = best(gaz, "Sulwaki Gap")
    assert match.place.name == "Suwałki Gap"
    assert 80 <= match.score < 100


def test_lookup_ignores_case_and_diacritics(gaz):
    assert best(gaz, "SIAULIAI AIR BASE").place == best(gaz, "Šiauliai Air Base").place
    assert best(gaz, "suwalki gap").place.name == "Suwałki Gap"


def test_umlauts_and_nordic_letters_written_out_resolve(gaz):
    assert best(gaz, "Grafenwoehr").place == best(gaz, "Grafenwöhr").place  # catalogue alias
    assert best(gaz, "Roenne").place == best(gaz, "Rønne").place  # GeoNames town
    assert best(gaz, "Muenster").place.name == "Münster"
    assert gaz.lookup("Grafenwoehr", fuzzy=False)  # an exact key, so the mention finder sees it


def test_georgia_has_two_candidates(gaz):
    places = gaz.candidates("Georgia")
    kinds = {(p.kind, p.country) for p in places}
    assert ("country", "GE") in kinds
    assert any(p.country == "US" for p in places), places


def test_group_regions_expand_to_members(gaz):
    baltics = best(gaz, "the Baltic states").place
    assert set(baltics.members) == {"EE", "LV", "LT"}
    assert {"PL", "RO", "BG"} <= set(best(gaz, "eastern flank").place.members)
    assert {"NO", "SE", "FI", "DK"} <= set(best(gaz, "the Nordics").place.members)
    assert {"RO", "BG", "TR"} <= set(best(gaz, "Black Sea region").place.members)


def test_named_exercises_are_catalogued(gaz):
    for name in ["Saber Strike", "BALTOPS", "Zapad", "Defender Europe", "Steadfast Defender", "Anakonda",
                 "Iron Wolf", "Spring Storm", "Kevadtorm", "Hedgehog", "Siil", "Trident Juncture",
                 "Cold Response", "Nordic Response", "Dragon"]:
        assert gaz.exercise_names.get(name.lower().replace("-", " ")), name


def test_country_and_subdivision_of_a_point(gaz):
    assert gaz.country_at(25.28, 54.69) == "LT"
    assert gaz.country_at(20.51, 54.71) == "RU"
    assert gaz.country_at(19.5, 57.5) is None  # the Baltic Sea
    sub = gaz.subdivision_at(20.51, 54.71)
    assert sub is not None and sub.id == "admin1:RU-KGD"


def test_suwalki_gap_polygon(gaz):
    gap = gaz.geometry(best(gaz, "Suwałki Gap").place)
    shapes = gaz.country_shapes
    kaliningrad = gaz.geometry(gaz.place("admin1:RU-KGD"))
    assert gap.distance(kaliningrad) < 0.01 and gap.distance(shapes["BY"]) < 0.01
    host = shapely.union_all([shapes["PL"], shapes["LT"]]).buffer(0.001)
    assert host.contains(gap)
    ring = gap.minimum_rotated_rectangle.exterior.coords
    sides = [km(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(ring)]
    assert 60 <= max(sides) <= 110, sides


def test_central_lithuania_is_inside_lithuania_near_its_centroid(gaz):
    lithuania = gaz.country("LT")
    place, geom = gaz.subregion("central", lithuania)
    shape = gaz.country_shapes["LT"]
    assert shape.buffer(0.001).contains(geom)
    centroid = shape.centroid
    assert km(place.lat, place.lon, centroid.y, centroid.x) <= 60
    assert math.isclose(place.lat, 55.2, abs_tol=0.5)


@pytest.mark.parametrize(
    ("direction", "iso", "lat", "lon", "tolerance_km"),
    [("eastern", "UA", 48.6, 37.3, 150), ("north-eastern", "PL", 53.8, 22.5, 120),
     ("western", "PL", 52.2, 16.2, 120), ("northern", "LT", 55.85, 23.8, 120), ("central", "SK", 48.7, 19.4, 120)],
)
def test_directional_subregions(gaz, direction, iso, lat, lon, tolerance_km):
    place, geom = gaz.subregion(direction, gaz.country(iso))
    assert km(lat, lon, place.lat, place.lon) <= tolerance_km
    assert gaz.country_shapes[iso].buffer(0.001).contains(geom)


def test_a_range_adjective_names_the_range_alone(gaz):
    assert best(gaz, "Brestsky").place.id == "catalogue:brest_training_ground"
    assert best(gaz, "Osipovichsky").place.id == "catalogue:asipovichy_training_ground"
