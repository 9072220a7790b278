"""The CUAD span metric, implemented from the publisher's `evaluate.py` (Hendrycks et al., 2021).

A question is one (contract, category) pair with its gold pieces and up to 20 predictions, each
a text with a probability. A prediction matches a gold piece when the word-set Jaccard of the two
is at least 0.5 after the publisher's normalisation (drop `. , ; :`, lower-case, `/` as a space,
split on single spaces); for Parties a gold string contained in the prediction also matches. At
each confidence threshold (0.99, 0.98, ..., 0.01, 0.001, 0; a prediction counts when its
probability is strictly above it) every matched gold piece is a true positive, every unmatched
gold piece a false negative, and every prediction matching no gold piece a false positive.
Counts are pooled over all questions; precisions are made monotone from the high-recall end
before the area under the curve and the precision at a recall level are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

IOU_THRESH = 0.5
TOP_K = 20
# The publisher's sweep, high to low; a prediction counts when its probability is above it.
THRESHOLDS: tuple[float, ...] = tuple(round(0.99 - 0.01 * i, 2) for i in range(99)) + (0.001, 0.0)
_DROP = (".", ",", ";", ":")


@dataclass(frozen=True)
class Prediction:
    text: str
    probability: float


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")


@dataclass(frozen=True)
class Curve:
    """A pooled precision-recall curve: the (P=1, R=0) anchor, then one point per threshold."""

    precisions: list[float]
    recalls: list[float]
    thresholds: list[float]


def words(text: str) -> set[str]:
    """Return the publisher's word set of `text`."""
    for token in _DROP:
        text = text.replace(token, "")
    return set(text.lower().replace("/", " ").split(" "))


def jaccard(gold: str, pred: str) -> float:
    """Word-set Jaccard of `gold` and `pred` after the publisher's normalisation."""
    g, p = words(gold), words(pred)
    return len(g & p) / len(g | p)


def is_match(gold: str, pred: str, *, substring_ok: bool = False) -> bool:
    """Whether `pred` matches `gold` (Jaccard >= 0.5, or containment where `substring_ok`)."""
    return jaccard(gold, pred) >= IOU_THRESH or (substring_ok and gold in pred)


def question_counts(golds: Sequence[str], preds: Sequence[str], *, substring_ok: bool) -> Counts:
    """Count TP/FP/FN of one question's kept predictions against its gold pieces."""
    if not golds:
        return Counts(fp=len(preds))
    matched = [any(is_match(g, p, substring_ok=substring_ok) for p in preds) for g in golds]
    unmatched_preds = sum(
        not any(is_match(g, p, substring_ok=substring_ok) for g in golds) for p in preds
    )
    tp = sum(matched)
    return Counts(tp=tp, fn=len(golds) - tp, fp=unmatched_preds)


def kept(preds: Sequence[Prediction], threshold: float) -> list[str]:
    """Texts of the top-20 non-empty predictions above `threshold` (duplicates keep the last)."""
    probs: dict[str, float] = {}
    for p in preds[:TOP_K]:
        if p.text:
            probs[p.text] = p.probability
    return [t for t, prob in probs.items() if prob > threshold]


def substring_ok(question_id: str) -> bool:
    """The publisher accepts containment for the Parties questions only."""
    return "Parties" in question_id


@dataclass(frozen=True)
class _Question:
    """One question's deduplicated predictions and their match matrix against the gold pieces."""

    probs: np.ndarray  # (n_pred,)
    matches: np.ndarray  # (n_pred, n_gold) bool
    n_gold: int

    def counts(self, threshold: float) -> Counts:
        keep = self.matches[self.probs > threshold]
        if not self.n_gold:
            return Counts(fp=len(keep))
        tp = int(keep.any(axis=0).sum())
        return Counts(tp=tp, fn=self.n_gold - tp, fp=int((~keep.any(axis=1)).sum()))


def _question(qid: str, golds: Sequence[str], preds: Sequence[Prediction]) -> _Question:
    probs: dict[str, float] = {}
    for p in preds[:TOP_K]:
        if p.text:
            probs[p.text] = p.probability
    ok = substring_ok(qid)
    m = np.array(
        [[is_match(g, t, substring_ok=ok) for g in golds] for t in probs], dtype=bool
    ).reshape(len(probs), len(golds))
    return _Question(np.array(list(probs.values()), dtype=float), m, len(golds))


def pooled_counts(
    gold: Mapping[str, Sequence[str]], preds: Mapping[str, Sequence[Prediction]], threshold: float
) -> Counts:
    """Pool the counts over every gold question at one threshold."""
    total = Counts()
    for qid, golds in gold.items():
        texts = kept(preds.get(qid, ()), threshold)
        total = total + question_counts(golds, texts, substring_ok=substring_ok(qid))
    return total


def pr_curve(
    gold: Mapping[str, Sequence[str]],
    preds: Mapping[str, Sequence[Prediction]],
    thresholds: Iterable[float] = THRESHOLDS,
) -> Curve:
    """Sweep the thresholds high to low into a pooled precision-recall curve."""
    questions = [_question(q, g, preds.get(q, ())) for q, g in gold.items()]
    precisions, recalls, used = [1.0], [0.0], []
    for t in thresholds:
        c = sum((q.counts(t) for q in questions), Counts())
        precisions.append(c.precision)
        recalls.append(c.recall)
        used.append(t)
    return Curve(precisions, recalls, used)


def monotone(precisions: Sequence[float]) -> list[float]:
    """Make each precision the best at its recall or higher (the publisher's smoothing)."""
    out = list(precisions)
    for i in range(len(out) - 2, -1, -1):
        # Python's max keeps the first argument against NaN, as in the publisher's loop.
        out[i] = max(out[i + 1], out[i])
    return out


def aupr(curve: Curve) -> float:
    """Area under the smoothed curve by the trapezoid rule over recall (0 when undefined)."""
    p = np.array(monotone(curve.precisions), dtype=float)
    r = np.array(curve.recalls, dtype=float)
    area = float(np.sum((r[1:] - r[:-1]) * (p[1:] + p[:-1]) / 2))
    return 0.0 if np.isnan(area) else area


def precision_at_recall(curve: Curve, level: float) -> float:
    """Smoothed precision at the first point whose recall reaches `level` (0 if none does)."""
    for p, r in zip(monotone(curve.precisions), curve.recalls, strict=True):
        if r >= level:
            return float(p)
    return 0.0


def summary(
    gold: Mapping[str, Sequence[str]], preds: Mapping[str, Sequence[Prediction]]
) -> dict[str, float]:
    """AUPR and precision at 80% and 90% recall, as 0-100 percentages."""
    curve = pr_curve(gold, preds)
    return {
        "aupr": 100 * aupr(curve),
        "precision_at_80_recall": 100 * precision_at_recall(curve, 0.8),
        "precision_at_90_recall": 100 * precision_at_recall(curve, 0.9),
    }


def best_f1(curve: Curve) -> tuple[float, float]:
    """Return the best F1 over the sweep and its threshold."""
    best, at = 0.0, 1.0
    for p, r, t in zip(curve.precisions[1:], curve.recalls[1:], curve.thresholds, strict=True):
        if p + r > 0 and not np.isnan(p) and not np.isnan(r):
            f = 2 * p * r / (p + r)
            if f > best:
                best, at = f, t
    return best, at
