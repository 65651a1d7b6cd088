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


def test_the_host_exclusion_cues_are_a_table_of_valid_patterns_each_family_with_an_example():
    import csv
    import re

    from geo.hosts import EXCLUDING_PREP, HOST_EXCLUSIONS_FILE

    with HOST_EXCLUSIONS_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(row["family"] and row["cue"] for row in rows)
    assert all(None not in row for row in rows)  # an unquoted comma ("{1,4}") would cut a cue short
    for row in rows:
        re.compile(row["cue"])  # each row is a whole alternative on its own
    examples = {row["family"] for row in rows if row["example"]}
    assert examples == {row["family"] for row in rows}
    # the compiled cues read the text just before a place
    assert EXCLUDING_PREP.search("a spokesman in ") and EXCLUDING_PREP.search("normally based at the ")
    assert not EXCLUDING_PREP.search("troops were deployed in ")


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
    found = events(gaz, "Belarusian units have taken up positions near Grodno.")
    assert [p for t, p in found if t == "deployment"]


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


def test_who_reports_from_where_hosts_nothing(gaz):
    found = events(gaz, "Polish troops held drills near Elbląg this week, a spokesman in Warsaw said.")
    assert ("exercise", "Elbląg") in found and ("exercise", "Warsaw") not in found
    found = events(gaz, "Russian units held river-crossing drills, local media in Tiraspol reported.")
    assert not any(p == "Tiraspol" for _, p in found)


def test_a_units_base_of_origin_is_not_where_it_trains(gaz):
    found = events(gaz, "The battlegroup drove from its base at Tapa to the Nursipalu range for live-fire drills.")
    assert not any(p.startswith("Tapa") for _, p in found)
    found = events(gaz, "Soldiers of Brigade North left their garrison at Setermoen to join the exercise at Bardufoss.")
    assert not any(p.startswith("Setermoen") for _, p in found)
    # the negative: a base where troops are is still a deployment
    found = events(gaz, "About 1,000 NATO troops are based at Tapa in Estonia.")
    assert any(t == "deployment" and p.startswith("Tapa") for t, p in found)


def test_an_arms_sale_is_not_a_deployment(gaz):
    found = events(gaz, "Washington approved the sale of F-16 jets to Turkey.")
    assert ("deployment", "Turkey") not in found
    assert ("deployment", "Turkey") in events(gaz, "The US deployed F-16 jets to Turkey.")


def test_a_deployment_exercise_is_an_exercise(gaz):
    found = events(gaz, "The spearhead force held its first deployment exercise at the Świętoszów training area.")
    types = {t for t, p in found if "Żagań" in p or "Świętoszów" in p}
    assert types == {"exercise"}


def test_a_town_near_a_site_locates_it_and_is_a_place_of_its_own(gaz):
    record = extract_bytes(b"June 15, 2017 - NATO troops arrived at the Bemowo Piskie training area near Orzysz.",
                           "a.txt", gaz)
    kinds = {p["name"]: p["kind"] for p in record["places"]}
    assert kinds.get("Orzysz") == "city" and kinds.get("Orzysz Training Area") == "training_area"
    hosts = {e["place"] for e in record["events"]}
    assert "Orzysz Training Area" in hosts and "Orzysz" not in hosts
    # without the site before it, a bare "Orzysz" is still the range
    record = extract_bytes(b"June 15, 2017 - NATO troops arrived at Orzysz.", "a.txt", gaz)
    assert {e["place"] for e in record["events"]} == {"Orzysz Training Area"}


def test_a_direction_region_after_a_site_only_locates_it(gaz):
    found = events(gaz, "Patriot units arrived at the Sliač air base in central Slovakia.")
    assert ("deployment", "Sliač Air Base") in found and ("deployment", "central Slovakia") not in found


def test_contributors_listed_after_a_nation_outside_the_region_are_not_hosts(gaz):
    found = events(gaz, "Sweden will hold the exercise Aurora with 19,000 Swedish troops and 1,500 from the US, "
                        "Finland, Norway and Estonia.")
    assert not {("exercise", "Finland"), ("exercise", "Norway"), ("exercise", "Estonia")} & set(found)


def test_the_chokepoint_word_belongs_to_the_nearest_waterway(gaz):
    found = events(gaz, "The Baltic Sea is ringed by allies, and the Danish straits are the chokepoint that matters.")
    assert ("chokepoint", "Baltic Sea") not in found
    assert ("chokepoint", "Baltic Sea") in events(gaz, "The Baltic Sea has become a NATO lake.")


def test_the_other_sides_drills_in_their_own_words(gaz):
    found = events(gaz, "Belarusian units are drilling at the Obuz-Lesnovsky range.")
    assert any(t == "exercise" and "Obuz" in p for t, p in found)
    found = events(gaz, "Air defence units fired at targets at Ashuluk.")
    assert any(t == "exercise" and "Ashuluk" in p for t, p in found)
    # the negative: shelling a city is not an exercise
    assert not events(gaz, "Russian artillery fired on Kharkiv overnight.")


def test_forces_massing_unloading_or_based_are_deployments(gaz):
    found = events(gaz, "Satellite images show Russian tanks massing near Yelnya.")
    assert any(t == "deployment" and p.startswith("Yelnya") for t, p in found)
    found = events(gaz, "Trains carrying Russian armour were seen unloading near Vitebsk.")
    assert any(t == "deployment" and "Vitebsk" in p for t, p in found)
    found = events(gaz, "Russia's Black Sea Fleet, based in Sevastopol, has moved vehicles onto the streets.")
    assert any(t == "deployment" and p.startswith("Sevastopol") for t, p in found)
    # the negative: a think tank based in London deploys nothing
    assert not events(gaz, "The report was written by a think tank based in London.")


def test_a_long_move_still_ends_at_its_destination(gaz):
    found = events(gaz, "Russia has moved several Kilo-class submarines of its Black Sea Fleet from Sevastopol in "
                        "Crimea to Novorossiysk on the Russian mainland.")
    assert any(t == "deployment" and p.startswith("Novorossiysk") for t, p in found)
    assert not any(p.startswith("Sevastopol") or p == "Crimea" for _, p in found)


def test_forces_arriving_ahead_of_drills_are_deployments_not_yet_exercises(gaz):
    found = events(gaz, "Russian troops continued to arrive in Belarus ahead of February exercises.")
    assert ("deployment", "Belarus") in found and ("exercise", "Belarus") not in found
    # the negative: drills that are happening stay exercises
    assert ("exercise", "Belarus") in events(gaz, "Russian troops held exercises in Belarus.")


def test_a_units_home_wing_is_its_origin(gaz):
    found = events(gaz, "A dozen F-16 fighters from the 52nd Fighter Wing at Spangdahlem, Germany, arrived at "
                        "Poland's Łask air base on Monday.")
    assert not any(p.startswith("Spangdahlem") or p == "Germany" for _, p in found)
    assert any(t == "deployment" and "Łask" in p for t, p in found)


def test_an_interception_near_an_island_is_not_a_deployment_there(gaz):
    found = events(gaz, "Danish F-16s escorted a Russian spy plane near Bornholm last week.")
    assert not any(p == "Bornholm" for _, p in found)
    assert ("deployment", "Bornholm") in events(gaz, "Denmark deployed F-16s to Bornholm last week.")


def test_where_a_minister_speaks_or_a_ministry_sits_hosts_nothing(gaz):
    found = events(gaz, "In Moscow, the defence ministry called the exercise a rehearsal for a blockade.")
    assert not any(p == "Moscow" for _, p in found)
    found = events(gaz, "Shoigu, speaking in Moscow, said Arctic troops would be reinforced.")
    assert not any(p == "Moscow" for _, p in found)
    found = events(gaz, "The general told reporters at Setermoen that the exercise had begun.")
    assert not any(p.startswith("Setermoen") for _, p in found)


