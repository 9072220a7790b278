"""Tier 0 and tier 1 decide each NDA hypothesis; a combiner fitted on dev settles it.

Two NLI models answer the same question. The combiner is a multinomial logistic regression over
both models' log-probabilities and whether they agree; its confidence is a separate calibration,
P(the combined answer is right), from the combined probability and the agreement, with the
agreement's weight held at zero or above, and where the models disagree it is capped at how
often the combined answer was right on dev when they disagreed (measured, and below the rate
when they agree), so two models that disagree never read as surer than two that agree. The cascade runs tier 1 only where tier 0's own probability is below a threshold
chosen on dev (tier 1 on at most `MAX_TIER1_SHARE` of the hypotheses).

Fitted on ContractNLI dev only (`legal-orch eval contractnli` fits it and reports every figure
out of fold: each dev NDA is scored by a combiner fitted on the others).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from legal_orch_agents.risk_analysis.nli import NliPrediction

from legal_orch.datasets.contractnli import CHOICES

MODEL_FILE = "nli_combiner.json"
MAX_TIER1_SHARE = 0.5
# Contradiction is the rare label (9% of dev pairs) and the one a lawyer most needs found; weighing
# it twice trades .3 points of accuracy for .07 of F1(C) (dev, out of fold, among 12 settings
# of class weight, hypothesis one-hots and regularisation: `legal-orch eval contractnli`).
CLASS_WEIGHT = {"Entailment": 1.0, "Contradiction": 2.0, "NotMentioned": 1.0}
EVIDENCE_WEIGHT_TIER1 = 0.5  # combined span score: the mean of the two models' scores


def default_model_path() -> Path:
    """The shipped combiner: `corpora/models/nli_combiner.json`."""
    return Path(str(resources.files("legal_orch_corpora"))) / "models" / MODEL_FILE


def _logp(probs: dict[str, float]) -> np.ndarray:
    return np.log(np.clip([probs[c] for c in CHOICES], 1e-6, 1.0))


def pair_row(p0: NliPrediction, p1: NliPrediction) -> np.ndarray:
    """The combiner's inputs for one hypothesis: both log-probabilities and agreement."""
    return np.concatenate([_logp(p0.probs), _logp(p1.probs), [float(p0.choice == p1.choice)]])


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Combiner:
    """Decide from two models' probabilities; confidence falls when they disagree."""

    W: np.ndarray  # (3, 7)
    b: np.ndarray  # (3,)
    conf: tuple[float, float, float]  # a * logit(max p) + g * agree + c
    threshold: float  # run tier 1 where tier 0's probability is below this
    meta: dict = field(default_factory=dict)
    # How often the combined answer was right on dev where the two models disagreed: a
    # disagreement's confidence never exceeds it.
    disagree_cap: float = 1.0

    def probs(self, p0: NliPrediction, p1: NliPrediction) -> np.ndarray:
        z = self.W @ pair_row(p0, p1) + self.b
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    def confidence(self, top: float, agree: bool) -> float:
        """P(the combined answer is right) given its probability and the two models' agreement."""
        a, g, c = self.conf
        t = float(np.clip(top, 1e-6, 1 - 1e-6))
        p = float(_sigmoid(a * np.log(t / (1 - t)) + g * float(agree) + c))
        return p if agree else min(p, self.disagree_cap)

    def combine(self, p0: NliPrediction, p1: NliPrediction) -> tuple[NliPrediction, float]:
        """Return the combined prediction and its confidence."""
        p = self.probs(p0, p1)
        k = int(np.argmax(p))
        w = EVIDENCE_WEIGHT_TIER1
        scores = [(1 - w) * a + w * b for a, b in zip(p0.span_scores, p1.span_scores, strict=True)]
        pred = NliPrediction(
            p0.hypothesis_id, CHOICES[k], dict(zip(CHOICES, map(float, p), strict=True)), scores
        )
        return pred, self.confidence(float(p[k]), p0.choice == p1.choice)

    def needs_tier1(self, p0: NliPrediction) -> bool:
        """Whether tier 0 is unsure enough of this hypothesis for tier 1 to run."""
        return p0.probs[p0.choice] < self.threshold

    def save(self, path: Path) -> None:
        blob = {
            "W": np.round(self.W, 6).tolist(),
            "b": np.round(self.b, 6).tolist(),
            "conf": list(self.conf),
            "threshold": self.threshold,
            "disagree_cap": self.disagree_cap,
            "classes": list(CHOICES),
            "inputs": ["log p0(E,C,N)", "log p1(E,C,N)", "agree"],
            **self.meta,
        }
        path.write_text(json.dumps(blob, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> Combiner:
        path = Path(path or default_model_path())
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: no NLI combiner; `legal-orch eval contractnli` fits it on dev"
            )
        blob = json.loads(path.read_text(encoding="utf-8"))
        own = {"W", "b", "conf", "threshold", "disagree_cap"}
        return cls(
            np.asarray(blob["W"]),
            np.asarray(blob["b"]),
            tuple(blob["conf"]),  # type: ignore[arg-type]
            float(blob["threshold"]),
            {k: v for k, v in blob.items() if k not in own},
            float(blob["disagree_cap"]),
        )


def fit_combiner(
    p0: Sequence[NliPrediction],
    p1: Sequence[NliPrediction],
    gold: Sequence[str],
    c: float = 1.0,
    max_share: float = MAX_TIER1_SHARE,
) -> Combiner:
    """Fit the combiner, its confidence and the cascade threshold on aligned predictions."""
    from sklearn.linear_model import LogisticRegression

    X = np.stack([pair_row(a, b) for a, b in zip(p0, p1, strict=True)])
    lr = LogisticRegression(C=c, max_iter=3000, class_weight=CLASS_WEIGHT)
    lr.fit(X, list(gold))
    W, b = np.zeros((3, X.shape[1])), np.full(3, -30.0)
    for k, cls in enumerate(lr.classes_):
        j = CHOICES.index(cls)
        if len(lr.classes_) == 2:
            sign = 1 if k == 1 else -1
            W[j], b[j] = sign * lr.coef_[0] / 2, sign * lr.intercept_[0] / 2
        else:
            W[j], b[j] = lr.coef_[k], lr.intercept_[k]
    comb = Combiner(W, b, (1.0, 0.0, 0.0), 1.0)
    decided = [comb.probs(a, bb) for a, bb in zip(p0, p1, strict=True)]
    top = np.array([float(p.max()) for p in decided])
    right = np.array([CHOICES[int(np.argmax(p))] == g for p, g in zip(decided, gold, strict=True)])
    agree = np.array([a.choice == bb.choice for a, bb in zip(p0, p1, strict=True)], float)
    comb.conf = _fit_confidence(top, agree, right)
    if (agree == 0).any() and (agree == 1).any():
        # Disagreement lowers confidence: below what agreement earned on the same pairs.
        comb.disagree_cap = float(min(right[agree == 0].mean(), right[agree == 1].mean()))
    comb.threshold = _fit_threshold(comb, p0, p1, gold, max_share)
    return comb


def _fit_confidence(top: np.ndarray, agree: np.ndarray, right: np.ndarray) -> tuple:
    from sklearn.linear_model import LogisticRegression

    t = np.clip(top, 1e-6, 1 - 1e-6)
    logit = np.log(t / (1 - t))[:, None]
    if right.all() or not right.any():
        return (0.0, 0.0, float(np.log((right.mean() + 0.5) / (1.5 - right.mean()))))
    lr = LogisticRegression(C=10.0).fit(np.hstack([logit, agree[:, None]]), right)
    a, g = (float(v) for v in lr.coef_[0])
    if g < 0:  # disagreement must never raise confidence: refit on the probability alone
        lr = LogisticRegression(C=10.0).fit(logit, right)
        a, g = float(lr.coef_[0][0]), 0.0
    return (a, g, float(lr.intercept_[0]))


def cascade(comb: Combiner, p0: NliPrediction, p1: NliPrediction | None) -> NliPrediction:
    """Tier 0's answer where it is sure; the combined answer where tier 1 ran."""
    if p1 is None or not comb.needs_tier1(p0):
        return p0
    return comb.combine(p0, p1)[0]


def _fit_threshold(comb, p0, p1, gold, max_share: float) -> float:
    """The tier-0 probability below which tier 1 runs: best accuracy within the share cap."""
    sure = np.array([a.probs[a.choice] for a in p0])
    candidates = sorted({float(np.quantile(sure, q)) for q in np.linspace(0.05, max_share, 10)})
    best, best_acc = 0.0, -1.0
    for t in candidates:
        comb.threshold = t
        acc = np.mean(
            [cascade(comb, a, b).choice == g for a, b, g in zip(p0, p1, gold, strict=True)]
        )
        if acc > best_acc + 1e-9:
            best, best_acc = t, float(acc)
    return best
