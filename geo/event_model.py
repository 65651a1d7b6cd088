"""Stage 4b, decide events with a learned model: for every (event type, place) of an article,
a logistic model over features of the place's mentions keeps, drops or adds the event.

The rules of ``geo.events`` propose events and are one feature among many (trigger words in
the clause, the words governing the place, its kind, its role in lists, the page section);
the weights are learned from the annotated corpus in ``tests/corpus/dev`` by
``scripts/train_events.py`` and stored as plain JSON in ``data/model/events.json``. Without
that file the rules' events stand unchanged. Inference is a dictionary look-up and a sum per
candidate, so it needs neither scikit-learn nor numpy at run time.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geo.dates import Published, sentence_month, sentence_year
from geo.events import (
    CHOKEPOINT_CALLED,
    DEPLOYMENT,
    EXERCISE,
    Event,
    _evidence,
    _exercise_names,
    sentences,
)
from geo.gazetteer import Gazetteer
from geo.hosts import PLACE_LIST_GAP
from geo.load import Article
from geo.mentions import Mention

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "model" / "events.json"
EVENT_TYPES = ("deployment", "exercise", "chokepoint")
OTHER_SIDE = re.compile(r"\b(Russian?|Belarus(?:ian)?|Kremlin|Moscow|Minsk|Wagner|Zapad|Soviet)\b")
WORD = re.compile(r"[a-z][a-z'-]{1,}")
WINDOW_LEFT = 6  # words
WINDOW_RIGHT = 4
HOST_KINDS = ("body", "title")


@dataclass(frozen=True)
class Weights:
    """One logistic model per event type: bias, feature weights and the decision threshold."""

    bias: dict[str, float]
    weights: dict[str, dict[str, float]]
    threshold: dict[str, float]
    # "filter": the model only keeps or drops the rules' events; "full": it may add events too
    mode: str = "full"


@dataclass
class Candidate:
    """An (event type, place) pair of one article with its features and best mention."""

    type: str
    place_id: str
    features: set[str]
    mention: Mention
    sentence: tuple[int, int]
    trigger: int | None  # offset of the type's trigger in the sentence, if any


@cache
def load_weights(path: Path = MODEL_PATH) -> Weights | None:
    """Return the trained weights, or None when no model file exists (rules only)."""
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Weights(raw["bias"], raw["weights"], raw["threshold"], raw.get("mode", "full"))


def probability(weights: Weights, event_type: str, features: Iterable[str]) -> float:
    """Return the model's probability that the candidate's event holds."""
    w = weights.weights[event_type]
    z = weights.bias[event_type] + sum(w.get(f, 0.0) for f in features)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


TRIGGERS = {"deployment": DEPLOYMENT, "exercise": EXERCISE, "chokepoint": CHOKEPOINT_CALLED}


def _trigger(event_type: str, clause: str) -> int | None:
    m = TRIGGERS[event_type].search(clause)
    return m.start() if m else None


def candidates(article: Article, mentions: list[Mention], rule_events: list[Event],
               gaz: Gazetteer) -> list[Candidate]:
    """Return one candidate per (event type, place) of the article's body mentions, with features."""
    text = article.text
    body = sorted((m for m in mentions if m.role in HOST_KINDS), key=lambda m: m.start)
    if not body:
        return []
    starts = [m.start for m in body]
    spans = sentences(text)
    named = _exercise_names(text, gaz)
    named_starts = [s for s, _ in named]
    rule = {(e.type, e.mention.place.id) for e in rule_events}
    rule_mentions = {(e.type, e.mention.start) for e in rule_events}
    by_key: dict[tuple[str, str], Candidate] = {}
    counts: dict[str, int] = {}
    for index, (s_start, s_end) in enumerate(spans):
        lo, hi = bisect_left(starts, s_start), bisect_left(starts, s_end)
        if lo == hi:
            continue
        sentence = text[s_start:s_end]
        section = article.role_at(s_start)
        has_named = bisect_left(named_starts, s_start) < bisect_left(named_starts, s_end)
        other_side = bool(OTHER_SIDE.search(sentence))
        sentence_words = set(_words(sentence))
        local = body[lo:hi]
        countries_specific = {m.place.country for m in local if m.place.kind not in ("country", "group")}
        triggers = {t: _trigger(t, sentence) for t in EVENT_TYPES}
        for i, m in enumerate(local):
            counts[m.place.id] = counts.get(m.place.id, 0) + 1
            left = _words(text[max(s_start, m.start - 60):m.start])[-WINDOW_LEFT:]
            right = _words(text[m.end:min(s_end, m.end + 40)])[:WINDOW_RIGHT]
            base = {f"kind={m.place.kind}", f"section={section}"}
            base.update(f"L={w}" for w in left)
            base.update(f"R={w}" for w in right)
            if left:
                base.add(f"prev={left[-1]}")
                if len(left) > 1:
                    base.add(f"prev2={left[-2]}_{left[-1]}")
            if right:
                base.add(f"next={right[0]}")
            if m.metonymy:
                base.add("metonymy")
            if m.embedded:
                base.add("embedded")
            if m.place.country in ("RU", "BY"):
                base.add("place_other_side")
            if other_side:
                base.add("sentence_other_side")
            if m.place.kind == "country" and m.place.country in countries_specific:
                base.add("country_contains_site")
            if len(local) == 1:
                base.add("only_place_in_sentence")
            in_list = (i > 0 and PLACE_LIST_GAP.match(text[local[i - 1].end:m.start])) or \
                (i + 1 < len(local) and PLACE_LIST_GAP.match(text[m.end:local[i + 1].start]))
            if in_list:
                base.add("in_list")
            if index == 0 or m.role == "title":
                base.add("lead_sentence")
            if has_named:
                base.add("named_exercise")
            for t in EVENT_TYPES:
                key = (t, m.place.id)
                trig = triggers[t]
                feats = set(base)
                if trig is not None:
                    feats.add("trigger")
                    feats.add("trigger_before" if s_start + trig < m.start else "trigger_after")
                    distance = abs(s_start + trig - m.start)
                    feats.add("trigger_near" if distance < 60 else "trigger_far")
                    feats.update(f"T={w}" for w in sentence_words)
                if (t, m.start) in rule_mentions:
                    feats.add("rule_mention")
                cand = by_key.get(key)
                if cand is None:
                    by_key[key] = Candidate(t, m.place.id, feats, m, (s_start, s_end), trig)
                else:
                    cand.features |= feats
                    better = (t, m.start) in rule_mentions and (t, cand.mention.start) not in rule_mentions
                    if better or (cand.trigger is None and trig is not None and
                                  (t, cand.mention.start) not in rule_mentions):
                        cand.mention, cand.sentence, cand.trigger = m, (s_start, s_end), trig
    for (t, place_id), cand in by_key.items():
        n = counts.get(place_id, 0)
        cand.features.add("mentions=1" if n == 1 else "mentions=2" if n == 2 else "mentions=3+")
        if (t, place_id) in rule:
            cand.features.add("rule")
    return list(by_key.values())


def decide(article: Article, mentions: list[Mention], rule_events: list[Event], published: Published,
           gaz: Gazetteer, weights: Weights | None = None) -> list[Event]:
    """Return the article's events as the model decides them (the rules' events if no model)."""
    weights = weights or load_weights()
    if weights is None:
        return rule_events
    by_place: dict[tuple[str, str], list[Event]] = {}
    for e in rule_events:
        by_place.setdefault((e.type, e.mention.place.id), []).append(e)
    out: list[Event] = []
    text = article.text
    for cand in candidates(article, mentions, rule_events, gaz):
        if weights.mode == "filter" and "rule" not in cand.features:
            continue
        if probability(weights, cand.type, cand.features) < weights.threshold[cand.type]:
            continue
        kept = by_place.get((cand.type, cand.place_id))
        if kept:
            out.extend(kept)
            continue
        s_start, s_end = cand.sentence
        sentence = text[s_start:s_end]
        year = sentence_year(sentence, published, cand.trigger)
        month = sentence_month(sentence, year, cand.trigger)
        out.append(Event(cand.type, cand.mention, year, *_evidence(text, s_start, s_end, cand.mention),
                         month=month, extra={"by": "model"}))
    out.sort(key=lambda e: e.evidence_start)
    return out
