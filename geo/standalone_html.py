"""The standalone HTML map: the dashboard's Leaflet map as one page that refers to no other
file (scripts, styles and images inlined), and the check that it refers to nothing outside."""

from __future__ import annotations

import base64
import html
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
from branca.element import Element

from geo import layers
from geo.store import Filters
from geo.time_layers import add_year_layers

_SCRIPT_SRC = re.compile(r"<script\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script\s*>", re.IGNORECASE)
_LINK = re.compile(r"<link\b[^>]*?>", re.IGNORECASE)
_ATTR = re.compile(r"\b(href|rel)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*[\"']?([^)\"']+)[\"']?\s*\)")
_LOCAL_SCHEMES = ("data:", "#", "javascript:", "about:")
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif", ".jpg": "image/jpeg",
         ".woff2": "font/woff2", ".woff": "font/woff"}


HTML_CSS = """<style>
html, body { margin: 0; height: 100%; font-family: "DejaVu Sans", Arial, sans-serif; }
html body .leaflet-container { background: SEA_COLOUR; }
.flank-head { position: absolute; top: 10px; left: 56px; z-index: 1000; max-width: 55%; padding: 6px 10px;
  background: rgba(255,255,255,.93); border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; }
.flank-head h1 { margin: 0 0 2px; font-size: 17px; }
.flank-head p { margin: 2px 0; }
.flank-time { background: rgba(255,255,255,.93); padding: 4px 8px; border-radius: 4px; font: 13px sans-serif; }
.flank-time input { width: 220px; vertical-align: middle; }
.flank-time span { display: inline-block; min-width: 64px; font-weight: bold; }
</style>"""


def standalone_html(
    events: pd.DataFrame,
    *,
    title: str | None = None,
    caption: str | None = None,
    filters: Filters | None = None,
    generated: datetime,
    gaz: Any = None,
) -> str:
    """Return the interactive map of ``events`` as one HTML page that refers to no other file.

    The dashboard's map (``geo.layers.build_map``) with a year slider over its layers,
    a heading stating the filters, and Leaflet's scripts, styles and images inlined.
    """
    from geo import render
    from geo.assets import asset_files

    fmap = layers.build_map(events, gaz=gaz)
    extent = render.fit_extent(events, 16 / 9)
    fmap.fit_bounds([[extent.lat0, extent.lon0], [extent.lat1, extent.lon1]])
    add_year_layers(fmap, events, gaz)
    heading = title or render.DEFAULT_TITLE
    root = fmap.get_root()
    root.title = html.escape(heading)
    root.header.add_child(Element(HTML_CSS.replace("SEA_COLOUR", layers.SEA)), name="flank_export_css")
    lines = [f"<h1>{html.escape(heading)}</h1>",
             f"<p>{html.escape(render.describe_filters(filters, events))}</p>"]
    if caption:
        lines.append(f"<p><b>{html.escape(caption)}</b></p>")
    lines.append(f"<p>{html.escape(render.ATTRIBUTION)} Generated {generated:%Y-%m-%d %H:%M} UTC.</p>")
    # Verbatim, not Element: an Element's text is a Jinja template, and titles and captions are user text.
    root.html.add_child(layers.Verbatim(f'<div class="flank-head">{"".join(lines)}</div>'), name="flank_export_head")
    return inline_assets(root.render(), asset_files())


def inline_assets(page: str, files: dict[str, Path]) -> str:
    """Return ``page`` with every ``<script src>`` and stylesheet ``<link>`` replaced by the file's contents.

    Files are found by name among ``files``; a reference with no local copy (jQuery,
    Bootstrap, Font Awesome from folium's defaults, which the map does not use) is dropped.
    Images that stylesheets refer to become ``data:`` URIs.
    """
    by_name = {p.name: p for p in files.values()}

    def local(url: str) -> Path | None:
        return by_name.get(url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1])

    def script(match: re.Match[str]) -> str:
        path = local(match.group(1))
        if path is None:
            return ""
        code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>{code}</script>"

    def link(match: re.Match[str]) -> str:
        attrs = {k.lower(): v for k, v in _ATTR.findall(match.group(0))}
        href = attrs.get("href", "")
        if not href or href.startswith(_LOCAL_SCHEMES):
            return match.group(0)
        path = local(href) if "stylesheet" in attrs.get("rel", "").lower() else None
        if path is None:
            return ""
        return f"<style>{_inline_css_urls(path.read_text(encoding='utf-8'), path.parent)}</style>"

    return _LINK.sub(link, _SCRIPT_SRC.sub(script, page))


def _inline_css_urls(css: str, folder: Path) -> str:
    def data_uri(match: re.Match[str]) -> str:
        ref = match.group(1).strip()
        if ref.startswith(_LOCAL_SCHEMES):
            return match.group(0)
        path = folder / ref.split("?", 1)[0]
        if not path.is_file():
            return "none"  # never leave a reference that would make the browser look outside the file
        mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
        return f'url("data:{mime};base64,{base64.b64encode(path.read_bytes()).decode("ascii")}")'

    return _CSS_URL.sub(data_uri, css)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data") and value and \
                    not value.strip().lower().startswith(_LOCAL_SCHEMES):
                self.found.append(value)


def external_references(page: str) -> list[str]:
    """Return every URL an element of ``page`` refers to that is not inside the page itself.

    Also lists ``url(...)`` references of inline styles that are not ``data:`` URIs.
    """
    parser = _References()
    parser.feed(page)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.IGNORECASE | re.DOTALL)
    css_refs = [u.strip() for s in styles for u in _CSS_URL.findall(s) if not u.strip().startswith(_LOCAL_SCHEMES)]
    return parser.found + css_refs
