"""Mark gold countries that an article names only by a demonym as optional.

    python scripts/gold_demonyms.py GOLD.json...

The reference golds (../shared/eval: seeds 0 of 33, dev 1 of 84) do not count a country
as a place when the text only says "German troops" or "Polish officials", and the
extractor does not report one. Writers of our own corpus did. This rule applies the
reference convention mechanically: a gold country none of whose names or aliases (from
``data/``) occurs in the article becomes optional, so it is neither rewarded nor
punished. Events on such a place are printed, not changed. Prints counts only.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def main(golds: list[str]) -> int:
    names = country_names()
    for gold_path in map(Path, golds):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        changed = 0
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
        gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{gold_path}: {changed} countries named only by a demonym made optional")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
