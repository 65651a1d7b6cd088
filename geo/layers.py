"""Map layers: events as folium layers over the bundled boundaries, free of Streamlit.

Events are aggregated per (layer, place) into one symbol whose popup lists them, and each
layer is a single GeoJSON object drawn on a canvas, so 10,000 events ship as a few hundred
small features rather than 10,000 Leaflet objects. Every text that comes from an article is
HTML-escaped here, because Leaflet inserts popup and tooltip strings as HTML, and written
into scripts as JSON that Jinja (which folium renders scripts through) cannot read as a tag.

The map comes in two parts: :func:`base_map` (boundaries, legend), which never changes, and
:func:`event_layers`, which the dashboard swaps inside the mounted map; :func:`build_map`
joins them for the HTML export.
"""

from __future__ import annotations

import html
import json
import math
import re
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
_JS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}
_TEMPLATE_OPENERS = re.compile(r"\{(?=[{%#])")


def script_json(value: Any) -> str:
    """Return ``value`` as JSON that is safe inside a ``<script>`` and inert as a Jinja template.

    As Jinja's ``tojson`` (``<``, ``>``, ``&`` and ``'`` as \\u escapes), and a ``{`` that
    would open a template tag (``{{``, ``{%``, ``{#``) as \\u007b: JSON itself never writes
    one, so only characters inside strings change, and they decode to the same text.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _JS_ESCAPES.items():
        text = text.replace(char, escape)
    return _TEMPLATE_OPENERS.sub(r"\\u007b", text)


class Verbatim(Element):
    """An element whose text is output as it is.

    branca's ``Element(text)`` compiles ``text`` as a Jinja template, and folium renders
    every element's script through one: with article text inside a script, ``{{ ... }}``
    in an article would run on the server, and compiling a large script costs tens of ms.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text unchanged."""
        del kwargs
        return self.text


class VerbatimScript(MacroElement):
    """A MacroElement whose ``script`` macro output goes into the page as :class:`Verbatim` text."""

    def render(self, **kwargs: Any) -> None:
        """Add the script macro's output to the figure's scripts, then render the children."""
        figure = self.get_root()
        script = self._template.module.__dict__["script"]
        figure.script.add_child(Verbatim(str(script(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class EventLayer(VerbatimScript, folium.FeatureGroup):
    """One toggleable layer of pre-styled GeoJSON features (circle markers for points).

    Feature properties: ``p`` popup HTML, ``t`` tooltip HTML, ``c`` colour, ``r`` radius.
    A FeatureGroup (``L.geoJSON`` is a Leaflet feature group), so the dashboard can hand it
    to ``st_folium(feature_group_to_add=...)``, which swaps the layers inside the mounted map
    instead of reloading the map's iframe.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
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
                // Areas go under every point, so a base inside an exercise area stays clickable
                // (also when the export's year control re-adds layers).
                if (!(layer instanceof L.CircleMarker)) {
                    layer.on("add", function () { layer.bringToBack(); });
                }
            }
        });
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, data: dict[str, Any], name: str, *, fill_opacity: float = 0.25, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FeatureGroup"  # st_folium refers to a feature group's variable as feature_group_<id>
        self.tile_name = name
        self.data = data
        self.fill_opacity = fill_opacity

    @property
    def data_json(self) -> str:
        """The features as script-safe JSON (see :func:`script_json`)."""
        return script_json(self.data)


