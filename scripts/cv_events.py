"""Cross-validate the event model: 5 folds by article over the development corpus.

    python scripts/cv_events.py

For each fold the model is trained on the other four (thresholds tuned inside them) and
scored on the fold's articles; the rules alone are scored on the same articles. Prints the
event precision, recall and F1 per fold and pooled, for the rules and for four variants of
the model: "full" (it may add events) or "filter" (it only keeps or drops the rules'
events), each with all features ("sparse") or without the word-bag ones ("dense").
"""

from __future__ import annotations

import sys

from events_corpus import DEV, event_counts, predicted_events, prf, samples
from train_events import FOLDS, SPARSE_PREFIXES, fit

from geo.gazetteer import load_gazetteer

VARIANTS = {"full/sparse": ("full", ()), "full/dense": ("full", SPARSE_PREFIXES),
            "filter/sparse": ("filter", ()), "filter/dense": ("filter", SPARSE_PREFIXES)}


def main() -> int:
    gaz = load_gazetteer()
    data = samples(DEV, gaz)
    names = ["rules", *VARIANTS]
    totals = {name: [0, 0, 0] for name in names}
    print(f"{len(data)} articles, {FOLDS} folds (article i goes to fold i mod {FOLDS}); event F1 per fold")
    print(f"{'fold':>4} {'n':>3}  " + " ".join(f"{name:>13}" for name in names))
    for k in range(FOLDS):
        train = [s for i, s in enumerate(data) if i % FOLDS != k]
        test = [s for i, s in enumerate(data) if i % FOLDS == k]
        models = {"rules": None, **{name: fit(train, mode=m, drop=d) for name, (m, d) in VARIANTS.items()}}
        row = []
        for name, weights in models.items():
            fold = [0, 0, 0]
            for s in test:
                for j, v in enumerate(event_counts(s.gold, predicted_events(s, gaz, weights))):
                    fold[j] += v
                    totals[name][j] += v
            row.append(prf(*fold)[2])
        print(f"{k:>4} {len(test):>3}  " + " ".join(f"{f:>13.3f}" for f in row))
    for name, (tp, fp, fn) in totals.items():
        p, r, f = prf(tp, fp, fn)
        print(f"pooled {name:>13}: precision {p:.3f} recall {r:.3f} F1 {f:.3f} (tp {tp} fp {fp} fn {fn})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
