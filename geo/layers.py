"""Map layers: events as folium layers over the bundled boundaries, free of Streamlit.

Events are aggregated per (layer, place) into one symbol whose popup lists them, and each
layer is a single GeoJSON object drawn on a canvas, so 10,000 events ship as a few hundred
small features rather than 10,000 Leaflet objects. Every text that comes from an article is
HTML-escaped here, because Leaflet inserts popup and tooltip strings as HTML.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.gazetteer import Gazetteer, load_gazetteer

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES_GEOJSON = ROOT / "data" / "boundaries" / "countries.geojson"
ATTRIBUTION = "Boundaries: Natural Earth. Places: GeoNames (CC BY 4.0)."
DEFAULT_CENTER = (55.0, 24.0)
DEFAULT_ZOOM = 4

FLANK_ALLIES = frozenset({"EE", "LV", "LT", "PL", "SK", "HU", "RO", "BG", "FI", "SE", "NO", "DK", "DE", "CZ"})
ADVERSARIES = frozenset({"RU", "BY"})
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
LAYER_COLOURS = {"exercise": "#2b8a3e", "chokepoint": "#d9480f", "context": "#5c1a1b"}
SEA = "#cfe3f1"
CARTO_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
CARTO_ATTR = "&copy; OpenStreetMap contributors &copy; CARTO"

MAX_LISTED = 3          # events listed per popup; the rest are counted ("+N more")
MAX_SYMBOLS = 450       # above this many point symbols, points are merged into grid cells
HARD_EVENTS = 50_000    # above this many events, aggregate per place regardless of type
EVIDENCE_CHARS = 160
TITLE_CHARS = 100
SIMPLIFY_DEG = 0.02
BASE_SIMPLIFY_DEG = 0.04
# The base map only needs the region (Atlantic to the Urals), so Russia's Asian part is clipped.
REGION_BOX = shapely.box(-25.0, 33.0, 65.0, 72.0)


# ----- folium elements ------------------------------------------------------------------------
class EventLayer(folium.map.Layer):
    """One toggleable layer of pre-styled GeoJSON features (circle markers for points).

    Feature properties: ``p`` popup HTML, ``t`` tooltip HTML, ``c`` colour, ``r`` radius.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data|tojson }}, {
            pointToLayer: function (f, latlng) {
                var p = f.properties;
                return L.circleMarker(latlng, {radius: p.r, color: "#212529", weight: 1,
                                               fillColor: p.c, fillOpacity: 0.85});
            },
            style: function (f) {
                var p = f.properties;
                return {color: p.c, weight: 2, fillColor: p.c, fillOpacity: {{ this.fill_opacity }}};
            },
            onEachFeature: function (f, layer) {
                layer.bindPopup(f.properties.p, {maxWidth: 380, maxHeight: 320});
                layer.bindTooltip(f.properties.t, {sticky: true});
            }
        });
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, data: dict[str, Any], name: str, *, fill_opacity: float = 0.25, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "EventLayer"
        self.data = data
        self.fill_opacity = fill_opacity


