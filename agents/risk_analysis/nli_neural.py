"""Tier 1 span NLI for NDAs: small neural heads over frozen MiniLM sentence vectors.

Where tier 0 (`nli.py`) fits 17 separate linear models over n-grams, tier 1 shares what it learns
across the 17 hypotheses, which matters with 50 training NDAs:
1. evidence: one MLP (one hidden ReLU layer) scores every (span, hypothesis) pair from the span's
   vector, its neighbours' vectors, their element-wise products with the hypothesis vector
   (hypothesis-conditioned features), the cosines, the span's position, the cue counts of
   `nli.CUES` and the hypothesis as a one-hot;
2. label: one multinomial logistic regression over all hypotheses reads the evidence: the top
   evidence scores, the evidence-weighted vector of the best spans and its product with the
   hypothesis vector, their cues, and the hypothesis one-hot (alone and crossed with the scores).

Both heads run in numpy from one `.npz` of float16 weights (no pickles, no torch at run time);
`legal-orch train model nli1` rebuilds it from ContractNLI's training NDAs (`nli_neural_train.py`).
Fine-tuning MiniLM itself as a cross-encoder (hypothesis + span) is what the published anchor
does; it needs a GPU or hours of CPU and is not done here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from legal_orch_agents.risk_analysis.nli import NliPrediction, cue_matrix, softmax

from legal_orch.datasets.contractnli import CHOICES

MODEL_FILE = "nli_tier1.npz"
FORMAT = 1
TOP_K = 3  # spans the label head reads


def default_model_path() -> Path:
    """The shipped tier-1 model: `corpora/models/nli_tier1.npz`."""
    return Path(str(resources.files("legal_orch_corpora"))) / "models" / MODEL_FILE


def unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-8)


@dataclass
class DocFeatures:
    """A document's spans as tier 1 reads them (hypothesis-independent parts)."""

    emb: np.ndarray  # (n, d) unit span vectors
    ctx: np.ndarray  # (n, d) unit mean of the previous and next span vectors
    pos: np.ndarray  # (n,) relative position
    cues: np.ndarray  # (n, len(CUES))


def doc_features(texts: list[str], emb: np.ndarray) -> DocFeatures:
    """Return the hypothesis-independent features of one document's spans."""
    e = unit(emb) if len(texts) else np.zeros((0, np.shape(emb)[-1]), np.float32)
    n = len(e)
    prev = np.vstack([np.zeros_like(e[:1]), e[:-1]]) if n else e
    nxt = np.vstack([e[1:], np.zeros_like(e[:1])]) if n else e
    pos = np.arange(n, dtype=np.float32) / max(n - 1, 1)
    return DocFeatures(e, unit(prev + nxt), pos, cue_matrix(texts))


def pair_features(f: DocFeatures, hyp: np.ndarray, h: int, n_hyp: int) -> np.ndarray:
    """(n_spans, F) evidence-head inputs for hypothesis `h` (vector `hyp`)."""
    n = len(f.emb)
    onehot = np.zeros((n, n_hyp), np.float32)
    onehot[:, h] = 1.0
    cos = f.emb @ hyp
    cos_ctx = f.ctx @ hyp
    return np.hstack(
        [
            f.emb,
            f.emb * hyp * 8.0,  # products are small: scale them near the vectors' own range
            f.ctx * hyp * 8.0,
            cos[:, None],
            cos_ctx[:, None],
            f.pos[:, None],
            f.cues,
            onehot,
        ]
    ).astype(np.float32)


def label_features(
    f: DocFeatures, hyp: np.ndarray, logits: np.ndarray, h: int, n_hyp: int
) -> np.ndarray:
    """One (document, hypothesis) row for the label head."""
    d, n_cues = f.emb.shape[1], f.cues.shape[1]
    n_stats = 7
    onehot = np.zeros(n_hyp, np.float32)
    onehot[h] = 1.0
    if len(logits) == 0:
        zero = np.zeros(n_stats + 2 * d + n_cues, np.float32)
        return np.concatenate([zero, onehot, np.zeros(n_hyp * n_stats, np.float32)])
    order = np.argsort(logits)[::-1]
    top = logits[order[:TOP_K]]
    top = np.concatenate([top, np.full(TOP_K - len(top), top[-1])])
    p = 1.0 / (1.0 + np.exp(-logits))
    wt = p[order[:TOP_K]]
    wt = wt / max(float(wt.sum()), 1e-6)
    vec = unit(wt @ f.emb[order[:TOP_K]])
    stats = np.array(
        [
            *(top / 4.0),
            float(p.max()),
            float((p > 0.5).sum()) / 4.0,
            float(np.log1p(p.sum())),
            float(vec @ hyp),
        ],
        np.float32,
    )
    return np.concatenate(
        [
            stats,
            vec,
            vec * hyp * 8.0,
            wt @ f.cues[order[:TOP_K]],
            onehot,
            np.outer(onehot, stats).ravel(),
        ]
    ).astype(np.float32)


