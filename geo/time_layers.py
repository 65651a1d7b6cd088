"""The year slider of the standalone HTML map: per-year copies of every event layer's symbols
and a Leaflet control (slider and play button) that shows one year, or all, at a time."""

from __future__ import annotations

from typing import Any

import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geo import layers, map_features


class TimeControl(MacroElement):
    """A year slider (plus play button) that shows only the features of one year, or all years.

    Features carry their year as property ``y``; features without one are the all-years
    aggregate, shown only when the slider is at "All years". The hidden ``#time-state``
    element reports the year and the number of features shown, for tests and scripts.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var layers = [{{ this.layer_names|join(", ") }}];
            var years = {{ this.years|tojson }};
            var members = layers.map(function (g) { return g.getLayers(); });
            var state = document.createElement("div");
            state.id = "time-state";
            state.hidden = true;
            document.body.appendChild(state);
            var slider, label, timer = null;
            function show(i) {
                var year = i === 0 ? null : years[i - 1];
                var visible = 0;
                layers.forEach(function (group, k) {
                    group.clearLayers();
                    members[k].forEach(function (layer) {
                        var y = layer.feature.properties.y;
                        var match = year === null ? (y === undefined || y === null) : y === year;
                        if (match) { group.addLayer(layer); visible += 1; }
                    });
                });
                label.textContent = year === null ? "All years" : String(year);
                state.setAttribute("data-year", year === null ? "all" : String(year));
                state.setAttribute("data-visible", String(visible));
            }
            var control = L.control({position: "bottomleft"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "flank-time");
                var play = L.DomUtil.create("button", "", div);
                play.type = "button";
                play.textContent = "▶";
                play.title = "Play through the years";
                slider = L.DomUtil.create("input", "", div);
                slider.type = "range";
                slider.min = 0;
                slider.max = years.length;
                slider.value = 0;
                slider.setAttribute("aria-label", "Year");
                label = L.DomUtil.create("span", "", div);
                slider.addEventListener("input", function () { show(Number(slider.value)); });
                play.addEventListener("click", function () {
                    if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "▶"; return; }
                    play.textContent = "❚❚";
                    timer = setInterval(function () {
                        var next = (Number(slider.value) % years.length) + 1;
                        slider.value = next;
                        show(next);
                        if (next === years.length) { clearInterval(timer); timer = null; play.textContent = "▶"; }
                    }, 1200);
                });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo(map);
            show(0);
        })();
        {% endmacro %}
    """)

    def __init__(self, years: list[int], layer_names: list[str]) -> None:
        super().__init__()
        self._name = "TimeControl"
        self.years = years
        self.layer_names = layer_names


def add_year_layers(fmap: Any, events: pd.DataFrame, gaz: Any) -> list[str]:
    """Add one year's symbols (property ``y``) next to the all-years ones in every event layer
    of ``fmap``, and the slider that shows one year at a time.

    Returns the JavaScript names of the event layers.
    """
    by_title = {t: k for k, t in map_features.LAYER_TITLES.items()}
    event_layers = [c for c in fmap._children.values() if isinstance(c, layers.EventLayer)]
    per_year: dict[str, list[dict[str, Any]]] = {k: [] for k in map_features.LAYERS}
    years = pd.to_numeric(events["year"], errors="coerce")
    for year in sorted({int(y) for y in years.dropna()}):
        in_year = events[(years == year).fillna(False).astype(bool)]
        for key, features in map_features.aggregate(in_year, gaz=gaz).items():
            for f in features:
                f["properties"]["y"] = year
            per_year[key].extend(features)
    for layer in event_layers:
        key = by_title.get(layer.layer_name)
        if key is not None:
            layer.data = {"type": "FeatureCollection", "features": layer.data["features"] + per_year[key]}
    names = [layer.get_name() for layer in event_layers]
    TimeControl(sorted({int(y) for y in years.dropna()}), names).add_to(fmap)
    return names
