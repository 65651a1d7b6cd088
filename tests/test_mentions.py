"""Stage 2: place mentions, disambiguation and context."""

from __future__ import annotations

import collections
import random
import re

import pytest

from geo import mentions as M
from geo.gazetteer import load_gazetteer
from geo.load import parse_bytes
from geo.mentions import find_mentions


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def mentions(gaz, text):
    return find_mentions(parse_bytes(text.encode("utf-8"), "a.txt"), gaz)


def by_text(found):
    return {m.text: m for m in found}


def test_misspelled_suwalki_gap_resolves(gaz):
    found = by_text(mentions(gaz, "Headline here today\n\nOne exercise focused on defending the Sulwaki Gap."))
    m = found["Sulwaki Gap"]
    assert m.place.name == "Suwałki Gap" and m.score < 100
    assert m.start == m.end - len("Sulwaki Gap")


def test_central_lithuania_is_a_derived_subregion(gaz):
    found = by_text(mentions(gaz, "Drills begin\n\nThe exercises took place in central Lithuania."))
    m = found["central Lithuania"]
    assert m.place.kind == "subregion" and m.place.country == "LT"
    assert 54.8 < m.place.lat < 55.6


def test_georgia_the_country_by_default(gaz):
    found = by_text(mentions(gaz, "Russia and its neighbours\n\nIn 2008 Russia invaded Georgia near the Black Sea."))
    assert found["Georgia"].place.kind == "country" and found["Georgia"].place.country == "GE"


def test_georgia_the_us_state_by_context(gaz):
    found = by_text(mentions(gaz, "Troops return home\n\nThe brigade flew back to Fort Stewart in Georgia, "
                                  "near Savannah, after nine months."))
    assert found["Georgia"].place.country == "US"


def test_metonymic_capitals_are_flagged(gaz):
    found = mentions(gaz, "Reactions\n\nMoscow denied the report, and Berlin is mulling its answer. "
                          "Troops were deployed in Vilnius.")
    flags = {m.text: m.metonymy for m in found}
    assert flags["Moscow"] and flags["Berlin"] and not flags["Vilnius"]


def test_demonym_compounds_and_soil(gaz):
    found = by_text(mentions(gaz, "Border watch\n\nA stretch of the Polish-Lithuanian border. Drills on Polish soil."))
    border = found["Polish-Lithuanian border"]
    assert border.place.kind == "border" and abs(border.place.lat - 54.15) < 0.5
    assert found["Polish"].place.country == "PL"


def test_group_regions_carry_members(gaz):
    found = by_text(mentions(gaz, "Deterrence\n\nBattalions were deployed to the Baltic states."))
    group = next(m for t, m in found.items() if "Baltic" in t)
    assert set(group.members) == {"EE", "LV", "LT"}


def test_names_inside_other_names_are_embedded(gaz):
    found = by_text(mentions(gaz, "Rules\n\nRussia must respect the Vienna Document, agreed before the Warsaw summit."))
    assert found["Vienna"].embedded and found["Warsaw"].embedded


def test_furniture_mentions_are_marked(gaz):
    found = mentions(gaz, "Story title is here\n\nTroops arrived in Latvia.\n\nRead more:\nTroops settle in Tapa\n")
    tapa = [m for m in found if m.text == "Tapa"]
    assert tapa and tapa[0].role == "furniture"


def test_common_words_are_not_places(gaz):
    text = "Politics\n\nMost analysts say Police chief Jens Stoltenberg met President Dalia Grybauskaite."
    found = mentions(gaz, text)
    assert not [m for m in found if m.place.kind == "city"]


def test_cheap_context_checks_never_hide_a_regex_match() -> None:
    """The endswith() guards in front of the context regexes, and the word walk that replaced one."""
    rng = random.Random(3)
    words = ["in", "IN", "ın", "İn", "of", "the", "summit", "Summit", "ſummit", "meeting", "pro-", "response to",
             "towards", "with", "officials", "north", "South-east", "ſouth", "central", "Eastern", "x-", "-",
             "NATO-", "Łódź", "O'Brien", "St.", "_x9", "’s", ",", ".", "Gen.", "near", "across", "via"]
    spaces = [" ", "  ", "\n", " \n", "\t", "\u00a0", ""]
    guarded = [(M.SUMMIT_BEFORE, ("in", "of")), (M.VENUE_BEFORE, ("in",)), (M.OFFICIALS_IN_BEFORE, ("in",)),
               (M.RELATION_BEFORE, ("-", "to", "toward", "towards", "with")),
               (M.DIRECTION_WORD, M.DIRECTION_ENDINGS), (M.PLACE_PREPOSITION, M.PLACE_PREPOSITION_ENDINGS)]
    old_previous_word = re.compile(r"([A-Za-z][\w'’.-]*)\s*$")
    matched: collections.Counter[str] = collections.Counter()
    for _ in range(20_000):
        before = "".join(rng.choice(words) + rng.choice(spaces) for _ in range(rng.randint(0, 4)))
        for pattern, endings in guarded:
            if pattern.search(before):
                matched[pattern.pattern] += 1
                assert M._caseless(before).rstrip().endswith(endings), (pattern.pattern, before)
        if M.HYPHEN_COMPOUND_BEFORE.search(before):
            assert before.endswith(("-", "-\n")), before
        old = old_previous_word.search(before)
        assert M._previous_word(before) == (old.group(1) if old else None), before
    assert all(matched[p.pattern] >= 10 for p, _ in guarded), matched  # every guard was put to the test