def test_a_closed_base_is_no_deployment_and_firing_at_a_range_is_an_exercise(gaz):
    found = events(gaz, "The government decided to close Andøya air station and move the aircraft to Evenes.")
    assert not any(p.startswith("Andøya") for _, p in found)
    found = events(gaz, "The fleet announced tank and artillery firing at the Pravdinsky range.")
    assert any(t == "exercise" and p.startswith("Pravdinsky") for t, p in found)


def test_the_first_half_of_a_compound_word_is_not_a_town(gaz):
    record = extract_bytes(b"| Phase | Where |\n|---|---|\n| Pre-sail and planning | Helsinki |\n", "t.md", gaz)
    assert "Prato" not in {p["name"] for p in record["places"]}


def test_a_country_that_speaks_or_is_told_hosts_nothing(gaz):
    found = events(gaz, "Allied troops began an exercise in Estonia. Russia has demanded the exercise be cancelled. "
                        "Belarus, which borders Lithuania to the east, has been notified of the exercise.")
    assert ("exercise", "Estonia") in found
    assert ("exercise", "Russia") not in found and ("exercise", "Belarus") not in found
    found = events(gaz, "Russian troops held an exercise in Belarus, and Poland said it was watching closely.")
    assert ("exercise", "Belarus") in found and ("exercise", "Poland") not in found


def test_with_both_kinds_of_trigger_a_place_takes_the_clearly_nearer_one(gaz):
    found = events(gaz, "More than 20,000 soldiers from 13 countries began the exercise on Monday, a test of how "
                        "NATO would reinforce the alliance's far north in winter, with manoeuvres spread across "
                        "Troms and Finnmark.")
    assert ("exercise", "Troms") in found and ("deployment", "Troms") not in found
    found = events(gaz, "US troops deployed to Poland for the Anakonda exercise.")
    assert ("deployment", "Poland") in found and ("exercise", "Poland") in found


def test_ships_entering_a_sea_forces_sent_or_based_and_rotating_through_are_deployments(gaz):
    found = events(gaz, "The US destroyer USS Porter entered the Black Sea on Monday for its second patrol this year.")
    assert ("deployment", "Black Sea") in found
    found = events(gaz, "NATO will send frigates and naval drones to the Baltic Sea under a new mission.")
    assert ("deployment", "Baltic Sea") in found
    found = events(gaz, "About 330 Marines have been based at Værnes, near Trondheim, since January.")
    assert ("deployment", "Værnes Air Station") in found and ("deployment", "Trondheim") not in found
    found = events(gaz, "Extra troops and ships will be rotating through Poland.")
    assert ("deployment", "Poland") in found
    found = events(gaz, "Russian troops poured into Belarus ahead of the drills.")
    assert ("deployment", "Belarus") in found and ("exercise", "Belarus") not in found
    found = events(gaz, "The convoy drove through Poland to the exercise in Lithuania.")
    assert ("exercise", "Poland") not in found and ("deployment", "Poland") not in found


def test_where_a_spokesman_speaks_from_hosts_nothing(gaz):
    found = events(gaz, "\"This is a routine deployment,\" the spokesman said, speaking from the Sixth Fleet's "
                        "headquarters in Naples. US troops are speaking from experience in Poland.")
    assert ("deployment", "Naples") not in found
    found = events(gaz, "The spokesman, speaking from Vilnius, said the battalion deployed to Rukla.")
    assert ("deployment", "Vilnius") not in found and ("deployment", "Rukla Military Base") in found


def test_hosted_by_launches_snap_checks_officers_and_passing_ships(gaz):
    found = events(gaz, "The Sea Breeze manoeuvres, hosted by Ukraine, will run until July 12 at Odesa.")
    assert ("exercise", "Ukraine") in found and [k for k in found if k[1].startswith("Odesa")]
    found = events(gaz, "Coastal missile crews carried out electronic missile launches on the Kerch Peninsula.")
    assert ("exercise", "Kerch Peninsula") in found
    found = events(gaz, "The brigade at Alakurtti, near the border with Finland, is carrying out a snap check of "
                        "combat readiness.")
    assert [k for k in found if k[1].startswith("Alakurtti")] == \
        [("exercise", "Alakurtti Garrison (80th Arctic Brigade)")]
    assert ("exercise", "Finland") not in found
    found = events(gaz, "A Bulgarian navy officer in Varna said two ships would take part in the exercise.")
    assert not [k for k in found if k[1].startswith("Varna")]
    found = events(gaz, "Every ship that reaches the exercise area must first pass the Fehmarn Belt.")
    assert ("exercise", "Fehmarn Belt") not in found
    found = events(gaz, "Land forces are manoeuvring in the area around Trondheim.")
    assert ("exercise", "Trondheim") in found
    found = events(gaz, "Troops of NATO's battlegroup in Latvia completed exercise Crystal Arrow at Ādaži.")
    assert ("deployment", "Latvia") not in found
    found = events(gaz, "MiG-31 interceptors based at Monchegorsk will train over the Barents Sea.")
    assert ("deployment", "Monchegorsk Air Base") in found and ("exercise", "Barents Sea") in found


def test_live_firing_with_a_named_weapon_is_an_exercise_and_a_battery_sent_a_deployment(gaz):
    found = events(gaz, "Allied troops will carry out live firing with missile systems, including the Patriot "
                        "system, at the Capu Midia Firing Range within the Shield exercise.")
    assert ("exercise", "Capu Midia Firing Range") in found and ("deployment", "Capu Midia Firing Range") not in found
    found = events(gaz, "The US military sent a Patriot battery to Lithuania for drills.")
    assert ("deployment", "Lithuania") in found


def test_gapping_with_heading_to_and_a_country_not_invited(gaz):
    found = events(gaz, "Canada leads the group bound for Latvia, Britain the one heading to Estonia.")
    assert ("deployment", "Latvia") in found and ("deployment", "Estonia") in found
    assert ("deployment", "United Kingdom") not in found and ("deployment", "Canada") not in found
    found = events(gaz, "The BALTOPS exercise began off Poland. Russia, which used to take part in BALTOPS, has not "
                        "been invited since 2014.")
    assert ("exercise", "Russia") not in found
    found = events(gaz, "Wagner fighters moved to Belarus after their failed mutiny in Russia.")
    assert ("deployment", "Belarus") in found and ("deployment", "Russia") not in found


def test_agents_with_a_relative_clause_buyers_and_unplaced_home_bases(gaz):
    found = events(gaz, "Finland, which is not a member of the alliance, has sent a small contingent to Latvia.")
    assert ("deployment", "Latvia") in found and ("deployment", "Finland") not in found
    found = events(gaz, "Britain to double its troops in Estonia")
    assert ("deployment", "Estonia") in found and ("deployment", "United Kingdom") not in found
    found = events(gaz, "The Patriot battery drove from its home at Rhine Ordnance Barracks in Kaiserslautern, "
                        "Germany, across Poland to Lithuania.")
    assert ("deployment", "Lithuania") in found
    assert not {("deployment", "Kaiserslautern"), ("deployment", "Germany")} & set(found)
    found = events(gaz, "An infantry battalion flew in from Vicenza, in Italy, with companies now in Latvia.")
    assert ("deployment", "Latvia") in found and ("deployment", "Italy") not in found


def test_a_base_of_operations_hosts_and_a_ministers_meeting_does_not(gaz):
    found = events(gaz, "US F-35A fighters are flying patrols from Ämari and Šiauliai under the air policing mission.")
    assert {p for t, p in found if t == "deployment"} >= {"Ämari Air Base", "Šiauliai Air Base"}
    found = events(gaz, "NATO defence ministers agreed in Brussels to station a battlegroup in each Baltic state.")
    assert not [k for k in found if k[1].startswith("Brussels")]


