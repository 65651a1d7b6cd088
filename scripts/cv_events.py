"""Cross-validate the event model: 5 folds by article over the development corpus.

    python scripts/cv_events.py

For each fold the model is trained on the other four (thresholds tuned inside them) and
scored on the fold's articles; the rules alone are scored on the same articles. Prints the
event precision, recall and F1 per fold and pooled, for the rules and for the model.
"""

from __future__ import annotations

import sys

from events_corpus import DEV, event_counts, predicted_events, prf, samples
from train_events import FOLDS, fit

from geo.gazetteer import load_gazetteer


def main() -> int:
    gaz = load_gazetteer()
    data = samples(DEV, gaz)
    totals = {"rules": [0, 0, 0], "model": [0, 0, 0]}
    print(f"{len(data)} articles, {FOLDS} folds (article i goes to fold i mod {FOLDS})")
    print(f"{'fold':>4} {'n':>3}   rules P    R    F1    model P    R    F1")
    for k in range(FOLDS):
        train = [s for i, s in enumerate(data) if i % FOLDS != k]
        test = [s for i, s in enumerate(data) if i % FOLDS == k]
        weights = fit(train)
        row = []
        for name, w in (("rules", None), ("model", weights)):
            fold = [0, 0, 0]
            for s in test:
                for j, v in enumerate(event_counts(s.gold, predicted_events(s, gaz, w))):
                    fold[j] += v
                    totals[name][j] += v
            row.append(prf(*fold))
        print(f"{k:>4} {len(test):>3}   " + "    ".join(" ".join(f"{v:.3f}" for v in r) for r in row))
    for name, (tp, fp, fn) in totals.items():
        p, r, f = prf(tp, fp, fn)
        print(f"pooled {name}: precision {p:.3f} recall {r:.3f} F1 {f:.3f} (tp {tp} fp {fp} fn {fn})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