def mlp_logits(x: np.ndarray, W1, b1, W2, b2) -> np.ndarray:
    """One hidden ReLU layer to one logit per row."""
    hidden = np.maximum(x @ W1 + b1, 0.0)
    return (hidden @ W2 + b2).ravel()


@dataclass
class NeuralNliModel:
    """The trained tier-1 heads over a fixed set of hypotheses."""

    hypotheses: dict[str, str]
    hyp_emb: np.ndarray  # (H, d) unit hypothesis vectors
    mean: np.ndarray  # (F,) evidence input standardisation
    scale: np.ndarray  # (F,)
    W1: np.ndarray  # (F, hidden)
    b1: np.ndarray
    W2: np.ndarray  # (hidden, 1)
    b2: np.ndarray
    lab_W: np.ndarray  # (3, L)
    lab_b: np.ndarray  # (3,)
    meta: dict

    def evidence_logits(self, f: DocFeatures, h: int) -> np.ndarray:
        """Return the (n_spans,) evidence logits of hypothesis number `h`."""
        if len(f.emb) == 0:
            return np.zeros(0, np.float32)
        x = (pair_features(f, self.hyp_emb[h], h, len(self.hyp_emb)) - self.mean) / self.scale
        return mlp_logits(x, self.W1, self.b1, self.W2, self.b2)

    def predict(
        self,
        texts: list[str],
        emb: np.ndarray,
        only: Iterable[str] | None = None,
        features: DocFeatures | None = None,
    ) -> dict[str, NliPrediction]:
        """Decide the hypotheses `only` (default: all) for one document from its span vectors.

        Each hypothesis is scored on its own, so a cascade pays only for those it asks about.
        """
        f = features or doc_features(texts, emb)
        wanted = set(self.hypotheses) if only is None else set(only)
        H = len(self.hyp_emb)
        out = {}
        for h, hid in enumerate(self.hypotheses):
            if hid not in wanted:
                continue
            logits = self.evidence_logits(f, h)
            x = label_features(f, self.hyp_emb[h], logits, h, H)
            p = softmax(self.lab_W @ x + self.lab_b)
            scores = (1.0 / (1.0 + np.exp(-logits))).tolist()
            out[hid] = NliPrediction(
                hid,
                CHOICES[int(np.argmax(p))],
                dict(zip(CHOICES, map(float, p), strict=True)),
                scores,
            )
        return out

    def save(self, path: Path) -> None:
        """Write the model as one compressed `.npz` (weights as float16)."""
        meta = {**self.meta, "format": FORMAT, "hypotheses": self.hypotheses}
        np.savez_compressed(
            path,
            hyp_emb=self.hyp_emb.astype(np.float16),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            W1=self.W1.astype(np.float16),
            b1=self.b1.astype(np.float32),
            W2=self.W2.astype(np.float16),
            b2=self.b2.astype(np.float32),
            lab_W=self.lab_W.astype(np.float16),
            lab_b=self.lab_b.astype(np.float32),
            meta=np.array(json.dumps(meta)),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> NeuralNliModel:
        """Load a model written by `save`; raise FileNotFoundError naming the train command."""
        path = Path(path or default_model_path())
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: no tier-1 NLI model; build it with `legal-orch train model nli1`"
            )
        z = np.load(path, allow_pickle=False)
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: tier-1 NLI format {meta.get('format')}, expected {FORMAT}")
        f32 = {k: z[k].astype(np.float32) for k in z.files if k != "meta"}
        return cls(
            meta["hypotheses"],
            unit(f32["hyp_emb"]),
            f32["mean"],
            f32["scale"],
            f32["W1"],
            f32["b1"],
            f32["W2"],
            f32["b2"],
            f32["lab_W"],
            f32["lab_b"],
            meta,
        )