def test_an_owners_forces_placed_elsewhere_and_an_agent_with_an_adverb(gaz):
    found = events(gaz, "Germany's brigade in Lithuania will reach full strength in 2027.")
    assert ("deployment", "Lithuania") in found and ("deployment", "Germany") not in found
    found = events(gaz, "Russia's troops massed near the border for the drills.")
    assert [k for k in found if k[1] == "Russia"]  # its own forces, nowhere else named: the owner hosts them
    found = events(gaz, "Norway has permanently stationed F-35 fighters at Evenes air station.")
    assert ("deployment", "Norway") not in found
    assert ("deployment", "Evenes Air Station") in found


def test_a_place_inside_a_unit_name_and_forces_from_garrison_towns(gaz):
    found = events(gaz, "US Marines of the Black Sea Rotational Force continue to train at the Mihail "
                        "Kogălniceanu air base near Constanța.")
    assert not [k for k in found if k[1] == "Black Sea"]
    assert ("exercise", "Mihail Kogălniceanu Air Base") in found
    found = events(gaz, "Soldiers from small garrison towns in Bavaria deployed to Lithuania last week.")
    assert ("deployment", "Lithuania") in found and not [k for k in found if k[1] == "Bavaria"]
    found = events(gaz, "The Black Sea Fleet's ships deployed to the Black Sea near Crimea.")
    assert ("deployment", "Black Sea") in found  # "Fleet" names the force; the second Black Sea is its water


def test_countries_listed_before_an_agent_are_agents_and_plural_groups_are_led(gaz):
    found = events(gaz, "Britain, Canada and the United States are expected to lead the groups in Estonia, "
                        "Latvia and Poland respectively.")
    assert {p for t, p in found if t == "deployment"} == {"Estonia", "Latvia", "Poland"}
    # a comma that closes a clause is no list, and an object of "heading to" is no agent
    found = events(gaz, "Canada leads the group bound for Latvia, Britain the one heading to Estonia and the "
                        "United States the force for Poland.")
    assert {p for t, p in found if t == "deployment"} == {"Latvia", "Estonia", "Poland"}


def test_assembly_points_freight_and_loading_places_host_nothing(gaz):
    found = events(gaz, "Conscripts reported to assembly points in Narva and Võru before the drills began "
                        "at the Central Training Area.")
    assert not [k for k in found if k[1] in ("Narva", "Võru")]
    assert ("exercise", "Central Training Area (Keskpolügoon)") in found
    found = events(gaz, "The port has become a transit point for grain heading to Constanța.")
    assert not [k for k in found if k[1].startswith("Constanța")]
    found = events(gaz, "The battalion's tanks were loaded onto trains at depots in Saxony before arriving in "
                        "Lithuania.")
    assert ("deployment", "Lithuania") in found and not [k for k in found if k[1] == "Saxony"]
    assert not [k for k in found if k[0] == "exercise"]  # railway trains are no training
    found = events(gaz, "Dutch marines train at the Blåtind range every winter.")
    assert ("exercise", "Blåtind Range") in found
    found = events(gaz, "Our reporter at the Narva crossing saw troops arriving in Narva.")
    assert ("deployment", "Narva") in found  # the place troops reach still hosts


def test_a_where_clause_makes_its_antecedent_the_host(gaz):
    found = events(gaz, "Šiauliai lies about 220 kilometres from Kaliningrad, where Russia has stationed S-400 "
                        "air-defence systems.")
    assert set(found) == {("deployment", "Kaliningrad")}
    found = events(gaz, "Ships are expected to call at Baltiysk, the fleet's main base in the Kaliningrad exclave, "
                        "where two new corvettes are now based.")
    assert ("deployment", "Baltiysk Naval Base") in found
    found = events(gaz, "Troops flew home from Tapa, where the weather was cold.")
    assert ("deployment", "Tapa") not in found and ("deployment", "Tapa Army Base") not in found  # no event there


def test_jets_flying_from_a_base_operate_there_and_jets_that_flew_from_it_left(gaz):
    found = events(gaz, "German Typhoons are flying from Ämari in Estonia under the air policing mission.")
    assert ("deployment", "Ämari Air Base") in found
    found = events(gaz, "The F-16s flew from Spangdahlem to Łask.")
    assert ("deployment", "Łask Air Base") in found and ("deployment", "Spangdahlem Air Base") not in found


def test_live_firing_and_artillery_fire_are_exercises_and_stops_gifts_and_garrisons_host_nothing(gaz):
    found = events(gaz, "German troops will join Polish units for live firing at Drawsko Pomorskie.")
    assert ("exercise", "Drawsko Training Ground") in found or ("exercise", "Drawsko Pomorskie") in found
    found = events(gaz, "Artillery units fired at the Shabla range on Tuesday.")
    assert [k for k in found if k[0] == "exercise" and k[1].startswith("Shabla")]
    found = events(gaz, "The batteries, normally garrisoned in Germany, arrived in Rzeszów.")
    assert not [k for k in found if k[1] == "Germany"] and [k for k in found if k[1].startswith("Rzesz")]
    found = events(gaz, "The airliners stopped to refuel at Ramstein Air Base before landing at Rzeszów.")
    assert not [k for k in found if k[1] == "Ramstein Air Base"]
    found = events(gaz, "Germany moved Patriots to Slovakia after Bratislava donated its S-300 system to Kyiv.")
    assert ("deployment", "Slovakia") in found and not [k for k in found if k[1] == "Kyiv"]


def test_a_table_cell_that_locates_the_site_beside_it_hosts_nothing(gaz):
    text = ("Allied sites in Romania:\n\n| Site | County | Forces |\n|---|---|---|\n"
            "| Cincu training area | Brașov | French-led NATO battlegroup stationed since 2022 |\n"
            "| Mirosławiec | West Pomerania | MQ-9 Reaper squadron stationed since 2018 |\n")
    found = events(gaz, text)
    assert [k for k in found if k[1].startswith("Cincu")] and [k for k in found if k[1].startswith("Mirosławiec")]
    assert not [k for k in found if k[1] in ("Braşov", "Brașov", "Pomerania", "West Pomerania")]


def test_a_units_seat_the_places_forces_leave_and_those_in_a_capital_host_nothing(gaz):
    found = events(gaz, "The 11th Armoured Cavalry Division, whose headquarters is in Żagań, is exercising at "
                        "Orzysz.")
    assert not [k for k in found if k[1].startswith("Żagań")] and [k for k in found if k[1].startswith("Orzysz")]
    found = events(gaz, "Some of the units leaving Vilseck are expected to rotate into Poland.")
    assert ("deployment", "Poland") in found and not [k for k in found if k[1] == "Rose Barracks"]
    found = events(gaz, "The move disappointed those in Warsaw who had hoped for US fighters permanently based "
                        "at Łask.")
    assert not [k for k in found if k[1] == "Warsaw"]
    found = events(gaz, "US troops left for Lithuania on Monday.")
    assert ("deployment", "Lithuania") in found  # "left for" names where they go


def test_seas_at_the_ends_of_a_corridor_or_merely_close_by_are_no_chokepoints(gaz):
    found = events(gaz, "Engineers trained at the Smârdan range, close to where the Danube bends toward the "
                        "Black Sea.")
    assert ("chokepoint", "Black Sea") not in found
    found = events(gaz, "The brief looks at the corridor between the Baltic and Black Sea fronts.")
    assert not [k for k in found if k[0] == "chokepoint"]
    found = events(gaz, "Russia declared parts of the Black Sea closed to foreign warships.")
    assert ("chokepoint", "Black Sea") in found
    found = events(gaz, "The Gulf of Finland has become a NATO lake.")
    assert ("chokepoint", "Gulf of Finland") in found