class BaseBoundaries(folium.map.Layer):
    """The bundled country boundaries, drawn as a non-interactive base (no network, no tiles)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data|tojson }}, {
            interactive: false,
            style: function (f) { return f.properties.s; }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(name="Boundaries", overlay=True, control=True, show=True)
        self._name = "BaseBoundaries"
        self.data = data


class MapExtras(MacroElement):
    """Attribution, Leaflet's icon path, a legend and a hidden element with the feature counts."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            map.attributionControl.setPrefix(false);
            map.attributionControl.addAttribution({{ this.attribution|tojson }});
            {% if this.icon_path %}L.Icon.Default.imagePath = {{ this.icon_path|tojson }};{% endif %}
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "flank-legend");
                div.innerHTML = {{ this.legend|tojson }};
                return div;
            };
            legend.addTo(map);
            var counts = document.getElementById("feature-count") || document.createElement("div");
            counts.id = "feature-count";
            counts.hidden = true;
            var values = {{ this.counts|tojson }};
            Object.keys(values).forEach(function (k) { counts.setAttribute("data-" + k, values[k]); });
            document.body.appendChild(counts);
        })();
        {% endmacro %}
    """)

    def __init__(self, counts: dict[str, int], icon_path: str | None) -> None:
        super().__init__()
        self._name = "MapExtras"
        self.counts = {k: str(v) for k, v in counts.items()}
        self.attribution = html.escape(ATTRIBUTION)
        self.icon_path = icon_path
        self.legend = _legend_html()


MAP_CSS = f"""<style>
.leaflet-container {{ background: {SEA}; }}
.flank-legend {{ background: rgba(255,255,255,.9); padding: 4px 8px; font: 12px sans-serif; border-radius: 4px; }}
.flank-legend i {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }}
.flank-popup p {{ margin: 4px 0; }}
</style>"""


def _legend_html() -> str:
    items = [(f"deployment: {s}" if s else "deployment: status unknown", c) for s, c in STATUS_COLOURS.items()]
    items += [(LAYER_TITLES[k], c) for k, c in LAYER_COLOURS.items()]
    return "<br>".join(f'<i style="background:{c}"></i>{html.escape(label)}' for label, c in items)


# ----- geometry -------------------------------------------------------------------------------
def _geojson_of(geom: shapely.Geometry, tolerance: float = SIMPLIFY_DEG) -> dict[str, Any] | None:
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    small = shapely.set_precision(geom.simplify(tolerance, preserve_topology=True), tolerance / 4)
    if small.is_empty:
        return None
    return json.loads(shapely.to_geojson(small))


def area_geometry(place_id: str, gaz: Gazetteer | None = None) -> dict[str, Any] | None:
    """Return the simplified GeoJSON polygon of an area place id, or None for points and unknown ids."""
    if gaz is None:
        return _cached_area_geometry(place_id)
    return _area_geometry(place_id, gaz)


@lru_cache(maxsize=4096)
def _cached_area_geometry(place_id: str) -> dict[str, Any] | None:
    # The gazetteer and boundaries are read-only, so a process-wide cache is safe across sessions.
    return _area_geometry(place_id, load_gazetteer())


def _area_geometry(place_id: str, gaz: Gazetteer) -> dict[str, Any] | None:
    if not place_id:
        return None
    try:
        if place_id.startswith("subregion:"):
            _, direction, area_id = place_id.split(":", 2)
            found = gaz.subregion(direction, gaz.place(area_id))
            return _geojson_of(found[1]) if found else None
        return _geojson_of(gaz.geometry(gaz.place(place_id)))
    except (KeyError, ValueError):
        return None


@lru_cache(maxsize=1)
def base_boundaries() -> dict[str, Any]:
    """Return the bundled countries as a simplified FeatureCollection with a style per country."""
    doc = json.loads(COUNTRIES_GEOJSON.read_text(encoding="utf-8"))
    features = []
    for f in doc["features"]:
        iso = f["properties"].get("iso", "")
        shape = shapely.geometry.shape(f["geometry"]).intersection(REGION_BOX)
        geom = _geojson_of(shape, BASE_SIMPLIFY_DEG)
        if geom is None:
            continue
        features.append({"type": "Feature", "geometry": geom,
                         "properties": {"iso": iso, "s": _country_style(iso)}})
    return {"type": "FeatureCollection", "features": features}


def _country_style(iso: str) -> dict[str, Any]:
    if iso in FLANK_ALLIES:
        return {"color": "#1864ab", "weight": 1.6, "fillColor": "#e7f0fb", "fillOpacity": 1}
    if iso in ADVERSARIES:
        return {"color": "#862e2e", "weight": 1.4, "fillColor": "#f3d9d6", "fillOpacity": 1}
    return {"color": "#868e96", "weight": 0.8, "fillColor": "#f8f9fa", "fillOpacity": 1}


# ----- aggregation ----------------------------------------------------------------------------
def layer_of(events: pd.DataFrame) -> pd.Series:
    """Return the layer name of each event: chokepoint, context (RU/BY), deployment or exercise."""
    layer = events["type"].where(events["type"].isin(("deployment", "exercise")), "chokepoint")
    return layer.mask(events["country"].isin(ADVERSARIES) & (layer != "chokepoint"), "context")


def _text(value: object, limit: int | None = None) -> str:
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
    when = _text(row.get("article_published")) or (str(year) if year else "date unknown")
    head = " · ".join(p for p in (f"<b>{year or '?'}</b>", _text(row.get("type")), _text(row.get("status"))) if p)
    facts = []
    if row.get("lead_nation"):
        facts.append(f"lead {_text(row['lead_nation'])}")
    if row.get("contributors"):
        facts.append(f"with {_text(row['contributors']).replace(',', ', ')}")
    troops = _troops(row.get("troops"))
    if troops:
        facts.append(f"{troops:,} troops")
    source = " — ".join(p for p in (_text(row.get("article_source")), when) if p)
    return (f"<p>{head}{'<br>' + ' · '.join(facts) if facts else ''}<br>"
            f"<i>“{_text(row.get('evidence'), EVIDENCE_CHARS)}”</i><br>"
            f"<small>{_text(row.get('article_title'), TITLE_CHARS)}<br>{source}</small></p>")


def _popup_html(title: str, rows: list[dict[str, Any]], total: int) -> str:
    body = "".join(_entry_html(r) for r in rows)
    more = f"<p><i>+{total - len(rows)} more (see the evidence table)</i></p>" if total > len(rows) else ""
    return f'<div class="flank-popup"><b>{title}</b> ({total} event{"s" if total != 1 else ""}){body}{more}</div>'


def _group_keys(frame: pd.DataFrame, hard: bool) -> pd.Series:
    place = frame["place_id"].fillna("").astype(str)
    fallback = frame["place"].fillna("").astype(str) + "@" + frame["lat"].round(2).astype(str) + "," + \
        frame["lon"].round(2).astype(str)
    place = place.where(place != "", fallback)
    return place if hard else frame["layer"] + "|" + place


def _snap_to_grid(frame: pd.DataFrame, points: pd.Series, budget: int) -> pd.Series:
    """Return group keys where point symbols are merged into grid cells until they fit ``budget``."""
    keys = frame["key"]
    cell = 0.1
    while keys[points].nunique() > budget and cell < 20:
        snapped = (frame["layer"] + "|cell:" + (frame["lat"] / cell).round().astype(int).astype(str) + ":"
                   + (frame["lon"] / cell).round().astype(int).astype(str))
        keys = keys.where(~points, snapped)
        cell *= 2
    return keys


def aggregate(events: pd.DataFrame, *, gaz: Gazetteer | None = None) -> dict[str, list[dict[str, Any]]]:
    """Return GeoJSON features per layer: one symbol per (layer, place), listing its events.

    Exercise and chokepoint places that are areas become their polygon; everything else a
    circle marker coloured by status (deployments) or by layer and sized by troops.
    """
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYERS}
    frame = events.dropna(subset=["lat", "lon"])
    if frame.empty:
        return out
    hard = len(frame) > HARD_EVENTS
    frame = frame.assign(layer=layer_of(frame)).sort_values("year", ascending=False, kind="stable")
    frame = frame.assign(key=_group_keys(frame, hard))
    polygon_layers = frame["layer"].isin(("exercise", "chokepoint"))
    area_ids = {pid for pid in frame.loc[polygon_layers, "place_id"].dropna().unique()
                if area_geometry(pid, gaz) is not None}
    is_area = polygon_layers & frame["place_id"].isin(area_ids)
    frame = frame.assign(key=_snap_to_grid(frame, ~is_area, MAX_SYMBOLS))
    columns = [c for c in frame.columns if c not in ("key",)]
    records = frame[columns].to_dict(orient="records")
    area_flags = is_area.to_numpy()
    for key, idx in frame.groupby("key", sort=False).indices.items():
        rows = [records[i] for i in idx]
        first = rows[0]
        layer = "context" if hard and any(r["layer"] == "context" for r in rows) else first["layer"]
        total = len(rows)
        places = list(dict.fromkeys(r["place"] for r in rows if r.get("place")))
        title = _text(places[0]) if len(places) == 1 else f"{len(places)} places"
        country = _text(first.get("country"))
        tooltip = f"{title}{' (' + country + ')' if country and len(places) == 1 else ''} · {total} event" \
                  f"{'s' if total != 1 else ''}"
        troops = max((t for t in (_troops(r.get("troops")) for r in rows) if t), default=None)
        colour = STATUS_COLOURS.get(str(first.get("status") or ""), STATUS_COLOURS[""]) \
            if layer == "deployment" else LAYER_COLOURS[layer]
        radius = 5.0 if troops is None else min(16.0, max(5.0, 2.5 * math.log10(troops) + 1))
        geometry = area_geometry(first["place_id"], gaz) if area_flags[idx[0]] else None
        if geometry is None:
            merged = "|cell:" in str(key)
            lat = float(np.mean([r["lat"] for r in rows])) if merged else float(first["lat"])
            lon = float(np.mean([r["lon"] for r in rows])) if merged else float(first["lon"])
            geometry = {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]}
        props = {"p": _popup_html(title, rows[:MAX_LISTED], total), "t": tooltip, "c": colour,
                 "r": round(radius, 1), "n": total}
        out[layer].append({"type": "Feature", "geometry": geometry, "properties": props})
    return out


# ----- the map --------------------------------------------------------------------------------
def feature_counts(features: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Return the number of drawn symbols per layer plus "events" (the events they stand for)."""
    counts = {name: len(features.get(name, [])) for name in LAYERS}
    counts["events"] = sum(f["properties"]["n"] for fs in features.values() for f in fs)
    return counts


