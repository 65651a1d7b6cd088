"""The dashboard's view as its widgets hold it in ``st.session_state``: the time window (years
or months), the step buttons and the play control, the filters with their counts, and the
widening that brings an upload's events into view. The arithmetic is ``geo.timeline``'s;
this only keeps the session's widgets in step with it."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import streamlit as st

from geo import timeline

PLAY_SECONDS = 1.5   # one step of the play control


def months_on() -> bool:
    """Return whether the time window is counted in months (else in years)."""
    return st.session_state.get("resolution") == "Months"


def window_bounds(bounds: tuple[int, int]) -> tuple[int, int]:
    """Return the first and last step of the store's ``bounds`` (years) at the window's resolution."""
    return timeline.months_of_years(bounds) if months_on() else bounds


def window() -> tuple[int, int]:
    """Return the time window (years or months) held by the session."""
    return tuple(st.session_state.months if months_on() else st.session_state.years)  # type: ignore[return-value]


def set_window(new: tuple[int, int]) -> None:
    """Hold ``new`` as the session's time window at its resolution."""
    if months_on():
        st.session_state.months = new
    else:
        st.session_state.years = new


def resolution_changed() -> None:
    """Carry the window over: the years' months, or the months' years."""
    if months_on():
        st.session_state.months = timeline.months_of_years(tuple(st.session_state.years))
    else:
        st.session_state.years = timeline.years_of_months(tuple(st.session_state.months))


def step(delta: int, bounds: tuple[int, int]) -> None:
    """Move the window by ``delta`` steps within ``bounds`` (the step buttons' callback)."""
    set_window(timeline.step(window(), delta, window_bounds(bounds)))


def play_toggled(bounds: tuple[int, int]) -> None:
    """Starting to play at the end rewinds to the start, which is then shown first."""
    if st.session_state.playing:
        start = timeline.play_start(window(), window_bounds(bounds))
        if start != window():
            set_window(start)
            st.session_state.play_hold = True


def play_advance(bounds: tuple[int, int]) -> None:
    """While playing, every run shows the next step; playing stops at the end. Runs before the widgets."""
    if not st.session_state.get("playing") or st.session_state.pop("play_hold", False):
        return
    shown, going = timeline.play_tick(window(), window_bounds(bounds))
    set_window(shown)
    st.session_state.playing = going


def _play_timer() -> None:
    """Rerun the page every PLAY_SECONDS while playing (a fragment's timer; none when paused)."""
    if st.session_state.get("in_full_run"):
        return  # the fragment's first call, inside the page's own run
    st.rerun()


def schedule_play() -> None:
    """While playing, start the fragment whose timer reruns the page."""
    if not st.session_state.get("playing"):
        return
    st.session_state.in_full_run = True
    try:
        st.fragment(_play_timer, run_every=PLAY_SECONDS)()
    finally:
        st.session_state.in_full_run = False


def show_landing(view: timeline.ViewState, landing: timeline.Landing) -> None:
    """Set the widgets to the narrowest widening of ``view`` that shows ``landing`` (a button's callback)."""
    wider = timeline.widen_view(view, landing)
    if wider.month_from is None:
        st.session_state.resolution = "Years"
        st.session_state.years = (wider.year_from, wider.year_to)
    for name in ("countries", "types", "contributors"):
        st.session_state[name] = list(getattr(wider, name))
        for key in [k for k in st.session_state if str(k).startswith(f"{name}@")]:
            del st.session_state[key]  # the filter's widget is seeded afresh from the new selection


def _keep_selection(widget_key: str, name: str) -> None:
    st.session_state[name] = list(st.session_state[widget_key])


def facet_filter(label: str, name: str, counts: dict[str, int], options: Sequence[str] | None = None) -> None:
    """Draw a sidebar multiselect of the options with their counts; the selection is kept in st.session_state[name].

    Streamlit carries a multiselect's value between browser and server as the shown labels, so
    once an upload changes a count the browser's "LT (7)" no longer matches "LT (9)" and the
    selection turns into garbage. The widget is therefore keyed by its labels: changed counts give
    a fresh widget, seeded from the kept selection.
    """
    chosen = st.session_state[name]
    values = list(options) if options is not None else sorted(set(counts) | set(chosen))
    labels = {v: f"{v} ({counts.get(v, 0)})" for v in values}
    widget_key = f"{name}@{zlib.crc32(chr(31).join(labels.values()).encode()):08x}"
    st.sidebar.multiselect(label, values, default=[v for v in chosen if v in labels], key=widget_key,
                           format_func=labels.__getitem__, on_change=_keep_selection, args=(widget_key, name))
