"""The learned event stage and the rules added with it, on new sentences (negatives included)."""

from __future__ import annotations

from geo.event_model import Weights, decide, probability
from geo.extract import extract_bytes
from geo.gazetteer import load_gazetteer
from geo.load import parse_bytes


def _events(text: str) -> set[tuple[str, str]]:
    record = extract_bytes(text.encode(), "probe.txt")
    return {(e["type"], e["place"]) for e in record["events"]}


def test_probability_is_the_logistic_of_bias_plus_weights():
    w = Weights({"deployment": 0.0}, {"deployment": {"rule": 2.0, "kind=country": -2.0}}, {"deployment": 0.5})
    assert probability(w, "deployment", []) == 0.5
    assert probability(w, "deployment", ["rule"]) > 0.88
    assert probability(w, "deployment", ["rule", "kind=country"]) == 0.5


def test_without_a_model_the_rules_events_stand():
    from geo.dates import publication
    from geo.events import classify_events
    from geo.mentions import find_mentions

    gaz = load_gazetteer()
    article = parse_bytes(b"12 May 2019 - NATO troops were deployed to Rukla in Lithuania.", "x.txt")
    mentions = find_mentions(article, gaz)
    rules = classify_events(article, mentions, publication(article), gaz)
    assert rules
    assert decide(article, mentions, rules, publication(article), gaz, None) is rules


def test_ships_moved_to_a_port_are_deployed_there_not_at_the_origin():
    events = _events("8 April 2022 - Russia moved three landing ships from Sevastopol to Novorossiysk.")
    assert ("deployment", "Novorossiysk Naval Base") in events
    assert not any(place.startswith("Sevastopol") for _, place in events)


def test_a_home_station_and_a_route_are_not_deployments():
    events = _events("12 March 2019 - The squadron drove from its home at Vilseck in Germany through Poland "
                     "to the Pabradė training area in Lithuania.")
    assert ("deployment", "Germany") not in events
    assert ("deployment", "Poland") not in events
    assert any(t == "deployment" and "Žukauskas" in p for t, p in events)


def test_gapped_lead_nations_are_not_hosts():
    events = _events("22 June 2017 - Germany leads the battlegroup in Lithuania, Canada the one in Latvia, "
                     "and the United Kingdom the one in Estonia.")
    assert {("deployment", "Lithuania"), ("deployment", "Latvia"), ("deployment", "Estonia")} <= events
    assert ("deployment", "United Kingdom") not in events


def test_a_gulf_called_a_nato_lake_is_a_chokepoint_and_a_plain_gulf_is_not():
    assert ("chokepoint", "Gulf of Finland") in _events(
        "June 20, 2024 - With Finland in the alliance, the Gulf of Finland has become a NATO lake.")
    assert not any(t == "chokepoint" for t, _ in _events(
        "June 20, 2024 - A ferry crossed the Gulf of Finland in rough weather."))


def test_the_other_sides_ranges_are_in_the_gazetteer_and_host_exercises():
    events = _events("10 September 2021 - Motor rifle units held drills at the Strugi Krasnye and Pravdinsky "
                     "training grounds, the Russian defence ministry said.")
    assert {("exercise", "Strugi Krasnye Training Ground"), ("exercise", "Pravdinsky Training Ground")} <= events


def test_a_region_that_only_locates_a_base_hosts_nothing():
    events = _events("8 April 2022 - Two corvettes are now based at Baltiysk in the Kaliningrad exclave.")
    assert ("deployment", "Baltiysk Naval Base") in events
    assert ("deployment", "Kaliningrad Oblast") not in events


def test_a_filter_model_only_keeps_or_drops_the_rules_events():
    from geo.dates import publication
    from geo.events import classify_events
    from geo.mentions import find_mentions

    gaz = load_gazetteer()
    article = parse_bytes(b"12 May 2019 - NATO troops were deployed to Rukla. Officials met in Riga.", "x.txt")
    mentions = find_mentions(article, gaz)
    rules = classify_events(article, mentions, publication(article), gaz)
    keep_all = Weights({t: 5.0 for t in ("deployment", "exercise", "chokepoint")},
                       {t: {} for t in ("deployment", "exercise", "chokepoint")},
                       {t: 0.5 for t in ("deployment", "exercise", "chokepoint")}, mode="filter")
    decided = decide(article, mentions, rules, publication(article), gaz, keep_all)
    assert {(e.type, e.mention.place.id) for e in decided} == {(e.type, e.mention.place.id) for e in rules}
    drop_all = Weights(*(dict(keep_all.bias, **{t: -5.0 for t in keep_all.bias}),), keep_all.weights,
                       keep_all.threshold, mode="filter")
    assert decide(article, mentions, rules, publication(article), gaz, drop_all) == []
