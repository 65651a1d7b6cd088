"""Split writers' batches of annotated articles into the development and kept-aside sets.

    python scripts/split_corpus.py SOURCE_DIR...

Each SOURCE_DIR holds articles and a ``gold.json`` (see ../shared/eval/ANNOTATION.md).
An article whose number (the digits after the last underscore, "b3_07.txt" -> 7) is a
multiple of 3 goes to ``tests/corpus/heldout``, every other to ``tests/corpus/dev``; each
set gets one merged ``gold.json``. The rule is fixed before anyone sees the texts, so the
kept-aside third is chosen by position, not by content. Prints counts only, never text.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"dev": ROOT / "tests" / "corpus" / "dev", "heldout": ROOT / "tests" / "corpus" / "heldout"}
NUMBER = re.compile(r"_(\d+)\.[a-z]+$")


def set_of(file_name: str) -> str:
    """Return "heldout" or "dev" for an article file name."""
    m = NUMBER.search(file_name)
    if m is None:
        raise SystemExit(f"{file_name}: no article number after an underscore")
    return "heldout" if int(m.group(1)) % 3 == 0 else "dev"


def main(sources: list[str]) -> int:
    gold: dict[str, list[dict]] = {name: [] for name in TARGETS}
    for folder in TARGETS.values():
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / "gold.json").exists():
            gold[folder.name] = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    for src in map(Path, sources):
        for record in json.loads((src / "gold.json").read_text(encoding="utf-8")):
            name = set_of(record["file"])
            shutil.copyfile(src / record["file"], TARGETS[name] / record["file"])
            gold[name] = [g for g in gold[name] if g["file"] != record["file"]] + [record]
    for name, folder in TARGETS.items():
        records = sorted(gold[name], key=lambda g: g["file"])
        (folder / "gold.json").write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{name}: {len(records)} articles, {sum(len(g['events']) for g in records)} events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