class BaseBoundaries(VerbatimScript, folium.map.Layer):
    """The bundled country boundaries, drawn as a non-interactive base (no network, no tiles)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        // A pane of its own below the overlays, so areas sent to the back stay above the land fill.
        if (!{{ this._parent.get_name() }}.getPane("flank-base")) {
            {{ this._parent.get_name() }}.createPane("flank-base").style.zIndex = 350;
        }
        var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
            interactive: false,
            pane: "flank-base",
            style: function (f) { return f.properties.s; }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        super().__init__(name="Boundaries", overlay=True, control=True, show=True)
        self._name = "BaseBoundaries"
        self.data_json = _boundaries_json() if data is None else script_json(data)


class MapExtras(VerbatimScript):
    """Attribution, Leaflet's icon path and a legend: the parts of the map that never change."""

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
        })();
        {% endmacro %}
    """)

    def __init__(self, icon_path: str | None) -> None:
        super().__init__()
        self._name = "MapExtras"
        self.attribution = html.escape(ATTRIBUTION)
        self.icon_path = icon_path
        self.legend = _legend_html()


class FeatureCounts(VerbatimScript, folium.FeatureGroup):
    """A hidden ``#feature-count`` element whose ``data-*`` attributes give the drawn symbols per layer.

    Its script runs after the event layers were added, so the counts appear once they are on
    the map; ``data-drawn-at`` (epoch ms) is set on the next animation frame, after Leaflet's
    canvas has painted them. An empty Leaflet layer group outside the layer control, so that
    ``st_folium`` can add it with the event layers.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        (function () {
            var counts = document.getElementById("feature-count") || document.createElement("div");
            counts.id = "feature-count";
            counts.hidden = true;
            var values = {{ this.counts_json }};
            Object.keys(values).forEach(function (k) { counts.setAttribute("data-" + k, values[k]); });
            counts.removeAttribute("data-drawn-at");
            document.body.appendChild(counts);
            var stamp = function () { counts.setAttribute("data-drawn-at", String(Date.now())); };
            if (window.requestAnimationFrame) { window.requestAnimationFrame(stamp); } else { stamp(); }
        })();
        {% endmacro %}
    """)

    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__(name="feature counts", overlay=True, control=False, show=False)
        self._name = "FeatureGroup"  # as EventLayer
        self.counts = {k: str(v) for k, v in counts.items()}
        self.counts_json = script_json(self.counts)


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


@lru_cache(maxsize=1)
def _boundaries_json() -> str:
    return script_json(base_boundaries())


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
    circle marker coloured by status (deployments) or by layer and sized by troops. Above
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
    for g in range(groups):
        head = first[g]
        layer = "context" if hard and context[g] else str(layer_names[head])
        total = int(totals[g])
        title = _text(names[first_named[g]]) if n_places[g] == 1 else f"{n_places[g]} places"
        where = _text(country[head])
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


def base_map(*, center: Sequence[float] | None = None, zoom: int | None = None, tiles: bool = False) -> folium.Map:
    """Return the map without events: boundaries (or web tiles), legend, attribution, styles.

    Its script depends only on ``tiles`` (and the start view), so the dashboard's map
    component keeps the same identity, and its iframe, while the event layers change.
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
        BaseBoundaries().add_to(m)
    MapExtras(_icon_path()).add_to(m)
    return m


def event_layers(features: dict[str, list[dict[str, Any]]]) -> list[folium.FeatureGroup]:
    """Return one EventLayer per kind (from :func:`aggregate`'s features), then the FeatureCounts."""
    out: list[folium.FeatureGroup] = [
        EventLayer({"type": "FeatureCollection", "features": features.get(name, [])}, LAYER_TITLES[name],
                   fill_opacity=0.12 if name == "exercise" else 0.3)
        for name in LAYERS
    ]
    out.append(FeatureCounts(feature_counts(features)))
    return out


def build_map(events: pd.DataFrame, *, center: Sequence[float] | None = None, zoom: int | None = None,
              tiles: bool = False, gaz: Gazetteer | None = None) -> folium.Map:
    """Return a folium Map of the events over the bundled boundaries, one toggleable layer per kind.

    The whole map in one object (for the HTML export and tests): :func:`base_map`, the
    :func:`event_layers` of :func:`aggregate`, and a layer control.
    """
    m = base_map(center=center, zoom=zoom, tiles=tiles)
    *kinds, counts = event_layers(aggregate(events, gaz=gaz))
    for layer in kinds:
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    counts.add_to(m)
    return m
