"""The annotated corpus as training data for the event model, and a scorer that follows
``../shared/eval/ANNOTATION.md`` (greedy one-to-one matching by distance) so the training
and cross-validation scripts need nothing outside the repository.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.dates import publication  # noqa: E402
from geo.event_model import Candidate, Weights, candidates, decide  # noqa: E402
from geo.events import Event, classify_events  # noqa: E402
from geo.extract import _event_record  # noqa: E402
from geo.gazetteer import Gazetteer  # noqa: E402
from geo.load import Article, load_article  # noqa: E402
from geo.mentions import Mention, find_mentions  # noqa: E402

DEV = ROOT / "tests" / "corpus" / "dev"
HELDOUT = ROOT / "tests" / "corpus" / "heldout"
BOX = (-25.0, 34.0, 60.0, 72.0)
# countries with territory inside BOX (Natural Earth admin-0), as the eval scorer has them
REGION_ISO = frozenset({
    "AD", "AL", "AM", "AT", "AX", "AZ", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "DZ", "EE", "ES",
    "FI", "FO", "FR", "GB", "GE", "GG", "GI", "GL", "GR", "HR", "HU", "IE", "IM", "IQ", "IR", "IS", "IT", "JE",
    "KZ", "LB", "LI", "LT", "LU", "LV", "MA", "MC", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS",
    "RU", "SE", "SI", "SK", "SM", "SY", "TM", "TN", "TR", "UA", "UZ", "VA", "XK",
})


@dataclass
class Sample:
    """One annotated article with what the rules and the mention stage made of it."""

    file: str
    gold: dict[str, Any]
    article: Article
    mentions: list[Mention]
    rule_events: list[Event]
    candidates: list[Candidate]


def load_gold(folder: Path) -> list[dict[str, Any]]:
    """Return the gold records of a corpus folder (its gold.json), in file order."""
    return sorted(json.loads((folder / "gold.json").read_text(encoding="utf-8")), key=lambda g: g["file"])


def samples(folder: Path, gaz: Gazetteer) -> list[Sample]:
    """Return every annotated article of ``folder`` run through mentions, rules and candidates."""
    out = []
    for gold in load_gold(folder):
        article = load_article(folder / gold["file"])
        published = publication(article)
        mentions = find_mentions(article, gaz)
        rule_events = classify_events(article, mentions, published, gaz)
        out.append(Sample(gold["file"], gold, article, mentions, rule_events,
                          candidates(article, mentions, rule_events, gaz)))
    return out


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def cost(gold_place: dict[str, Any], kind: str, country: str, lat: float, lon: float) -> float | None:
    """Return the matching cost of a predicted place against a gold place, or None."""
    if "iso" in gold_place:
        return 0.0 if kind == "country" and country.upper() == gold_place["iso"].upper() else None
    if kind == "country" or not (BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]):
        return None
    d = km(gold_place["lat"], gold_place["lon"], lat, lon)
    return d if d <= gold_place.get("km", 30) else None


def label(sample: Sample, cand: Candidate) -> int | None:
    """1 when gold holds the candidate's event, 0 when not, None when gold marks it optional."""
    place = cand.mention.place
    places = {p["name"]: p for p in sample.gold.get("places", [])}
    verdict = 0
    for e in sample.gold.get("events", []):
        if e["type"] != cand.type or e["place"] not in places:
            continue
        if cost(places[e["place"]], place.kind, place.country, place.lat, place.lon) is None:
            continue
        if not e.get("optional"):
            return 1
        verdict = None
    return verdict


def predicted_events(sample: Sample, gaz: Gazetteer, weights: Weights | None) -> list[dict[str, Any]]:
    """Return the event records the model (or the rules, when ``weights`` is None) gives."""
    if weights is None:
        events = sample.rule_events
    else:
        events = decide(sample.article, sample.mentions, sample.rule_events, publication(sample.article), gaz,
                        weights)
    return [_event_record(e, gaz) for e in events]


def event_counts(gold: dict[str, Any], events: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Return (tp, fp, fn) of predicted events against one gold article (the scorer's rules)."""
    places = {p["name"]: p for p in gold.get("places", [])}
    golds = [e for e in gold.get("events", []) if e["place"] in places]
    preds = [p for p in events if ((p.get("country") or "") in REGION_ISO if p["kind"] == "country"
                                   else BOX[0] <= p["lon"] <= BOX[2] and BOX[1] <= p["lat"] <= BOX[3])]
    pairs = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if p["type"] != g["type"]:
                continue
            c = cost(places[g["place"]], p["kind"], p.get("country") or "", p["lat"], p["lon"])
            if c is not None:
                pairs.append((1 if g.get("optional") else 0, c + (0.001 if p.get("year") != g.get("year") else 0),
                              gi, pi))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    for _, _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
    tp = sum(1 for gi in used_g if not golds[gi].get("optional"))
    fp = len(preds) - len(used_p)
    fn = sum(1 for gi, g in enumerate(golds) if not g.get("optional") and gi not in used_g)
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Return precision, recall and F1."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
