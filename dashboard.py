"""Streamlit page: the eastern-flank map, its time slider, play control, filters, evidence and upload.

Only wiring: every decision lives in geo.timeline, geo.app_view, geo.map_features, geo.layers
and geo.uploads. What is
expensive is cached per store version (mtime and SQLite change counter): the events, their facet counts, and the
map's features per view, so reruns that do not change the view (a table selection, an export
format) do not rebuild the map, and the map component keeps its iframe while its layers change.
"""

from __future__ import annotations

from dataclasses import astuple, replace
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import app_view, store, timeline
from geo.assets import assets_installed, install_assets, use_local_assets
from geo.export import FORMATS, MIME_TYPES, export_bytes
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.ingest import ensure_default_store
from geo.layers import base_map, event_layers
from geo.map_features import RANGE_KEY, aggregate
from geo.ranges import named_system_counts, range_rings
from geo.uploads import UPLOAD_TYPES, UploadLedger

st.set_page_config(page_title="NATO eastern flank", layout="wide")

TABLE_ROWS = 500     # evidence rows sent to the page (some 140 KB); the export has them all


@st.cache_resource
def gazetteer() -> Gazetteer:
    """Return the shared, read-only gazetteer (also used by the layers' polygon lookups)."""
    return load_gazetteer()


@st.cache_resource(max_entries=2, show_spinner=False)
def events_of(db: str, store_version: tuple[int, int]) -> pd.DataFrame:
    """Return every stored event, shared read-only by all sessions (never modified in place).

    ``store_version`` (store.version) keys the cache so an upload shows at once.
    """
    del store_version
    return store.load_events(db)


@st.cache_data(max_entries=4, show_spinner=False)
def facets_of(db: str, store_version: tuple[int, int]) -> dict[str, Any]:
    """Return what the sidebar needs of all events: bounds, facet counts, whether months are known."""
    events = events_of(db, store_version)
    return {"bounds": timeline.year_bounds(events), "months": timeline.has_months(events),
            "country": timeline.facet_counts(events, "country"),
            "contributors": timeline.facet_counts(events, "contributors"),
            "type": timeline.facet_counts(events, "type"), "ranges": named_system_counts(events)}


@st.cache_resource(max_entries=16, show_spinner=False)
def view_events_of(db: str, store_version: tuple[int, int], view_key: tuple[Any, ...]) -> pd.DataFrame:
    """Return the events of one view (a ViewState without the map position), shared read-only."""
    return timeline.in_view(events_of(db, store_version), timeline.ViewState(*view_key))


@st.cache_data(max_entries=64, show_spinner=False)
def features_of(db: str, store_version: tuple[int, int], view_key: tuple[Any, ...]) -> dict[str, list[dict[str, Any]]]:
    """Return the map's features of one view."""
    return aggregate(view_events_of(db, store_version, view_key), gaz=gazetteer())


@st.cache_data(max_entries=64, show_spinner=False)
def rings_of(db: str, store_version: tuple[int, int], view_key: tuple[Any, ...],
             systems: tuple[str, ...]) -> list[dict[str, Any]]:
    """Return the range rings of one view: the chosen ``systems`` (none chosen: all) where its deployments name them."""
    return range_rings(view_events_of(db, store_version, view_key), systems or None)


@st.cache_data(max_entries=16, show_spinner=False)
def per_year_of(db: str, store_version: tuple[int, int], countries: tuple[str, ...], types: tuple[str, ...],
                contributors: tuple[str, ...]) -> pd.DataFrame:
    """Return the events per year and type under the view's filters (all years, so not keyed by them)."""
    view = timeline.ViewState(countries=countries, types=types, contributors=contributors)
    return timeline.per_year_by_type(timeline.apply_filters(events_of(db, store_version), view))


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
    if not st.session_state.get("initialised"):
        st.session_state.update(timeline.initial_widget_state(st.query_params.to_dict(), bounds))


# ----- sidebar: the view ---------------------------------------------------------------------
def _sidebar(facets: dict[str, Any]) -> timeline.ViewState:
    bounds: tuple[int, int] = facets["bounds"]
    lo, hi = bounds
    app_view.play_advance(bounds)
    sb = st.sidebar
    sb.header("View")
    if facets["months"] or app_view.months_on():
        sb.segmented_control("Time step", ["Years", "Months"], key="resolution", on_change=app_view.resolution_changed,
                             required=True)
    if app_view.months_on():
        first, last = timeline.months_of_years(bounds)
        # The default only makes it a range slider; the session state holds the window.
        sb.select_slider("Months", options=list(range(first, last + 1)), format_func=timeline.month_label,
                         value=(first, last), key="months")
    else:
        sb.slider("Years", min_value=lo, max_value=max(hi, lo + 1), key="years")
    left, right = sb.columns(2)
    left.button("◀ step", on_click=app_view.step, args=(-1, bounds), width="stretch", key="step_back")
    right.button("step ▶", on_click=app_view.step, args=(1, bounds), width="stretch", key="step_on")
    sb.toggle(f"Play (a step every {app_view.PLAY_SECONDS:g} s)", key="playing", on_change=app_view.play_toggled,
              args=(bounds,))
    sb.toggle("As of the end (deployments persist until ended)", key="as_of")
    app_view.facet_filter("Host country", "countries", facets["country"])
    app_view.facet_filter("Contributing nation", "contributors", facets["contributors"])
    app_view.facet_filter("Event type", "types", facets["type"], options=timeline.EVENT_TYPES)
    app_view.facet_filter("Range rings (none chosen: every system named)", "range_systems", facets["ranges"])
    sb.toggle("Web map tiles (needs internet)", key="tiles", value=False)
    months = tuple(st.session_state.months) if app_view.months_on() else None
    year_from, year_to = timeline.years_of_months(months) if months else st.session_state.years
    return timeline.ViewState(
        year_from=int(year_from), year_to=int(year_to), as_of=bool(st.session_state.as_of),
        countries=tuple(st.session_state.countries), types=tuple(st.session_state.types),
        contributors=tuple(st.session_state.contributors),
        month_from=months[0] if months else None, month_to=months[1] if months else None,
    )


