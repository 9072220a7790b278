"""ContractNLI's metrics from the paper (Koreeda & Manning, 2021), macro-averaged over hypotheses.

Label metrics: per hypothesis, accuracy and the F1 of Contradiction and of Entailment over all
documents; a hypothesis whose gold labels lack a class has no F1 for it and is left out of that
class's average (as `macro_label_micro_doc` in the paper's code). Evidence metrics: for every
document-hypothesis pair whose gold label is not NotMentioned, rank that document's spans by
score and take the average precision of the gold evidence spans and the precision at the first
threshold reaching 80% recall; then average over all such pairs (the paper's
`micro_label_macro_doc` span metrics). Pairs without gold evidence spans are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
from sklearn.metrics import average_precision_score

from legal_orch.datasets.contractnli import CHOICES, NliDataset


class Prediction(Protocol):
    """One hypothesis decided for one document: the choice and a score per span."""

    @property
    def choice(self) -> str: ...
    @property
    def span_scores(self) -> Sequence[float]: ...


Predictions = Mapping[str, Mapping[str, Prediction]]  # document id -> hypothesis id -> ...


def f1_of(gold: Sequence[str], pred: Sequence[str], cls: str) -> float | None:
    """F1 of class `cls`; None when `gold` has no instance of it."""
    g = np.array([x == cls for x in gold])
    p = np.array([x == cls for x in pred])
    if not g.any():
        return None
    tp = float((g & p).sum())
    denom = g.sum() + p.sum()
    return 2 * tp / denom if denom else 0.0


def precision_at_recall(
    y_true: np.ndarray, y_score: np.ndarray, recall: float = 0.8
) -> float | None:
    """Precision at the highest threshold whose recall reaches `recall`; None with no positive."""
    if y_true.sum() == 0:
        return None
    for t in np.sort(np.unique(y_score))[::-1]:
        pred = y_score >= t
        if (pred & y_true).sum() / y_true.sum() >= recall:
            return float((pred & y_true).sum() / pred.sum())
    return None  # unreachable: the lowest threshold predicts every span


def _mean(vals: Sequence[float | None]) -> float:
    kept = [v for v in vals if v is not None]
    return float(np.mean(kept)) if kept else float("nan")


def label_metrics(
    gold: Mapping[str, Sequence[str]], pred: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    """Accuracy, F1(C) and F1(E), each averaged over hypotheses (lists aligned by document)."""
    acc, fc, fe = [], [], []
    for hid, g in gold.items():
        p = pred[hid]
        acc.append(float(np.mean([a == b for a, b in zip(g, p, strict=True)])))
        fc.append(f1_of(g, p, "Contradiction"))
        fe.append(f1_of(g, p, "Entailment"))
    return {"accuracy": _mean(acc), "f1_contradiction": _mean(fc), "f1_entailment": _mean(fe)}


def evidence_metrics(
    gold: Mapping[str, Sequence[tuple[str, Sequence[int], int]]],
    scores: Mapping[str, Sequence[Sequence[float]]],
) -> dict[str, float]:
    """Evidence mAP and precision@80% recall, per document-hypothesis pair, averaged over pairs.

    gold[h] = (choice, evidence span ids, n_spans) per document; scores[h] aligned with it.
    """
    aps: list[float | None] = []
    p80s: list[float | None] = []
    for hid, docs in gold.items():
        for (choice, ev, n), sc in zip(docs, scores[hid], strict=True):
            if choice == "NotMentioned" or not ev:
                continue
            yt = np.zeros(n, dtype=bool)
            yt[list(ev)] = True
            ys = np.asarray(sc, dtype=float)
            aps.append(float(average_precision_score(yt, ys)))
            p80s.append(precision_at_recall(yt, ys, 0.8))
    return {"evidence_map": _mean(aps), "evidence_precision_at_80_recall": _mean(p80s)}


def majority_choice(labels: Sequence[str]) -> str:
    """The most frequent choice (ties broken by CHOICES order)."""
    return max(CHOICES, key=lambda c: (list(labels).count(c), -CHOICES.index(c)))


def score_predictions(data: NliDataset, preds: Predictions) -> dict[str, float]:
    """Compute the paper's metrics for `preds` against the gold labels of `data`."""
    hids = list(data.hypotheses)
    docs = data.documents
    gold = {h: [d.annotations[h].choice for d in docs] for h in hids}
    pred = {h: [preds[d.id][h].choice for d in docs] for h in hids}
    ev_gold = {
        h: [(d.annotations[h].choice, d.annotations[h].spans, len(d.spans)) for d in docs]
        for h in hids
    }
    ev_scores = {h: [preds[d.id][h].span_scores for d in docs] for h in hids}
    return {
        **label_metrics(gold, pred),
        **evidence_metrics(ev_gold, ev_scores),
        "documents": len(docs),
    }
