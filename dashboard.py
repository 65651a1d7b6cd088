"""Streamlit page: the eastern-flank map, its time slider, filters, evidence and upload.

Only wiring: every decision lives in geo.timeline, geo.layers and geo.uploads.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import store, timeline
from geo.assets import assets_installed, install_assets, use_local_assets
from geo.export import FORMATS, MIME_TYPES, export_bytes
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.ingest import ensure_default_store
from geo.layers import build_map
from geo.uploads import UPLOAD_TYPES, store_uploads

st.set_page_config(page_title="NATO eastern flank", layout="wide")


@st.cache_resource
def gazetteer() -> Gazetteer:
    """Return the shared, read-only gazetteer (also used by the layers' polygon lookups)."""
    return load_gazetteer()


@st.cache_data(max_entries=8, show_spinner=False)
def events_of(db: str, mtime_ns: int) -> pd.DataFrame:
    """Return every stored event; ``mtime_ns`` keys the cache so an upload shows at once."""
    del mtime_ns
    return store.load_events(db)


@st.cache_resource
def _prepare(db: str) -> Path:
    """One-time start-up per process and store: the default store, Leaflet assets, folium's asset URLs."""
    path = ensure_default_store(db)
    if not assets_installed():
        install_assets()
    use_local_assets("app/static/vendor")
    return path


def _start() -> Path:
    return _prepare(str(store.resolve_db(None)))


def _init_state(bounds: tuple[int, int]) -> None:
    """Seed the widgets from the URL on a session's first run."""
    if "years" in st.session_state:
        return
    view = timeline.clamp_years(timeline.view_from_query(st.query_params.to_dict()), bounds)
    st.session_state.years = (view.year_from, view.year_to)
    st.session_state.as_of = view.as_of
    st.session_state.countries = list(view.countries)
    st.session_state.types = list(view.types)
    st.session_state.contributors = list(view.contributors)
    st.session_state.url_center = (view.lat, view.lon) if view.lat is not None else None
    st.session_state.url_zoom = view.zoom
    st.session_state.upload_round = 0


def _step(delta: int, bounds: tuple[int, int]) -> None:
    st.session_state.years = timeline.step(tuple(st.session_state.years), delta, bounds)


def _sidebar(events: pd.DataFrame, bounds: tuple[int, int]) -> timeline.ViewState:
    lo, hi = bounds
    sb = st.sidebar
    sb.header("View")
    sb.slider("Years", min_value=lo, max_value=max(hi, lo + 1), key="years")
    left, right = sb.columns(2)
    left.button("◀ step", on_click=_step, args=(-1, bounds), width="stretch")
    right.button("step ▶", on_click=_step, args=(1, bounds), width="stretch")
    sb.toggle("As of the end year (deployments persist until ended)", key="as_of")
    countries = timeline.facet_counts(events, "country")
    sb.multiselect("Host country", sorted(set(countries) | set(st.session_state.countries)), key="countries",
                   format_func=lambda c: f"{c} ({countries.get(c, 0)})")
    nations = timeline.facet_counts(events, "contributors")
    sb.multiselect("Contributing nation", sorted(set(nations) | set(st.session_state.contributors)),
                   key="contributors", format_func=lambda c: f"{c} ({nations.get(c, 0)})")
    kinds = timeline.facet_counts(events, "type")
    sb.multiselect("Event type", list(timeline.EVENT_TYPES), key="types",
                   format_func=lambda t: f"{t} ({kinds.get(t, 0)})")
    sb.toggle("Web map tiles (needs internet)", key="tiles", value=False)
    year_from, year_to = st.session_state.years
    return timeline.ViewState(
        year_from=int(year_from), year_to=int(year_to), as_of=bool(st.session_state.as_of),
        countries=tuple(st.session_state.countries), types=tuple(st.session_state.types),
        contributors=tuple(st.session_state.contributors),
    )


def _upload(db: Path) -> None:
    sb = st.sidebar
    sb.header("Add articles")
    files = sb.file_uploader("Articles (txt, md, html)", type=list(UPLOAD_TYPES), accept_multiple_files=True,
                             key=f"upload_{st.session_state.upload_round}")
    if files:
        st.session_state.upload_messages = store_uploads([(f.name, f.getvalue()) for f in files], db)
        st.session_state.upload_round += 1  # a fresh uploader, so the same files are not stored twice
        st.rerun()
    for message in st.session_state.get("upload_messages", []):
        getattr(sb, message.level)(message.text)


def _evidence_table(view_events: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "date": view_events["article_published"].fillna("").where(
            view_events["article_published"].fillna("") != "", view_events["year"].astype("Int64").astype(str)),
        "type": view_events["type"],
        "place": view_events["place"],
        "country": view_events["country"],
        "summary": (view_events["status"].fillna("") + " " + view_events["evidence"].fillna("").str.slice(0, 160)),
        "article": view_events["article_title"].fillna("") + " — " + view_events["article_source"].fillna(""),
    }).reset_index(drop=True)