def test_a_border_point_as_a_distance_mark_and_the_reassured_host_nothing(gaz):
    found = events(gaz, "At the Babadag range, 40 km from the Ukrainian border at Isaccea, US troops held drills.")
    assert not [k for k in found if k[1] == "Isaccea"]
    found = events(gaz, "Norway keeps a small garrison on the Russian border at Kirkenes.")
    assert ("deployment", "Kirkenes") in found
    found = events(gaz, "Organisers said the exercise in Poland was meant to reassure the Baltic states.")
    assert ("exercise", "Poland") in found and ("exercise", "Baltic states") not in found


def test_a_build_up_seen_from_above_and_aircraft_working_from_bases_are_deployments(gaz):
    found = events(gaz, "Rows of armoured vehicles parked at the Opuk range; landing ships crowded at Sevastopol.")
    assert [k for k in found if k[0] == "deployment" and k[1].startswith("Opuk")]
    assert [k for k in found if k[0] == "deployment" and k[1].startswith("Sevastopol")]
    found = events(gaz, "Air cover is provided by NATO fighters operating from Łask and Powidz air bases.")
    assert {p for t, p in found if t == "deployment"} >= {"Łask Air Base", "Powidz Air Base"}
    found = events(gaz, "Parliament debated the budget in Vilnius.")
    assert not found


def test_a_sentence_that_goes_on_about_the_exercise_named_before_reports_it(gaz):
    found = events(gaz, "Anakonda-18 involves some 12,000 soldiers. It is being conducted at training areas across "
                        "Poland, including the Drawsko Pomorskie training area.")
    assert ("exercise", "Drawsko Training Ground") in found and ("exercise", "Poland") in found
    found = events(gaz, "Anakonda-18 involves some 12,000 soldiers. It said nothing about Lithuania.")
    assert not [k for k in found if k[1] == "Lithuania"]


def test_a_country_the_clause_puts_forces_in_stays_a_host_and_a_denied_deployment_is_none(gaz):
    found = events(gaz, "Prague keeps a company in the German-led battlegroup in Lithuania and sends rotations "
                        "to the Latvian one at Ādaži.")
    assert ("deployment", "Lithuania") in found and ("deployment", "Ādaži Military Base") in found
    found = events(gaz, "Czechia does not host a battlegroup and has not asked for one.")
    assert not found
    found = events(gaz, "The Strykers drove from Vilseck across the Czech Republic to Orzysz.")
    assert not [k for k in found if k[1] == "Czech Republic"]


def test_a_record_is_no_denial(gaz):
    found = events(gaz, "The president told the troops at the Rukla base that her country had never before hosted "
                        "allied forces of this size.")
    assert ("deployment", "Rukla Military Base") in found
    found = events(gaz, "Allies not only sent troops to Estonia but also jets.")
    assert ("deployment", "Estonia") in found


def test_a_gapped_leader_is_an_agent(gaz):
    found = events(gaz, "Canada leads a similar force in Latvia and Britain in Estonia.")
    assert {p for t, p in found if t == "deployment"} == {"Latvia", "Estonia"}
    found = events(gaz, "Troops were deployed in Latvia and in Estonia.")
    assert {p for t, p in found if t == "deployment"} == {"Latvia", "Estonia"}


def test_a_river_hosts_no_event_and_the_places_beside_it_still_do(gaz):
    found = events(gaz, "Polish engineers built pontoon bridges across the Vistula during exercise Anakonda.")
    assert not {p for _, p in found} & {"Vistula"}
    found = events(gaz, "Romanian troops deployed to Ungheni on the Prut and to Iași.")
    places = {p for t, p in found if t == "deployment"}
    assert "Ungheni" in places and not places & {"Prut", "Prut River"}
    for sentence in ("Ukrainian marines held an exercise on the Dnieper near Kherson.",
                     "The brigade held river-crossing drills on the Daugava near Jēkabpils."):
        assert not {p for _, p in events(gaz, sentence)} & {"Dnieper", "Daugava"}  # both were exercises there


def test_a_units_usual_home_hosts_nothing(gaz):
    found = events(gaz, "Reservists of the brigade, normally based at Sodankylä, deployed to Rovaniemi for "
                        "the winter. Gripens of the 59th wing, which normally operate from Kecskemét, arrived in "
                        "Šiauliai. Paratroopers of the division, whose home garrison is Pskov, were flown to Crimea.")
    assert {("deployment", "Rovaniemi Air Base"), ("deployment", "Šiauliai Air Base"), ("deployment", "Crimea")} \
        <= set(found)
    places = {p for _, p in found}
    assert not places & {"Sodankylä", "Kecskemét Air Base", "Pskov"}, places
    # operating from a base is still being there
    assert ("deployment", "Ämari Air Base") in events(gaz, "Four Eurofighters are operating from Ämari Air Base.")


def test_forces_sent_to_training_grounds_go_there_to_train(gaz):
    found = events(gaz, "Units of the 6th Army began redeploying to training grounds in the Pskov region. Motor "
                        "riflemen marched to the Luga training ground on Monday.")
    assert ("exercise", "Pskov Oblast") in found and ("exercise", "Luga Training Ground") in found
    # a battlegroup stationed at a training area is a deployment, not an exercise
    found = events(gaz, "The battlegroup deployed to the Bemowo Piskie training area in April.")
    assert [t for t, _ in found] == ["deployment"]


def test_a_speakers_city_hosts_nothing(gaz):
    found = events(gaz, "In Helsinki, Defence Minister Antti Häkkänen said Finnish troops would train in Lapland. "
                        "The Russian embassy in Oslo said allied troops would hold drills in Finnmark.")
    assert ("exercise", "Lapland") in found and ("exercise", "Finnmark") in found
    assert not {p for _, p in found} & {"Helsinki", "Oslo"}


def test_firing_at_a_range_combat_training_and_an_active_phase_are_exercises(gaz):
    found = events(gaz, "Ground troops are firing at the Pravdinsky range. Marines are practising combat actions at "
                        "the Strugi Krasnye training ground. The active phase opened at the Obuz-Lesnovsky range.")
    assert {p for t, p in found if t == "exercise"} == {"Pravdinsky Training Ground", "Strugi Krasnye Training Ground",
                                                         "Obuz-Lesnovsky Training Ground"}, found
    # firing on a town is a strike, not an exercise
    assert not events(gaz, "Russian forces were firing on Kharkiv again.")


def test_countries_gapped_with_an_amount_send_forces_and_host_none(gaz):
    found = events(gaz, "Denmark is sending two F-16s and a frigate, France three Rafale fighters and Germany four "
                        "Eurofighters to Poland, the secretary general said.")
    assert set(found) == {("deployment", "Poland")}, found


def test_a_border_crossed_on_the_way_hosts_nothing_and_an_opposing_force_is_an_exercise(gaz):
    found = events(gaz, "The squadron drove from Vilseck, crossing the Czech Republic, and arrived in Orzysz. "
                        "The convoy crossed into Romania at Nădlac before reaching Cincu.")
    assert ("deployment", "Orzysz") in found or ("deployment", "Orzysz Training Area") in found, found
    assert not {p for _, p in found} & {"Czechia", "Nădlac"}, found
    found = events(gaz, "In Finnmark a mechanised battalion will face an opposing force of Swedish units.")
    assert ("exercise", "Finnmark") in found and ("deployment", "Finnmark") not in found, found


