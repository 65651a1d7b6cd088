"""Leaflet assets served by our own server, never from a CDN.

``install_assets`` copies Leaflet and Leaflet.markercluster out of the installed
xstatic packages into ``static/vendor/`` (git-ignored, served by Streamlit at
``/app/static/vendor/``); ``use_local_assets`` points folium's asset lists at those
copies once at start-up, which fixes ``st_folium`` and saved HTML alike because both
read the same ``default_js``/``default_css`` class attributes.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import folium
import folium.plugins
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = ROOT / "static" / "vendor"

# folium's asset name -> (source folder, file name); the copies keep the file names flat in
# VENDOR_DIR, with Leaflet's images/ next to leaflet.css because the CSS refers to them relatively.
_SOURCES: dict[str, tuple[Path, str]] = {
    "leaflet": (Path(xs_leaflet.BASE_DIR), "leaflet.js"),
    "leaflet_css": (Path(xs_leaflet.BASE_DIR), "leaflet.css"),
    "markerclusterjs": (Path(xs_cluster.BASE_DIR), "leaflet.markercluster.js"),
    "markerclustercss": (Path(xs_cluster.BASE_DIR), "MarkerCluster.css"),
    "markerclusterdefaultcss": (Path(xs_cluster.BASE_DIR), "MarkerCluster.Default.css"),
}
_JS = ("leaflet", "markerclusterjs")
IMAGES = "images"


def install_assets(target: Path = VENDOR_DIR) -> Path:
    """Copy the vendored files into ``target`` (only those missing or changed); return ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for folder, name in _SOURCES.values():
        _copy_if_changed(folder / name, target / name)
    images = Path(xs_leaflet.BASE_DIR) / IMAGES
    (target / IMAGES).mkdir(exist_ok=True)
    for image in images.iterdir():
        _copy_if_changed(image, target / IMAGES / image.name)
    return target


def _copy_if_changed(src: Path, dst: Path) -> None:
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return
    tmp = dst.with_suffix(dst.suffix + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)  # atomic, so a server reading the folder never sees half a file


def assets_installed(target: Path = VENDOR_DIR) -> bool:
    """Return True when every vendored file is present in ``target``."""
    return all((target / name).is_file() for _, name in _SOURCES.values()) and (target / IMAGES).is_dir()


def asset_files(target: Path = VENDOR_DIR) -> dict[str, Path]:
    """Return folium's asset names ("leaflet", "leaflet_css", "markerclusterjs", ...) mapped to local files.

    Installs the assets first when any is missing, so the paths always exist.
    """
    if not assets_installed(target):
        install_assets(target)
    return {key: target / name for key, (_, name) in _SOURCES.items()}


def asset_url(prefix: str, name: str) -> str:
    """Return the URL of file ``name`` under ``prefix``.

    A bare prefix such as ``app/static/vendor`` is rooted at the server ("/app/static/vendor/...")
    because st_folium loads the links from inside its component iframe, where a relative URL
    would resolve against the component's own path.
    """
    base = prefix.rstrip("/")
    if "://" not in base and not base.startswith(("/", ".")):
        base = "/" + base
    return f"{base}/{name}"


def icon_image_path(prefix: str) -> str:
    """Return the value for ``L.Icon.Default.imagePath`` under ``prefix`` (ends with "/")."""
    return asset_url(prefix, IMAGES) + "/"


def use_local_assets(prefix: str) -> None:
    """Point folium's Map and MarkerCluster asset lists at the local copies under ``prefix``.

    jQuery, Bootstrap, Font Awesome and awesome-markers are dropped: the map uses circle
    markers and plain HTML popups, which need none of them.
    """
    url = {key: asset_url(prefix, name) for key, (_, name) in _SOURCES.items()}
    folium.folium.Map.default_js = [("leaflet", url["leaflet"])]
    folium.folium.Map.default_css = [("leaflet_css", url["leaflet_css"])]
    folium.plugins.MarkerCluster.default_js = [("markerclusterjs", url["markerclusterjs"])]
    folium.plugins.MarkerCluster.default_css = [
        ("markerclustercss", url["markerclustercss"]),
        ("markerclusterdefaultcss", url["markerclusterdefaultcss"]),
    ]
