"""The "as of" logic, filters, facet counts and the URL state round trip."""

from __future__ import annotations

from dataclasses import replace

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
    hostile = timeline.view_from_query({"country": "lt,{{ 7*7 }},<b>,ltu", "contrib": "us,{% x %}"})
    assert (hostile.countries, hostile.contributors) == (("LT", "LTU"), ("US",))
    swapped = timeline.view_from_query({"from": "2020", "to": "2016"})
    assert (swapped.year_from, swapped.year_to) == (2016, 2020)
    assert timeline.clamp_years(ViewState(year_from=1990), (2014, 2024)) == ViewState(year_from=2014, year_to=2024)


# ----- months -----------------------------------------------------------------------------------
def _dated(rows: list[tuple[str, str, int, str, str, str]], *, with_date: bool = True) -> pd.DataFrame:
    """Events (type, place_id, year, status, published, date); ``date`` left out when not ``with_date``."""
    frame = pd.DataFrame([
        {"event_id": f"m{i}", "type": t, "place_id": pid, "year": y, "status": s, "country": "LT",
         "contributors": "", "lead_nation": "", "article_published": pub or None, "date": date or None}
        for i, (t, pid, y, s, pub, date) in enumerate(rows)
    ])
    return frame if with_date else frame.drop(columns="date")


M = timeline.month_index
DATED = _dated([
    ("deployment", "geonames:1", 2017, "arrived", "2017-03-04", ""),        # m0: March, from publication
    ("deployment", "geonames:1", 2017, "ended", "2017-01-10", "2017-08"),   # m1: the date column wins
    ("exercise", "country:EE", 2017, "", "2018-02-01", ""),                 # m2: published later: year only
    ("exercise", "country:EE", 2017, "", "", "2017-06-15"),                 # m3: June
    ("deployment", "geonames:2", 2016, "arrived", "2016-11-30", "bogus"),   # m4: bad date, publication month
    ("chokepoint", "catalogue:suwalki_gap", 2017, "", "2017-13-01", ""),    # m5: no such month: year only
])


def test_months_come_from_the_date_then_the_publication_in_the_same_year() -> None:
    months = timeline.event_months(DATED)
    assert [timeline.month_label(int(m)) if m == m else None for m in months] == [
        "2017-03", "2017-08", None, "2017-06", "2016-11", None]
    without_date = timeline.event_months(DATED.drop(columns="date"))
    assert timeline.month_label(int(without_date[1])) == "2017-01"
    assert timeline.has_months(DATED) and not timeline.has_months(DATED.assign(article_published=None, date=None))
    assert timeline.parse_month("2017-03-31") == M(2017, 3) and timeline.parse_month("2017-3") is None
    assert timeline.month_label(M(2017, 12)) == "2017-12" and M(2018, 1) == M(2017, 12) + 1


def test_month_range_shows_year_only_events_in_every_month_of_their_year() -> None:
    def shown(a: tuple[int, int], b: tuple[int, int]) -> set[str]:
        return set(timeline.in_months(DATED, M(*a), M(*b))["event_id"])

    assert shown((2017, 3), (2017, 3)) == {"m0", "m2", "m5"}
    assert shown((2017, 4), (2017, 7)) == {"m2", "m3", "m5"}
    assert shown((2016, 11), (2016, 11)) == {"m4"}
    assert shown((2016, 12), (2016, 12)) == set()
    assert timeline.months_of_years((2016, 2017)) == (M(2016, 1), M(2017, 12))
    assert timeline.years_of_months((M(2016, 5), M(2017, 2))) == (2016, 2017)
    assert timeline.month_bounds(DATED) == (M(2016, 1), M(2017, 12))


@pytest.mark.parametrize(("month", "expected"), [
    ((2017, 2), {"m2", "m4", "m5"}),          # before the deployment arrived in March
    ((2017, 3), {"m0", "m2", "m4", "m5"}),
    ((2017, 6), {"m0", "m2", "m3", "m4", "m5"}),
    ((2017, 7), {"m0", "m2", "m4", "m5"}),    # the dated exercise was in June only
    ((2017, 8), {"m2", "m4", "m5"}),          # ended in August
    ((2018, 1), {"m4", "m5"}),
])
def test_as_of_a_month(month: tuple[int, int], expected: set[str]) -> None:
    assert set(timeline.in_months(DATED, M(2014, 1), M(*month), as_of=True)["event_id"]) == expected


