"""Apply two conventions of the reference golds to our own corpus's gold files.

    python scripts/gold_conventions.py GOLD.json...

Writers of our corpus annotated two things differently from the reference golds in
../shared/eval (seeds and dev), and from each other. Both rules only add ``optional``,
so a prediction there is neither rewarded nor punished; they never remove a gold item.

1. Demonyms. The reference golds do not count a country as a place when the text only
   says "German troops" (seeds 0 of 33 countries, dev 1 of 84). A gold country none of
   whose names or aliases (from ``data/``) occurs in the article becomes optional.
2. The country of a site. Where a deployment or exercise is at a site in a country the
   article names, the reference golds also list the event at the country in 38 of 46
   cases; our writers did so in about half. When that country event is missing it is
   added as optional.

Prints counts only, never text.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT / "data" / "boundaries" / "countries.geojson"
SITE_KM = 30  # gold tolerance of a town or base; larger ones are regions or seas
NAME_FILES = (ROOT / "data" / "gazetteer" / "countries_world.csv", ROOT / "data" / "catalogue" / "countries.csv")


def country_names() -> dict[str, set[str]]:
    """Return every name and alias of each country, by ISO code."""
    names: dict[str, set[str]] = {}
    for path in NAME_FILES:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                found = names.setdefault(row["iso"], set())
                found.add(row["name"])
                found.update(a.strip().lstrip("=") for a in (row.get("aliases") or "").split("|") if a.strip())
    return names


def named_in(text: str, names: set[str]) -> bool:
    """Return True when one of ``names`` occurs in ``text`` as a whole word, any case."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.search(rf"(?<!\w)(?:{alternatives})(?!\w)", text, re.IGNORECASE) is not None


def country_shapes() -> list[tuple[str, object]]:
    """Return (ISO code, prepared geometry) of every country in the bundled boundaries."""
    doc = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    out = []
    for feature in doc["features"]:
        geometry = shape(feature["geometry"])
        shapely.prepare(geometry)
        out.append((feature["properties"]["iso"], geometry))
    return out


def country_events(record: dict, shapes: list[tuple[str, object]]) -> int:
    """Add optional country events beside site events in a named country; return how many."""
    places = {p["name"]: p for p in record["places"]}
    named = {p["iso"]: p["name"] for p in record["places"] if "iso" in p and not p.get("optional")}
    have = {(e["type"], places[e["place"]].get("iso")) for e in record["events"]}
    added = 0
    for event in list(record["events"]):
        place = places[event["place"]]
        if event["type"] == "chokepoint" or "lat" not in place or place.get("km", SITE_KM) > SITE_KM:
            continue
        point = Point(place["lon"], place["lat"])
        iso = next((code for code, geometry in shapes if geometry.contains(point)), None)
        if iso in named and (event["type"], iso) not in have:
            record["events"].append({"type": event["type"], "place": named[iso], "year": event["year"],
                                     "optional": True})
            have.add((event["type"], iso))
            added += 1
    return added


def main(golds: list[str]) -> int:
    names = country_names()
    shapes = country_shapes()
    for gold_path in map(Path, golds):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        changed = added = 0
        for record in gold:
            text = (gold_path.parent / record["file"]).read_text(encoding="utf-8")
            for place in record["places"]:
                if "iso" not in place or place.get("optional"):
                    continue
                own = {place["name"]} if len(place["name"]) > 2 else set()
                if named_in(text, names.get(place["iso"], set()) | own):
                    continue
                place["optional"] = True
                changed += 1
                for event in record["events"]:
                    if event["place"] == place["name"] and not event.get("optional"):
                        print(f"{record['file']}: {event['type']} event on a demonym-only country")
            added += country_events(record, shapes)
        gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{gold_path}: {changed} countries named only by a demonym made optional, "
              f"{added} optional country events added beside site events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
