"""Train the model stage's head (bot/crisis/detection/concern_head.json) and print how it did.

    uv run --with scikit-learn python bench/train_concern_head.py [--data DIR] [--write]

Training data: the messages the lexicon passes (tier ``none``) from half A of the shared
C-SSRS and recovery data (see bench/crisis_eval.py for the halves) and from the project's chat
suite. A message is positive when its expected tier is at least ``concern``; recovery posts are
negative. Half B is never read here, so bench/crisis_eval.py --model can still test on it.

At run time the head is heard only where the writer speaks of themselves more than of the
reader (``speaks_of_self``); the figures below apply that too. The threshold is the lowest (in
steps of 0.05) at which, on half A, recovery posts reaching concern stay within one point of
the lexicon alone, and the suite's ordinary chat, scored by heads that did not see it (5-fold),
stays at or under 5% concern.
Prints, per threshold, the share reaching at least concern (lexicon or head); writes the
head only with ``--write``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crisis_eval import CRISIS_LABELS, DEFAULT_DATA, SUITE, half_of, read_csv  # noqa: E402

from bot.crisis.detection import Detector, Tier  # noqa: E402
from bot.crisis.detection.encoder import SentenceEncoder  # noqa: E402
from bot.crisis.detection.model_stage import HEAD_FILE, speaks_of_self  # noqa: E402

REGULARISATION = 0.3  # sklearn's C: chosen on half A among 0.3, 1 and 3 (B: least gap)
RECOVERY_MARGIN = 0.01
SUITE_ORDINARY_LIMIT = 0.05
BATCH = 32


def training_rows(data: Path) -> list[tuple[str, str, str, bool]]:
    """(source, label, text, needs at least concern) for half A and the suite."""
    rows = [("suite", r["group"], r["text"], r["expected_tier"] != "none")
            for r in read_csv(SUITE)]
    rows += [("cssrs", r["label"], r["text"], r["expected_tier"] != "none")
             for r in read_csv(data / "cssrs_dev.csv") if half_of(r["user"]) == "A"]
    rows += [("recovery", "all", r["text"], False)
             for r in read_csv(data / "recovery_posts_unlabeled.csv")
             if half_of(r["row_id"]) == "A"]
    return rows


def embed(encoder: SentenceEncoder, texts: list[str]) -> np.ndarray:
    return np.concatenate([encoder.encode_many(texts[i:i + BATCH])
                           for i in range(0, len(texts), BATCH)])


def fit(vectors: np.ndarray, labels: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=REGULARISATION, class_weight="balanced",
                              max_iter=5000).fit(vectors, labels)


def held_out_suite_scores(vectors: np.ndarray, labels: np.ndarray,
                          suite: np.ndarray) -> np.ndarray:
    """Each suite message scored by a head trained without its fold."""
    scores = np.zeros(len(labels))
    index = np.flatnonzero(suite)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for _, test in folds.split(index, labels[index]):
        keep = np.ones(len(labels), dtype=bool)
        keep[index[test]] = False
        scores[index[test]] = fit(vectors[keep], labels[keep]).predict_proba(
            vectors[index[test]])[:, 1]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--write", action="store_true", help=f"write {HEAD_FILE.name}")
    args = parser.parse_args()

    detector, encoder = Detector.load(), SentenceEncoder()
    rows = training_rows(args.data)
    source, label, texts, wanted = (list(column) for column in zip(*rows, strict=True))
    source, label = np.array(source), np.array(label)
    labels = np.array(wanted, dtype=int)
    passed = np.array([detector.classify(text).tier is Tier.NONE for text in texts])
    heard = passed & np.array([speaks_of_self(text) for text in texts])
    print(f"embedding the {passed.sum()} texts the lexicon passes ...", file=sys.stderr)
    vectors = embed(encoder, [text for text, keep in zip(texts, passed, strict=True) if keep])

    head = fit(vectors, labels[passed])
    scores, cv = np.zeros(len(rows)), np.zeros(len(rows))
    scores[passed] = head.predict_proba(vectors)[:, 1]
    cv[passed] = held_out_suite_scores(vectors, labels[passed], (source == "suite")[passed])
    scores[~heard] = cv[~heard] = 0.0  # the stage only hears the writer speaking of themselves
    lexicon_flags = ~passed
    recovery = source == "recovery"
    ordinary = (source == "suite") & (labels == 0)
    recovery_limit = lexicon_flags[recovery].mean() + RECOVERY_MARGIN

    print(f"{'threshold':>9} {'A crisis labels':>15} {'A supportive':>12} "
          f"{'A recovery':>10} {'suite ordinary (5-fold)':>23}")
    chosen = None
    crisis = (source == "cssrs") & np.isin(label, CRISIS_LABELS)
    supportive = (source == "cssrs") & (label == "supportive")
    for threshold in np.arange(0.95, 0.04, -0.05):
        flagged = lexicon_flags | (scores >= threshold)
        held_out = lexicon_flags | (cv >= threshold)
        fits = (flagged[recovery].mean() <= recovery_limit
                and held_out[ordinary].mean() <= SUITE_ORDINARY_LIMIT)
        chosen = round(float(threshold), 2) if fits else chosen
        print(f"{threshold:9.2f} {flagged[crisis].mean():15.3f} "
              f"{flagged[supportive].mean():12.3f} {flagged[recovery].mean():10.3f} "
              f"{held_out[ordinary].mean():23.3f}{'  ok' if fits else ''}")
    if chosen is None:
        print("no threshold meets the limits; head not written", file=sys.stderr)
        return 1
    print(f"chosen threshold: {chosen}")
    if args.write:
        HEAD_FILE.write_text(json.dumps({
            "about": "Logistic head over all-MiniLM-L6-v2 sentence vectors for the model "
                     "stage; made by bench/train_concern_head.py --write.",
            "regularisation_c": REGULARISATION,
            "threshold": chosen,
            "bias": float(head.intercept_[0]),
            "weights": [round(float(w), 6) for w in head.coef_[0]],
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {HEAD_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
