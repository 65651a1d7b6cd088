"""Exports of the events in view: map snapshots (PNG, SVG), a PDF briefing, a standalone
HTML map, and data files (GeoJSON, CSV, GeoPackage).

Every output is written atomically: a temporary sibling of the target is written, flushed
to disk and renamed over the target, so a reader never sees half a file and a failure
leaves the previous file (if any) untouched. Nothing is written anywhere else: a target
that is a symbolic link is replaced by the export (the file it pointed to is not touched),
and a target that exists but is not a regular file (a directory, FIFO or device such as
/dev/stdout) is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import store
from geo.errors import ExportError, GeoError
from geo.load import display_name
from geo.store import EVENT_COLUMNS, Filters

FORMATS = ("png", "svg", "pdf", "html", "geojson", "csv", "gpkg")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Unexportable(Exception):
    """Raised by a writer when the content cannot be written as asked; the message is the reason."""


@dataclass(frozen=True)
class ExportOptions:
    """What an export shows besides the events."""

    title: str | None = None
    caption: str | None = None
    banner: str | None = None
    filters: Filters | None = None
    generated: datetime | None = None


def export_events(
    events: pd.DataFrame,
    fmt: str,
    output: str | Path,
    *,
    title: str | None = None,
    caption: str | None = None,
    filters: Filters | None = None,
    banner: str | None = None,
) -> Path:
    """Write ``events`` in format ``fmt`` to ``output`` atomically; return the path written.

    ``filters`` only describes the view in titles; ``events`` must already be filtered.
    Events without coordinates are left out. ``banner`` is a classification line shown
    above and below the map snapshots. Raises ExportError naming the path and the reason
    when it cannot be written.
    """
    fmt = fmt.lower().lstrip(".")
    target = Path(output)
    if fmt not in WRITERS:
        raise ExportError(f"{target}: unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    options = ExportOptions(title=title, caption=caption, banner=banner, filters=filters,
                            generated=datetime.now(UTC))
    frame = _normalise(events)
    return write_atomic(target, lambda tmp: WRITERS[fmt](frame, tmp, options), suffix=f".{fmt}")


MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html",
              "geojson": "application/geo+json", "csv": "text/csv", "gpkg": "application/geopackage+sqlite3"}


def export_bytes(events: pd.DataFrame, fmt: str, *, title: str | None = None, filters: Filters | None = None) -> bytes:
    """Return the export of ``events`` in ``fmt`` as bytes (for a download button)."""
    with tempfile.TemporaryDirectory(prefix="flankmap-export-") as tmp:
        path = export_events(events, fmt, Path(tmp) / f"view.{fmt}", title=title, filters=filters)
        return path.read_bytes()


def export_cli(args: argparse.Namespace) -> int:
    """Run ``python -m geo export``: load the filtered events and write them; return the exit status.

    Failures print one line ``error: PATH: reason`` on stderr and return 1.
    """
    year_from, year_to = (args.year, args.year) if args.year is not None else (args.year_from, args.year_to)
    filters = Filters(year_from=year_from, year_to=year_to,
                      countries=tuple(c.upper() for c in args.country or ()), types=tuple(args.types or ()))
    try:
        db = store.resolve_db(args.db)
        if not store.is_server(db):
            _check_store_file(Path(db))
        with closing(store.connect(db, create=False)) as conn:
            events = conn.load_events(filters)
        path = export_events(events, args.format, args.output, title=args.title, caption=args.caption,
                             filters=filters, banner=getattr(args, "banner", None))
    except GeoError as exc:
        print(f"error: {display_name(str(exc))}", file=sys.stderr)
        return 1
    print(f"{len(events)} events written to {path}", file=sys.stderr)
    return 0


def _check_store_file(db: Path) -> None:
    # Opening would create an empty store there: an export must write nothing but its output.
    if not db.is_file():
        raise ExportError(f"{db}: no such event store")
    if not _is_sqlite(db):  # an empty or foreign file would be turned into a store: refuse it instead
        raise ExportError(f"{db}: not an event store (not a GeoPackage/SQLite file)")


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


# ----- atomic writing -------------------------------------------------------------------------
def write_atomic(target: Path, write: Callable[[Path], None], *, suffix: str = "") -> Path:
    """Call ``write(tmp)`` on a temporary sibling of ``target``, fsync it and rename it over ``target``.

    Returns ``target``. The temporary file is removed on any failure; OS errors become
    ExportError("TARGET: reason").
    """
    _check_target(target)
    try:
        # A short prefix: a target name near the 255-byte limit must still leave room for the temporary one.
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:64]}.", suffix=f".part{suffix}", dir=target.parent)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write: {_reason(exc)}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        if isinstance(exc, GeoError):
            raise
        raise ExportError(f"{target}: cannot write: {_reason(exc)}") from None
    except _Unexportable as exc:
        _remove(tmp)
        raise ExportError(f"{target}: {exc}") from None
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(target.parent)
    return target


def _check_target(target: Path) -> None:
    try:
        _probe_target(target)
    except ExportError:
        raise
    except OSError as exc:  # the probing itself failed (a name too long, a loop of links)
        raise ExportError(f"{target}: cannot write: {_reason(exc)}") from None


def _probe_target(target: Path) -> None:
    if target.is_dir():
        raise ExportError(f"{target}: is a directory")
    parent = target.parent
    if not parent.exists():
        raise ExportError(f"{target}: directory {parent} does not exist")
    if not parent.is_dir():
        raise ExportError(f"{target}: {parent} is not a directory")
    if target.exists() and not target.is_file():
        # Renaming over a FIFO or a device (/dev/stdout is a link to one) would replace the node itself.
        raise ExportError(f"{target}: not a regular file")
    if target.exists() and not target.is_symlink() and not os.access(target, os.W_OK):
        raise ExportError(f"{target}: permission denied (file is read-only)")


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _mode(target: Path) -> int:
    # mkstemp makes 0600 files; keep an existing file's mode, else the usual 0644 (also for a
    # symbolic link, which is replaced, not written through).
    try:
        return 0o644 if target.is_symlink() else target.stat().st_mode & 0o777
    except OSError:
        return 0o644


def _remove(tmp: Path) -> None:
    for path in (tmp, *(tmp.with_name(tmp.name + side) for side in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename itself is already atomic
    finally:
        os.close(fd)


# ----- data -----------------------------------------------------------------------------------
def _normalise(events: pd.DataFrame) -> pd.DataFrame:
    """Return the events with every column of EVENT_COLUMNS, numeric coordinates and years."""
    frame = events.copy()
    for column in EVENT_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    for column in ("lat", "lon", "troops"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    for column in ("evidence_start", "evidence_end"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    frame = frame.dropna(subset=["lat", "lon"])
    return frame[EVENT_COLUMNS + [c for c in frame.columns if c not in EVENT_COLUMNS]].reset_index(drop=True)


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(value) else float(value)
    return value


def geojson_document(events: pd.DataFrame) -> dict[str, Any]:
    """Return an RFC 7946 FeatureCollection of ``events``: points in lon/lat, every attribute a property."""
    columns = list(events.columns)
    features = []
    for row in events.itertuples(index=False, name=None):
        props = {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        features.append({"type": "Feature", "id": props.get("event_id"),
                         "geometry": {"type": "Point", "coordinates": [props["lon"], props["lat"]]},
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _write_geojson(events: pd.DataFrame, tmp: Path, options: ExportOptions) -> None:
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(geojson_document(events), fh, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _defuse_formula(value: Any) -> Any:
    # Spreadsheets run a cell that starts with = + - @ as a formula; article text is untrusted.
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _write_csv(events: pd.DataFrame, tmp: Path, options: ExportOptions) -> None:
    frame = events.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_defuse_formula)
    # utf-8-sig: the BOM makes Excel read the file as UTF-8, so "Šiauliai" keeps its accent.
    frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def articles_summary(events: pd.DataFrame) -> pd.DataFrame:
    """Return one row per article behind ``events``: title, source, date, event count, years, countries."""
    if not len(events):
        return pd.DataFrame({"article_id": pd.Series(dtype=str), "title": pd.Series(dtype=str),
                             "source": pd.Series(dtype=str), "published": pd.Series(dtype=str),
                             "n_events": pd.Series(dtype="int64"), "year_from": pd.Series(dtype="Int64"),
                             "year_to": pd.Series(dtype="Int64"), "countries": pd.Series(dtype=str)})
    grouped = events.groupby("article_id", sort=False)
    out = grouped.agg(title=("article_title", "first"), source=("article_source", "first"),
                      published=("article_published", "first"), n_events=("event_id", "size"),
                      year_from=("year", "min"), year_to=("year", "max"))
    out["countries"] = grouped["country"].agg(lambda s: ",".join(sorted({c for c in s.dropna() if c})))
    return out.reset_index()


def _write_gpkg(events: pd.DataFrame, tmp: Path, options: ExportOptions) -> None:
    import geopandas as gpd
    import pyogrio

    tmp.unlink()  # GDAL creates the GeoPackage itself; an empty file in its place is not one
    frame = events.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("string")
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    pyogrio.write_dataframe(points, tmp, layer="events", driver="GPKG", geometry_type="Point")
    pyogrio.write_dataframe(articles_summary(events), tmp, layer="articles", driver="GPKG")


def _write_png(events: pd.DataFrame, tmp: Path, options: ExportOptions) -> None:
    from geo import render

    with render.style():
        _snapshot(events, options).savefig(tmp, format="png", dpi=render.DPI, metadata=_metadata("png", options))


def _write_svg(events: pd.DataFrame, tmp: Path, options: ExportOptions) -> None:
    from geo import render

    buffer = io.StringIO()
    with render.style():
        fig = _snapshot(events, options)
        fig.savefig(buffer, format="svg", metadata=_metadata("svg", options))
    width, height = (round(v * render.DPI) for v in fig.get_size_inches())
    # matplotlib sizes SVGs in points (1152×648 pt = 1536×864 px); state the slide size in pixels
    # instead, keeping the viewBox, so the drawing opens at 1920×1080 like the PNG.
    svg = _SVG_SIZE.sub(f'<svg\\1width="{width}px" height="{height}px"', buffer.getvalue(), count=1)
    tmp.write_text(svg, encoding="utf-8")


def _snapshot(events: pd.DataFrame, options: ExportOptions) -> Any:
    from geo import render

    return render.render_map(events, title=options.title, caption=options.caption, banner=options.banner,
                             filters=options.filters, generated=options.generated)


def _metadata(fmt: str, options: ExportOptions) -> dict[str, Any]:
    from geo import render

    title = options.title or render.DEFAULT_TITLE
    if fmt == "png":
        return {"Title": title, "Software": "flankmap", "Source": render.ATTRIBUTION}
    if fmt == "svg":
        return {"Title": title, "Creator": "flankmap", "Source": render.ATTRIBUTION}
    return {"Title": title, "Creator": "flankmap", "Subject": render.ATTRIBUTION}


def _write_pdf(events: pd.DataFrame, tmp: Path, options: ExportOptions) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    from geo import briefing_table, render

    heading = f"{options.title or render.DEFAULT_TITLE}: {render.describe_filters(options.filters, events)}"
    with render.style(), PdfPages(tmp, metadata=_metadata("pdf", options)) as pdf:
        pdf.savefig(_snapshot(events, options))
        for page in briefing_table.render_table_pages(events, heading=heading):
            pdf.savefig(page)


def _write_html(events: pd.DataFrame, tmp: Path, options: ExportOptions) -> None:
    from geo.standalone_html import external_references, standalone_html

    page = standalone_html(events, title=options.title, caption=options.caption, filters=options.filters,
                           generated=options.generated or datetime.now(UTC))
    outside = external_references(page)
    if outside:
        raise _Unexportable(f"the map still refers to {outside[0]}, which cannot be inlined")
    tmp.write_text(page, encoding="utf-8")


_SVG_SIZE = re.compile(r'<svg(\s[^>]*?)width="[^"]*"\s+height="[^"]*"')


WRITERS: dict[str, Callable[[pd.DataFrame, Path, ExportOptions], None]] = {
    "png": _write_png,
    "svg": _write_svg,
    "pdf": _write_pdf,
    "html": _write_html,
    "geojson": _write_geojson,
    "csv": _write_csv,
    "gpkg": _write_gpkg,
}
