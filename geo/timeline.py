"""Time and filter logic of the dashboard: which events are in view, facet counts, URL state.

Pure functions over pandas frames and plain dicts, so they are tested without Streamlit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

EVENT_TYPES = ("deployment", "exercise", "chokepoint")
DEFAULT_YEARS = (2014, 2025)
ENDED = "ended"


@dataclass(frozen=True)
class ViewState:
    """What the user looks at; mirrored in the URL. Empty tuples mean "all"."""

    year_from: int | None = None
    year_to: int | None = None
    as_of: bool = False
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None


# ----- filters ------------------------------------------------------------------------------
def _codes(value: object) -> set[str]:
    if not isinstance(value, str):
        return set()
    return {c.strip() for c in value.split(",") if c.strip()}


def apply_filters(events: pd.DataFrame, view: ViewState) -> pd.DataFrame:
    """Return the events matching the view's countries, types and contributing nations (not years)."""
    mask = pd.Series(True, index=events.index)
    if view.countries:
        mask &= events["country"].isin(view.countries)
    if view.types:
        mask &= events["type"].isin(view.types)
    if view.contributors:
        wanted = set(view.contributors)
        nations = events["contributors"].fillna("") + "," + events["lead_nation"].fillna("")
        mask &= nations.map(lambda s: bool(_codes(s) & wanted))
    return events[mask]


def in_time(events: pd.DataFrame, year_from: int, year_to: int, *, as_of: bool = False) -> pd.DataFrame:
    """Return the events visible for the year range.

    Range view: every event whose year lies in [year_from, year_to]. "As of" view (at
    ``year_to``): deployments persist from their year until an event with status "ended" at
    the same place (and are hidden from that year on); exercises show only in their year;
    chokepoints persist once mentioned.
    """
    years = pd.to_numeric(events["year"], errors="coerce")
    if not as_of:
        return events[(years >= year_from) & (years <= year_to)]
    deployments = (events["type"] == "deployment") & (years <= year_to) & (events["status"] != ENDED)
    ended = events[(events["type"] == "deployment") & (events["status"] == ENDED) & (years <= year_to)]
    if len(deployments) and len(ended):
        end_years = ended.assign(_y=years[ended.index]).groupby("place_id")["_y"].apply(sorted).to_dict()
        closed = [
            any(e >= y for e in end_years.get(pid, ()))
            for pid, y in zip(events["place_id"], years, strict=True)
        ]
        deployments &= ~pd.Series(closed, index=events.index)
    exercises = (events["type"] == "exercise") & (years == year_to)
    chokepoints = (events["type"] == "chokepoint") & (years <= year_to)
    return events[deployments | exercises | chokepoints]


def in_view(events: pd.DataFrame, view: ViewState) -> pd.DataFrame:
    """Return the events in view: filters, then the time window (bounds default to the data's)."""
    lo, hi = year_bounds(events)
    filtered = apply_filters(events, view)
    return in_time(filtered, view.year_from or lo, view.year_to or hi, as_of=view.as_of)


def year_bounds(events: pd.DataFrame) -> tuple[int, int]:
    """Return (first, last) year of the events, or DEFAULT_YEARS for an empty frame."""
    years = pd.to_numeric(events["year"], errors="coerce").dropna() if len(events) else pd.Series(dtype=float)
    if years.empty:
        return DEFAULT_YEARS
    return int(years.min()), int(years.max())


def facet_counts(events: pd.DataFrame, column: str) -> dict[str, int]:
    """Return value -> number of events, most frequent first; comma lists count per member.

    For ``column="contributors"`` the lead nation counts too, so the counts match
    :func:`apply_filters`.
    """
    if column == "contributors":
        values: Iterable[str] = (
            code for c, lead in zip(events["contributors"], events["lead_nation"], strict=True)
            for code in _codes(f"{c or ''},{lead or ''}")
        )
    else:
        values = (v for v in events[column] if isinstance(v, str) and v)
    return dict(Counter(values).most_common())


def per_year_by_type(events: pd.DataFrame) -> pd.DataFrame:
    """Return a year x type table of event counts (index: year as int, columns: EVENT_TYPES present)."""
    if events.empty:
        return pd.DataFrame(columns=list(EVENT_TYPES))
    table = events.dropna(subset=["year"]).astype({"year": int}).pivot_table(
        index="year", columns="type", values="event_id", aggfunc="count", fill_value=0)
    return table.reindex(columns=[t for t in EVENT_TYPES if t in table.columns])


def step(years: tuple[int, int], delta: int, bounds: tuple[int, int]) -> tuple[int, int]:
    """Return the year range moved by ``delta`` years, kept inside ``bounds`` with its width."""
    lo, hi = bounds
    width = years[1] - years[0]
    start = min(max(years[0] + delta, lo), max(hi - width, lo))
    return start, min(start + width, hi)


# ----- URL state ----------------------------------------------------------------------------
def _first(value: str | list[str] | None) -> str:
    if isinstance(value, list):
        return value[-1] if value else ""
    return value or ""


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e6 else None  # drops NaN and absurd values


def _list(value: str, allowed: Iterable[str] | None = None, *, upper: bool = False) -> tuple[str, ...]:
    items = [v.strip().upper() if upper else v.strip() for v in value.split(",") if v.strip()]
    if allowed is not None:
        keep = set(allowed)
        items = [v for v in items if v in keep]
    return tuple(dict.fromkeys(items))


def view_from_query(query: Mapping[str, str | list[str]]) -> ViewState:
    """Return the ViewState encoded in URL query parameters; invalid values are ignored."""
    q = {k: _first(v) for k, v in query.items()}
    lat, lon = _float(q.get("lat", "")), _float(q.get("lon", ""))
    if lat is not None and not -90 <= lat <= 90:
        lat = None
    if lon is not None and not -180 <= lon <= 180:
        lon = None
    zoom = _int(q.get("z", ""))
    if zoom is not None and not 1 <= zoom <= 18:
        zoom = None
    year_from, year_to = _int(q.get("from", "")), _int(q.get("to", ""))
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    return ViewState(
        year_from=year_from, year_to=year_to, as_of=q.get("asof", "") in ("1", "true"),
        countries=_list(q.get("country", ""), upper=True), types=_list(q.get("type", ""), EVENT_TYPES),
        contributors=_list(q.get("contrib", ""), upper=True), lat=lat, lon=lon, zoom=zoom,
    )


def view_to_query(view: ViewState) -> dict[str, str]:
    """Return the URL query parameters of a ViewState (only the parts that are set)."""
    out: dict[str, str] = {}
    if view.year_from is not None:
        out["from"] = str(view.year_from)
    if view.year_to is not None:
        out["to"] = str(view.year_to)
    if view.as_of:
        out["asof"] = "1"
    for key, values in (("country", view.countries), ("type", view.types), ("contrib", view.contributors)):
        if values:
            out[key] = ",".join(values)
    if view.lat is not None and view.lon is not None:
        out["lat"], out["lon"] = f"{view.lat:.4f}", f"{view.lon:.4f}"
    if view.zoom is not None:
        out["z"] = str(view.zoom)
    return out


def clamp_years(view: ViewState, bounds: tuple[int, int]) -> ViewState:
    """Return the view with its year range set (defaults: the bounds) and kept inside ``bounds``."""
    lo, hi = bounds
    year_from = min(max(view.year_from if view.year_from is not None else lo, lo), hi)
    year_to = min(max(view.year_to if view.year_to is not None else hi, year_from), hi)
    return replace(view, year_from=year_from, year_to=year_to)
