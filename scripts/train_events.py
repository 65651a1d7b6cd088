"""Train the event model on the development corpus and write ``data/model/events.json``.

    python scripts/train_events.py            # train on tests/corpus/dev, write the model
    python scripts/train_events.py --check    # exit 1 if the committed model is stale

One L2-regularised logistic regression per event type (scikit-learn, liblinear: deterministic)
over the binary features of ``geo.event_model.candidates``; the decision threshold of each type
is the one that maximises F1 on out-of-fold probabilities (5 folds by article). Only
``tests/corpus/dev`` is read: the kept-aside ``tests/corpus/heldout`` never trains anything.
"""

from __future__ import annotations

import json
import math
import sys

from events_corpus import DEV, ROOT, Sample, label, samples
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from geo.event_model import EVENT_TYPES, MODEL_PATH, Weights
from geo.gazetteer import load_gazetteer

C = 0.5
MODE = "full"  # see geo.event_model.Weights.mode
SPARSE_PREFIXES = ("T=", "L=", "R=", "prev2=")  # word-bag features; the dense variant drops them
MIN_COUNT = 2  # a feature seen in fewer training candidates carries no weight
FOLDS = 5


def rows(train: list[Sample], event_type: str, mode: str = MODE,
         drop: tuple[str, ...] = ()) -> tuple[list[set[str]], list[int]]:
    """Return the (features, label) rows of one event type, optional events left out.

    ``mode`` "filter" keeps only the rules' candidates; ``drop`` removes features by prefix.
    """
    xs, ys = [], []
    for s in train:
        for cand in s.candidates:
            if cand.type != event_type or (mode == "filter" and "rule" not in cand.features):
                continue
            y = label(s, cand)
            if y is not None:
                xs.append({f for f in cand.features if not f.startswith(drop)} if drop else cand.features)
                ys.append(y)
    return xs, ys


def _fit_one(xs: list[set[str]], ys: list[int]) -> tuple[float, dict[str, float]]:
    counts: dict[str, int] = {}
    for x in xs:
        for f in x:
            counts[f] = counts.get(f, 0) + 1
    keep = {f for f, n in counts.items() if n >= MIN_COUNT}
    if len(set(ys)) < 2:
        return (-5.0 if not any(ys) else 5.0), {}
    vec = DictVectorizer()
    matrix = vec.fit_transform([{f: 1 for f in x if f in keep} for x in xs]).tocsr()
    # liblinear takes 32-bit sparse indices only
    matrix.indices, matrix.indptr = matrix.indices.astype("int32"), matrix.indptr.astype("int32")
    model = LogisticRegression(C=C, solver="liblinear", max_iter=1000)
    model.fit(matrix, ys)
    weights = {name: round(float(w), 4) for name, w in zip(vec.feature_names_, model.coef_[0], strict=True)
               if abs(w) >= 1e-4}
    return round(float(model.intercept_[0]), 4), weights


def _best_threshold(scored: list[tuple[float, int]]) -> float:
    best, best_f1 = 0.5, -1.0
    for t in [i / 100 for i in range(20, 81, 2)]:
        tp = sum(1 for p, y in scored if p >= t and y)
        fp = sum(1 for p, y in scored if p >= t and not y)
        fn = sum(1 for p, y in scored if p < t and y)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = t, f1
    return best


def fit(train: list[Sample], tune_threshold: bool = True, mode: str = MODE, drop: tuple[str, ...] = ()) -> Weights:
    """Return the weights learned from ``train`` (thresholds tuned out of fold when asked)."""
    bias, weights, threshold = {}, {}, {}
    for t in EVENT_TYPES:
        xs, ys = rows(train, t, mode, drop)
        bias[t], weights[t] = _fit_one(xs, ys)
        threshold[t] = 0.5
        if tune_threshold and len(train) >= FOLDS:
            scored = []
            for k in range(FOLDS):
                inner = [s for i, s in enumerate(train) if i % FOLDS != k]
                b, w = _fit_one(*rows(inner, t, mode, drop))
                held = [s for i, s in enumerate(train) if i % FOLDS == k]
                for x, y in zip(*rows(held, t, mode, drop), strict=True):
                    z = b + sum(w.get(f, 0.0) for f in x)
                    scored.append((1 / (1 + math.exp(-max(-30, min(30, z)))), y))
            threshold[t] = _best_threshold(scored)
    return Weights(bias, weights, threshold, mode)


def serialise(weights: Weights, n_articles: int) -> str:
    """Return the model file's JSON text (sorted keys: the same corpus gives the same bytes)."""
    return json.dumps({"trained_on": f"tests/corpus/dev ({n_articles} articles)", "C": C, "min_count": MIN_COUNT,
                       "bias": weights.bias, "threshold": weights.threshold, "weights": weights.weights},
                      sort_keys=True, indent=0, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    gaz = load_gazetteer()
    train = samples(DEV, gaz)
    text = serialise(fit(train), len(train))
    if "--check" in argv:
        same = MODEL_PATH.exists() and MODEL_PATH.read_text(encoding="utf-8") == text
        print("model up to date" if same else "model stale: run python scripts/train_events.py")
        return 0 if same else 1
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    MODEL_PATH.write_text(text, encoding="utf-8")
    sizes = {t: len(w) for t, w in json.loads(text)["weights"].items()}
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({len(text) // 1024} KB, features {sizes}) from {len(train)} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
