"""Time and filter logic of the dashboard: which events are in view, facet counts, URL state.

Pure functions over pandas frames and plain dicts, so they are tested without Streamlit.

Time has two resolutions. Years: the events' ``year``. Months, where dates allow: an
event's month is its ``date`` ("YYYY-MM" or "YYYY-MM-DD", when the events carry that
column), else the month its article was published when that is in the event's year, else
unknown; an event with only a year then lasts all twelve months of it. Months are counted
as integers, ``year * 12 + month - 1`` (see :func:`month_index`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

EVENT_TYPES = ("deployment", "exercise", "chokepoint")
DEFAULT_YEARS = (2014, 2025)
ENDED = "ended"
_YEAR_MONTH = r"^\s*(\d{4})-(\d{2})(?:-\d{2})?"
_COUNTRY_CODE = re.compile(r"[A-Z]{2,3}")


@dataclass(frozen=True)
class ViewState:
    """What the user looks at; mirrored in the URL. Empty tuples mean "all"."""

    year_from: int | None = None
    year_to: int | None = None
    as_of: bool = False
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    month_from: int | None = None  # month resolution when both are set (see month_index)
    month_to: int | None = None
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


def month_index(year: int, month: int) -> int:
    """Return the month number used for month ranges: ``year * 12 + month - 1``."""
    return year * 12 + month - 1


def month_label(index: int) -> str:
    """Return "YYYY-MM" for a month number."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(text: str) -> int | None:
    """Return the month number of "YYYY-MM" (or "YYYY-MM-DD"), or None when it is not one."""
    match = re.match(_YEAR_MONTH + r"\s*$", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return month_index(int(match.group(1)), int(match.group(2)))


def _months_of(values: pd.Series) -> pd.Series:
    """Return the month number of each "YYYY-MM[-DD]..." value, NaN for others (parsing each distinct value once)."""
    codes, uniques = pd.factorize(values)
    parsed = [re.match(_YEAR_MONTH, u) if isinstance(u, str) else None for u in uniques]
    numbers = np.array([month_index(int(m.group(1)), int(m.group(2))) if m and 1 <= int(m.group(2)) <= 12
                        else np.nan for m in parsed] + [np.nan], dtype=float)
    return pd.Series(numbers[codes], index=values.index)  # code -1 (missing) takes the trailing NaN


def event_months(events: pd.DataFrame) -> pd.Series:
    """Return each event's month number, NaN where only the year is known.

    The event's ``date`` column when present and set (and in the event's year), else the
    article's publication month when the article appeared in the event's year.
    """
    years = pd.to_numeric(events["year"], errors="coerce")
    out = pd.Series(float("nan"), index=events.index)
    for column in ("article_published", "date"):  # later sources win
        if column in events.columns and len(events):
            months = _months_of(events[column])
            out = months.where(months // 12 == years, out)
    return out


def has_months(events: pd.DataFrame) -> bool:
    """Return True when at least one event has a known month (so a month view is worth offering)."""
    return bool(len(events)) and bool(event_months(events).notna().any())


def month_bounds(events: pd.DataFrame) -> tuple[int, int]:
    """Return (January of the first year, December of the last year) of the events as month numbers."""
    lo, hi = year_bounds(events)
    return month_index(lo, 1), month_index(hi, 12)


def months_of_years(years: tuple[int, int]) -> tuple[int, int]:
    """Return the month range covering the years: January of the first to December of the last."""
    return month_index(years[0], 1), month_index(years[1], 12)


def years_of_months(months: tuple[int, int]) -> tuple[int, int]:
    """Return the years of a month range's first and last months."""
    return months[0] // 12, months[1] // 12


def event_spans(events: pd.DataFrame, *, months: bool = False) -> tuple[pd.Series, pd.Series]:
    """Return (first, last) time unit of each event: years, or month numbers when ``months``.

    In months an event with only a year spans its twelve months; NaN where the year is unknown.
    """
    years = pd.to_numeric(events["year"], errors="coerce").astype(float)
    if not months:
        return years, years
    known = event_months(events)
    return known.fillna(years * 12), known.fillna(years * 12 + 11)


def _in_window(events: pd.DataFrame, start: pd.Series, end: pd.Series, lo: int, hi: int,
               as_of: bool) -> pd.DataFrame:
    """Return the events visible in the window [lo, hi] given each event's [start, end] span."""
    if not as_of:
        return events[(start <= hi) & (end >= lo)]
    kind, status = events["type"], events["status"]
    ended = (kind == "deployment") & (status == ENDED) & (start <= hi)
    deployments = (kind == "deployment") & (start <= hi) & (status != ENDED)
    if deployments.any() and ended.any():
        last_end = start[ended].groupby(events.loc[ended, "place_id"]).max()
        deployments &= ~(events["place_id"].map(last_end) >= start).fillna(False).astype(bool)
    exercises = (kind == "exercise") & (start <= hi) & (end >= hi)
    chokepoints = (kind == "chokepoint") & (start <= hi)
    return events[deployments | exercises | chokepoints]


def in_time(events: pd.DataFrame, year_from: int, year_to: int, *, as_of: bool = False) -> pd.DataFrame:
    """Return the events visible for the year range.

    Range view: every event whose year lies in [year_from, year_to]. "As of" view (at
    ``year_to``): deployments persist from their year until an event with status "ended" at
    the same place (and are hidden from that year on); exercises show only in their year;
    chokepoints persist once mentioned.
    """
    start, end = event_spans(events)
    return _in_window(events, start, end, year_from, year_to, as_of)


def in_months(events: pd.DataFrame, month_from: int, month_to: int, *, as_of: bool = False) -> pd.DataFrame:
    """Return the events visible for the month range (month numbers, see :func:`month_index`).

    As :func:`in_time`, month by month: an event with only a year shows in every month of
    it; "as of" ``month_to``, a deployment is hidden from the month an "ended" event at its
    place is reported (January for an end known only by its year), if not earlier than its start.
    """
    start, end = event_spans(events, months=True)
    return _in_window(events, start, end, month_from, month_to, as_of)


def in_view(events: pd.DataFrame, view: ViewState) -> pd.DataFrame:
    """Return the events in view: filters, then the time window (bounds default to the data's).

    Month resolution when the view has both months, else years.
    """
    filtered = apply_filters(events, view)
    if view.month_from is not None and view.month_to is not None:
        return in_months(filtered, view.month_from, view.month_to, as_of=view.as_of)
    lo, hi = year_bounds(events)
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


def evidence_table(view_events: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Return the evidence table of the events in view (its first ``limit`` rows when given).

    Columns: date (the event's ``date`` when the events have a valid one, else the article's
    publication date, else the year), type, place, country, summary (status and the
    evidence sentence, cut at 160 characters), article (title — source).
    Row i is ``view_events.iloc[i]``.
    """
    shown = view_events if limit is None else view_events.iloc[:limit]
    date = pd.to_numeric(shown["year"], errors="coerce").astype("Int64").astype(str)
    published = shown["article_published"].fillna("").astype(str).str.strip()
    date = published.where(published != "", date)
    if "date" in shown.columns:
        value = shown["date"].fillna("").astype(str).str.strip()
        date = value.where(value.str.match(_YEAR_MONTH), date)
    return pd.DataFrame({
        "date": date,
        "type": shown["type"],
        "place": shown["place"],
        "country": shown["country"],
        "summary": shown["status"].fillna("") + " " + shown["evidence"].fillna("").str.slice(0, 160),
        "article": shown["article_title"].fillna("") + " — " + shown["article_source"].fillna(""),
    }).reset_index(drop=True)


def step(years: tuple[int, int], delta: int, bounds: tuple[int, int]) -> tuple[int, int]:
    """Return the range moved by ``delta`` units (years or months), kept inside ``bounds`` with its width."""
    lo, hi = bounds
    width = years[1] - years[0]
    start = min(max(years[0] + delta, lo), max(hi - width, lo))
    return start, min(start + width, hi)


def play_start(window: tuple[int, int], bounds: tuple[int, int]) -> tuple[int, int]:
    """Return where playing starts: the window itself, or rewound to the start when it is at the end.

    A window over the whole range has nowhere to go, so playing then starts from the first unit.
    """
    lo, hi = bounds
    if window[1] < hi:
        return window
    if window[0] <= lo:
        return lo, lo
    return step(window, lo - window[0], bounds)


def play_tick(window: tuple[int, int], bounds: tuple[int, int]) -> tuple[tuple[int, int], bool]:
    """Return the window one step on and whether playing goes on (False once it reaches the end)."""
    moved = step(window, 1, bounds)
    return moved, moved[1] < bounds[1]


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


def _codes_list(value: str) -> tuple[str, ...]:
    """Country codes from the URL: ISO 3166 alpha-2 or alpha-3 only (a URL is anyone's text)."""
    return tuple(v for v in _list(value, upper=True) if _COUNTRY_CODE.fullmatch(v))


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
    month_from, month_to = parse_month(q.get("mfrom", "")), parse_month(q.get("mto", ""))
    if month_from is None or month_to is None:
        month_from = month_to = None
    elif month_from > month_to:
        month_from, month_to = month_to, month_from
    if month_from is not None and month_to is not None:
        year_from, year_to = years_of_months((month_from, month_to))
    return ViewState(
        year_from=year_from, year_to=year_to, as_of=q.get("asof", "") in ("1", "true"),
        countries=_codes_list(q.get("country", "")), types=_list(q.get("type", ""), EVENT_TYPES),
        contributors=_codes_list(q.get("contrib", "")), month_from=month_from, month_to=month_to,
        lat=lat, lon=lon, zoom=zoom,
    )


def view_to_query(view: ViewState) -> dict[str, str]:
    """Return the URL query parameters of a ViewState (only the parts that are set)."""
    out: dict[str, str] = {}
    if view.year_from is not None:
        out["from"] = str(view.year_from)
    if view.year_to is not None:
        out["to"] = str(view.year_to)
    if view.month_from is not None and view.month_to is not None:
        out["mfrom"], out["mto"] = month_label(view.month_from), month_label(view.month_to)
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
    """Return the view with its year range set (defaults: the bounds) and kept inside ``bounds``.

    A month range is kept inside the bounds' months too, and the years follow it.
    """
    lo, hi = bounds
    if view.month_from is not None and view.month_to is not None:
        first, last = months_of_years(bounds)
        month_from = min(max(view.month_from, first), last)
        month_to = min(max(view.month_to, month_from), last)
        year_from, year_to = years_of_months((month_from, month_to))
        return replace(view, year_from=year_from, year_to=year_to, month_from=month_from, month_to=month_to)
    year_from = min(max(view.year_from if view.year_from is not None else lo, lo), hi)
    year_to = min(max(view.year_to if view.year_to is not None else hi, year_from), hi)
    return replace(view, year_from=year_from, year_to=year_to)


def window_label(view: ViewState) -> str:
    """Return how the time window reads: "2016–2018", "2017", "2017-03 to 2017-06", "as of 2018"."""
    if view.month_from is not None and view.month_to is not None:
        start, end = month_label(view.month_from), month_label(view.month_to)
        return f"as of {end}" if view.as_of else start if start == end else f"{start} to {end}"
    if view.as_of:
        return f"as of {view.year_to}"
    return f"{view.year_from}" if view.year_from == view.year_to else f"{view.year_from}–{view.year_to}"


def initial_widget_state(query: Mapping[str, str | list[str]], bounds: tuple[int, int]) -> dict[str, Any]:
    """Return the dashboard's first session state (widget values) for a URL's ``query``."""
    view = clamp_years(view_from_query(query), bounds)
    months = (view.month_from, view.month_to) if view.month_from is not None and view.month_to is not None else None
    state: dict[str, Any] = {
        "initialised": True, "years": (view.year_from, view.year_to), "resolution": "Months" if months else "Years",
        "as_of": view.as_of, "countries": list(view.countries), "types": list(view.types),
        "contributors": list(view.contributors), "url_center": (view.lat, view.lon) if view.lat is not None else None,
        "url_zoom": view.zoom, "playing": False, "range_systems": [],
    }
    if months:
        state["months"] = months
    return state


@dataclass(frozen=True)
class Landing:
    """Where newly stored events landed: their number, year span, host countries and types."""

    events: int
    years: tuple[int, int] | None
    countries: tuple[str, ...]
    types: tuple[str, ...]


def landing_of(events: pd.DataFrame) -> Landing:
    """Return the :class:`Landing` of ``events`` (the events of the articles just stored)."""
    years = pd.to_numeric(events["year"], errors="coerce").dropna().astype(int)
    countries = sorted({c for cs in events["countries"].fillna("") for c in str(cs).split(",") if c}
                       | {str(c) for c in events["country"].dropna() if c})
    return Landing(events=len(events), years=(int(years.min()), int(years.max())) if len(years) else None,
                   countries=tuple(countries), types=tuple(sorted(set(events["type"].dropna()))))


def widen_view(view: ViewState, landing: Landing) -> ViewState:
    """Return the narrowest widening of ``view`` that shows the landed events (``view`` itself when
    it shows them already): years stretched to theirs, their countries and types added to active
    filters, a contributor filter dropped, a month window turned into its years."""
    wider = view
    if landing.years is not None and view.year_from is not None and view.year_to is not None:
        lo, hi = min(view.year_from, landing.years[0]), max(view.year_to, landing.years[1])
        if (lo, hi) != (view.year_from, view.year_to):
            wider = replace(wider, year_from=lo, year_to=hi, month_from=None, month_to=None)
    if view.countries and not set(landing.countries) <= set(view.countries):
        wider = replace(wider, countries=tuple(sorted(set(view.countries) | set(landing.countries))))
    if view.types and not set(landing.types) <= set(view.types):
        wider = replace(wider, types=tuple(t for t in EVENT_TYPES if t in set(view.types) | set(landing.types)))
    if view.contributors:
        wider = replace(wider, contributors=())
    return wider