def test_distances_port_calls_and_a_countrys_verdict_host_nothing(gaz):
    found = events(gaz, "Interceptors are based at Monchegorsk, about 120 km to Finland.")
    assert ("deployment", "Finland") not in found and len(found) == 1, found
    found = events(gaz, "The flagship arrived in Kiel on Thursday after a port call in Copenhagen.")
    assert not {p for _, p in found} & {"Copenhagen"}, found
    found = events(gaz, "Russia, which calls the exercise a provocation, watched as 4,000 troops drilled in Lapland.")
    assert set(found) == {("exercise", "Lapland")}, found


def test_an_exercise_on_the_territory_of_hosts_and_its_aircraft_operate_from_its_bases(gaz):
    found = events(gaz, "NATO on Wednesday launched its Arctic Challenge Exercise 2019 on the territory of Norway, "
                        "Sweden and Finland. The aircraft are operating from the air bases at Bodø and Ørland.",
                   date="May 23, 2019")
    assert {("exercise", "Norway"), ("exercise", "Sweden"), ("exercise", "Finland"), ("exercise", "Bodø"),
            ("exercise", "Ørland Air Station")} <= set(found), found
    # whose territory is no host: "violated the territory of Estonia" is not where the jets went
    found = events(gaz, "Russian jets violated the territory of Estonia before Italian jets deployed to Ämari.")
    assert ("deployment", "Estonia") not in found and ("deployment", "Ämari Air Base") in found, found


def test_a_fleets_bases_host_its_ships_whatever_the_sentence_says(gaz):
    found = events(gaz, "Allied frigates operated a few hundred kilometres from the Northern Fleet's bases at "
                        "Severomorsk and Gadzhiyevo.")
    bases = {"Severomorsk (Northern Fleet HQ)", "Gadzhiyevo Submarine Base"}
    assert {p for t, p in found if t == "deployment"} >= bases, found
    # an army unit's home base is no deployment
    found = events(gaz, "The paratroopers flew in from their home base at Vicenza, Italy, and deployed to Ādaži.")
    assert "Vicenza" not in {p for _, p in found}, found


def test_arrivals_by_rail_and_gapped_bases_of_air_policing_are_deployments(gaz):
    found = events(gaz, "Over the past two weeks Russian armour has arrived by rail at Baranovichi and Lida.")
    assert {t for t, _ in found} == {"deployment"} and len(found) == 2, found
    found = events(gaz, "German Typhoons are flying from Ämari in Estonia, British Typhoons from Šiauliai in "
                        "Lithuania, and Belgian F-16s from Malbork in Poland.")
    assert {"Ämari Air Base", "Šiauliai Air Base", "Malbork Air Base"} <= {p for t, p in found if t == "deployment"}
    # a departure stays one: "flew in from Vicenza" with no base of operations before it
    assert "Vicenza" not in {p for _, p in events(gaz, "Paratroopers, who flew in from Vicenza, deployed to Riga.")}


def test_troops_training_somewhere_exercise_there_and_a_groups_members_host_nothing(gaz):
    found = events(gaz, "In Sweden, some 4,500 troops are training in Norrbotten.")
    assert ("exercise", "Norrbotten") in found and not any(t == "deployment" for t, _ in found), found
    found = events(gaz, "Varna holds the command of the three-nation group of Turkey, Romania and Bulgaria, "
                        "whose minehunters were deployed to the Black Sea.")
    assert not {p for _, p in found} & {"Turkey", "Romania", "Bulgaria"}, found


def test_a_wing_with_a_quoted_name_is_an_origin_and_a_road_is_a_route(gaz):
    found = events(gaz, 'Eurofighters from Tactical Air Wing 71 "Richthofen" in Wittmund deployed to Ämari Air Base.')
    assert set(found) == {("deployment", "Ämari Air Base")}, found
    found = events(gaz, "US Army convoys moved from Alexandroupoli along the Egnatia motorway towards Kavala.")
    assert "Kavála" not in {p for _, p in found}, found


def test_a_site_named_as_a_base_is_where_an_exercise_happens(gaz):
    # "naval base" and "garrison" name the site; the clause reports drills there
    found = events(gaz, "Corvettes of the Kronstadt naval base are rehearsing the search for submarines.")
    assert ("exercise", "Kronstadt Naval Base") in found and ("deployment", "Kronstadt Naval Base") not in found
    found = events(gaz, "Paratroopers rehearsed a landing at the Niinisalo garrison on Tuesday.")
    assert {t for t, p in found if p == "Niinisalo Garrison"} == {"exercise"}
    # a base that receives forces is still a deployment
    found = events(gaz, "Four Italian jets were deployed to the Šiauliai air base this week.")
    assert ("deployment", "Šiauliai Air Base") in found


def test_units_practising_at_ranges_are_exercising(gaz):
    found = events(gaz, "Tank units practised at ranges including Pogonovo near Voronezh, Mulino in the Nizhny "
                        "Novgorod region and Luga south of St Petersburg.")
    assert {t for t, p in found if p == "Luga Training Ground"} == {"exercise"}
    assert {t for t, p in found if p == "Pogonovo Training Ground"} == {"exercise"}
    # an artillery unit named while it exercises is not deployed there by its name
    found = events(gaz, "A US artillery unit, which has been exercising in Troms county, will cross into Finland.")
    assert ("deployment", "Troms") not in found
    # nor are practised skills a place's exercise when no place is named
    assert not events(gaz, "The crews practised the drills for hours.")


def test_an_exercises_aircraft_operating_from_bases_do_not_deploy_there(gaz):
    found = events(gaz, "Arctic Challenge began on Monday. The aircraft taking part in the drills are operating "
                        "from the air bases at Bodø and Ørland.")
    assert not {p for t, p in found if t == "deployment"}
    found = events(gaz, "Air cover is provided by NATO fighters operating from Łask and Powidz air bases.")
    assert {p for t, p in found if t == "deployment"} >= {"Łask Air Base", "Powidz Air Base"}


def test_a_naval_base_named_is_not_a_deployment_by_its_name(gaz):
    found = events(gaz, "Small missile ships of the Leningrad naval base, which sailed from Kronstadt, fired "
                        "their guns at sea.")
    assert not {p for t, p in found if t == "deployment"}
    # ships based or moved there still are
    found = events(gaz, "Russia moved three landing ships to the Novorossiysk naval base in March.")
    assert {p for t, p in found if t == "deployment"} == {"Novorossiysk Naval Base"}


def test_a_named_units_home_in_apposition_hosts_nothing(gaz):
    found = events(gaz, "The brigade will be formed by Panzerbataillon 203, currently based in Augustdorf, and "
                        "will be stationed in Lithuania.")
    assert ("deployment", "Augustdorf") not in found and ("deployment", "Lithuania") in found
    found = events(gaz, "Our army has one brigade, based in Troms, and a small garrison at Kirkenes.")
    assert ("deployment", "Troms") in found


def test_an_exercise_that_only_says_when_makes_no_exercise_there(gaz):
    found = events(gaz, "GPS disruptions were reported in Finnmark throughout the exercise.")
    assert ("exercise", "Finnmark") not in found
    found = events(gaz, "Washington sent 600 paratroopers to Latvia and Estonia for the length of the exercise.")
    assert {p for t, p in found if t == "deployment"} == {"Latvia", "Estonia"}
    assert not {p for t, p in found if t == "exercise"}
    # the exercise itself still is one
    assert ("exercise", "Finnmark") in events(gaz, "The exercise in Finnmark ended on Friday.")


def test_a_city_a_minister_stated_in_or_a_planner_sits_in_hosts_nothing(gaz):
    found = events(gaz, "The minister stated in Bucharest that the Saber Guardian exercise had begun.")
    assert ("exercise", "Bucharest") not in found
    found = events(gaz, "Every NATO planner in Izmir knows the exercise matters.")
    assert ("exercise", "İzmir") not in found


