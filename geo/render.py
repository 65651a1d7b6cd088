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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")  # explicit: exports run on servers and in tests with no display

import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.gazetteer import Gazetteer, load_gazetteer
from geo.store import Filters

ATTRIBUTION = "Boundaries: Natural Earth. Places: GeoNames (CC BY 4.0)."
DEFAULT_TITLE = "NATO eastern flank: deployments, exercises and chokepoints"
FIG_SIZE_IN = (16.0, 9.0)
DPI = 120

FLANK_ALLIES = frozenset({"EE", "LV", "LT", "PL", "SK", "HU", "RO", "BG", "FI"})
ADVERSARIES = frozenset({"RU", "BY"})
SEA = "#dce8f2"
LAND = "#f3f1ec"
LAND_EDGE = "#a3a3a3"
ALLY = "#f6e2b3"
ALLY_EDGE = "#6d5a2e"
ADVERSARY = "#ead0cc"
ADVERSARY_EDGE = "#9c4a40"
STATUS_COLORS: Mapping[str, str] = {
    "arrived": "#1f5fa8",
    "announced": "#7b3fa0",
    "planned": "#e08a00",
    "requested": "#138a72",
    "ended": "#7d8589",
    "": "#2f3b46",
}
STATUS_LABELS: Mapping[str, str] = {"": "status unknown"}
EXERCISE = "#c0392b"
CHOKEPOINT = "#5b2c83"

DEFAULT_EXTENT = (12.0, 43.0, 38.0, 63.0)  # lon0, lat0, lon1, lat1: Norway's North Cape aside, the flank
MAX_EXTENT = (-5.0, 36.0, 60.0, 72.0)
MIN_SPAN_LAT = 4.0
MAX_SPAN_LAT = 26.0
MAP_RECT = (0.015, 0.085, 0.74, 0.79)  # left, bottom, width, height as figure fractions
LEGEND_RECT = (0.768, 0.085, 0.222, 0.79)
TROOP_STEPS = (500, 5_000, 20_000)
LABELLED_PLACES = 14


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
    }):
        yield


