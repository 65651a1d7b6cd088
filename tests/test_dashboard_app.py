"""The page through Streamlit's AppTest: slider, play, months, filters, URL state, caching, upload, empty store."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import map_features, store, timeline
from geo.uploads import Message, UploadLedger, store_uploads
from tests.dashboard_fixtures import (
    ARTICLE_2019,
    BAD_ARTICLE,
    GOOD_ARTICLE,
    build_empty_store,
    build_seed_store,
    filter_widget,
)

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed_store(tmp_path_factory.mktemp("store"))


def _app(db: Path, monkeypatch: pytest.MonkeyPatch, query: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("FLANKMAP_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _in_view(at: AppTest) -> int:
    caption = next(c.value for c in at.caption if "events in view" in c.value)
    n = int(re.match(r"(\d+) events in view", caption).group(1))
    assert at.dataframe[0].value.shape[0] == n
    return n


def test_slider_and_filters_change_the_events_in_view(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(seed_db, monkeypatch)
    everything = _in_view(at)
    assert everything == len(store.load_events(seed_db).dropna(subset=["year"]))
    lo, hi = at.slider(key="years").value
    at.slider(key="years").set_value((hi, hi)).run()
    one_year = _in_view(at)
    assert 0 < one_year < everything
    assert at.query_params["from"] == str(hi) and at.query_params["to"] == str(hi)
    at.slider(key="years").set_value((lo, hi)).run()
    country = filter_widget(at, "Host country").options[0].split(" ")[0]
    filter_widget(at, "Host country").set_value([country]).run()
    assert 0 < _in_view(at) < everything
    assert at.query_params["country"] == country
    filter_widget(at, "Host country").set_value([]).run()
    filter_widget(at, "Event type").set_value(["exercise"]).run()
    assert set(at.dataframe[0].value["type"]) == {"exercise"}
    at.button[1].click().run()  # "step ▶" at the end of the range stays in range
    assert at.slider(key="years").value[1] == hi


def test_url_state_sets_the_view(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = store.load_events(seed_db)
    year = int(events["year"].mode()[0])
    at = _app(seed_db, monkeypatch, {"from": str(year), "to": str(year), "type": "deployment"})
    assert at.slider(key="years").value == (year, year)
    expected = ((events["year"] == year) & (events["type"] == "deployment")).sum()
    assert _in_view(at) == expected


def test_as_of_toggle(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(seed_db, monkeypatch)
    before = _in_view(at)
    at.toggle(key="as_of").set_value(True).run()
    assert _in_view(at) != before
    assert at.query_params["asof"] == "1"


def test_empty_store_shows_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(build_empty_store(tmp_path), monkeypatch)
    assert any("No events stored yet" in i.value for i in at.info)
    assert _in_view(at) == 0


def test_upload_messages_are_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLANKMAP_DB", str(build_empty_store(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["uploads"] = {"round": 0, "messages": [Message("error", "bad.txt: binary file"),
                                                            Message("success", "1 added")]}
    at.run()
    assert [e.value for e in at.error] == ["bad.txt: binary file"]
    assert [s.value for s in at.success] == ["1 added"]


def test_store_uploads_good_and_bad(tmp_path: Path) -> None:
    db = build_empty_store(tmp_path)
    messages = store_uploads([("rukla.txt", GOOD_ARTICLE.encode()), ("bad.txt", BAD_ARTICLE)], db)
    assert [m.level for m in messages] == ["error", "success"]
    assert messages[0].text.startswith("bad.txt:")
    assert store.counts(db)["articles"] == 1 and store.counts(db)["events"] > 0
    again = store_uploads([("rukla.txt", GOOD_ARTICLE.encode())], db)
    assert [m.level for m in again] == ["info"]
    assert store_uploads([], db) == []


def test_upload_ledger_stores_each_upload_once_when_runs_overlap(tmp_path: Path) -> None:
    db = build_empty_store(tmp_path)
    ledger, reads, start = UploadLedger(), [], threading.Barrier(6)

    def files() -> list[tuple[str, bytes]]:
        reads.append(1)
        return [("rukla.txt", GOOD_ARTICLE.encode()), ("bad.txt", BAD_ARTICLE)]

    def run() -> list[Message]:
        start.wait()
        return ledger.store_once(["id-1", "id-2"], files, db)

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda _: run(), range(6)))
    assert len(reads) == 1  # stored once: no run reports "already stored"
    assert all(o == outcomes[0] for o in outcomes)
    assert [m.level for m in outcomes[0]] == ["error", "success"]
    assert store.counts(db)["articles"] == 1
    assert [m.level for m in ledger.store_once(["id-3"], lambda: files()[:1], db)] == ["info"]


def test_filters_survive_an_upload_that_changes_their_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_seed_store(tmp_path)
    at = _app(db, monkeypatch, {"country": "LT", "type": "deployment"})
    before = _in_view(at)
    label = next(o for o in filter_widget(at, "Host country").options if o.startswith("LT "))
    widget_key = filter_widget(at, "Host country").key
    at.file_uploader(key="upload_0").set_value([("rukla.txt", GOOD_ARTICLE.encode(), "text/plain")])
    at.run()
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "1 article added to the map: 2 events in LT \\(Rukla Military Base, Lithuania\\), 2017."]
    assert filter_widget(at, "Host country").value == ["LT"]
    assert filter_widget(at, "Event type").value == ["deployment"]
    assert label not in filter_widget(at, "Host country").options  # its count went up
    # A browser still holding the old label ("LT (7)") sends it for the old key, which is gone.
    assert filter_widget(at, "Host country").key != widget_key
    assert _in_view(at) > before
    assert (at.query_params["country"], at.query_params["type"]) == ("LT", "deployment")
    filter_widget(at, "Host country").set_value(["LT", "PL"]).run()  # the fresh widget still works
    assert at.query_params["country"] == "LT,PL"


def test_export_buttons_prepare_a_download_of_the_view(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(seed_db, monkeypatch)
    at.selectbox(key="export_format").set_value("csv").run()
    at.button(key="export_prepare").click().run()
    assert not at.exception, at.exception
    fmt, blob = at.session_state.export_blob
    assert fmt == "csv"
    assert blob.startswith(b"\xef\xbb\xbf") and b"evidence" in blob
    assert blob.count(b"\n") - 1 == _in_view(at)


def test_play_moves_the_window_each_run_and_stops_at_the_end(seed_db: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(seed_db, monkeypatch)
    lo, hi = at.slider(key="years").value
    at.slider(key="years").set_value((hi - 3, hi - 2)).run()
    at.toggle(key="playing").set_value(True).run()  # pressing Play shows the next step at once
    assert at.slider(key="years").value == (hi - 2, hi - 1)
    assert (at.query_params["from"], at.query_params["to"]) == (str(hi - 2), str(hi - 1))
    at.run()  # what the play timer does every PLAY_SECONDS
    assert at.slider(key="years").value == (hi - 1, hi)
    assert at.toggle(key="playing").value is False  # reached the end: stopped
    at.run()
    assert at.slider(key="years").value == (hi - 1, hi)
    at.toggle(key="playing").set_value(True).run()  # Play at the end starts again from the start
    assert at.slider(key="years").value == (lo, lo + 1) and at.toggle(key="playing").value is True
    at.toggle(key="playing").set_value(False).run()
    at.run()
    assert at.slider(key="years").value == (lo, lo + 1)  # paused: runs no longer move it
    at.slider(key="years").set_value((lo, hi)).run()
    at.toggle(key="playing").set_value(True).run()
    assert at.slider(key="years").value == (lo, lo)  # all years: it plays year by year


def test_months_resolution(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = store.load_events(seed_db)
    months = timeline.event_months(events)
    month = int(months.dropna().mode()[0])
    year = month // 12
    at = _app(seed_db, monkeypatch)
    at.button_group(key="resolution").set_value("Months").run()
    assert not at.exception, at.exception
    at.select_slider(key="months").set_range(month, month).run()
    label = timeline.month_label(month)
    assert at.query_params["mfrom"] == label and at.query_params["mto"] == label
    dated = int((months == month).sum())
    year_only = int((months.isna() & (events["year"] == year)).sum())
    assert dated > 0 and _in_view(at) == dated + year_only  # year-only events show in every month of their year
    at.selectbox(key="export_format").set_value("html").run()
    at.button(key="export_prepare").click().run()
    assert f"<p>{label} · ".encode() in at.session_state.export_blob[1]  # the export states the month in view
    at.button(key="step_on").click().run()
    assert at.select_slider(key="months").value == (month + 1, month + 1)
    at.button_group(key="resolution").set_value("Years").run()
    assert at.slider(key="years").value == (year, year) and "mfrom" not in at.query_params

    again = _app(seed_db, monkeypatch, {"mfrom": label, "mto": label})
    assert again.select_slider(key="months").value == (month, month)
    assert _in_view(again) == dated + year_only


def test_reruns_that_keep_the_view_do_not_rebuild_the_map(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = map_features.aggregate

    def counting(events: pd.DataFrame, **kwargs: object) -> dict[str, list[dict[str, object]]]:
        calls.append(len(events))
        return real(events, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(map_features, "aggregate", counting)
    at = _app(seed_db, monkeypatch, {"from": "2015", "to": "2016", "type": "exercise,deployment"})
    built = len(calls)
    at.selectbox(key="export_format").set_value("csv").run()
    at.selectbox(key="export_format").set_value("geojson").run()
    assert len(calls) == built  # an unrelated rerun reuses the cached map features
    at.slider(key="years").set_value((2016, 2016)).run()
    assert len(calls) == built + 1  # a new view builds them once
    at.slider(key="years").set_value((2015, 2016)).run()
    assert len(calls) == built + 1  # and a view seen before is cached


def test_an_upload_outside_the_view_says_where_it_landed_and_one_click_shows_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_seed_store(tmp_path)
    at = _app(db, monkeypatch, {"from": "2022", "to": "2022", "country": "PL"})
    before = _in_view(at)
    at.file_uploader(key="upload_0").set_value([("tapa.txt", ARTICLE_2019.encode(), "text/plain")])
    at.run()
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "1 article added to the map: 2 events in EE \\(Estonia, Tapa Army Base\\), 2019."]
    assert _in_view(at) == before  # narrowed to 2022 and Poland, the new events are not in view
    show = next(b for b in at.button if b.key.startswith("show_landing_"))
    show.click().run()
    assert not at.exception, at.exception
    assert at.slider(key="years").value == (2019, 2022)
    assert filter_widget(at, "Host country").value == ["EE", "PL"]
    assert at.query_params["from"] == "2019" and at.query_params["country"] == "EE,PL"
    view = timeline.ViewState(year_from=2019, year_to=2022, countries=("EE", "PL"))
    assert _in_view(at) == len(timeline.in_view(store.load_events(db), view)) > before
    assert not [b for b in at.button if b.key.startswith("show_landing_")]  # in view now: no button


def test_an_upload_already_in_view_offers_no_widening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_seed_store(tmp_path)
    at = _app(db, monkeypatch)
    at.file_uploader(key="upload_0").set_value([("tapa.txt", ARTICLE_2019.encode(), "text/plain")])
    at.run()
    at.run()
    assert "2 events in EE" in at.success[0].value
    assert not [b for b in at.button if b.key.startswith("show_landing_")]
