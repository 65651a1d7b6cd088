"""Stage 1b: publication dates and event years."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from geo.dates import Published, _common_date, parse_date, publication, sentence_month, sentence_year
from geo.load import parse_bytes


def pub(text: str, name: str = "a.txt") -> Published:
    return publication(parse_bytes(text.encode("utf-8"), name))


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("June 20, 2017", date(2017, 6, 20)), ("20.06.2017 | 18:02", date(2017, 6, 20)),
     ("2017-06-20 17:42", date(2017, 6, 20)), ("Tue 7 Jun 2016 12.41 BST", date(2016, 6, 7)),
     ("24/03/2022 - 19:40", date(2022, 3, 24)), ("7 February 2017", date(2017, 2, 7))],
)
def test_printed_dates(printed, expected):
    assert pub(f"Troops deployed to Poland\n\n{printed}\n\nAllied troops arrived in Poland.").date == expected


def test_meta_time_tag():
    html = '<html><body><h1>T</h1><time datetime="2014-04-30T17:05:00+03:00">x</time><p>Jets in Estonia.</p>'
    assert pub(html, "a.html").date == date(2014, 4, 30)


def test_copyright_only_gives_the_year():
    p = pub("Drills in the Baltic Sea\n\nShips sailed from Kiel.\n\n© 2019 Nordic Review. All rights reserved.")
    assert p.date is None and p.year == 2019 and p.how == "copyright"


def test_dateless_article_year_comes_from_the_upcoming_summit():
    p = pub("Troops to the Baltics\n\nLondon is expected to decide before the upcoming NATO summit in Warsaw in July.")
    assert p.year == 2016 and p.how == "inferred"


def test_relative_summit_phrases():
    assert pub("Leaders gather\n\nThe meeting comes a year after last year's Madrid summit.").year == 2023
    assert pub("Leaders gather\n\nPreparations for next month's summit in Vilnius are under way.").year == 2023
    # Relative words after the anchor
    assert pub("Kit for the Baltics\n\nThe pledges made at the summit in Wales last September still hold.").year == 2015
    assert pub("Allies plan\n\nThe plan is to be agreed at the Vilnius summit next year.").year == 2022
    assert pub("Allies plan\n\nThe plan is to be agreed at the Vilnius summit next March.").year == 2023


def test_a_year_after_the_invasion_dates_a_dateless_explainer():
    p = pub("Moldova's front line\n\nA year after Russian tanks crossed into Ukraine, Moldova remembers the 2008 war.")
    assert p.year == 2023 and p.how == "inferred"
    assert pub("Moldova\n\nThe 2008 war is remembered; the Transnistria talks of 2011 failed.").year == 2011


def test_a_year_something_is_planned_for_is_a_target_not_the_articles_year():
    p = pub("Gotland\n\nThe last regiment was disbanded in 2005. Sweden brought forward a deployment planned for "
            "2018.")
    assert p.year == 2005
    assert pub("Gotland\n\nThe drill was cancelled in 2020. A new one is scheduled for 2022.").year == 2020


def test_black_sea_anchors_date_a_dateless_brief():
    p = pub("The Black Sea\n\nMore than a year after the sinking of the Moskva, the fleet keeps to the east.")
    assert p.year == 2023 and p.how == "inferred"
    assert pub("Straits\n\nSince the HMS Defender incident off Crimea, destroyers keep their distance.").year == 2021
    assert pub("Grain\n\nShips still sail, though the Black Sea grain deal has lapsed.").year == 2022
    # Markdown emphasis around a name does not hide the anchor; snake_case words are left alone
    assert pub("Fleet\n\nMore than a year after the cruiser *Moskva* sank, ships keep east.", "a.md").year == 2023
    assert pub("Fleet\n\nA year after the **sinking of the Moskva**, ships keep east.", "a.md").year == 2023
    # an anchor is a lower bound: a later year printed in the text still wins
    assert pub("Grain\n\nThe Black Sea Grain Initiative ended; in 2024 ships sail along the coast.").year == 2024


def test_named_exercise_edition_dates_an_article():
    assert pub("Putin watches\n\nPutin flew to Mulino to watch Zapad-2021 on Monday.").year == 2021


def test_relative_event_years_resolve_against_publication():
    p = Published(date(2018, 6, 19), 2018, "printed")
    assert sentence_year("Last year, NATO deployed four battalions to Poland.", p) == 2017
    assert sentence_year("Denmark will send a contingent next year.", p) == 2019
    assert sentence_year("The exercise starts in September.", p) == 2018
    assert sentence_year("Sweden re-established the Gotland Regiment in Visby in 2018.", p) == 2018
    assert sentence_year("The summit in Warsaw last July agreed the plan.", p) == 2017


def test_event_months_come_from_the_sentence_when_it_gives_one():
    assert sentence_month("About 500 US soldiers arrived in Rukla on 3 March 2017.", 2017) == 3
    assert sentence_month("On June 20, 2017 the battlegroup arrived in Orzysz.", 2017) == 6
    assert sentence_month("The drills start in mid-September.", 2018) == 9
    assert sentence_month("The troops may stay until the end of the year.", 2018) is None  # "may" is a verb here
    assert sentence_month("Troops there since June 2016 prepare the 2017 rotation.", 2017) is None
    both = "The jets left in January and the new detachment arrived in May."
    assert sentence_month(both, 2018, anchor_offset=both.index("arrived")) == 5
    assert sentence_month("Exercises in June.", None) is None


def test_extracted_events_carry_a_month_when_dated(tmp_path):
    from geo.extract import extract_bytes

    text = "US troops arrive\n\nVilnius, 3 March 2017. About 500 US soldiers arrived in Rukla, Lithuania, on 3 March."
    record = extract_bytes(text.encode(), "rukla.txt")
    assert {e["date"] for e in record["events"] if e["place"].startswith("Rukla")} == {"2017-03"}


def test_common_date_forms_read_as_dateutil_reads_them() -> None:
    from dateutil import parser as dateparser

    rng = random.Random(7)
    forms = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M", "%d %B %Y", "%B %d, %Y", "%b %d %Y", "%A, %d %B %Y",
             "%d %b. %Y", "%a %b %d, %Y", "%B %-dth, %Y", "%-d %B, %Y"]
    for _ in range(600):
        day = date(1990, 1, 1) + timedelta(days=rng.randrange(16_000))
        text = datetime(day.year, day.month, day.day, 10, 30).strftime(rng.choice(forms))
        assert _common_date(text) == dateparser.parse(text, fuzzy=True).date(), text
    assert _common_date("Sept 5, 2019") == date(2019, 9, 5)
    assert _common_date("31 February 2017") is None and parse_date("31 February 2017") is None
    assert _common_date("20.06.2017") is None and parse_date("20.06.2017") == date(2017, 6, 20)  # left to dateutil


def test_an_exercise_is_not_reported_before_its_first_edition():
    # "Nordic Response" was first held in 2024: "the last Cold Response, in 2022" is history
    assert pub("Drills open\n\nOSLO, March 4 - Troops began the Nordic Response exercise on Monday. "
               "The last Cold Response, in 2022, drew 30,000 troops.").year == 2024


def test_the_ordinal_edition_of_an_annual_exercise_dates_an_article():
    # BALTOPS is annual since 1972: the 53rd edition is 2024
    assert pub("Ships gather\n\nThis year's edition of BALTOPS, the 53rd, brings 50 ships to the Baltic.").year == 2024
    assert pub("Ships gather\n\nThe 48th edition of BALTOPS opened in Kiel.").year == 2019
    # the negative: an exercise whose first edition the catalogue does not know bounds nothing
    assert pub("Drill ends\n\nExercise Crystal Arrow wraps up, ahead of Namejs in August 2019.").year == 2019


def test_years_into_a_war_date_an_undated_article():
    assert pub("Transnistria brief\n\nTwo years into Russia's full-scale war, the picture has changed. "
               "Ukraine closed the border in 2022.").year == 2024
    assert pub("Analysis\n\nThree years after the invasion of Ukraine, allies keep rotating troops.").year == 2025
    assert pub("Analysis\n\nAllies have rotated troops through Poland since the invasion of Ukraine.").year == 2022


@pytest.mark.parametrize(("line", "expected"), [("Posted 12.11.18 · by a correspondent", date(2018, 11, 12)),
                                                ("PRESS RELEASE                30.08.22", date(2022, 8, 30))])
def test_dotted_dates_with_a_two_digit_year_are_day_first(line, expected):
    assert pub(f"Jets over Lithuania\n\n{line}\n\nFighters landed at Šiauliai.").date == expected


def test_a_dotted_number_is_not_a_date():
    p = pub("Software notes\n\nVersion 1.12.11.18 of the radar software reached Šiauliai.\n\nNo date here.")
    assert p.date is None


def test_a_dated_page_address_dates_a_page_that_prints_no_date():
    html = ('<html><head><link rel="canonical" href="https://example.se/news/2016/09/14/soldiers-back/"></head>'
            '<body><h1>Soldiers back on Gotland</h1><p>Troops arrived in Visby on Wednesday.</p></body></html>')
    assert pub(html, "a.html").date == date(2016, 9, 14)


def test_a_copyright_line_may_name_its_holder_before_the_year():
    p = pub("Snap check in the west\n\nTroops moved to Luga on February 27.\n\nAll rights reserved. "
            "(c) ITAR-TASS 2014.")
    assert p.year == 2014 and p.how == "copyright"
    assert pub("Plans\n\nThe options are (a) wait, (b) talk or (c) the 2019 plan for Luga.").how != "copyright"


def test_aircraft_types_and_bare_days_are_not_exercise_editions():
    # "MiG-29" is not the 2029 edition of anything, nor "Sept 20" one of 2020; "Zapad-2017" is.
    p = pub("Drills begin\n\nMINSK, Sept 14 - Zapad-2017 began with MiG-29 and Su-30 jets; "
            "a visitors' day is on Sept 20.")
    assert p.year == 2017 and p.how == "inferred"
    assert pub("Jets\n\nMiG-29 and Su-34 jets were seen over Brest.").year is None


def test_an_uncatalogued_exercise_called_one_dates_an_article():
    # "exercise Kestrel 23" names an exercise the catalogue need not know; "Kestrel 23" alone does not
    assert pub("Tanks in town\n\nConvoys rolled past the square as the army's exercise Kestrel 23 began.").year == 2023
    assert pub("Tanks in town\n\nConvoys rolled past the square as Kestrel 23 began.").year is None


def test_an_edition_still_to_come_dates_an_article_only_when_nothing_else_does():
    # a 2024 analysis that looks ahead to Zapad-2025 was not written in 2025
    p = pub("The western districts\n\nLittle more than a year after Finland joined NATO, Moscow redrew its "
            "districts. A Zapad-2025 is already on the calendar.")
    assert p.year == 2024
    assert pub("Drills ahead\n\nBelarus said troops would be ready for Zapad-2025 in September.").year == 2025


def test_last_years_edition_dates_an_article_a_year_later():
    p = pub("Ruts in the road\n\nFarmers say tracks from last year's Saber Guardian 17 are still there.")
    assert p.year == 2018


def test_a_year_before_a_comma_dates_a_dateless_article():
    p = pub("Southern flank\n\nUpdated: Tuesday\n\nThis issue looks at the first weeks of 2026, "
            "and what was announced.")
    assert p.year == 2026


def test_a_year_after_since_dates_a_start_not_the_event():
    p = pub("Marines in Norway\n\nMarch 3, 2020\n\nText.")
    assert sentence_year("The US Marine Corps has trained in Norway since 2017.", p) == 2020
    assert sentence_year("Drills have been held there since early 2016, most recently in 2019.", p) == 2019
    assert sentence_year("The brigade arrived in 2017.", p) == 2017


def test_last_summers_edition_dates_an_article_a_year_later():
    p = pub("Ruts in the road\n\nVillagers say last summer's Saber Guardian 17 left the road in pieces.")
    assert p.year == 2018
    # "this summer's" is the same year
    assert pub("Ruts in the road\n\nVillagers say this summer's Saber Guardian 17 left ruts.").year == 2017


def test_a_footers_publication_statement_dates_the_article():
    p = pub("Germany's air bases\n\nBüchel is changing.\n\nThis article was first published on 10/02/2026 and "
            "updated on 11/02/2026.\n\n© 2014-2027 Example Media")
    assert p.date == date(2026, 2, 10) and p.how == "printed"


def test_a_year_so_many_years_ago_and_a_second_target_year_date_a_dateless_article():
    p = pub("Warehouses\n\nThe site reopened in December 2016, nearly three years ago; it should hold a brigade's "
            "equipment by 2022 or 2023.")
    assert p.year == 2019


def test_a_year_at_whose_end_something_will_happen_does_not_date_an_article():
    p = pub("Marines in Norway\n\nOSLO, Oct 24 - The Marines arrived after Russia annexed Crimea in 2014. Their "
            "presence will be reviewed at the end of 2017, the ministry said.")
    assert p.year != 2017


def test_a_yearless_dateline_takes_the_year_its_weekday_allows():
    body = ("Norway to host Marines\n\nOSLO, Oct 24 (Nordic Wire) - Norway will host 330 U.S. Marines, the government "
            "said on Monday, two years after Russia annexed Crimea in 2014.\n")
    got = pub(body)
    assert (got.date, got.year, got.how) == (date(2016, 10, 24), 2016, "dateline")  # 24 Oct 2016 was a Monday
    no_weekday = pub(body.replace("said on Monday", "said"))
    assert no_weekday.date is None and no_weekday.how == "inferred"
    printed = pub(body.replace("Oct 24 (", "Oct 24, 2022 ("))
    assert printed.date == date(2022, 10, 24) and printed.how == "printed"


def test_a_past_month_later_in_the_year_than_the_article_is_last_years():
    p = Published(date(2026, 1, 14), 2026, "printed")
    assert sentence_year("In September, battalions of the 44th Corps exercised at ranges in Karelia.", p) == 2025
    assert sentence_year("Officials said in December that a second battery had been deployed near Mykolaiv.", p) == 2025
    assert sentence_year("The exercise will start in September.", p) == 2026  # still to come
    assert sentence_year("In January, troops arrived in Narva.", p) == 2026  # this month, not a later one
    # an edition's year holds before a comma: "during Zapad-2025, battalions"
    assert sentence_year("During Zapad-2025, battalions exercised in Karelia.", Published(date(2026, 6, 1), 2026,
                                                                                          "printed")) == 2025


def test_last_month_or_season_is_the_year_befores_whatever_the_month_of_writing():
    p = Published(date(2021, 4, 17), 2021, "printed")
    assert sentence_year("Last March the Cold Response exercise in Troms was called off halfway.", p) == 2020
    assert sentence_year("US and Greek special forces exercised near Skyros last autumn.", p) == 2020
    assert sentence_year("A Su-27 detachment rotated in to Khrabrovo last summer.", p) == 2020
    assert sentence_year("In March the exercise in Troms was called off.", p) == 2021  # not "last"
    assert sentence_year("Last winter the battalion trained near Bardufoss.", p) == 2021  # may be this winter's
    dateless = Published(None, 2018, "inferred")
    assert sentence_year("Zapad, held last September in Belarus, was transparent.", dateless) == 2017


def test_an_exercise_held_last_year_dates_a_dateless_article_a_year_after_one_of_its_editions():
    text = ("Iskander stays in Kaliningrad\n\nThe Gvardeysk regiment assumed combat duty in 2012. The senator cited "
            "four multinational battalions in Poland and the Baltic states. The ministry recalled that the joint "
            "exercise Zapad held last September in Belarus was fully transparent.\n")
    assert pub(text).year == 2018  # the battalions are after 2016, so last September's Zapad is 2017's
    # an edition printed after the name is read as that edition, not as one of the list
    assert pub("Ruts\n\nVillagers say last summer's Saber Guardian 17 left ruts; it came in 2012 too.").year == 2018
    # without "last", naming an exercise dates nothing
    assert pub("Iskander\n\nThe regiment assumed duty in 2012. Zapad was held in Belarus.").year == 2012


def test_a_first_edition_or_a_year_still_to_come_does_not_date_an_article_later():
    text = ("Finland to host NATO drill next year\n\nHELSINKI, Oct 3 (Reuters) - Finland will host a big NATO "
            "exercise next year, the army's commander said on Tuesday. Troops will train during the Nordic Response "
            "2024 exercise, which will run across Norway and Finland in March 2024. Finland joined NATO on April 4, "
            "after Russia's full-scale invasion of Ukraine last year.\n")
    assert pub(text).date == date(2023, 10, 3)  # not 2028, the next year whose 3 October is a Tuesday after 2024
    # nothing else dates it: the exercise still to come does
    assert pub("Lapland\n\nThousands of troops will train in the Nordic Response exercise.").year == 2024
    # held, it bounds the year from below
    assert pub("Lapland\n\nThousands of troops trained in the Nordic Response exercise in 2016.").year == 2024


def test_an_anchor_still_to_come_dates_an_article_only_when_the_rest_is_older():
    review = ("The year in review\n\nCold Response 2022 put 30,000 troops into Norway, after the Madrid summit "
              "allies talk about the next summit in Vilnius.\n")
    assert pub(review).year == 2022
    older = "Ahead of Warsaw\n\nAfter the annexation of Crimea, allies prepare for the upcoming summit in Warsaw.\n"
    assert pub(older).year == 2016


def test_a_capitalised_published_line_in_a_footer_dates_the_page():
    html = ("<html><body><article><h1>Sea drones</h1><p>Ukraine's sea drones struck Novorossiysk.</p></article>"
            "<footer><p>Published 07/08/2023 &middot; &copy; Maritime Defence Review</p></footer></body></html>")
    assert pub(html, "x.html").date == date(2023, 8, 7)


def test_troops_who_seized_crimea_date_a_dateless_analysis():
    assert pub("After Crimea\n\nThat era ended in March, when Russian troops seized Crimea. "
               "Sea Breeze drills go on.").year == 2014


def test_next_summer_is_the_year_afters():
    p = Published(date(2016, 9, 7), 2016, "printed")
    assert sentence_year("Equipment will stay for the Saber Guardian exercise planned for next summer.", p) == 2017
    assert sentence_year("A US company is due to train there again next spring.", p) == 2017
    assert sentence_year("The brigade will train there next winter.", p) == 2016  # a winter spans two years
