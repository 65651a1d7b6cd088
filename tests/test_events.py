"""Stage 4: events, hosts, years and attributes."""

from __future__ import annotations

import pytest

from geo.extract import extract_bytes
from geo.gazetteer import load_gazetteer


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def events(gaz, body, date="June 20, 2017"):
    record = extract_bytes(f"A headline about troops\n\n{date}\n\n{body}".encode(), "a.txt", gaz)
    return {(e["type"], e["place"]): e for e in record["events"]}


def test_one_deployment_per_named_host(gaz):
    found = events(gaz, "NATO battalions of around 1,000 soldiers each have been deployed in Lithuania, "
                        "Latvia, Estonia and Poland.")
    assert {p for t, p in found if t == "deployment"} == {"Lithuania", "Latvia", "Estonia", "Poland"}
    assert found[("deployment", "Poland")]["troops"] == 1000


def test_origins_and_relations_are_not_hosts(gaz):
    found = events(gaz, "About 2,000 paratroopers from the United States, Britain and Poland jumped near Torun "
                        "during the exercise.")
    assert ("exercise", "Toruń") in found
    assert ("exercise", "United Kingdom") not in found


def test_contributors_are_not_hosts(gaz):
    found = events(gaz, "Germany has deployed Patriot air defence batteries in Vilnius.")
    assert ("deployment", "Vilnius") in found and ("deployment", "Germany") not in found
    assert found[("deployment", "Vilnius")]["equipment"] == ["Patriot"]


def test_including_names_hosts_after_a_noun_of_places_and_contributors_otherwise(gaz):
    found = events(gaz, "Troops will train at several sites across Estonia, including Tapa and Paldiski.")
    assert {("exercise", "Tapa Army Base"), ("exercise", "Paldiski")} <= set(found)
    found = events(gaz, "Soldiers from twelve countries, including Norway and Canada, arrived in Lithuania.")
    assert ("deployment", "Lithuania") in found
    assert not [k for k in found if k[1] in ("Norway", "Canada")]


def test_hosting_an_exercise_is_not_a_deployment(gaz):
    found = events(gaz, "Last month the Orzysz range hosted the Dragon live-fire exercise.")
    assert ("exercise", "Orzysz Training Area") in found and ("deployment", "Orzysz Training Area") not in found
    found = events(gaz, "Since 2017 Poland has hosted US troops in Orzysz.")
    assert ("deployment", "Orzysz Training Area") in found


def test_the_ends_of_an_extent_are_not_hosts_but_a_destination_is(gaz):
    found = events(gaz, "NATO will keep battlegroups along a flank stretching from the Baltic Sea to the Black Sea.")
    assert not [k for k in found if k[1] in ("Baltic Sea", "Black Sea")]
    found = events(gaz, "The brigade was deployed from Germany to Romania in the spring.")
    assert ("deployment", "Romania") in found and ("deployment", "Germany") not in found


def test_leading_the_group_at_a_place_deploys_there(gaz):
    found = events(gaz, "Britain leads the group at Tapa in Estonia, Germany the one at Rukla in Lithuania.")
    assert {("deployment", "Tapa Army Base"), ("deployment", "Rukla Military Base")} <= set(found)
    assert not [k for k in found if k[1] in ("United Kingdom", "Germany")]


def test_soldiers_setting_up_bases_or_patrolling_are_deployed(gaz):
    found = events(gaz, "Further south, soldiers have set up bases in and around Hajnowka.")
    assert ("deployment", "Hajnówka") in found
    assert ("deployment", "Kuźnica") in events(gaz, "Polish soldiers patrol the border near Kuznica.")


def test_a_list_of_host_countries_survives_a_named_base_in_the_clause(gaz):
    found = events(gaz, "The US has sent F-15 fighters to Siauliai in Lithuania, and the battlegroups stationed in "
                        "Estonia, Latvia, Lithuania and Poland have raised their readiness.")
    assert {("deployment", c) for c in ("Estonia", "Latvia", "Poland")} <= set(found)
    found = events(gaz, "German soldiers arrived at Rukla in Lithuania, and France sent a company.")
    assert ("deployment", "Rukla Military Base") in found and ("deployment", "France") not in found


def test_training_near_a_place_is_an_exercise_there(gaz):
    found = events(gaz, "The largest groupings are training near Borisov and around Lepel.")
    assert {("exercise", "Barysaw Training Ground"), ("exercise", "Lyepyel’")} <= set(found)


def test_chokepoint_event_and_exercise(gaz):
    found = events(gaz, "One of the exercises focused on defending the Sulwaki Gap - a stretch of the border "
                        "sandwiched between Russia's Kaliningrad territory and Belarus.")
    assert ("chokepoint", "Suwałki Gap") in found and ("exercise", "Suwałki Gap") in found
    assert not [k for k in found if k[1] in ("Belarus", "Kaliningrad", "Kaliningrad Oblast")]


def test_relative_year_and_status(gaz):
    found = events(gaz, "Indeed, last year, NATO deployed four multinational battalions to Poland.", "June 19, 2018")
    e = found[("deployment", "Poland")]
    assert e["year"] == 2017 and e["status"] == "arrived"
    planned = events(gaz, "Berlin is ready to station a combat brigade of around 4,000 troops in Lithuania.")
    assert planned[("deployment", "Lithuania")]["status"] == "planned"


def test_metonymy_makes_no_event(gaz):
    found = events(gaz, "Moscow has criticised the deployment of troops.")
    assert not found


def test_navigation_and_read_more_produce_no_events(gaz):
    record = extract_bytes(b"Home | Poland | World | Defence\n\nA story title here\n\nJune 1, 2017\n\n"
                           b"Nothing happened today.\n\nRead more:\nTroops deployed to Tapa\n", "a.txt", gaz)
    assert record["events"] == []
    assert any(p["name"].startswith("Tapa") for p in record["places"])


def test_every_event_carries_its_evidence(gaz):
    body = "Canada leads the group bound for Latvia, Britain the one heading to Estonia."
    record = extract_bytes(f"Title of a story\n\nMay 1, 2017\n\n{body}".encode(), "a.txt", gaz)
    assert record["events"]
    for e in record["events"]:
        assert e["evidence"] == body
        assert record_text_slice(body, e) == body


def record_text_slice(body, e):
    text = f"Title of a story\n\nMay 1, 2017\n\n{body}"
    return text[e["evidence_start"]:e["evidence_end"]]


def test_a_run_on_sentence_gives_short_evidence_with_exact_offsets(gaz):
    filler = "and the talks went on about budgets, " * 700  # one 'sentence' of ~26,000 characters
    body = f"Officials met, {filler}while NATO troops arrived in Tapa, Estonia, {filler}and nothing else"
    text = f"A headline about troops\n\nJune 20, 2017\n\n{body}."
    record = extract_bytes(text.encode(), "a.txt", gaz)
    tapa = [e for e in record["events"] if e["place"].startswith("Tapa")]
    assert tapa, record["events"]
    for e in record["events"]:
        assert len(e["evidence"]) <= 620
        assert text[e["evidence_start"]:e["evidence_end"]] == e["evidence"]
        assert e["mention"]["start"] >= e["evidence_start"] and e["mention"]["end"] <= e["evidence_end"]