def test_a_town_coordinated_with_a_place_is_a_place_but_not_after_an_apposition_comma(gaz):
    def names(body):
        return {m.place.name for m in mentions(gaz, body)}

    assert "Drawsko Pomorskie" in names("Drills were held at ranges, among them Orzysz and Drawsko Pomorskie.")
    assert "Marks" in names("Exercises were held in Riga, Marks and Tartu.")
    assert "Marks" not in names("In Riga, Marks said the allies would stay.")  # a person after the comma


def test_a_sea_named_as_an_adjective_hosts_nothing(gaz):
    embedded = {m.text: m.embedded for m in mentions(gaz, "Jets of the Baltic air policing mission were scrambled.")}
    assert embedded.get("the Baltic") is True
    plain = {m.text: m.embedded for m in mentions(gaz, "Ships sailed into the Baltic and the Mediterranean on Monday.")}
    assert plain.get("the Baltic") is False and plain.get("Mediterranean") is False
    for named in ("Polish F-16s took over the Baltic Air Policing mission.", "NATO launched Baltic Sentry in January."):
        assert {m.text: m.embedded for m in mentions(gaz, named)}.get("the Baltic", True) is True, named
        assert {m.text: m.embedded for m in mentions(gaz, named)}.get("Baltic", True) is True, named


def test_a_ship_class_is_not_a_town():
    from geo.extract import extract_bytes

    record = extract_bytes(b"April 8, 2022 - Russia moved several Kilo-class submarines to Novorossiysk.", "a.txt")
    assert "Kiel" not in {p["name"] for p in record["places"]}


def test_organisation_names_and_three_letter_alternates_are_not_places(gaz):
    found = by_text(mentions(gaz, "Russia's Southern Military District said crews of the Bal and Bastion systems "
                                  "drilled; the peacekeepers are a Joint force with Moldovan units. Later the "
                                  "exercise moved on, and the Joint Force Training Centre hosted it."))
    assert "Southern Military District" not in found
    assert "Bal" not in found  # an alternate name of Batman, Turkey
    assert "Joint force" not in found
    assert found["Joint Force Training Centre"].place.id == "catalogue:jftc_bydgoszcz"


def test_ships_named_after_towns_are_not_towns(gaz):
    found = by_text(mentions(gaz, "The small missile ships Vyshny Volochyok and Orekhovo-Zuevo and the landing ship "
                                  "Kondopoga sailed with HMS Kent from Sevastopol."))
    assert set(found) == {"Sevastopol"}


def test_a_village_where_forces_go_is_a_place(gaz):
    found = by_text(mentions(gaz, "An air defence unit has been deployed to Slite, and marines practised a landing "
                                  "at Sørreisa."))
    assert {"Slite", "Sørreisa"} <= set(found)


def test_a_direction_heading_does_not_qualify_the_next_line(gaz):
    found = by_text(mentions(gaz, "NORTH\n\nNorway watches the Barents Sea, and northern Norway hosts drills."))
    assert "NORTH\n\nNorway" not in found and found["northern Norway"].place.kind == "subregion"


def test_the_name_matcher_finds_whole_words_longest_first(gaz):
    text = "Troops at Tower Barracks (Grafenwöhr) watched Russia's Kaliningrad Oblast, not Rigas; the Suwałki Gap."
    found = [(text[s:e], key) for s, e, key in M.matcher_for(gaz).find(text)]
    assert found == [("Tower Barracks (Grafenwöhr)", "tower barracks (grafenwohr)"),  # a key unlike its word form
                     ("Russia", "russia"),  # before a word-joining apostrophe
                     ("Kaliningrad Oblast", "kaliningrad oblast"),  # the longest key, not "Kaliningrad"
                     ("Suwałki Gap", "suwalki gap")]  # and never "Riga" inside "Rigas"


def test_towns_after_a_route_preposition_or_as_a_subject_are_places(gaz):
    found = by_text(mentions(gaz, "The soldiers drove west through Tornio and on past Kemi. Bodø will lose its "
                                  "fighters next year."))
    assert {"Tornio", "Kemi", "Bodø"} <= set(found), set(found)
    # a surname at a sentence's start is no town
    assert "Kemi" not in by_text(mentions(gaz, "Kemi said the talks went well."))


