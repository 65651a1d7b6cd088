"""Gazetteer figures: cold load time and exact lookups per second (targets: < 1 s, > 100,000/s)."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLD = ("import time; t=time.perf_counter(); from geo.gazetteer import Gazetteer; Gazetteer(); "
        "print(time.perf_counter()-t)")


def main() -> None:
    colds = [float(subprocess.run([sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True,
                                  check=True).stdout) for _ in range(3)]
    from geo.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    names = [p.name for p in list(gaz.places.values())[:2000]] + ["Vilnius", "Tapa", "Suwałki Gap", "Kyiv", "Grodno"]
    queries = [random.Random(i).choice(names) for i in range(200_000)]
    t = time.perf_counter()
    for q in queries:
        gaz.lookup(q, fuzzy=False)
    exact = len(queries) / (time.perf_counter() - t)
    t = time.perf_counter()
    for q in ["Sulwaki Gap", "Kaliningrd", "Siaulai Air Base", "Rukkla", "Adazzi"] * 20:
        gaz.fuzzy(q)
    fuzzy = 100 / (time.perf_counter() - t)
    print("| figure | value | target |")
    print("|---|---:|---:|")
    print(f"| cold load (import + build index), best of 3 | {min(colds):.2f} s | < 1 s |")
    print(f"| exact lookups per second | {exact:,.0f} | > 100,000 |")
    print(f"| fuzzy lookups per second | {fuzzy:,.0f} | — |")
    print(f"| indexed names / places | {len(gaz.index):,} / {len(gaz.places) + len(gaz._geonames_rows):,} | — |")


if __name__ == "__main__":
    main()
