"""What the map draws, as plain GeoJSON: one symbol per (layer, place) listing its events.

Free of folium and Streamlit: :func:`aggregate` groups events per layer and place (points merge
into grid cells past a budget), builds each symbol's popup and tooltip with every article text
HTML-escaped, and gives areas (exercise regions, straits) their simplified polygon.
``geo.layers`` turns these features into Leaflet layers, ``geo.render`` into a snapshot.
"""

from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo import symbols
from geo.gazetteer import Gazetteer, load_gazetteer

ADVERSARIES = symbols.HOSTILE  # Russia and Belarus: their sites form the context layer
LAYERS = ("deployment", "exercise", "chokepoint", "context")
LAYER_TITLES = {
    "deployment": "Deployments",
    "exercise": "Exercise areas",
    "chokepoint": "Chokepoints",
    "context": "Russian and Belarusian sites",
}
STATUS_COLOURS = {
    "arrived": "#c92a2a", "announced": "#7048e8", "planned": "#f08c00", "requested": "#e8b400",
    "ended": "#868e96", "": "#1c7ed6",
}
RANGE_KEY = "range"  # the range rings' features (geo.ranges), beside the event layers'
RANGE_TITLE = "Range rings"
LAYER_COLOURS = {"exercise": "#2b8a3e", "chokepoint": "#d9480f", "context": "#5c1a1b"}
MAX_LISTED = 3          # events listed per popup; the rest are counted ("+N more")
MAX_SYMBOLS = 450       # above this many point symbols, points are merged into grid cells
HARD_EVENTS = 50_000    # above this many events, aggregate per place regardless of type
EVIDENCE_CHARS = 160
TITLE_CHARS = 100
SIMPLIFY_DEG = 0.02


# ----- geometry -------------------------------------------------------------------------------
def geojson_of(geom: shapely.Geometry, tolerance: float = SIMPLIFY_DEG) -> dict[str, Any] | None:
    """Return ``geom`` simplified to ``tolerance`` degrees as a GeoJSON geometry, or None unless a polygon."""
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    small = shapely.set_precision(geom.simplify(tolerance, preserve_topology=True), tolerance / 4)
    if small.is_empty:
        return None
    return json.loads(shapely.to_geojson(small))


def area_geometry(place_id: str, gaz: Gazetteer | None = None) -> dict[str, Any] | None:
    """Return the simplified GeoJSON polygon of an area place id, or None for points and unknown ids.

    Cached per (place id, gazetteer): the gazetteer and boundaries are read-only, so the
    cache is safe across sessions. Callers must not modify the returned dict.
    """
    if not isinstance(place_id, str) or not place_id:
        return None
    return _cached_area_geometry(place_id, gaz)


@lru_cache(maxsize=8192)
def _cached_area_geometry(place_id: str, gaz: Gazetteer | None) -> dict[str, Any] | None:
    return _area_geometry(place_id, gaz if gaz is not None else load_gazetteer())


def _area_geometry(place_id: str, gaz: Gazetteer) -> dict[str, Any] | None:
    if not place_id:
        return None
    try:
        if place_id.startswith("subregion:"):
            _, direction, area_id = place_id.split(":", 2)
            found = gaz.subregion(direction, gaz.place(area_id))
            return geojson_of(found[1]) if found else None
        return geojson_of(gaz.geometry(gaz.place(place_id)))
    except (KeyError, ValueError):
        return None


# ----- aggregation ----------------------------------------------------------------------------
def layer_of(events: pd.DataFrame) -> pd.Series:
    """Return the layer name of each event: chokepoint, context (RU/BY), deployment or exercise."""
    layer = events["type"].where(events["type"].isin(("deployment", "exercise")), "chokepoint")
    return layer.mask(events["country"].isin(ADVERSARIES) & (layer != "chokepoint"), "context")


