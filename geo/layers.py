"""Map layers: events as folium layers over the bundled boundaries, free of Streamlit.

Events arrive aggregated per (layer, place) into one symbol whose popup lists them
(``geo.map_features``, which also HTML-escapes every article text, as Leaflet inserts popup
and tooltip strings as HTML), and each layer is a single GeoJSON object drawn on a canvas, so
10,000 events ship as a few hundred small features rather than 10,000 Leaflet objects. The
features are written into scripts as JSON that Jinja (which folium renders scripts through)
cannot read as a tag.

The map comes in two parts: :func:`base_map` (boundaries, legend), which never changes, and
:func:`event_layers`, which the dashboard swaps inside the mounted map; :func:`build_map`
joins them for the HTML export.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.gazetteer import Gazetteer
from geo.map_features import (
    ADVERSARIES,
    LAYER_COLOURS,
    LAYER_TITLES,
    LAYERS,
    RANGE_KEY,
    RANGE_TITLE,
    aggregate,
    feature_counts,
    geojson_of,
)
from geo.ranges import range_rings
from geo.symbols import legend_symbols, symbol_icon

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES_GEOJSON = ROOT / "data" / "boundaries" / "countries.geojson"
ATTRIBUTION = "Boundaries: Natural Earth. Places: GeoNames (CC BY 4.0)."
DEFAULT_CENTER = (55.0, 24.0)
DEFAULT_ZOOM = 4

FLANK_ALLIES = frozenset({"EE", "LV", "LT", "PL", "SK", "HU", "RO", "BG", "FI", "SE", "NO", "DK", "DE", "CZ"})
SEA = "#cfe3f1"
CARTO_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
CARTO_ATTR = "&copy; OpenStreetMap contributors &copy; CARTO"

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

    Feature properties: ``p`` popup HTML, ``t`` tooltip HTML, ``c`` colour, ``r`` radius, and for
    deployments ``s``, the SIDC of the APP-6 symbol drawn instead of a circle.
    A FeatureGroup (``L.geoJSON`` is a Leaflet feature group), so the dashboard can hand it
    to ``st_folium(feature_group_to_add=...)``, which swaps the layers inside the mounted map
    instead of reloading the map's iframe.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
            pointToLayer: function (f, latlng) {
                var p = f.properties, icon = p.s && {{ this.symbols_json }}[p.s];
                if (icon) {  // an APP-6 unit symbol (geo.symbols): [data: URI, width, height]
                    return L.marker(latlng, {icon: L.icon({iconUrl: icon[0], iconSize: [icon[1], icon[2]],
                                                           className: "flank-symbol"}), keyboard: false});
                }
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
                if (layer instanceof L.Path && !(layer instanceof L.CircleMarker)) {
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

    @property
    def symbols_json(self) -> str:
        """The icons of the APP-6 symbols the features name, by SIDC, as script-safe JSON."""
        codes = sorted({f["properties"]["s"] for f in self.data["features"] if f["properties"].get("s")})
        return script_json({code: symbol_icon(code) for code in codes})


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


class RangeLayer(VerbatimScript, folium.FeatureGroup):
    """The range rings (``geo.ranges.range_rings``): dashed, unfilled, under the event symbols.

    Not an :class:`EventLayer`: rings carry no year, so the export's year slider leaves them on.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
            style: function (f) {
                return {color: f.properties.c, weight: 1.5, dashArray: "6 4", fill: true, fillOpacity: 0.03};
            },
            onEachFeature: function (f, layer) {
                layer.bindPopup(f.properties.p, {maxWidth: 380, maxHeight: 320});
                layer.bindTooltip(f.properties.t, {sticky: true});
                layer.on("add", function () { layer.bringToBack(); });
            }
        });
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, features: list[dict[str, Any]], *, show: bool = True) -> None:
        super().__init__(name=RANGE_TITLE, overlay=True, control=True, show=show)
        self._name = "FeatureGroup"  # as EventLayer: st_folium swaps it inside the mounted map
        self.data_json = script_json({"type": "FeatureCollection", "features": features})