def _icon_path() -> str | None:
    css = dict(folium.folium.Map.default_css).get("leaflet_css", "")
    if not css or "://" in css:
        return None
    return css.rsplit("/", 1)[0] + "/images/"


def build_map(events: pd.DataFrame, *, center: Sequence[float] | None = None, zoom: int | None = None,
              tiles: bool = False, gaz: Gazetteer | None = None) -> folium.Map:
    """Return a folium Map of the events over the bundled boundaries, one toggleable layer per kind.

    Web tiles (OpenStreetMap, CARTO) are added only when ``tiles`` is True; otherwise the
    map needs nothing but the local Leaflet assets.
    """
    m = folium.Map(location=list(center or DEFAULT_CENTER), zoom_start=zoom or DEFAULT_ZOOM, tiles=None,
                   max_zoom=18, min_zoom=2, prefer_canvas=True, control_scale=True)
    m.get_root().header.add_child(Element(MAP_CSS), name="flank_css")
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False, control=True).add_to(m)
        folium.TileLayer(CARTO_URL, attr=CARTO_ATTR, name="CARTO light", overlay=False, control=True,
                         show=False).add_to(m)
    else:
        BaseBoundaries(base_boundaries()).add_to(m)
    features = aggregate(events, gaz=gaz)
    for name in LAYERS:
        fill = 0.12 if name == "exercise" else 0.3
        EventLayer({"type": "FeatureCollection", "features": features[name]}, LAYER_TITLES[name],
                   fill_opacity=fill).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    MapExtras(feature_counts(features), _icon_path()).add_to(m)
    return m