def test_an_exercises_sites_named_by_where_it_plays_out_are_exercises(gaz):
    found = events(gaz, "The main episodes will be played out at the Mulino training ground and the Pogonovo range.")
    assert {p for t, p in found if t == "exercise"} >= {"Mulino Training Ground", "Pogonovo Training Ground"}
    found = events(gaz, "In Belarus, troops are working at the Obuz-Lesnovsky, Borisovsky and Domanovsky training "
                        "grounds.")
    assert {p for t, p in found if t == "exercise"} >= {"Obuz-Lesnovsky Training Ground", "Domanovsky Training Ground"}
    # a ceremony held at a range is no drill there
    found = events(gaz, "The ceremony was held on a tank range of the training centre at Orzysz.")
    assert not {p for t, p in found if t == "exercise"}


def test_forces_taking_part_across_a_region_exercise_there(gaz):
    found = events(gaz, "More than 20,000 soldiers are taking part across northern Norway and Finnish Lapland.")
    assert {p for t, p in found if t == "exercise"} >= {"northern Norway", "Lapland"}
    assert not {p for t, p in found if t == "deployment"}


def test_new_formations_turns_and_quarters_are_deployments(gaz):
    found = events(gaz, "Moscow is forming a new army corps in Karelia.")
    assert ("deployment", "Republic of Karelia") in found
    found = events(gaz, "Estonian intelligence expects the district to field a new division at Luga.")
    assert {t for t, p in found if p.startswith("Luga")} == {"deployment"}
    found = events(gaz, "Fighters took turns at Šiauliai and Ämari, and many soldiers will be housed at Cincu.")
    assert {p for t, p in found if t == "deployment"} >= {"Šiauliai Air Base", "Ämari Air Base"}
    # a division of opinion is not a formation
    assert not events(gaz, "The debate in Oslo showed a division of opinion.")


def test_a_home_field_and_a_city_a_plan_was_rejected_in_host_nothing(gaz):
    found = events(gaz, "The jets flew in from their home field at Mińsk Mazowiecki and deployed to Šiauliai.")
    assert {p for t, p in found if t == "deployment"} == {"Šiauliai Air Base"}
    found = events(gaz, "The idea of stationing the brigade in Estonia permanently has been rejected in London.")
    assert ("deployment", "Estonia") in found and ("deployment", "London") not in found


def test_senders_described_in_apposition_and_by_new_verbs_host_nothing(gaz):
    found = events(gaz, "Sweden, whose application is still pending, has also sent ships to the Baltic Sea.")
    assert ("deployment", "Sweden") not in found
    found = events(gaz, "Norway is reinforcing Finnmark, and Sweden has promised to put a battalion in Finland.")
    assert {p for t, p in found if t == "deployment"} == {"Finnmark", "Finland"}
    found = events(gaz, "The Netherlands' F-35s, which were already operating from Poland, will stay.")
    assert ("deployment", "Netherlands") not in found


def test_no_plans_to_deploy_is_a_denial_and_contributed_jets_are_a_deployment(gaz):
    found = events(gaz, '"There are no plans to move units into Belarus," the minister added.')
    assert not found
    found = events(gaz, "No additional Norwegian forces are being moved to Finnmark after the exercise.")
    assert ("deployment", "Finnmark") not in found
    found = events(gaz, "There is no plan, however, to send any allied troops to Narva itself.")
    assert ("deployment", "Narva") not in found
    found = events(gaz, "With no plan in place, the ministry decided to send troops to Narva.")
    assert ("deployment", "Narva") in found
    found = events(gaz, "Germany, which will contribute six Eurofighters to Ämari later in the year, has said it "
                        "has no plans to send ground troops to the region.")
    assert {p for t, p in found if t == "deployment"} == {"Ämari Air Base"}


def test_nobody_training_somewhere_and_a_units_usual_training_base_host_no_exercise(gaz):
    found = events(gaz, "Officials stressed that no allied troops would train in Sør-Varanger this winter.")
    assert ("exercise", "Sør-Varanger") not in found
    found = events(gaz, "Marines, who usually train out of the Mihail Kogălniceanu air base, will exercise at "
                        "Novo Selo.")
    assert {p for t, p in found if t == "exercise"} == {"Novo Selo Training Area"}
    # "no fewer than" is a count, not a denial
    found = events(gaz, "No fewer than 5,000 troops will train in Lithuania this summer.")
    assert ("exercise", "Lithuania") in found


def test_an_exercise_denied_with_not_is_no_exercise_like_a_denied_deployment(gaz):
    found = events(gaz, "The Dutch company has not trained at Pabradė since the spring.")
    assert ("exercise", "Pabradė") not in found
    found = events(gaz, "The Dutch company has trained at Pabradė since the spring.")
    assert ("exercise", "Pabradė") in found
    # "not only" adds, it does not deny
    found = events(gaz, "The company has not only trained at Pabradė but also at Rukla.")
    assert ("exercise", "Pabradė") in found


def test_a_fleets_bases_named_by_is_or_headquartered_in_host_its_ships(gaz):
    found = events(gaz, "The fleet's main bases are Sevastopol and Novorossiysk, officials said.")
    assert {p for t, p in found if t == "deployment"} == {"Sevastopol Naval Base", "Novorossiysk Naval Base"}
    found = events(gaz, "Russia's Black Sea Fleet, headquartered in Sevastopol, said it had fired warning shots.")
    assert ("deployment", "Sevastopol Naval Base") in found
    # a brigade's headquarters is its seat, not a fleet's base
    assert not events(gaz, "The 20th Army, headquartered in Voronezh, said nothing.")


def test_a_town_that_locates_a_base_hosts_nothing_even_before_a_where_clause(gaz):
    found = events(gaz, "A US detachment will remain at the Łask air base near Łódź, where American F-16s rotate.")
    assert {p for t, p in found if t == "deployment"} == {"Łask Air Base"}
    found = events(gaz, "US Marines flew into Banak air station at Lakselv on Sunday.")
    assert {p for t, p in found if t == "deployment"} == {"Banak Air Station"}


def test_a_place_inside_an_exercise_name_or_on_a_route_hosts_nothing(gaz):
    found = events(gaz, "Lielvārde will host Allied jets during the Ramstein Alloy exercise in October.")
    assert ("exercise", "Ramstein Air Base") not in found
    found = events(gaz, "The carrier group, on its way to the Aegean Sea, arrived at Souda Bay.")
    assert ("deployment", "Aegean Sea") not in found


def test_no_units_stationed_is_a_denial_and_a_port_of_arrival_is_transit(gaz):
    found = events(gaz, "No American units will be stationed in the Czech Republic, the ministry said.")
    assert not found
    found = events(gaz, "The brigade's tanks were unloaded at the German port of Bremerhaven and sent on to Żagań.")
    assert {p for t, p in found if t == "deployment"} == {"Żagań Training Area"}
    # trains unloading at a rail hub put the armour there
    found = events(gaz, "Trains carrying Russian armour were seen unloading near Vitebsk.")
    assert ("deployment", "Vitebsk") in found


def test_a_ministrys_city_and_refugees_arriving_host_nothing(gaz):
    found = events(gaz, "The defence ministry in Bratislava said it was in talks about hosting NATO battlegroups "
                        "in Slovakia.")
    assert ("deployment", "Bratislava") not in found and ("deployment", "Slovakia") in found
    found = events(gaz, "Refugees continue to arrive at Siret as troops arrived in Romania.")
    assert {p for t, p in found if t == "deployment"} == {"Romania"}


def test_a_countrys_sub_region_counts_in_a_list_of_host_countries(gaz):
    found = events(gaz, "The drills are spread across northern Norway, Sweden and Finland.")
    assert {p for t, p in found if t == "exercise"} == {"northern Norway", "Sweden", "Finland"}