class MeasureTool(VerbatimScript):
    """A ruler control: click it, then points on the map; it shows the path's great-circle length.

    The distance is Leaflet's own (``LatLng.distanceTo``, haversine on a 6,371 km sphere); no
    plugin and no request. A hidden ``#measure-state`` element reports ``data-km`` and
    ``data-points`` for tests and scripts.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var state = document.createElement("div");
            state.id = "measure-state";
            state.hidden = true;
            document.body.appendChild(state);
            var active = false, points = [], line = null, marks = L.layerGroup().addTo(map), label = null, box = null;
            function total() {
                var metres = 0;
                for (var i = 1; i < points.length; i++) { metres += points[i - 1].distanceTo(points[i]); }
                return metres / 1000;
            }
            function update() {
                var km = total();
                label.textContent = !active && points.length < 2 ? "" : points.length < 2 ? "click points"
                    : (km < 100 ? km.toFixed(1) : km.toFixed(0)) + " km";
                state.setAttribute("data-km", km.toFixed(3));
                state.setAttribute("data-points", String(points.length));
                state.setAttribute("data-active", String(active));
            }
            var control = L.control({position: "topleft"});
            control.onAdd = function () {
                box = L.DomUtil.create("div", "leaflet-bar flank-measure");
                var button = L.DomUtil.create("a", "", box);
                button.href = "#";
                button.setAttribute("role", "button");
                button.setAttribute("aria-label", "Measure a distance");
                button.title = "Measure a distance: click points on the map, click here again to stop";
                button.textContent = "\u2194";  // ↔, in every font (an emoji ruler is not)
                label = L.DomUtil.create("span", "flank-measure-label", box);
                L.DomEvent.on(button, "click", function (e) {
                    L.DomEvent.preventDefault(e);
                    active = !active;
                    if (active) {
                        points = [];
                        marks.clearLayers();
                        if (line) { map.removeLayer(line); line = null; }
                    }
                    map.getContainer().style.cursor = active ? "crosshair" : "";
                    box.classList.toggle("active", active);
                    update();
                });
                L.DomEvent.disableClickPropagation(box);
                return box;
            };
            control.addTo(map);
            // The container's own click, not the map's: the canvas renderer keeps a click on a
            // symbol or ring from reaching the map, and a ring covers much of it.
            L.DomEvent.on(map.getContainer(), "click", function (e) {
                if (!active || (map.dragging && map.dragging.moved()) || !map.getPane("mapPane").contains(e.target)
                    && e.target !== map.getContainer()) { return; }
                var latlng = map.mouseEventToLatLng(e);
                points.push(latlng);
                setTimeout(function () { map.closePopup(); }, 0);  // a symbol under the point opened its popup
                L.circleMarker(latlng, {radius: 3, color: "#111", weight: 1, fillOpacity: 1, interactive: false})
                    .addTo(marks);
                if (line) { line.setLatLngs(points); } else {
                    line = L.polyline(points, {color: "#111", weight: 2, dashArray: "4 4", interactive: false});
                    line.addTo(map);
                }
                update();
            });
            update();
        })();
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "MeasureTool"


MAP_CSS = f"""<style>
.leaflet-container {{ background: {SEA}; }}
.flank-legend {{ background: rgba(255,255,255,.9); padding: 4px 8px; font: 12px sans-serif; border-radius: 4px; }}
.flank-legend i {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }}
.flank-popup p {{ margin: 4px 0; }}
.flank-legend-symbol {{ vertical-align: middle; margin-right: 4px; }}
.flank-measure {{ background: #fff; display: flex; align-items: center; }}
.flank-measure a {{ font-size: 16px; text-decoration: none; }}
.flank-measure.active a {{ background: #ffe8a1; }}
.flank-measure-label {{ padding: 0 6px; font: 12px sans-serif; white-space: nowrap; }}
.flank-measure-label:empty {{ padding: 0; }}
</style>"""


@lru_cache(maxsize=1)
def _legend_html() -> str:  # built into every base map, at every rerun of the dashboard
    units = []
    for label, code in legend_symbols():
        uri, width, height = symbol_icon(code, 18)
        units.append(f'<img src="{uri}" width="{width}" height="{height}" alt="" class="flank-legend-symbol">'
                     f"{html.escape(label)}")
    items = [(LAYER_TITLES[k], c) for k, c in LAYER_COLOURS.items()]
    return "<br>".join(["<b>Deployments (APP-6)</b>", *units, "<b>Exercises, chokepoints, sites</b>"]
                       + [f'<i style="background:{c}"></i>{html.escape(label)}' for label, c in items])


# ----- base boundaries -------------------------------------------------------------------
@lru_cache(maxsize=1)
def base_boundaries() -> dict[str, Any]:
    """Return the bundled countries as a simplified FeatureCollection with a style per country."""
    doc = json.loads(COUNTRIES_GEOJSON.read_text(encoding="utf-8"))
    features = []
    for f in doc["features"]:
        iso = f["properties"].get("iso", "")
        shape = shapely.geometry.shape(f["geometry"]).intersection(REGION_BOX)
        geom = geojson_of(shape, BASE_SIMPLIFY_DEG)
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


# ----- the map --------------------------------------------------------------------------------
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
    MeasureTool().add_to(m)
    return m


def event_layers(features: dict[str, list[dict[str, Any]]]) -> list[folium.FeatureGroup]:
    """Return one EventLayer per kind (from :func:`aggregate`'s features), the RangeLayer when
    ``features`` holds range rings (key "range"), then the FeatureCounts."""
    out: list[folium.FeatureGroup] = [
        EventLayer({"type": "FeatureCollection", "features": features.get(name, [])}, LAYER_TITLES[name],
                   fill_opacity=0.12 if name == "exercise" else 0.3)
        for name in LAYERS
    ]
    if RANGE_KEY in features:
        out.append(RangeLayer(features[RANGE_KEY]))
    out.append(FeatureCounts(feature_counts(features)))
    return out


def build_map(events: pd.DataFrame, *, center: Sequence[float] | None = None, zoom: int | None = None,
              tiles: bool = False, gaz: Gazetteer | None = None) -> folium.Map:
    """Return a folium Map of the events over the bundled boundaries, one toggleable layer per kind.

    The whole map in one object (for the HTML export and tests): :func:`base_map`, the
    :func:`event_layers` of :func:`aggregate` with the range rings of every system the
    deployments name, and a layer control.
    """
    m = base_map(center=center, zoom=zoom, tiles=tiles)
    *kinds, counts = event_layers({**aggregate(events, gaz=gaz), RANGE_KEY: range_rings(events)})
    for layer in kinds:
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    counts.add_to(m)
    return m