def test_year_resolution_ignores_months() -> None:
    assert set(timeline.in_time(DATED, 2017, 2017, as_of=True)["event_id"]) == {"m2", "m3", "m4", "m5"}
    view = ViewState(year_from=2017, year_to=2017)
    assert set(timeline.in_view(DATED, view)["event_id"]) == {"m0", "m1", "m2", "m3", "m5"}
    by_month = replace(view, month_from=M(2017, 8), month_to=M(2017, 8))
    assert set(timeline.in_view(DATED, by_month)["event_id"]) == {"m1", "m2", "m5"}


def test_month_url_state() -> None:
    view = ViewState(year_from=2016, year_to=2017, month_from=M(2016, 11), month_to=M(2017, 2))
    query = timeline.view_to_query(view)
    assert query == {"from": "2016", "to": "2017", "mfrom": "2016-11", "mto": "2017-02"}
    assert timeline.view_from_query(query) == view
    swapped = timeline.view_from_query({"mfrom": "2017-02", "mto": "2016-11"})
    assert (swapped.month_from, swapped.year_from) == (M(2016, 11), 2016)
    assert timeline.view_from_query({"mfrom": "2017-02", "mto": "2017-13"}).month_from is None
    assert timeline.view_from_query({"mfrom": "2017-02"}).month_to is None
    clamped = timeline.clamp_years(ViewState(month_from=M(2010, 5), month_to=M(2030, 1)), (2014, 2020))
    assert (clamped.month_from, clamped.month_to) == (M(2014, 1), M(2020, 12))
    assert (clamped.year_from, clamped.year_to) == (2014, 2020)


# ----- play ---------------------------------------------------------------------------------------
def test_play_steps_to_the_end_then_stops_and_restarts_from_the_start() -> None:
    window, going, seen = (2016, 2017), True, []
    while going:
        window, going = timeline.play_tick(window, (2014, 2020))
        seen.append(window)
    assert seen == [(2017, 2018), (2018, 2019), (2019, 2020)]
    assert timeline.play_tick((2019, 2020), (2014, 2020)) == ((2019, 2020), False)
    assert timeline.play_start((2019, 2020), (2014, 2020)) == (2014, 2015)
    assert timeline.play_start((2016, 2017), (2014, 2020)) == (2016, 2017)
    assert timeline.play_start((2014, 2020), (2014, 2020)) == (2014, 2014)  # all years: play year by year
    assert timeline.play_tick((M(2017, 11), M(2017, 12)), (M(2017, 1), M(2018, 12)))[0] == (M(2017, 12), M(2018, 1))


def test_evidence_table_dates_and_limit() -> None:
    events = DATED.assign(type="deployment", place="Rukla", evidence="x" * 300, article_title="T",
                          article_source="s.txt")
    table = timeline.evidence_table(events)
    assert list(table["date"]) == ["2017-03-04", "2017-08", "2018-02-01", "2017-06-15", "2016-11-30", "2017-13-01"]
    assert len(table["summary"][0]) == len("arrived ") + 160 and table["article"][0] == "T — s.txt"
    assert len(timeline.evidence_table(events, 2)) == 2
    no_dates = timeline.evidence_table(events.drop(columns="date").assign(article_published=None))
    assert list(no_dates["date"]) == ["2017"] * 4 + ["2016", "2017"]


def test_the_window_reads_as_years_months_or_as_of() -> None:
    assert timeline.window_label(timeline.ViewState(year_from=2016, year_to=2018)) == "2016–2018"
    assert timeline.window_label(timeline.ViewState(year_from=2017, year_to=2017)) == "2017"
    assert timeline.window_label(timeline.ViewState(year_from=2016, year_to=2018, as_of=True)) == "as of 2018"
    march, june = timeline.month_index(2017, 3), timeline.month_index(2017, 6)
    months = timeline.ViewState(year_from=2017, year_to=2017, month_from=march, month_to=june)
    assert timeline.window_label(months) == "2017-03 to 2017-06"
    assert timeline.window_label(replace(months, as_of=True)) == "as of 2017-06"


def test_a_first_visit_seeds_the_widgets_from_the_url_within_the_stored_years() -> None:
    state = timeline.initial_widget_state({"from": "1990", "to": "2016", "country": "LT,PL", "z": "6",
                                           "lat": "54.9", "lon": "23.9"}, (2014, 2022))
    assert state["years"] == (2014, 2016) and state["resolution"] == "Years" and "months" not in state
    assert state["countries"] == ["LT", "PL"] and state["url_center"] == (54.9, 23.9) and state["url_zoom"] == 6
    assert state["playing"] is False and state["initialised"] is True
    monthly = timeline.initial_widget_state({"mfrom": "2016-03", "mto": "2016-05"}, (2014, 2022))
    assert monthly["resolution"] == "Months"
    assert monthly["months"] == (timeline.month_index(2016, 3), timeline.month_index(2016, 5))