@st.cache_resource
def _upload_ledger() -> UploadLedger:
    """The server-wide record of stored uploads (see UploadLedger)."""
    return UploadLedger()


def _upload(db: Path, view: timeline.ViewState) -> None:
    sb = st.sidebar
    sb.header("Add articles")
    # One dict, changed in place after storing: every st.session_state access is a point where a
    # pending rerun interrupts the script, so a plain assignment after storing could be lost. The
    # ledger covers what remains: two runs of one session at once (fast reruns) store the files once.
    uploads = st.session_state.setdefault("uploads", {"round": 0, "messages": []})
    files = sb.file_uploader("Articles (txt, md, html)", type=list(UPLOAD_TYPES), accept_multiple_files=True,
                             key=f"upload_{uploads['round']}")
    if files:
        uploads["messages"] = _upload_ledger().store_once(
            [f.file_id for f in files], lambda: [(f.name, f.getvalue()) for f in files], db)
        uploads["round"] += 1  # a fresh uploader, so the same files are not stored twice
        st.rerun()
    for i, message in enumerate(uploads["messages"]):
        getattr(sb, message.level)(message.text)
        if message.landing and timeline.widen_view(view, message.landing) != view:
            sb.button("Outside this view: show them", key=f"show_landing_{uploads['round']}_{i}",
                      on_click=app_view.show_landing, args=(view, message.landing), width="stretch")


def _export(view_events: pd.DataFrame, view: timeline.ViewState) -> None:
    """Download buttons for the view: prepared on request, since a PDF takes a few seconds."""
    st.subheader("Export this view")
    pick, prepare, download = st.columns([2, 1, 2], vertical_alignment="bottom")
    fmt = pick.selectbox("Format", FORMATS, key="export_format")
    filters = store.Filters(year_from=view.year_from, year_to=view.year_to, countries=view.countries,
                            types=view.types, contributors=view.contributors, period=timeline.window_label(view))
    if prepare.button("Prepare", key="export_prepare"):
        st.session_state.export_blob = (fmt, export_bytes(view_events, fmt, filters=filters))
    blob = st.session_state.get("export_blob")
    if blob and blob[0] == fmt:
        download.download_button(f"Download {fmt.upper()}", blob[1], file_name=f"eastern-flank.{fmt}",
                                 mime=MIME_TYPES.get(fmt, "application/octet-stream"), key="export_download")


def main() -> None:
    """Render the page."""
    db = _start()
    version = (str(db), store.version(db))
    events = events_of(*version)
    facets = facets_of(*version)
    _init_state(facets["bounds"])
    view = _sidebar(facets)
    _upload(db, view)

    st.title("NATO's eastern flank")
    if events.empty:
        st.info("No events stored yet. Add articles (txt, md, html) in the sidebar to put them on the map.")
    view_key = astuple(replace(view, lat=None, lon=None, zoom=None))
    view_events = view_events_of(*version, view_key)
    st.caption(f"{len(view_events)} events in view ({timeline.window_label(view)})")

    selected = st.session_state.get("evidence")
    rows = selected.selection.rows if selected is not None else []
    center, zoom = st.session_state.url_center, st.session_state.url_zoom
    if rows and rows[0] < len(view_events):
        focus = view_events.iloc[rows[0]]
        center, zoom = (float(focus["lat"]), float(focus["lon"])), 7
    # A map without events has a script that never changes, so the component (and its iframe) stays
    # mounted; the event layers go in as feature groups, which st_folium swaps inside the live map.
    state = st_folium(base_map(tiles=bool(st.session_state.tiles)), key="map", height=560,
                      use_container_width=True, returned_objects=["center", "zoom"], center=center, zoom=zoom,
                      feature_group_to_add=event_layers({
                          **features_of(*version, view_key),
                          RANGE_KEY: rings_of(*version, view_key, tuple(st.session_state.range_systems))}),
                      layer_control=folium.LayerControl(collapsed=False))
    map_center = (state or {}).get("center") or {}
    map_zoom = (state or {}).get("zoom")
    if map_center:
        view = replace(view, lat=float(map_center["lat"]), lon=float(map_center["lng"]),
                       zoom=int(map_zoom) if map_zoom else None)
    elif center is not None:
        view = replace(view, lat=center[0], lon=center[1], zoom=zoom)
    st.query_params.from_dict(timeline.view_to_query(view))

    st.subheader("Evidence")
    if len(view_events) > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {len(view_events):,} events; export the view for all of them.")
    st.dataframe(timeline.evidence_table(view_events, TABLE_ROWS), key="evidence", on_select="rerun",
                 selection_mode="single-row", hide_index=True, width="stretch")
    _export(view_events, view)
    st.subheader("Events per year by type")
    per_year = per_year_of(*version, view.countries, view.types, view.contributors)
    if not per_year.empty:
        st.bar_chart(per_year)
    app_view.schedule_play()


main()
