"""Range rings: how far the weapon systems the articles place can reach.

A catalogue (``data/catalogue/weapon_ranges.csv``, published maximum ranges with their
sources) names each system's aliases. A deployment at a site (a base, town or
training area, not a whole country or region) whose evidence sentence or equipment names a
system puts that system there; each (system, site) becomes one geodesic
ring of the system's range, traced back to the sentence that placed it there.
"""

from __future__ import annotations

import csv
import html
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from geo.map_features import EVIDENCE_CHARS, escaped_text

CATALOGUE = Path(__file__).resolve().parents[1] / "data" / "catalogue" / "weapon_ranges.csv"
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG), as great-circle distances are usually given
RING_VERTICES = 128
SIDE_COLOURS = {"RU": "#c92a2a", "NATO": "#1864ab"}
# A ring needs a site: a country's or a region's label point would draw the range from nowhere in particular.
SITE_KINDS = frozenset({"city", "base", "air_base", "naval_base", "training_area", "missile_defence",
                        "headquarters", "island"})


@dataclass(frozen=True)
class WeaponSystem:
    """One catalogue row: a system, the words that name it, its range and where the figure comes from."""

    name: str
    pattern: re.Pattern[str]
    range_km: float
    role: str
    side: str
    source: str


@cache
def weapon_systems(path: Path = CATALOGUE) -> tuple[WeaponSystem, ...]:
    """Return the catalogue's systems, in its order."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        WeaponSystem(name=r["system"], range_km=float(r["range_km"]), role=r["role"], side=r["side"],
                     source=r["source"],
                     pattern=re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in r["names"].split("|"))
                                        + r")(?![\w-])"))
        for r in rows)


def systems_named(text: str) -> list[WeaponSystem]:
    """Return the catalogue systems that ``text`` names (case-sensitive whole words, "Iskanders")."""
    return [s for s in weapon_systems() if s.pattern.search(text)]


def placed_systems(events: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (system, site): the deployments that name a system, with its first evidence.

    Columns: system, lat, lon, place, country, events (how many deployments there name it),
    evidence, article_title, article_source, year.
    """
    columns = ["system", "lat", "lon", "place", "country", "events", "evidence", "article_title",
               "article_source", "year"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    deployments = events[(events["type"] == "deployment") & events["kind"].isin(SITE_KINDS)
                         & events["lat"].notna() & events["lon"].notna()]
    rows = []
    for r in deployments.to_dict(orient="records"):
        text = f"{r.get('evidence') or ''} {str(r.get('equipment') or '').replace(',', ' ')}"
        for system in systems_named(text):
            rows.append({"system": system.name, "lat": float(r["lat"]), "lon": float(r["lon"]),
                         "place": r.get("place") or "", "country": r.get("country") or "",
                         "evidence": r.get("evidence") or "", "article_title": r.get("article_title") or "",
                         "article_source": r.get("article_source") or "", "year": r.get("year")})
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows)
    site = [frame["system"], frame["lat"].round(3), frame["lon"].round(3)]
    frame["events"] = frame.groupby(site)["system"].transform("size")
    return frame.drop_duplicates(subset=["system", "lat", "lon"]).reset_index(drop=True)[columns]


def destination(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """Return the (lat, lon) reached from (``lat``, ``lon``) after ``km`` on the great circle of ``bearing_deg``."""
    phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lam2 = lam1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                             math.cos(delta) - math.sin(phi1) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lam2) + 540.0) % 360.0 - 180.0


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in km between two points (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def ring(lat: float, lon: float, km: float, vertices: int = RING_VERTICES) -> list[list[float]]:
    """Return the closed [lon, lat] ring of points ``km`` from the centre, as a GeoJSON polygon ring."""
    points = [destination(lat, lon, 360.0 * i / vertices, km) for i in range(vertices)]
    coords = [[round(x, 4), round(y, 4)] for y, x in points]
    return [*coords, coords[0]]


def range_rings(events: pd.DataFrame, systems: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Return one GeoJSON ring feature per (system, site) named by the deployments in ``events``.

    ``systems`` limits the rings to those system names (None: every system named). Properties as
    the event layers' (``p`` popup, ``t`` tooltip, ``c`` colour, ``n`` deployments), all text escaped.
    """
    by_name = {s.name: s for s in weapon_systems()}
    features = []
    for r in placed_systems(events).to_dict(orient="records"):
        system = by_name[r["system"]]
        if systems is not None and system.name not in systems:
            continue
        where = escaped_text(r["place"]) + (f" ({escaped_text(r['country'])})" if r["country"] else "")
        km = f"{system.range_km:,.0f} km"
        popup = (f'<div class="flank-popup"><b>{html.escape(system.name)}: {km} from {where}</b><br>'
                 f"{html.escape(system.role)}<br><i>“{escaped_text(r['evidence'], EVIDENCE_CHARS)}”</i><br>"
                 f"<small>{escaped_text(r['article_title'])} — {escaped_text(r['article_source'])}<br>"
                 f"Range: {html.escape(system.source)}</small></div>")
        features.append({"type": "Feature",
                         "geometry": {"type": "Polygon", "coordinates": [ring(r["lat"], r["lon"], system.range_km)]},
                         "properties": {"p": popup, "t": f"{html.escape(system.name)} {km} · {where}",
                                        "c": SIDE_COLOURS.get(system.side, "#495057"), "n": int(r["events"]),
                                        "km": system.range_km, "centre": [round(r["lon"], 4), round(r["lat"], 4)]}})
    return features


def named_system_counts(events: pd.DataFrame) -> dict[str, int]:
    """Return, per system named by the deployments in ``events``, the number of sites it is placed at."""
    placed = placed_systems(events)
    return {name: int(n) for name, n in placed.groupby("system").size().items()}
