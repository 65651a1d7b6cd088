"""The extraction pipeline for one article: load -> mentions -> rule events -> model decision -> a plain record.

The record is the JSON object ``python -m geo extract`` prints (see the contract in
``../shared/eval/ANNOTATION.md``) and what ingest stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geo.dates import publication
from geo.event_model import decide
from geo.events import Event, classify_events
from geo.gazetteer import Gazetteer, Place, load_gazetteer
from geo.load import Article, load_article, parse_bytes
from geo.mentions import Mention, find_mentions

OUTPUT_KIND = {"group": "region", "subregion": "region"}


def extract_article(article: Article, gaz: Gazetteer | None = None) -> dict[str, Any]:
    """Return the extraction record (places, events, dates) of a loaded article."""
    gaz = gaz or load_gazetteer()
    published = publication(article)
    mentions = find_mentions(article, gaz)
    events = decide(article, mentions, classify_events(article, mentions, published, gaz), published, gaz)
    return {
        "source": article.source,
        "title": article.title,
        "published": published.date.isoformat() if published.date else None,
        "year": published.year,
        "date_basis": published.how,
        "content_hash": article.content_hash,
        "places": _places(mentions),
        "events": [_event_record(e, gaz) for e in events],
    }


def extract_file(path: str | Path, gaz: Gazetteer | None = None) -> dict[str, Any]:
    """Return the extraction record of the article at ``path`` (ArticleError if unreadable)."""
    return extract_article(load_article(path), gaz)


def extract_bytes(data: bytes, source: str, gaz: Gazetteer | None = None) -> dict[str, Any]:
    """Return the extraction record of an article given as bytes (an upload)."""
    return extract_article(parse_bytes(data, source), gaz)


def _place_fields(place: Place) -> dict[str, Any]:
    return {"name": place.name, "kind": OUTPUT_KIND.get(place.kind, place.kind), "country": place.country,
            "lat": place.lat, "lon": place.lon, "place_id": place.id}


def _places(mentions: list[Mention]) -> list[dict[str, Any]]:
    by_id: dict[str, dict[str, Any]] = {}
    for m in mentions:
        rec = by_id.get(m.place.id)
        if rec is None:
            rec = by_id[m.place.id] = {**_place_fields(m.place), "mentions": [], "roles": []}
        rec["mentions"].append({"text": m.text, "start": m.start, "end": m.end, "role": m.role,
                                "metonymy": m.metonymy, "embedded": m.embedded})
        if m.role not in rec["roles"]:
            rec["roles"].append(m.role)
    return list(by_id.values())


def _event_record(e: Event, gaz: Gazetteer) -> dict[str, Any]:
    place = e.mention.place
    return {
        "type": e.type,
        "place": place.name,
        **{k: v for k, v in _place_fields(place).items() if k != "name"},
        "year": e.year,
        "date": f"{e.year:04d}-{e.month:02d}" if e.year and e.month else None,
        "evidence": e.evidence,
        "evidence_start": e.evidence_start,
        "evidence_end": e.evidence_end,
        "mention": {"text": e.mention.text, "start": e.mention.start, "end": e.mention.end},
        "status": e.status,
        "troops": e.troops,
        "lead_nation": e.lead_nation,
        "contributors": list(e.contributors),
        "unit": e.unit,
        "equipment": list(e.equipment),
        "exercise": e.exercise,
        "via_group": e.via_group,
        "countries": list(place.members) if place.members else [place.country] if place.country else [],
    }
