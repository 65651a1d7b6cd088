"""The "as of" logic, filters, facet counts and the URL state round trip."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import timeline
from geo.timeline import ViewState


def _events(rows: list[tuple[str, str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([
        {"event_id": f"e{i}", "type": t, "place_id": pid, "year": y, "status": s, "country": c,
         "contributors": "", "lead_nation": ""}
        for i, (t, pid, y, s, c) in enumerate(rows)
    ])


EVENTS = _events([
    ("deployment", "geonames:1", 2016, "arrived", "LT"),
    ("deployment", "geonames:1", 2020, "ended", "LT"),
    ("deployment", "geonames:2", 2018, "planned", "PL"),
    ("exercise", "country:EE", 2017, "", "EE"),
    ("exercise", "country:EE", 2019, "", "EE"),
    ("chokepoint", "catalogue:suwalki_gap", 2016, "", "PL"),
])


@pytest.mark.parametrize(("year", "expected"), [
    (2015, set()),
    (2016, {"e0", "e5"}),
    (2017, {"e0", "e3", "e5"}),
    (2019, {"e0", "e2", "e4", "e5"}),
    (2020, {"e2", "e5"}),
])
def test_as_of_keeps_deployments_until_ended_and_exercises_in_their_year(year: int, expected: set[str]) -> None:
    seen = timeline.in_time(EVENTS, 2014, year, as_of=True)
    assert set(seen["event_id"]) == expected


def test_range_view_shows_events_of_the_years() -> None:
    assert set(timeline.in_time(EVENTS, 2017, 2018)["event_id"]) == {"e2", "e3"}


def test_filters_and_counts() -> None:
    events = EVENTS.assign(contributors=["US,GB", "", "DE", "", "", ""], lead_nation=["", "", "", "FI", "", ""])
    view = ViewState(contributors=("US", "FI"))
    assert set(timeline.apply_filters(events, view)["event_id"]) == {"e0", "e3"}
    assert set(timeline.apply_filters(events, ViewState(countries=("EE",)))["event_id"]) == {"e3", "e4"}
    assert timeline.facet_counts(events, "contributors") == {"US": 1, "GB": 1, "DE": 1, "FI": 1}
    assert timeline.facet_counts(events, "country")["LT"] == 2
    assert timeline.year_bounds(events) == (2016, 2020)
    assert timeline.year_bounds(events.iloc[0:0]) == timeline.DEFAULT_YEARS


def test_per_year_by_type_and_step() -> None:
    table = timeline.per_year_by_type(EVENTS)
    assert table.loc[2016, "deployment"] == 1 and table.loc[2017, "exercise"] == 1
    assert timeline.step((2016, 2017), 1, (2014, 2020)) == (2017, 2018)
    assert timeline.step((2019, 2020), 1, (2014, 2020)) == (2019, 2020)
    assert timeline.step((2014, 2015), -1, (2014, 2020)) == (2014, 2015)


def test_url_state_round_trip() -> None:
    view = ViewState(year_from=2016, year_to=2019, as_of=True, countries=("LT", "PL"), types=("deployment",),
                     contributors=("US",), lat=54.5, lon=23.25, zoom=6)
    query = timeline.view_to_query(view)
    assert query == {"from": "2016", "to": "2019", "asof": "1", "country": "LT,PL", "type": "deployment",
                     "contrib": "US", "lat": "54.5000", "lon": "23.2500", "z": "6"}
    assert timeline.view_from_query(query) == view
    assert timeline.view_to_query(ViewState()) == {}


def test_url_state_ignores_bad_values() -> None:
    view = timeline.view_from_query({"from": "x", "to": "2018", "type": "deployment,bogus", "lat": "nan",
                                     "lon": "500", "z": "99", "country": "lt,,lt"})
    assert view == ViewState(year_to=2018, types=("deployment",), countries=("LT",))
    swapped = timeline.view_from_query({"from": "2020", "to": "2016"})
    assert (swapped.year_from, swapped.year_to) == (2016, 2020)
    assert timeline.clamp_years(ViewState(year_from=1990), (2014, 2024)) == ViewState(year_from=2014, year_to=2024)
