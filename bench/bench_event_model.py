"""The learned event stage's share of extraction time (target: at most 20 %).

    python bench/bench_event_model.py [-r REPEATS]

Extracts every article of the seeds, the shared dev set (if present) and tests/corpus/dev,
REPEATS times in one process, and prints the whole extraction time per article beside the
time spent in ``geo.event_model.decide`` (features, weights and the decision).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geo.extract as extract  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402
from geo.load import load_article  # noqa: E402


def corpus() -> list[Path]:
    """Return the real-length articles the bench runs on."""
    files = sorted((ROOT / "seeds").iterdir())
    dev = ROOT.parent / "shared" / "eval" / "dev"
    if dev.exists():
        files += sorted(dev.glob("d*"))
    files += sorted(p for p in (ROOT / "tests" / "corpus" / "dev").glob("*") if p.name != "gold.json")
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--repeats", type=int, default=5)
    args = parser.parse_args()
    gaz = load_gazetteer()
    articles = [load_article(p) for p in corpus()]
    extract.extract_article(articles[0], gaz)  # warm caches and the model file
    spent = 0.0
    decide = extract.decide

    def timed(*a, **k):
        nonlocal spent
        t = time.perf_counter()
        try:
            return decide(*a, **k)
        finally:
            spent += time.perf_counter() - t

    extract.decide = timed
    t0 = time.perf_counter()
    for _ in range(args.repeats):
        for a in articles:
            extract.extract_article(a, gaz)
    total = time.perf_counter() - t0
    extract.decide = decide
    n = len(articles) * args.repeats
    print(f"articles: {len(articles)} x {args.repeats} = {n}")
    print(f"extraction: {total / n * 1000:.2f} ms/article ({n / total:.0f} articles/s, one core)")
    print(f"learned stage: {spent / n * 1000:.2f} ms/article = {spent / total:.1%} of extraction (target <= 20%)")


if __name__ == "__main__":
    main()