def _export(view_events: pd.DataFrame, view: timeline.ViewState) -> None:
    """Download buttons for the view: prepared on request, since a PDF takes a few seconds."""
    st.subheader("Export this view")
    pick, prepare, download = st.columns([2, 1, 2], vertical_alignment="bottom")
    fmt = pick.selectbox("Format", FORMATS, key="export_format")
    filters = store.Filters(year_from=view.year_from, year_to=view.year_to, countries=view.countries,
                            types=view.types, contributors=view.contributors)
    if prepare.button("Prepare", key="export_prepare"):
        st.session_state.export_blob = (fmt, export_bytes(view_events, fmt, filters=filters))
    blob = st.session_state.get("export_blob")
    if blob and blob[0] == fmt:
        download.download_button(f"Download {fmt.upper()}", blob[1], file_name=f"eastern-flank.{fmt}",
                                 mime=MIME_TYPES.get(fmt, "application/octet-stream"), key="export_download")


def main() -> None:
    """Render the page."""
    db = _start()
    events = events_of(str(db), db.stat().st_mtime_ns)
    bounds = timeline.year_bounds(events)
    _init_state(bounds)
    view = _sidebar(events, bounds)
    _upload(db)

    st.title("NATO's eastern flank")
    if events.empty:
        st.info("No events stored yet. Add articles (txt, md, html) in the sidebar to put them on the map.")
    view_events = timeline.in_view(events, view)
    mode = f"as of {view.year_to}" if view.as_of else f"{view.year_from}–{view.year_to}"
    st.caption(f"{len(view_events)} events in view ({mode})")

    table = _evidence_table(view_events)
    selected = st.session_state.get("evidence")
    rows = selected.selection.rows if selected is not None else []
    center, zoom = st.session_state.url_center, st.session_state.url_zoom
    if rows and rows[0] < len(view_events):
        focus = view_events.iloc[rows[0]]
        center, zoom = (float(focus["lat"]), float(focus["lon"])), 7
    fmap = build_map(view_events, tiles=bool(st.session_state.tiles), gaz=gazetteer())
    state = st_folium(fmap, key="map", height=560, use_container_width=True, returned_objects=["center", "zoom"],
                      center=center, zoom=zoom)
    map_center = (state or {}).get("center") or {}
    map_zoom = (state or {}).get("zoom")
    if map_center:
        view = replace(view, lat=float(map_center["lat"]), lon=float(map_center["lng"]),
                       zoom=int(map_zoom) if map_zoom else None)
    elif center is not None:
        view = replace(view, lat=center[0], lon=center[1], zoom=zoom)
    st.query_params.from_dict(timeline.view_to_query(view))

    st.subheader("Evidence")
    st.dataframe(table, key="evidence", on_select="rerun", selection_mode="single-row", hide_index=True,
                 width="stretch")
    _export(view_events, view)
    st.subheader("Events per year by type")
    per_year = timeline.per_year_by_type(timeline.apply_filters(events, view))
    if not per_year.empty:
        st.bar_chart(per_year)


main()
