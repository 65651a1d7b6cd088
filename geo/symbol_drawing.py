"""APP-6 symbols (``geo.symbols``) as matplotlib artists, for the PNG, SVG and PDF exports.

``military-symbol`` draws a symbol as plain SVG paths, circles and ellipses (fill, stroke,
width, dashes); each becomes a matplotlib PathPatch in a DrawingArea of a given height in points, so the snapshot
shows the very symbols of the interactive map, as vectors in the SVG and PDF.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

import numpy as np
from matplotlib.legend_handler import HandlerBase
from matplotlib.offsetbox import AnnotationBbox, DrawingArea
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D

from geo.symbols import symbol_svg

ARC_STEPS = 16  # straight pieces per elliptical arc (the symbols' arcs are small)
_NS = "{http://www.w3.org/2000/svg}"


@lru_cache(maxsize=512)
def _svg_paths(code: str) -> tuple[tuple[float, float, float, float], tuple[tuple[MplPath, dict[str, object]], ...]]:
    """Return the viewBox (x, y, width, height) and the (path in SVG units, style) of every drawn path."""
    from svgpathtools import Arc, CubicBezier, Line, QuadraticBezier, parse_path

    root = ET.fromstring(symbol_svg(code).split("?>", 1)[-1])  # (no XML declaration once cropped)
    box = tuple(float(v) for v in root.get("viewBox", "0 0 100 100").split())
    out = []

    def walk(element: ET.Element, inherited: dict[str, str]) -> None:
        style = {**inherited, **{k: v for k, v in element.attrib.items()
                                 if k in ("fill", "stroke", "stroke-width", "stroke-dasharray", "opacity", "display")}}
        if style.get("display") == "none":
            return
        if element.tag in (f"{_NS}circle", f"{_NS}ellipse"):
            cx, cy = float(element.get("cx", 0)), float(element.get("cy", 0))
            rx = float(element.get("rx", element.get("r", 0)))
            ry = float(element.get("ry", element.get("r", 0)))
            out.append((Affine2D().scale(rx, ry).translate(cx, cy).transform_path(MplPath.unit_circle()),
                        dict(style)))
        if element.tag == f"{_NS}path" and element.get("d"):
            vertices: list[tuple[float, float]] = []
            codes: list[int] = []
            for sub in parse_path(element.get("d")).continuous_subpaths():
                start = sub.start
                vertices.append((start.real, start.imag))
                codes.append(MplPath.MOVETO)
                for seg in sub:
                    if isinstance(seg, Line):
                        vertices.append((seg.end.real, seg.end.imag))
                        codes.append(MplPath.LINETO)
                    elif isinstance(seg, CubicBezier):
                        vertices += [(p.real, p.imag) for p in (seg.control1, seg.control2, seg.end)]
                        codes += [MplPath.CURVE4] * 3
                    elif isinstance(seg, QuadraticBezier):
                        vertices += [(p.real, p.imag) for p in (seg.control, seg.end)]
                        codes += [MplPath.CURVE3] * 2
                    elif isinstance(seg, Arc):
                        points = [seg.point(t) for t in np.linspace(0, 1, ARC_STEPS + 1)[1:]]
                        vertices += [(p.real, p.imag) for p in points]
                        codes += [MplPath.LINETO] * ARC_STEPS
                if sub.isclosed():
                    vertices.append((start.real, start.imag))
                    codes.append(MplPath.CLOSEPOLY)
            if vertices:
                out.append((MplPath(np.array(vertices), codes), dict(style)))
        for child in element:
            walk(child, style)

    walk(root, {"fill": "#000000"})  # SVG's default fill
    return box, tuple(out)  # type: ignore[return-value]


def _colour(value: object) -> str | None:
    text = str(value or "none").strip()
    return None if text in ("none", "") else text


def symbol_patches(code: str, scale: float, left: float = 0.0, bottom: float = 0.0,
                   **patch_kwargs: object) -> list[PathPatch]:
    """Return the patches of the symbol of SIDC ``code``: SVG units times ``scale`` points, its
    lower left corner at (``left``, ``bottom``), y pointing up."""
    (x0, y0, _, height), paths = _svg_paths(code)
    out = []
    for path, style in paths:
        vertices = np.column_stack([left + (path.vertices[:, 0] - x0) * scale,
                                    bottom + (height - (path.vertices[:, 1] - y0)) * scale])
        fill, stroke = _colour(style.get("fill")), _colour(style.get("stroke"))
        dashes = [float(v) * scale for v in re.split(r"[,\s]+", str(style.get("stroke-dasharray", "")).strip()) if v]
        out.append(PathPatch(
            MplPath(vertices, path.codes), facecolor=fill or "none", edgecolor=stroke or "none",
            linewidth=float(style.get("stroke-width", 1.0)) * scale if stroke else 0.0,
            linestyle=(0, dashes) if dashes else "solid", alpha=float(style.get("opacity", 1.0)),
            joinstyle="round", **patch_kwargs))
    return out


def symbol_drawing(code: str, height_pt: float) -> DrawingArea:
    """Return a DrawingArea, ``height_pt`` high, holding the APP-6 symbol of SIDC ``code``."""
    (_, _, width, height), _ = _svg_paths(code)
    scale = height_pt / height
    area = DrawingArea(width * scale, height_pt, 0, 0)
    for patch in symbol_patches(code, scale):
        area.add_artist(patch)
    return area


def place_symbol(ax: object, code: str, lon: float, lat: float, height_pt: float,
                 zorder: float = 6.0) -> AnnotationBbox:
    """Add the symbol of SIDC ``code`` centred on (``lon``, ``lat``) of ``ax``; return the artist."""
    box = AnnotationBbox(symbol_drawing(code, height_pt), (lon, lat), frameon=False, pad=0, zorder=zorder,
                         annotation_clip=True)
    ax.add_artist(box)  # type: ignore[attr-defined]
    return box


class SymbolHandle:
    """A legend entry standing for the APP-6 symbol of SIDC ``code`` (drawn by SymbolLegendHandler)."""

    def __init__(self, code: str, label: str) -> None:
        self.code = code
        self._label = label

    def get_label(self) -> str:
        """Return the entry's text."""
        return self._label


class SymbolLegendHandler(HandlerBase):
    """Draws a :class:`SymbolHandle` in a legend's handle box, as large as the box allows."""

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):  # type: ignore[no-untyped-def]
        """Return the symbol's patches scaled into the handle box."""
        (_, _, w, h), _ = _svg_paths(orig_handle.code)
        scale = min(width / w, height / h)
        return symbol_patches(orig_handle.code, scale, -xdescent + (width - w * scale) / 2,
                              -ydescent + (height - h * scale) / 2, transform=trans)