def test_going_home_is_no_deployment(gaz):
    found = events(gaz, "The convoy lets our American friends return home to their base in Bavaria.")
    assert ("deployment", "Bavaria") not in found
    found = events(gaz, "The brigade headed home to Germany after six months in Lithuania.")
    assert ("deployment", "Germany") not in found


def test_activities_at_training_centres_and_training_alongside_units_are_exercises(gaz):
    found = events(gaz, "The main activities take place at the Joint National Training Centre at Cincu, and in "
                        "Bulgaria activities are concentrated at the Novo Selo training area.")
    assert {p for t, p in found if t == "exercise"} >= {"Cincu Joint National Training Center",
                                                        "Novo Selo Training Area"}
    found = events(gaz, "A contingent of 50 Moldovan troops is training alongside Romanian units at Cincu.")
    assert {t for t, p in found if p == "Cincu Joint National Training Center"} == {"exercise"}


def test_a_town_named_for_its_base_that_locates_another_base_hosts_nothing(gaz):
    found = events(gaz, "About 500 French soldiers are already at Mihail Kogălniceanu air base near Constanța.")
    assert {p for t, p in found if t == "deployment"} == {"Mihail Kogălniceanu Air Base"}


def test_countries_that_pledge_or_offer_forces_host_nothing(gaz):
    found = events(gaz, "Denmark, France and Germany pledge jets and ships to be deployed in Poland.")
    assert {p for t, p in found if t == "deployment"} == {"Poland"}


def test_the_bosporus_and_dardanelles_named_together_are_two_chokepoints(gaz):
    found = events(gaz, "Turkey closed the Bosporus and Dardanelles to warships in February.")
    assert {p for t, p in found if t == "chokepoint"} == {"Bosporus", "Dardanelles"}
    found = events(gaz, "Under Montreux, the Turkish Straits are closed to warships of the warring sides.")
    assert ("chokepoint", "Turkish Straits") in found


def test_a_strait_is_passed_not_garrisoned(gaz):
    found = events(gaz, "Two US destroyers were deployed through the Bosphorus to the Black Sea in April.")
    assert ("chokepoint", "Bosporus") in found
    assert ("deployment", "Bosporus") not in found
    found = events(gaz, "Russia deployed extra troops to the Kerch Strait area and to Crimea.")
    assert ("deployment", "Crimea") in found and ("deployment", "Kerch Strait") not in found


def test_a_sea_that_owns_or_ends_a_chokepoint_is_not_one(gaz):
    found = events(gaz, "Planners regard the Fehmarn Belt as one of the Baltic's three chokepoints.")
    assert ("chokepoint", "Fehmarn Belt") in found and ("chokepoint", "Baltic Sea") not in found
    found = events(gaz, "The Bosporus is the only way out of the Black Sea and the second chokepoint.")
    assert ("chokepoint", "Black Sea") not in found
    found = events(gaz, "Together these passages are the chokepoint that matters most for the Baltic Sea.")
    assert ("chokepoint", "Baltic Sea") not in found
    found = events(gaz, "Allied ships sailed into the Black Sea while the Bosporus remained closed to most warships.")
    assert ("chokepoint", "Black Sea") not in found and ("chokepoint", "Bosporus") in found
    found = events(gaz, "Russia declared the Black Sea's western half closed to foreign warships.")
    assert ("chokepoint", "Black Sea") not in found
    found = events(gaz, "The narrow waters of the Gulf of Riga are a bottleneck for any fleet.")
    assert ("chokepoint", "Gulf of Riga") in found


def test_a_region_whose_coast_locates_a_site_hosts_nothing(gaz):
    found = events(gaz, "Bastion crews have deployed to firing positions at the Khmelevka range on the coast of the "
                        "Kaliningrad region.")
    assert ("deployment", "Kaliningrad Oblast") not in found
    found = events(gaz, "Russia deployed Bastion crews to the Kaliningrad region.")
    assert ("deployment", "Kaliningrad Oblast") in found


def test_an_aside_between_dashes_belongs_to_its_clause(gaz):
    found = events(gaz, "The active phase will play out at training grounds inside Belarus - the Borisovsky, "
                        "Lepelsky and Gozhsky ranges - with aircraft at Baranovichi.")
    assert {"Barysaw Training Ground", "Lepelsky Training Ground", "Gozhsky Training Ground"} <= \
        {p for t, p in found if t == "exercise"}
    found = events(gaz, "Germany will keep its brigade in Lithuania - and Russia will exercise in Belarus - "
                        "for years.")
    assert ("exercise", "Lithuania") not in found and ("deployment", "Belarus") not in found


def test_landing_ships_are_no_amphibious_landing(gaz):
    found = events(gaz, "Two Russian amphibious landing ships sailed north through the Bosporus towards Crimea.")
    assert not [k for k in found if k[0] == "exercise"]
    found = events(gaz, "Marines carried out an amphibious landing near Palanga on Tuesday.")
    assert ("exercise", "Palanga") in found


def test_a_force_that_will_train_somewhere_exercises_there(gaz):
    found = events(gaz, "The battlegroup will next train with the Hungarian-led battlegroup at Bakony in Hungary in "
                        "the autumn, and a Czech rotation is due to take over in August.")
    assert {t for t, p in found if p == "Bakony Combat Training Centre"} == {"exercise"}
    found = events(gaz, "Diplomats said the Hungarian battlegroup would train twice more before the end of the year, "
                        "at the Hajduhadhaz range in November.")
    assert {t for t, p in found if p == "Hajdúhadház"} == {"exercise"}
    found = events(gaz, "The battlegroup will stay at Tata until the spring.")
    assert ("deployment", "Tata Garrison") in found


def test_weapons_placed_on_combat_duty_are_deployed_there(gaz):
    found = events(gaz, "Iskander-M systems have been placed on permanent combat duty in the Kaliningrad region.")
    assert ("deployment", "Kaliningrad Oblast") in found
    found = events(gaz, "The pilots' combat duty roster was discussed in Kaliningrad.")
    assert ("deployment", "Kaliningrad") not in found


def test_no_right_before_the_trigger_denies_it(gaz):
    assert not events(gaz, "There will be no exercise activity in the Åland Islands.")
    assert not [k for k in events(gaz, "No troops are stationed on Gotland.") if k[0] == "deployment"]
    assert ("exercise", "Åland") in events(gaz, "Exercise activity reached the Åland Islands.")


def test_an_island_or_peninsula_that_locates_a_site_hosts_nothing(gaz):
    found = events(gaz, "A request to expand the US presence beyond Souda Bay on Crete was discussed.")
    assert ("deployment", "Crete") not in found
    assert ("deployment", "Naval Support Activity Souda Bay") in found
    found = events(gaz, "Coastal missile units carried out an electronic launch at the Opuk range in Crimea.")
    assert ("exercise", "Crimea") not in found and ("exercise", "Opuk Training Ground") in found
    assert ("deployment", "Crete") in events(gaz, "The US deployed two more drones to Crete.")


def test_aircraft_flying_from_a_base_during_an_exercise_exercise_there(gaz):
    found = events(gaz, "In Sweden, some 4,500 troops are training in Norrbotten. Polish Gripen fighters are "
                        "flying from Ronneby together with Norwegian F-35s.")
    assert ("exercise", "Ronneby") in found and ("deployment", "Ronneby") not in found
    # with no exercise before, or after a deployment in the same sentence, the base hosts the jets
    found = events(gaz, "Polish Gripen fighters are flying from Ronneby together with Norwegian F-35s.")
    assert ("deployment", "Ronneby") in found
    found = events(gaz, "In Sweden, some 4,500 troops are training in Norrbotten. Patriot batteries have been "
                        "deployed to Gotland, while Gripen fighters are flying from Ronneby.")
    assert ("deployment", "Ronneby") in found