def describe_filters(filters: Filters | None, events: pd.DataFrame) -> str:
    """Return one line stating the years, countries and types in view and the event count."""
    f = filters or Filters()
    years = pd.to_numeric(events["year"], errors="coerce").dropna() if len(events) else pd.Series(dtype=float)
    y0 = f.year_from if f.year_from is not None else (int(years.min()) if len(years) else None)
    y1 = f.year_to if f.year_to is not None else (int(years.max()) if len(years) else None)
    if y0 is None and y1 is None:
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
    span_x = span_y * box_aspect * k
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
    gaz = gaz or load_gazetteer()
    generated = generated or datetime.now(UTC)
    with style():
        fig = Figure(figsize=FIG_SIZE_IN, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        top = 0.955 if banner else 0.985
        map_rect = list(MAP_RECT)
        if banner:
            map_rect[1] += 0.02
            map_rect[3] -= 0.05
        ax = fig.add_axes(tuple(map_rect))
        box_aspect = (map_rect[2] * FIG_SIZE_IN[0]) / (map_rect[3] * FIG_SIZE_IN[1])
        extent = fit_extent(events, box_aspect)
        _draw_base(ax, gaz, extent)
        as_areas = _draw_areas(ax, gaz, events, extent)
        placed = _draw_points(ax, events, extent, as_areas)
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
        _legend(fig, events)
        fig.text(0.015, top - 0.01, title or DEFAULT_TITLE, ha="left", va="top", fontsize=26, weight="bold",
                 color="#1d2731")
        fig.text(0.015, top - 0.068, describe_filters(filters, events), ha="left", va="top", fontsize=15,
                 color="#3b4650")
        _footer(fig, caption, generated, base=0.038 if banner else 0.012)
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


def _add_patches(ax: object, geoms: Iterable[BaseGeometry], **kwargs: object) -> None:
    patches = [p for g in geoms for p in _geometry_patches(g)]
    if patches:
        ax.add_collection(PatchCollection(patches, match_original=False, **kwargs))  # type: ignore[attr-defined]


def _draw_base(ax: object, gaz: Gazetteer, extent: Extent) -> None:
    ax.set_facecolor(SEA)  # type: ignore[attr-defined]
    groups: dict[str, list[BaseGeometry]] = {"other": [], "ally": [], "adversary": []}
    for iso, geom in gaz.country_shapes.items():
        if not geom.intersects(extent.box):
            continue
        group = "ally" if iso in FLANK_ALLIES else "adversary" if iso in ADVERSARIES else "other"
        groups[group].append(_clipped(geom, extent))
    _add_patches(ax, groups["other"], facecolor=LAND, edgecolor=LAND_EDGE, linewidth=0.6, zorder=1)
    _add_patches(ax, groups["adversary"], facecolor=ADVERSARY, edgecolor=ADVERSARY_EDGE, linewidth=0.9,
                 hatch="//", zorder=1.1)
    _add_patches(ax, groups["ally"], facecolor=ALLY, edgecolor=ALLY_EDGE, linewidth=1.1, zorder=1.2)
    for iso in sorted(FLANK_ALLIES | ADVERSARIES | {"UA", "MD", "SE", "NO", "DE"}):
        geom = gaz.country_shapes.get(iso)
        if geom is None:
            continue
        inside = geom.intersection(extent.box)
        if inside.is_empty or inside.area < 0.02 * (extent.lat1 - extent.lat0) ** 2:
            continue
        largest = max(getattr(inside, "geoms", [inside]), key=lambda g: g.area)
        pt = largest.representative_point()
        place = gaz.country(iso)
        ax.text(pt.x, pt.y, (place.name if place else iso).upper(), ha="center", va="center",  # type: ignore[attr-defined]
                fontsize=10, color="#6b6256" if iso not in ADVERSARIES else "#8a3d33", alpha=0.85, zorder=2,
                style="italic")


def _area_geometry(gaz: Gazetteer, place_id: object) -> BaseGeometry | None:
    """Return the polygon of an area place, or None for points and unknown ids."""
    if not isinstance(place_id, str) or not place_id:
        return None
    try:
        place = gaz.place(place_id)
    except KeyError:
        return None
    if not place.is_area:
        return None
    geom = gaz.geometry(place)
    return None if geom is None or geom.is_empty else geom


def _draw_areas(ax: object, gaz: Gazetteer, events: pd.DataFrame, extent: Extent) -> set[str]:
    """Draw exercise and chokepoint polygons; return the place ids drawn as areas."""
    drawn: set[str] = set()
    for kind, color, hatch, z in (("exercise", EXERCISE, None, 3), ("chokepoint", CHOKEPOINT, "xx", 3.5)):
        ids = events.loc[events["type"] == kind, "place_id"].dropna().unique() if len(events) else []
        geoms = []
        for pid in ids:
            geom = _area_geometry(gaz, pid)
            if geom is not None and geom.intersects(extent.box):
                geoms.append(_clipped(geom, extent))
                drawn.add(pid)
        _add_patches(ax, geoms, facecolor=matplotlib.colors.to_rgba(color, 0.10), edgecolor=color,
                     linewidth=1.8, linestyle=(0, (5, 3)), hatch=hatch, zorder=z)
    return drawn


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


def _draw_points(ax: object, events: pd.DataFrame, extent: Extent, as_areas: set[str]) -> list[_Placed]:
    """Draw deployments (aggregated per place) and exercises/chokepoints not drawn as areas.

    Returns the places worth a label, most events first.
    """
    if not len(events):
        return []
    frame = events.assign(
        lon=pd.to_numeric(events["lon"], errors="coerce"),
        lat=pd.to_numeric(events["lat"], errors="coerce"),
        year=pd.to_numeric(events["year"], errors="coerce"),
        status=events["status"].fillna("").astype(str),
        place_id=events["place_id"].fillna("").astype(str),
    ).dropna(subset=["lon", "lat"])
    dep = frame[frame["type"] == "deployment"].sort_values("year", kind="stable")
    if len(dep):
        # Many reports of one place become one symbol: its latest status, its largest known force.
        keys = dep["place_id"].where(dep["place_id"] != "", dep["lon"].astype(str) + "," + dep["lat"].astype(str))
        agg = dep.assign(_key=keys).groupby("_key", sort=False).agg(
            lon=("lon", "first"), lat=("lat", "first"), status=("status", "last"), troops=("troops", "max"),
            place=("place", "first"), n=("event_id", "size"))
        agg = agg.sort_values("troops", ascending=False, na_position="first")
        colors = [STATUS_COLORS.get(s, STATUS_COLORS[""]) for s in agg["status"]]
        ax.scatter(agg["lon"], agg["lat"], s=_troop_size(agg["troops"]), c=colors, alpha=0.82,  # type: ignore[attr-defined]
                   edgecolors="white", linewidths=1.0, zorder=5)
    else:
        agg = pd.DataFrame(columns=["lon", "lat", "place", "n"])
    for kind, color, marker in (("exercise", EXERCISE, "^"), ("chokepoint", CHOKEPOINT, "D")):
        pts = frame[(frame["type"] == kind) & ~frame["place_id"].isin(as_areas)].drop_duplicates("place_id")
        if len(pts):
            ax.scatter(pts["lon"], pts["lat"], s=90, marker=marker, facecolors="white", edgecolors=color,  # type: ignore[attr-defined]
                       linewidths=2.0, zorder=4.5)
    counts = frame.groupby("place", sort=False).agg(lon=("lon", "first"), lat=("lat", "first"),
                                                    n=("event_id", "size"))
    inside = counts[counts["lon"].between(extent.lon0, extent.lon1) & counts["lat"].between(extent.lat0, extent.lat1)]
    top = inside.sort_values("n", ascending=False).head(LABELLED_PLACES)
    return [_Placed(str(name), float(r.lon), float(r.lat), int(r.n)) for name, r in top.iterrows()]


def _draw_labels(ax: object, placed: list[_Placed], extent: Extent) -> None:
    """Label the busiest places, dropping any label that would overlap one already placed."""
    dx = (extent.lon1 - extent.lon0) * 0.006
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    taken: list[object] = []
    for p in placed:
        label = p.name if p.count == 1 else f"{p.name} ({p.count})"
        text = ax.text(p.lon + dx, p.lat + dx * 0.5, label, fontsize=11, color="#1d2731", zorder=7,  # type: ignore[attr-defined]
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


def _scale_bar(ax: object, extent: Extent) -> None:
    mid = (extent.lat0 + extent.lat1) / 2
    km_per_deg = 111.32 * math.cos(math.radians(mid))
    width_deg = extent.lon1 - extent.lon0
    length_km = _nice_length(width_deg * km_per_deg / 5)
    length_deg = length_km / km_per_deg
    x0 = extent.lon0 + width_deg * 0.03
    y0 = extent.lat0 + (extent.lat1 - extent.lat0) * 0.04
    h = (extent.lat1 - extent.lat0) * 0.012
    ax.add_patch(Rectangle((x0 - width_deg * 0.01, y0 - h * 1.6), length_deg + width_deg * 0.02, h * 6.2,  # type: ignore[attr-defined]
                           fc="white", ec="#888888", alpha=0.85, zorder=8))
    for i in range(2):
        ax.add_patch(Rectangle((x0 + i * length_deg / 2, y0), length_deg / 2, h,  # type: ignore[attr-defined]
                               fc="#222222" if i == 0 else "white", ec="#222222", lw=1, zorder=9))
    ax.text(x0, y0 + h * 1.6, "0", fontsize=11, ha="center", va="bottom", zorder=9)  # type: ignore[attr-defined]
    ax.text(x0 + length_deg, y0 + h * 1.6, f"{length_km:,.0f} km", fontsize=11, ha="center", va="bottom",  # type: ignore[attr-defined]
            zorder=9)


def _north_arrow(ax: object) -> None:
    ax.add_patch(FancyArrow(0.965, 0.87, 0, 0.07, width=0.008, head_width=0.028, head_length=0.035,  # type: ignore[attr-defined]
                            length_includes_head=True, transform=ax.transAxes, fc="#222222", ec="#222222",  # type: ignore[attr-defined]
                            zorder=9))
    ax.text(0.965, 0.855, "N", transform=ax.transAxes, ha="center", va="top", fontsize=16,  # type: ignore[attr-defined]
            weight="bold", zorder=9)


def _legend(fig: Figure, events: pd.DataFrame) -> None:
    lax = fig.add_axes(LEGEND_RECT)
    lax.set_axis_off()
    statuses = set(events["status"].fillna("").astype(str)) if len(events) else set()
    status_handles = [
        Line2D([], [], marker="o", ls="", ms=12, mfc=color, mec="white", label=STATUS_LABELS.get(s, s))
        for s, color in STATUS_COLORS.items() if s in statuses or not statuses
    ]
    size_handles = [
        Line2D([], [], marker="o", ls="", ms=math.sqrt(float(_troop_size(pd.Series([t]))[0])), mfc="#9aa5ae",
               mec="white", label=f"{t:,} troops") for t in TROOP_STEPS
    ] + [Line2D([], [], marker="o", ls="", ms=math.sqrt(70), mfc="#9aa5ae", mec="white", label="troops unknown")]
    layer_handles = [
        Patch(fc=matplotlib.colors.to_rgba(EXERCISE, 0.10), ec=EXERCISE, ls="--", label="exercise area"),
        Line2D([], [], marker="^", ls="", ms=11, mfc="white", mec=EXERCISE, mew=2, label="exercise (place)"),
        Patch(fc=matplotlib.colors.to_rgba(CHOKEPOINT, 0.10), ec=CHOKEPOINT, hatch="xx", ls="--", label="chokepoint"),
        Patch(fc=ALLY, ec=ALLY_EDGE, label="eastern-flank ally"),
        Patch(fc=ADVERSARY, ec=ADVERSARY_EDGE, hatch="//", label="Russia, Belarus"),
        Patch(fc=LAND, ec=LAND_EDGE, label="other country"),
    ]
    renderer = fig.canvas.get_renderer()
    y = 1.0
    for heading, handles, row in (("Deployments by status", status_handles, 1.0),
                                  ("Size: troops", size_handles, 1.9), ("Layers", layer_handles, 1.0)):
        leg = lax.legend(handles=handles, title=heading, loc="upper left", bbox_to_anchor=(0, y), frameon=False,
                         fontsize=13, title_fontsize=14, alignment="left", handlelength=2.2, handleheight=row,
                         borderaxespad=0, labelspacing=0.45)
        leg.get_title().set_weight("bold")
        lax.add_artist(leg)
        # Stack the next block under this one's real height, whatever the fonts measure.
        height = leg.get_window_extent(renderer).transformed(lax.transAxes.inverted()).height
        y -= height + 0.04


def _footer(fig: Figure, caption: str | None, generated: datetime, *, base: float) -> None:
    if caption:
        fig.text(0.015, base + 0.045, caption, ha="left", va="bottom", fontsize=13, color="#1d2731", wrap=True)
    fig.text(0.015, base, ATTRIBUTION, ha="left", va="bottom", fontsize=11, color="#555555")
    fig.text(0.985, base, f"Generated {generated:%Y-%m-%d %H:%M} UTC", ha="right", va="bottom", fontsize=11,
             color="#555555")


def _banner(fig: Figure, text: str) -> None:
    for y, va in ((1.0, "top"), (0.0, "bottom")):
        fig.text(0.5, y, f" {text.upper()} ", ha="center", va=va, fontsize=14, weight="bold", color="white",
                 bbox={"boxstyle": "square,pad=0.25", "fc": "#b3261e", "ec": "none"})
