"""Static map snapshots drawn with matplotlib (Agg, no browser, no display).

:func:`render_map` returns a 16:9 :class:`~matplotlib.figure.Figure` (1920×1080 px at the
default dpi) with the same layers as the interactive map: the bundled boundaries (flank
allies emphasised, Russia and Belarus distinct), deployments coloured by status and sized
by troops, exercise areas as polygons where the place is an area, chokepoint polygons, and
the furniture a briefing slide needs (title with the filters, legend, scale bar, north
arrow, attribution, generation date, optional caption and classification banner).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")  # explicit: exports run on servers and in tests with no display

import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo import layers, map_features
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.ranges import range_rings
from geo.store import Filters
from geo.symbol_drawing import SymbolHandle, SymbolLegendHandler, place_symbol
from geo.symbols import legend_symbols, row_sidc

ATTRIBUTION = layers.ATTRIBUTION  # "Boundaries: Natural Earth. Places: GeoNames (CC BY 4.0)."
DEFAULT_TITLE = "NATO eastern flank: deployments, exercises and chokepoints"
FIG_SIZE_IN = (16.0, 9.0)
DPI = 120


DEFAULT_EXTENT = (12.0, 43.0, 38.0, 63.0)  # lon0, lat0, lon1, lat1: Norway's North Cape aside, the flank
MAX_EXTENT = (-25.0, 34.0, 60.0, 72.0)  # the bundled boundaries end here (scripts/build_data.py REGION)
MIN_SPAN_LAT = 4.0
MAX_SPAN_LAT = 30.0
MAP_LEFT, MAP_WIDTH = 0.015, 0.74  # figure fractions; the legend takes the column to the right
LEGEND_LEFT, LEGEND_WIDTH = 0.768, 0.222
TROOP_STEPS = (500, 5_000, 20_000)
LABELLED_PLACES = 14
SYMBOL_PT = 15  # height of a deployment's APP-6 symbol on the 1920x1080 snapshot


@dataclass(frozen=True)
class Extent:
    """A lon/lat window; ``aspect`` is the x stretch of an equirectangular view at its middle."""

    lon0: float
    lat0: float
    lon1: float
    lat1: float

    @property
    def aspect(self) -> float:
        return 1 / math.cos(math.radians((self.lat0 + self.lat1) / 2))

    @property
    def box(self) -> BaseGeometry:
        return box(self.lon0, self.lat0, self.lon1, self.lat1)


@contextmanager
def style() -> Iterator[None]:
    """Matplotlib settings of every export (fonts embedded as text where the format allows)."""
    with matplotlib.rc_context({
        "font.family": "DejaVu Sans",
        "svg.fonttype": "none",  # SVG keeps real text: searchable, and legend entries testable
        "pdf.fonttype": 42,
        "hatch.linewidth": 0.6,
        "path.simplify": True,
        "text.parse_math": False,  # place names and titles are untrusted text, never mathtext
    }):
        yield


def describe_filters(filters: Filters | None, events: pd.DataFrame) -> str:
    """Return one line stating the years, countries and types in view and the event count."""
    f = filters or Filters()
    years = pd.to_numeric(events["year"], errors="coerce").dropna() if len(events) else pd.Series(dtype=float)
    y0 = f.year_from if f.year_from is not None else (int(years.min()) if len(years) else None)
    y1 = f.year_to if f.year_to is not None else (int(years.max()) if len(years) else None)
    if f.period:
        span = f.period
    elif y0 is None and y1 is None:
        span = "all years"
    elif y0 == y1:
        span = f"{y0}"
    else:
        span = f"{y0 if y0 is not None else '…'}–{y1 if y1 is not None else '…'}"
    parts = [
        span,
        "countries: " + (", ".join(f.countries) if f.countries else "all"),
        "types: " + (", ".join(f.types) if f.types else "all"),
    ]
    if f.contributors:
        parts.append("contributors: " + ", ".join(f.contributors))
    parts.append(f"{len(events):,} event{'s' if len(events) != 1 else ''}")
    return " · ".join(parts)


def fit_extent(events: pd.DataFrame, box_aspect: float) -> Extent:
    """Return the window showing every event (or the flank when none), shaped like the map box.

    ``box_aspect`` is width / height of the map axes. The window is never smaller than
    :data:`MIN_SPAN_LAT` nor larger than :data:`MAX_SPAN_LAT` degrees of latitude.
    """
    lon = pd.to_numeric(events.get("lon", pd.Series(dtype=float)), errors="coerce")
    lat = pd.to_numeric(events.get("lat", pd.Series(dtype=float)), errors="coerce")
    ok = lon.between(MAX_EXTENT[0], MAX_EXTENT[2]) & lat.between(MAX_EXTENT[1], MAX_EXTENT[3])
    if ok.any():
        x0, x1 = float(lon[ok].min()), float(lon[ok].max())
        y0, y1 = float(lat[ok].min()), float(lat[ok].max())
        pad_x, pad_y = max((x1 - x0) * 0.12, 0.8), max((y1 - y0) * 0.12, 0.5)
        x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    else:
        x0, y0, x1, y1 = DEFAULT_EXTENT
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    k = 1 / math.cos(math.radians(cy))
    span_y = min(max(y1 - y0, (x1 - x0) / k / box_aspect, MIN_SPAN_LAT), MAX_SPAN_LAT)
    span_x = min(span_y * box_aspect * k, MAX_EXTENT[2] - MAX_EXTENT[0])
    span_y = span_x / box_aspect / k
    # Slide the window back inside the boundaries' coverage rather than show empty paper.
    cx = min(max(cx, MAX_EXTENT[0] + span_x / 2), MAX_EXTENT[2] - span_x / 2)
    cy = min(max(cy, MAX_EXTENT[1] + span_y / 2), MAX_EXTENT[3] - span_y / 2)
    return Extent(cx - span_x / 2, cy - span_y / 2, cx + span_x / 2, cy + span_y / 2)


def render_map(
    events: pd.DataFrame,
    *,
    title: str | None = None,
    caption: str | None = None,
    banner: str | None = None,
    filters: Filters | None = None,
    gaz: Gazetteer | None = None,
    generated: datetime | None = None,
) -> Figure:
    """Return the 16:9 snapshot figure of ``events`` (columns of ``store.EVENT_COLUMNS``).

    Call inside :func:`style` when saving, so fonts and SVG text settings apply.
    """
    generated = generated or datetime.now(UTC)
    with style():
        fig = Figure(figsize=FIG_SIZE_IN, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        top = 0.955 if banner else 0.985
        base = 0.038 if banner else 0.012  # footer line, above the lower banner
        bottom = base + (0.085 if caption else 0.045)
        height = top - 0.11 - bottom
        ax = fig.add_axes((MAP_LEFT, bottom, MAP_WIDTH, height))
        box_aspect = (MAP_WIDTH * FIG_SIZE_IN[0]) / (height * FIG_SIZE_IN[1])
        extent = fit_extent(events, box_aspect)
        _draw_base(ax, gaz or load_gazetteer(), extent)
        frame = _prepare(events)
        as_areas = _draw_areas(ax, gaz, frame, extent)
        rings = _draw_range_rings(ax, events, extent)
        placed = _draw_points(ax, frame, extent, as_areas)
        ax.set_xlim(extent.lon0, extent.lon1)
        ax.set_ylim(extent.lat0, extent.lat1)
        ax.set_aspect("auto")
        _draw_labels(ax, placed, extent)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#555555")
        _scale_bar(ax, extent)
        _north_arrow(ax)
        if not len(events):
            ax.text(0.5, 0.5, "No events match the filters", transform=ax.transAxes, ha="center", va="center",
                    fontsize=20, color="#555555", bbox={"fc": "white", "ec": "#999999", "alpha": 0.9})
        _legend(fig, frame, (LEGEND_LEFT, bottom, LEGEND_WIDTH, height), rings=bool(rings))
        fig.text(0.015, top - 0.01, title or DEFAULT_TITLE, ha="left", va="top", fontsize=26, weight="bold",
                 color="#1d2731")
        fig.text(0.015, top - 0.068, describe_filters(filters, events), ha="left", va="top", fontsize=15,
                 color="#3b4650")
        _footer(fig, caption, generated, base=base)
        if banner:
            _banner(fig, banner)
    return fig


# ----- layers ---------------------------------------------------------------------------------
def _geometry_patches(geom: BaseGeometry) -> Iterator[PathPatch]:
    """Yield one patch per polygon of ``geom`` (holes kept as inner rings)."""
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type == "MultiPolygon" or poly.geom_type == "GeometryCollection":
            yield from _geometry_patches(poly)
            continue
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords) for r in poly.interiors]
        vertices = np.concatenate(rings)
        codes = np.concatenate([[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY]
                                for r in rings])
        yield PathPatch(MplPath(vertices, codes))


def _clipped(geom: BaseGeometry, extent: Extent) -> BaseGeometry:
    # A margin beyond the window keeps outlines from being drawn along the frame.
    x0, y0, x1, y1 = extent.lon0 - 1, extent.lat0 - 1, extent.lon1 + 1, extent.lat1 + 1
    return shapely.clip_by_rect(geom, x0, y0, x1, y1)


def _add_patches(ax: Axes, geoms: Iterable[BaseGeometry], **kwargs: object) -> None:
    patches = [p for g in geoms for p in _geometry_patches(g)]
    if patches:
        ax.add_collection(PatchCollection(patches, match_original=False, **kwargs))


def _draw_base(ax: Axes, gaz: Gazetteer, extent: Extent) -> None:
    """Draw the countries with the interactive map's own styles (``layers.base_boundaries``)."""
    ax.set_facecolor(layers.SEA)
    by_style: dict[tuple[str, str, float], list[BaseGeometry]] = {}
    for feature in layers.base_boundaries()["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        if not geom.intersects(extent.box):
            continue
        s = feature["properties"]["s"]
        by_style.setdefault((s["fillColor"], s["color"], float(s["weight"])), []).append(_clipped(geom, extent))
    # Thin outlines first, so the emphasised (thicker) borders of allies and adversaries stay on top.
    for (fill, edge, weight), geoms in sorted(by_style.items(), key=lambda kv: kv[0][2]):
        _add_patches(ax, geoms, facecolor=fill, edgecolor=edge, linewidth=weight * 0.75, zorder=1 + weight / 10)
    for iso in sorted(layers.FLANK_ALLIES | map_features.ADVERSARIES | {"UA", "MD"}):
        geom = gaz.country_shapes.get(iso)
        if geom is None:
            continue
        inside = geom.intersection(extent.box)
        if inside.is_empty or inside.area < 0.02 * (extent.lat1 - extent.lat0) ** 2:
            continue
        largest = max(getattr(inside, "geoms", [inside]), key=lambda g: g.area)
        pt = largest.representative_point()
        place = gaz.country(iso)
        ax.text(pt.x, pt.y, (place.name if place else iso).upper(), ha="center", va="center",
                fontsize=10, color="#495057" if iso not in map_features.ADVERSARIES else "#862e2e", alpha=0.8, zorder=2,
                style="italic")


def _area_geometry(gaz: Gazetteer | None, place_id: object) -> BaseGeometry | None:
    """Return the polygon of an area place, or None for points and unknown ids.

    ``gaz`` None uses the process-wide gazetteer through the map's cache of area polygons.
    """
    if not isinstance(place_id, str) or not place_id:
        return None
    doc = map_features.area_geometry(place_id, gaz)
    return None if doc is None else shapely.geometry.shape(doc)


def _prepare(events: pd.DataFrame) -> pd.DataFrame:
    """Return the events with numeric coordinates, text ids and their map layer (``map_features.layer_of``)."""
    frame = events.assign(
        lon=pd.to_numeric(events["lon"], errors="coerce"),
        lat=pd.to_numeric(events["lat"], errors="coerce"),
        year=pd.to_numeric(events["year"], errors="coerce"),
        troops=pd.to_numeric(events["troops"], errors="coerce"),
        status=events["status"].fillna("").astype(str),
        place_id=events["place_id"].fillna("").astype(str),
    ).dropna(subset=["lon", "lat"])
    return frame.assign(layer=map_features.layer_of(frame) if len(frame) else pd.Series(dtype=str))


def _draw_areas(ax: Axes, gaz: Gazetteer | None, frame: pd.DataFrame, extent: Extent) -> set[str]:
    """Draw the exercise and chokepoint places that are areas as polygons; return their place ids."""
    drawn: set[str] = set()
    for layer, hatch, z in (("exercise", None, 3.0), ("chokepoint", "xx", 3.5)):
        colour = map_features.LAYER_COLOURS[layer]
        geoms = []
        for pid in frame.loc[frame["layer"] == layer, "place_id"].unique():
            geom = _area_geometry(gaz, pid)
            if geom is not None and geom.intersects(extent.box):
                geoms.append(_clipped(geom, extent))
                drawn.add(pid)
        _add_patches(ax, geoms, facecolor=matplotlib.colors.to_rgba(colour, 0.14), edgecolor=colour,
                     linewidth=1.8, linestyle=(0, (5, 3)), hatch=hatch, zorder=z)
    return drawn


def _draw_range_rings(ax: Axes, events: pd.DataFrame, extent: Extent) -> int:
    """Draw the range rings of the weapon systems the deployments name, as on the interactive map;
    return how many."""
    rings = range_rings(events) if len(events) else []
    for ring in rings:
        outline = shapely.Polygon(ring["geometry"]["coordinates"][0]).exterior.intersection(extent.box)
        for line in getattr(outline, "geoms", [outline]):
            if not line.is_empty and line.geom_type == "LineString":
                x, y = line.xy
                ax.plot(x, y, color=ring["properties"]["c"], linewidth=1.4, linestyle=(0, (6, 4)), zorder=3.8)
    return len(rings)


def _troop_size(troops: pd.Series) -> np.ndarray:
    """Marker areas (pt²): square-root scaled by troops, a fixed small size when unknown."""
    t = pd.to_numeric(troops, errors="coerce").to_numpy(dtype=float)
    size = 40 + 9 * np.sqrt(np.clip(np.nan_to_num(t, nan=0.0), 0, 60_000))
    return np.where(np.isnan(t), 70.0, size)


@dataclass(frozen=True)
class _Placed:
    name: str
    lon: float
    lat: float
    count: int


def _draw_points(ax: Axes, frame: pd.DataFrame, extent: Extent, as_areas: set[str]) -> list[_Placed]:
    """Draw one symbol per (layer, place) not drawn as an area; return the places worth a label.

    Like the interactive map, deployments are APP-6 unit symbols; other places are circles
    sized by their largest known force.
    """
    if not len(frame):
        return []
    points = frame[~(frame["layer"].isin(("exercise", "chokepoint")) & frame["place_id"].isin(as_areas))]
    points = points.sort_values("year", kind="stable")
    keys = points["place_id"].where(points["place_id"] != "",
                                    points["lon"].round(3).astype(str) + "," + points["lat"].round(3).astype(str))
    # A deployment is drawn as the APP-6 symbol of its newest event, as on the interactive map.
    codes = [row_sidc(r) if r["type"] == "deployment" else "" for r in points.to_dict(orient="records")]
    symbols = points.assign(_key=points["layer"] + "|" + keys, _sidc=codes).groupby("_key", sort=False).agg(
        layer=("layer", "first"), lon=("lon", "first"), lat=("lat", "first"), troops=("troops", "max"),
        sidc=("_sidc", "last"))
    # Big symbols first, so small ones stay visible on top of them.
    symbols = symbols.sort_values("troops", ascending=False, na_position="last")
    circles = symbols[symbols["sidc"] == ""]
    ax.scatter(circles["lon"], circles["lat"], s=_troop_size(circles["troops"]), alpha=0.85,
               c=[map_features.LAYER_COLOURS[lay] for lay in circles["layer"]], edgecolors="#212529",
               linewidths=0.8, zorder=5)
    for r in symbols[symbols["sidc"] != ""].itertuples():
        place_symbol(ax, str(r.sidc), float(r.lon), float(r.lat), SYMBOL_PT)
    counts = frame.groupby("place", sort=False).agg(lon=("lon", "first"), lat=("lat", "first"),
                                                    n=("event_id", "size"))
    inside = counts[counts["lon"].between(extent.lon0, extent.lon1) & counts["lat"].between(extent.lat0, extent.lat1)]
    top = inside.sort_values("n", ascending=False).head(LABELLED_PLACES)
    return [_Placed(str(name), float(r.lon), float(r.lat), int(r.n)) for name, r in top.iterrows()]


def _draw_labels(ax: Axes, placed: list[_Placed], extent: Extent) -> None:
    """Label the busiest places, dropping any label that would overlap one already placed."""
    dx = (extent.lon1 - extent.lon0) * 0.006
    renderer = ax.figure.canvas.get_renderer()
    taken: list[Bbox] = []
    for p in placed:
        label = p.name if p.count == 1 else f"{p.name} ({p.count})"
        text = ax.text(p.lon + dx, p.lat + dx * 0.5, label, fontsize=11, color="#1d2731", zorder=7,
                       ha="left", va="bottom", weight="bold",
                       bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
        bbox = text.get_window_extent(renderer).expanded(1.05, 1.15)
        if any(bbox.overlaps(other) for other in taken):
            text.remove()
        else:
            taken.append(bbox)


# ----- furniture ------------------------------------------------------------------------------
def _nice_length(km: float) -> float:
    """Return the round distance (1, 2 or 5 × 10ⁿ km) at most ``km``."""
    exp = 10 ** math.floor(math.log10(km))
    return max(step * exp for step in (1, 2, 5) if step * exp <= km)


def _scale_bar(ax: Axes, extent: Extent) -> None:
    mid = (extent.lat0 + extent.lat1) / 2
    km_per_deg = 111.32 * math.cos(math.radians(mid))
    width_deg = extent.lon1 - extent.lon0
    length_km = _nice_length(width_deg * km_per_deg / 5)
    length_deg = length_km / km_per_deg
    x0 = extent.lon0 + width_deg * 0.03
    y0 = extent.lat0 + (extent.lat1 - extent.lat0) * 0.04
    h = (extent.lat1 - extent.lat0) * 0.012
    ax.add_patch(Rectangle((x0 - width_deg * 0.015, y0 - h * 1.6), length_deg + width_deg * 0.05, h * 6.2,
                           fc="white", ec="#888888", alpha=0.85, zorder=8))
    for i in range(2):
        ax.add_patch(Rectangle((x0 + i * length_deg / 2, y0), length_deg / 2, h,
                               fc="#222222" if i == 0 else "white", ec="#222222", lw=1, zorder=9))
    ax.text(x0, y0 + h * 1.6, "0", fontsize=11, ha="center", va="bottom", zorder=9)
    ax.text(x0 + length_deg, y0 + h * 1.6, f"{length_km:,.0f} km", fontsize=11, ha="center", va="bottom",
            zorder=9)


def _north_arrow(ax: Axes) -> None:
    ax.add_patch(FancyArrow(0.965, 0.87, 0, 0.07, width=0.008, head_width=0.028, head_length=0.035,
                            length_includes_head=True, transform=ax.transAxes, fc="#222222", ec="#222222",
                            zorder=9))
    ax.text(0.965, 0.855, "N", transform=ax.transAxes, ha="center", va="top", fontsize=16,
            weight="bold", zorder=9)


def _legend(fig: Figure, frame: pd.DataFrame, rect: tuple[float, float, float, float], *, rings: bool = False) -> None:
    """Draw the legend of what is on the map (of every symbol when the view is empty)."""
    lax = fig.add_axes(rect)
    lax.set_axis_off()
    shown = set(frame["layer"]) if len(frame) else set(map_features.LAYERS)
    unit_handles = [SymbolHandle(code, label) for label, code in legend_symbols()]
    size_handles = [
        Line2D([], [], marker="o", ls="", ms=math.sqrt(float(_troop_size(pd.Series([t]))[0])), mfc="#adb5bd",
               mec="#212529", label=f"{t:,} troops") for t in TROOP_STEPS
    ] + [Line2D([], [], marker="o", ls="", ms=math.sqrt(70), mfc="#adb5bd", mec="#212529", label="troops unknown")]
    c = map_features.LAYER_COLOURS
    layer_handles = [handle for layer, handle in (
        ("exercise", Patch(fc=matplotlib.colors.to_rgba(c["exercise"], 0.14), ec=c["exercise"], ls="--",
                           label="exercise area")),
        ("exercise", Line2D([], [], marker="o", ls="", ms=12, mfc=c["exercise"], mec="#212529",
                            label="exercise (place)")),
        ("chokepoint", Patch(fc=matplotlib.colors.to_rgba(c["chokepoint"], 0.14), ec=c["chokepoint"], hatch="xx",
                             ls="--", label="chokepoint")),
        ("context", Line2D([], [], marker="o", ls="", ms=12, mfc=c["context"], mec="#212529",
                           label="Russian/Belarusian site")),
    ) if layer in shown]
    if rings:
        layer_handles.append(Line2D([], [], color="#c92a2a", ls=(0, (6, 4)), lw=1.4, label="range ring of a system"))
    base_handles = [Patch(fc=s["fillColor"], ec=s["color"], lw=s["weight"] * 0.75, label=label)
                    for label, s in _base_styles().items()]
    renderer = fig.canvas.get_renderer()
    y = 1.0
    deployments = "deployment" in shown or "context" in shown
    blocks = (("Deployments (APP-6)", unit_handles if deployments else [], 1.6),
              ("Size: troops", size_handles, 1.9), ("Layers", layer_handles, 1.0), ("Countries", base_handles, 1.0))
    for heading, handles, row in blocks:
        if not handles:
            continue
        leg = lax.legend(handles=handles, title=heading, loc="upper left", bbox_to_anchor=(0, y), frameon=False,
                         fontsize=12.5, title_fontsize=13.5, alignment="left", handlelength=2.2,
                         handleheight=row, borderaxespad=0, labelspacing=0.4,
                         handler_map={SymbolHandle: SymbolLegendHandler()})
        leg.get_title().set_weight("bold")
        lax.add_artist(leg)
        # Stack the next block under this one's real height, whatever the fonts measure.
        height = leg.get_window_extent(renderer).transformed(lax.transAxes.inverted()).height
        y -= height + 0.03


def _base_styles() -> dict[str, dict[str, object]]:
    """Return legend label -> boundary style of the allies, Russia/Belarus and other countries."""
    styles = {f["properties"]["iso"]: f["properties"]["s"] for f in layers.base_boundaries()["features"]}
    return {"NATO ally (flank emphasised)": styles.get("PL", {}), "Russia, Belarus": styles.get("RU", {}),
            "other country": styles.get("AT", {})}


CAPTION_WRAP_CHARS = 190  # one 1920-px line at 14 pt


def _footer(fig: Figure, caption: str | None, generated: datetime, *, base: float) -> None:
    if caption:
        # Wrapped here, not by matplotlib: its wrapping parses "$...$" as mathtext even when that is off.
        fig.text(0.015, base + 0.04, "\n".join(wrap_lines(caption, CAPTION_WRAP_CHARS)[:3]), ha="left", va="bottom",
                 fontsize=14, color="#1d2731", parse_math=False)
    fig.text(0.015, base, ATTRIBUTION, ha="left", va="bottom", fontsize=11, color="#555555")
    fig.text(0.985, base, f"Generated {generated:%Y-%m-%d %H:%M} UTC", ha="right", va="bottom", fontsize=11,
             color="#555555")


def _banner(fig: Figure, text: str) -> None:
    for y, va in ((1.0, "top"), (0.0, "bottom")):
        fig.text(0.5, y, f" {text.upper()} ", ha="center", va=va, fontsize=14, weight="bold", color="white",
                 bbox={"boxstyle": "square,pad=0.25", "fc": "#b3261e", "ec": "none"})


def wrap_lines(text: str, width: int) -> list[str]:
    """Return ``text`` broken into lines of at most ``width`` characters (one empty line for no text)."""
    import textwrap

    # break_long_words: URLs and file paths in the source column must not overflow their column
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