def escaped_text(value: object, limit: int | None = None) -> str:
    """Return ``value`` as HTML-escaped text (empty for None or NaN), cut to ``limit`` characters."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    s = str(value).strip()
    if limit and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return html.escape(s)


def _troops(value: object) -> int | None:
    try:
        n = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(n) if n == n and n > 0 else None


def _entry_html(row: dict[str, Any]) -> str:
    year = _troops(row.get("year"))
    when = escaped_text(row.get("article_published")) or (str(year) if year else "date unknown")
    head = " · ".join(p for p in (f"<b>{year or '?'}</b>", escaped_text(row.get("type")),
                                  escaped_text(row.get("status"))) if p)
    facts = []
    if row.get("lead_nation"):
        facts.append(f"lead {escaped_text(row['lead_nation'])}")
    if row.get("contributors"):
        facts.append(f"with {escaped_text(row['contributors']).replace(',', ', ')}")
    troops = _troops(row.get("troops"))
    if troops:
        facts.append(f"{troops:,} troops")
    source = " — ".join(p for p in (escaped_text(row.get("article_source")), when) if p)
    return (f"<p>{head}{'<br>' + ' · '.join(facts) if facts else ''}<br>"
            f"<i>“{escaped_text(row.get('evidence'), EVIDENCE_CHARS)}”</i><br>"
            f"<small>{escaped_text(row.get('article_title'), TITLE_CHARS)}<br>{source}</small></p>")


def _popup_html(title: str, rows: list[dict[str, Any]], total: int) -> str:
    body = "".join(_entry_html(r) for r in rows)
    more = f"<p><i>+{total - len(rows)} more (see the evidence table)</i></p>" if total > len(rows) else ""
    return f'<div class="flank-popup"><b>{title}</b> ({total} event{"s" if total != 1 else ""}){body}{more}</div>'


def _place_keys(frame: pd.DataFrame) -> pd.Series:
    """Return the place of each event: its place id, or "name@lat,lon" when it has none."""
    place = frame["place_id"].fillna("").astype(str)
    missing = place == ""
    if missing.any():
        sub = frame[missing]
        place = place.copy()
        place[missing] = (sub["place"].fillna("").astype(str) + "@" + sub["lat"].round(2).astype(str) + ","
                          + sub["lon"].round(2).astype(str))
    return place


def _snap_to_grid(keys: np.ndarray, layer_codes: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                  points: np.ndarray, budget: int) -> tuple[np.ndarray, bool]:
    """Return group keys where point symbols are merged into grid cells until they fit ``budget``.

    The cell doubles from 0.1 degree until the points make at most ``budget`` groups; the
    second value tells whether points were merged (their symbol then sits at the mean position).
    """
    cell = 0.1
    merged = False
    out = keys
    while len(pd.unique(out[points])) > budget and cell < 20:
        row = np.round(lat / cell).astype(np.int64) + 2_000
        col = np.round(lon / cell).astype(np.int64) + 4_000
        snapped = pd.factorize((layer_codes * 4_000 + row) * 8_000 + col)[0]
        out = np.where(points, keys.max() + 1 + snapped, keys)
        merged = True
        cell *= 2
    return out, merged


def _first_per_group(codes: np.ndarray, valid: np.ndarray, groups: int) -> np.ndarray:
    """Return, per group, the row position of its first ``valid`` row (-1 when none)."""
    first = np.full(groups, -1, dtype=np.int64)
    rows = np.flatnonzero(valid)[::-1]
    first[codes[rows]] = rows  # the last assignment per group wins: the earliest row
    return first


def _distinct_per_group(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Return, per group, the number of distinct ``values`` (integer codes) among its rows."""
    if not len(codes):
        return np.zeros(groups, dtype=np.int64)
    width = int(values.max()) + 1
    pairs = pd.unique(codes.astype(np.int64) * width + values)
    return np.bincount(pairs // width, minlength=groups)


def aggregate(events: pd.DataFrame, *, gaz: Gazetteer | None = None) -> dict[str, list[dict[str, Any]]]:
    """Return GeoJSON features per layer: one symbol per (layer, place), listing its events.

    Exercise and chokepoint places that are areas become their polygon; everything else a
    circle marker coloured by status (deployments) or by layer and sized by troops; a point of
    deployments also carries its newest deployment's APP-6 SIDC (property ``s``). Above
    MAX_SYMBOLS point symbols per map, points merge into grid cells. Grouping and counting
    are vectorised; popup HTML is built only for the MAX_LISTED newest events of each symbol,
    so the cost grows with the symbols drawn, not with the events.
    """
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYERS}
    frame = events.dropna(subset=["lat", "lon"])
    if frame.empty:
        return out
    hard = len(frame) > HARD_EVENTS
    years = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype=float)
    order = np.argsort(-np.nan_to_num(years, nan=-np.inf), kind="stable")  # newest first, unknown years last

    def column(name: str) -> np.ndarray:
        return frame[name].to_numpy()[order]

    layer_names = layer_of(frame).to_numpy()[order]
    layer_codes = pd.Categorical(layer_names, categories=list(LAYERS)).codes.astype(np.int64)
    place_codes = pd.factorize(_place_keys(frame).to_numpy()[order])[0].astype(np.int64)
    keys = place_codes if hard else layer_codes * (int(place_codes.max()) + 1) + place_codes

    place_ids = column("place_id")
    polygon_layers = np.isin(layer_names, ("exercise", "chokepoint"))
    area_ids = {pid for pid in pd.unique(place_ids[polygon_layers]) if area_geometry(pid, gaz) is not None}
    is_area = polygon_layers & pd.Series(place_ids).isin(area_ids).to_numpy()
    lat, lon = column("lat").astype(float), column("lon").astype(float)
    keys, merged = _snap_to_grid(keys, layer_codes, lat, lon, ~is_area, MAX_SYMBOLS)

    codes, uniques = pd.factorize(keys)  # groups numbered in order of their newest event
    groups = len(uniques)
    totals = np.bincount(codes, minlength=groups)
    first = _first_per_group(codes, np.ones(len(codes), dtype=bool), groups)
    context = np.bincount(codes, weights=(layer_names == "context"), minlength=groups) > 0
    mean_lat = np.bincount(codes, weights=lat, minlength=groups) / totals
    mean_lon = np.bincount(codes, weights=lon, minlength=groups) / totals
    troops = pd.to_numeric(pd.Series(column("troops")), errors="coerce")
    max_troops = troops.where(troops > 0).groupby(codes).max().reindex(range(groups)).to_numpy()
    names = pd.Series(column("place")).fillna("").astype(str).to_numpy(dtype=object)
    named = names != ""
    n_places = _distinct_per_group(codes[named], pd.factorize(names[named])[0], groups)
    first_named = _first_per_group(codes, named, groups)
    point_groups = ~is_area[first]

    rank = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    listed = np.flatnonzero(rank < MAX_LISTED)
    rows_of: list[list[dict[str, Any]]] = [[] for _ in range(groups)]
    for code, record in zip(codes[listed], frame.iloc[order[listed]].to_dict(orient="records"), strict=True):
        rows_of[code].append(record)

    country, status = column("country"), column("status")
    kinds = column("type")
    symbol_columns = {name: column(name) for name in symbols.SYMBOL_FIELDS if name in frame.columns}
    for g in range(groups):
        head = first[g]
        layer = "context" if hard and context[g] else str(layer_names[head])
        total = int(totals[g])
        title = escaped_text(names[first_named[g]]) if n_places[g] == 1 else f"{n_places[g]} places"
        where = escaped_text(country[head])
        tooltip = f"{title}{' (' + where + ')' if where and n_places[g] == 1 else ''} · {total} event" \
                  f"{'s' if total != 1 else ''}"
        troop = _troops(max_troops[g])
        colour = STATUS_COLOURS.get(str(status[head] or ""), STATUS_COLOURS[""]) \
            if layer == "deployment" else LAYER_COLOURS[layer]
        radius = 5.0 if troop is None else min(16.0, max(5.0, 2.5 * math.log10(troop) + 1))
        geometry = None if point_groups[g] else area_geometry(place_ids[head], gaz)
        if geometry is None:
            at_mean = merged and point_groups[g]
            y = float(mean_lat[g]) if at_mean else float(lat[head])
            x = float(mean_lon[g]) if at_mean else float(lon[head])
            geometry = {"type": "Point", "coordinates": [round(x, 4), round(y, 4)]}
        props = {"p": _popup_html(title, rows_of[g], total), "t": tooltip, "c": colour,
                 "r": round(radius, 1), "n": total}
        if point_groups[g] and kinds[head] == "deployment":
            props["s"] = symbols.row_sidc({name: values[head] for name, values in symbol_columns.items()})
        out[layer].append({"type": "Feature", "geometry": geometry, "properties": props})
    return out


def feature_counts(features: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Return the number of drawn symbols per layer, "events" (the events they stand for) and
    "range" (the range rings drawn)."""
    counts = {name: len(features.get(name, [])) for name in LAYERS}
    counts["events"] = sum(f["properties"]["n"] for name in LAYERS for f in features.get(name, []))
    counts[RANGE_KEY] = len(features.get(RANGE_KEY, []))
    return counts