def test_a_stopover_or_the_town_near_a_units_home_hosts_nothing(gaz):
    found = events(gaz, "They will not stay in Bremerhaven: after a short stop at a convoy support centre in "
                        "Garlstedt, they will be loaded onto trains bound for staging areas in Bavaria.")
    assert ("deployment", "Bremerhaven") not in found and ("deployment", "Garlstedt Barracks") not in found
    assert ("deployment", "Bavaria") in found
    found = events(gaz, "Engineers of the 2nd Pontoon Bridge Regiment from Kazuń Nowy, near Warsaw, were deployed "
                        "at Orzysz.")
    assert ("deployment", "Warsaw") not in found and ("deployment", "Orzysz Training Area") in found
    # a placed town before the comma is no unplaced name: the base after it still hosts
    found = events(gaz, "Roughly 25 km north-west of Constanta, at the Mihail Kogalniceanu air base, about 175 "
                        "U.S. Marines have been put on heightened readiness.")
    assert ("deployment", "Mihail Kogălniceanu Air Base") in found


def test_a_place_after_a_relation_and_the_port_or_town_of_hosts_nothing(gaz):
    found = events(gaz, "Russian troops have left Snake Island, about 45 km east of the Romanian port of Sulina.")
    assert ("deployment", "Sulina") not in found
    found = events(gaz, "The Aegis Ashore site sits on a plateau roughly 10 km from the town of Caracal.")
    assert ("deployment", "Caracal") not in found
    assert ("deployment", "Constanța Naval Base") in events(gaz, "NATO troops were deployed to the Romanian "
                                                                 "port of Constanta.")


def test_a_dignitary_arriving_is_a_visit_and_a_named_exercise_as_a_time_is_no_exercise_there(gaz):
    found = events(gaz, "The exercise kicked off on Monday, with President Vladimir Putin arriving at the Luzhsky "
                        "training ground near Luga.")
    assert ("deployment", "Luga Training Ground") not in found and ("exercise", "Luga Training Ground") in found
    assert ("deployment", "Vilnius") in events(gaz, "Defence Minister Boris Pistorius said 500 German soldiers "
                                                    "arrived in Vilnius.")
    found = events(gaz, "The United States has sent Patriot batteries to Lithuania for the duration of Zapad.")
    assert ("deployment", "Lithuania") in found and ("exercise", "Lithuania") not in found
    assert ("exercise", "Belarus") in events(gaz, "Zapad-2017 will be held in Belarus.")


def test_presence_is_a_deployment_but_not_its_agent_a_units_home_or_a_denied_country(gaz):
    found = events(gaz, "The Bundeswehr has been permanently present in Rukla since 2017.")
    assert ("deployment", "Rukla Military Base") in found
    found = events(gaz, "Germany formally stands up an armoured brigade in Lithuania.")
    assert ("deployment", "Germany") not in found and ("deployment", "Lithuania") in found
    found = events(gaz, "Panzerbataillon 203, currently stationed at Augustdorf, will move to Lithuania.")
    assert ("deployment", "Augustdorf") not in found and ("deployment", "Lithuania") in found
    found = events(gaz, "It is NATO, not Russia, that has moved its forces to Estonia.")
    assert ("deployment", "Russia") not in found and ("deployment", "Estonia") in found


def test_forces_only_said_to_be_at_an_exercise_are_its_participants(gaz):
    found = events(gaz, "In May the Finnish Army hosted its largest ever international exercise, Arrow 17, at "
                        "Niinisalo, with US Marines and British and Estonian troops on the ranges at Pohjankangas.")
    assert ("exercise", "Pohjankangas Training Area") in found
    assert ("deployment", "Pohjankangas Training Area") not in found
    # forces sent or based somewhere stay a deployment beside the exercise
    found = events(gaz, "The United States sent troops to Poland for the Anakonda exercise.")
    assert ("deployment", "Poland") in found


def test_forces_flown_in_new_headquarters_reopened_garrisons_and_homes_of_units_are_deployments(gaz):
    assert ("deployment", "Ämari Air Base") in events(gaz, "A fourth group was flown to Ämari on Friday.")
    found = events(gaz, "The new corps, whose headquarters has been established in Petrozavodsk, is growing.")
    assert ("deployment", "Petrozavodsk") in found
    found = events(gaz, "Satellite images showed the re-opening of the Soviet-era garrison at Alakurtti.")
    assert [p for t, p in found if t == "deployment" and p.startswith("Alakurtti")]
    found = events(gaz, "The wagons are taken to Tapa, home of the NATO battlegroup, by rail.")
    assert ("deployment", "Tapa Army Base") in found
    assert not events(gaz, "The minister flew to Tallinn for talks.")


def test_training_with_a_partner_somewhere_operating_at_a_range_and_carrying_out_landings_are_exercises(gaz):
    found = events(gaz, "The Swedish contingent will train with Norwegian Brigade North in the Bardufoss area.")
    assert ("exercise", "Bardufoss Air Station") in found
    found = events(gaz, "On the Russian side, the troops are operating at the Mulino training ground.")
    assert ("exercise", "Mulino Training Ground") in found and ("deployment", "Mulino Training Ground") not in found
    found = events(gaz, "Dutch marines are carrying out landings in the Ofotfjord near Narvik.")
    assert [p for t, p in found if t == "exercise"]
    # the unplaced home's town still hosts nothing
    found = events(gaz, "The battalion drove from its home at Rhine Ordnance Barracks in Kaiserslautern to Orzysz.")
    assert ("deployment", "Kaiserslautern") not in found


def test_a_chokepoint_is_named_in_the_articles_year_whatever_the_sentence_recalls(gaz):
    found = events(gaz, "In February 2022 Turkey invoked the Montreux Convention and closed the Bosporus to "
                        "warships of the belligerents.", date="August 7, 2023")
    assert found[("chokepoint", "Bosporus")]["year"] == 2023
    # the exercise the same sentence reports keeps the sentence's year
    found = events(gaz, "In June 2021 NATO minesweepers exercised in the Fehmarn Belt.", date="August 7, 2023")
    assert found[("chokepoint", "Fehmarn Belt")]["year"] == 2023
    assert found[("exercise", "Fehmarn Belt")]["year"] == 2021


def test_forces_that_exercised_somewhere_exercise_there(gaz):
    assert ("exercise", "Estonia") in events(gaz, "NATO troops exercised in Estonia.")
    assert ("exercise", "Aegean Sea") in events(gaz, "Greek and US special forces exercised together in the Aegean.")
    assert ("exercise", "Estonia") not in events(gaz, "Estonia exercised its right to close the border.")


def test_an_exercise_or_its_phase_that_moves_somewhere_exercises_there(gaz):
    found = events(gaz, "The two-week exercise will move east across the Baltic Sea, with amphibious landings "
                        "planned at Ustka.")
    assert {t for t, p in found if p == "Ustka"} == {"exercise"}
    found = events(gaz, "A second phase will move to the Gaižiūnai training area near Rukla next week.")
    assert ("exercise", "Gaižiūnai Training Area") in found and ("deployment", "Gaižiūnai Training Area") not in found
    assert ("deployment", "Estonia") in events(gaz, "US troops will move to Estonia.")  # troops are not an exercise


def test_vehicles_unloaded_at_a_port_terminal_pass_through_it(gaz):
    found = events(gaz, "Around 1,300 vehicles of the US armored brigade have been unloaded at the Sloehaven "
                        "terminal in Vlissingen.")
    assert ("deployment", "Vlissingen") not in found
