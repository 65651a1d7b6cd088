"""Markdown tables: rows read with their header and caption, contributor columns skipped."""

from __future__ import annotations

from geo.extract import extract_bytes
from geo.gazetteer import load_gazetteer
from geo.tables import table_rows

TABLE = """# Who leads where: NATO's battlegroups in 2023

The alliance's battlegroups on the eastern flank look like this:

| Host | Base | Framework nation | Troops |
|---|---|---|---|
| Estonia | Tapa | United Kingdom | 2,000 |
| Poland | Orzysz | Germany | 1,100 |
"""


def test_rows_carry_the_caption_and_header_and_skip_contributor_columns():
    rows = table_rows(TABLE)
    assert len(rows) == 2
    start = TABLE.index("| Estonia")
    row = rows[start]
    assert "battlegroups" in row.context and "Framework nation" in row.context
    assert row.skips(TABLE.index("United Kingdom")) and not row.skips(TABLE.index("Tapa"))


def test_text_without_a_separator_line_is_not_a_table():
    assert table_rows("a | b | c |\n| d | e |\n") == {}
    assert table_rows("no pipes here") == {}


def test_table_rows_are_deployments_at_hosts_not_at_framework_nations():
    record = extract_bytes(TABLE.encode(), "t.md")
    found = {(e["type"], e["place"]) for e in record["events"]}
    assert {("deployment", "Tapa Army Base"), ("deployment", "Estonia"), ("deployment", "Poland")} <= found
    assert any(t == "deployment" and p.startswith("Orzysz") for t, p in found)
    assert not any(p in ("United Kingdom", "Germany") for _, p in found)
    evidence = {e["evidence"] for e in record["events"] if e["place"] == "Tapa Army Base"}
    assert evidence == {"| Estonia | Tapa | United Kingdom | 2,000 |"}


def test_an_exercise_table_gives_exercises():
    text = ("# BALTOPS 2022 at a glance\n\nThe exercise runs for two weeks.\n\n| Phase | Where |\n|---|---|\n"
            "| Amphibious | Ustka |\n")
    found = {(e["type"], e["place"]) for e in extract_bytes(text.encode(), "t.md")["events"]}
    assert ("exercise", "Ustka") in found and not any(t == "deployment" for t, _ in found)


def test_a_capital_in_a_table_cell_is_the_place_itself():
    text = ("BALTOPS phases\n\nJune 3, 2024\n\nThe exercise runs in phases.\n\n| Phase | Area | Participants |\n"
            "|---|---|---|\n| Pre-sail and planning | Helsinki | Finnish staffs |\n| Closing phase | Kiel | all |\n")
    record = extract_bytes(text.encode(), "a.md", load_gazetteer())
    places = {e["place"] for e in record["events"] if e["type"] == "exercise"}
    assert "Helsinki" in places and any(p.startswith("Kiel") for p in places)


def test_a_column_of_forces_makes_a_site_table_list_deployments_and_distances_host_nothing():
    text = ("# Kola after the strike\n\nThe fleet exercised at scale during last year's manoeuvres.\n\n"
            "| Site | Distance to NATO territory | Units / assets | Activity |\n|---|---|---|---|\n"
            "| Severomorsk | ~120 km to Norway | cruisers, destroyers | sailed for spring drills |\n"
            "| Monchegorsk | ~120 km to Finland | MiG-31BM interceptors | routine intercepts |\n")
    found = {(e["type"], e["place"]) for e in extract_bytes(text.encode(), "t.md", load_gazetteer())["events"]}
    assert {t for t, _ in found} == {"deployment"}, found
    assert any(p.startswith("Severomorsk") for _, p in found) and any(p.startswith("Monchegorsk") for _, p in found)
    assert not {p for _, p in found} & {"Norway", "Finland"}, found


def test_an_incident_log_row_reports_a_strike_not_forces():
    text = ("# Black Sea monitor\n\nRussian warships were deployed along the coast this month.\n\n"
            "| Date | Location | What happened |\n|---|---|---|\n"
            "| 4 Nov 2025 | Novorossiysk | Naval drones attacked the oil terminal |\n"
            "| 19 Nov 2025 | Odesa | Missile strike on port infrastructure; two vessels damaged |\n"
            "| 15 Dec 2025 | Opuk | Landing drills on the range |\n")
    found = {(e["type"], e["place"]) for e in extract_bytes(text.encode(), "t.md", load_gazetteer())["events"]}
    assert not any(p.startswith(("Novorossiysk", "Odesa")) for _, p in found), found
    assert any(t == "exercise" and p.startswith("Opuk") for t, p in found), found