def test_a_marked_two_letter_acronym_is_a_place_and_a_lower_case_word_is_not(gaz):
    found = by_text(mentions(gaz, "The UK sent troops to Estonia; the uk is not a place, nor is a lone Uk."))
    assert found["UK"].place.country == "GB" and "uk" not in found and "Uk" not in found


def test_a_two_letter_acronym_before_a_noun_says_whose_not_where(gaz):
    found = by_text(mentions(gaz, "UK troops arrived in Tapa; the UK Defence Secretary said the UK is committed."))
    uk = [m for m in mentions(gaz, "UK troops arrived in Tapa. The UK is committed.") if m.text == "UK"]
    assert uk[0].embedded and not uk[1].embedded and "Tapa" in found


def test_a_name_listed_among_countries_is_the_country(gaz):
    found = by_text(mentions(gaz, "Saber Guardian\n\nUS, British and Italian units train with troops from "
                                  "the United States, Poland, Moldova, Georgia and Ukraine."))
    assert found["Georgia"].place.kind == "country" and found["Georgia"].place.country == "GE"
    found = by_text(mentions(gaz, "Home\n\nThe brigade flew back to Fort Stewart, Georgia, and to Savannah."))
    assert "Georgia" not in found or found["Georgia"].place.country == "US"


def test_a_small_town_named_with_its_site_or_as_a_member_of_a_set_is_a_place(gaz):
    found = by_text(mentions(gaz, "Access\n\nThe agreement covers the Haparanda garrison close to the border, and "
                                  "allied jets used bases in Norway, including Bodø and Ørland."))
    assert found["Haparanda"].place.country == "SE" and found["Bodø"].place.country == "NO"
    # the same town names standing for no place: a surname-like word beside a capitalised word
    assert "Ivalo" not in by_text(mentions(gaz, "People\n\nMinister Ivalo Smith spoke."))


def test_a_town_called_so_beats_a_bigger_town_once_called_so(gaz):
    found = by_text(mentions(gaz, "Grain\n\nBarges loaded at Izmail and Reni sailed down the Danube."))
    assert found["Reni"].place.country == "UA"
    # a name that is only ever an old or foreign name keeps its one town
    found = by_text(mentions(gaz, "Ports\n\nShips called at Danzig and at Memel."))
    assert found["Danzig"].place.country == "PL"


def test_a_region_inside_a_units_name_is_embedded(gaz):
    found = by_text(mentions(gaz, "Jets\n\nHornets of the Lapland Air Wing flew with the Karelia Air Wing."))
    assert found["Lapland"].embedded and found["Karelia"].embedded
    assert not by_text(mentions(gaz, "Jets\n\nHornets flew over Lapland on Monday."))["Lapland"].embedded


def test_an_exercise_named_like_a_place_is_the_exercise_when_an_edition_follows(gaz):
    found = by_text(mentions(gaz, "Drills\n\nThe range hosted the corps' part of Vostok-2018 last September."))
    assert found["Vostok"].embedded
    found = by_text(mentions(gaz, "Shelling\n\nShells hit Vostok on Monday."))
    assert not found["Vostok"].embedded
    assert [m.embedded for m in mentions(gaz, "Drills\n\nPatrol boats sailed on Ladoga in 2020.")] == [False]


def test_a_town_and_the_base_named_after_it_are_two_places(gaz):
    found = by_text(mentions(gaz, "Convoy\n\nThe regiment, based at Rose Barracks in Vilseck, drove east."))
    assert found["Rose Barracks"].place.kind == "base" and found["Vilseck"].place.kind == "city"


def test_a_town_name_before_a_non_ascii_surname_is_a_person(gaz):
    found = [m.place.name for m in mentions(gaz, "Ministry spokesman Martin Šebeňa said the element was discussed.")]
    assert "Martin" not in found
    assert "Martin" in [m.place.name for m in mentions(gaz, "Troops drove through Martin, in northern Slovakia.")]


def test_an_exercise_named_like_a_town_with_a_two_digit_edition_is_the_exercise(gaz):
    found = {m.text: m.embedded for m in mentions(gaz, "Gotland is one of the three main theatres of Aurora 17.")}
    assert found.get("Aurora", True) is True
    assert M.EDITION_AFTER.match(" 17, the largest") and not M.EDITION_AFTER.match(" 18 km south")


def test_a_town_named_after_a_date_is_a_date_unless_a_locative_word_names_it(gaz):
    assert "28 May" not in by_text(mentions(gaz, "The exercise will close on 28 May near Capu Midia."))
    assert "23 August" not in by_text(mentions(gaz, "The drills run from 12 to 23 August in Romania."))
    assert "23 August" in by_text(mentions(gaz, "Romanian marines landed at 23 August, near Mangalia."))
