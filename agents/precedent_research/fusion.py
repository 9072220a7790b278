"""Dense and BM25 ranking, each alone and combined by a linear model fitted on ACORD train.

The two retrievers answer the same question (which clause fits the request). `Fusion` weighs
what each says about a clause relative to its pool (the cosine and its gap to the best, BM25
relative to the best, both ranks, query-term coverage, their reciprocal-rank fusion and the
dense pseudo-relevance feedback of the fused head) with a ridge regression on ACORD's grades.
It reads nothing keyed to ACORD's own texts, so it scores a CUAD clause in the live bank the
same way as an ACORD clause in a judged pool. Where the two retrievers disagree (one ranks a
clause high, the other low) the rank features pull its score toward the middle.

Fitted on ACORD's train queries only (`legal-orch train model fusion`), never valid or test; the
weights are a few numbers in a JSON file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from legal_orch_agents.precedent_research.rerank import FEATURES, Pool, pool_features, rrf

MODEL_FILE = "precedent_fusion.json"
# The pool features the combiner reads: everything but the training-queries memory.
INPUTS = ("cos", "cos_rank", "cos_gap", "bm25_rel", "bm25_rank", "coverage", "prf10", "prf5", "rrf")
_COLUMNS = [FEATURES.index(f) for f in INPUTS]


def default_model_path() -> Path:
    """The shipped combiner: `corpora/models/precedent_fusion.json`."""
    return Path(str(resources.files("legal_orch_corpora"))) / "models" / MODEL_FILE


def inputs(pool: Pool, query_tokens: set[str]) -> np.ndarray:
    """(n, len(INPUTS)) the combiner's inputs for a pool."""
    return pool_features(pool, query_tokens)[:, _COLUMNS]


@dataclass
class Fusion:
    """A linear combination of the dense and lexical evidence about each clause."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0
    meta: dict = field(default_factory=dict)

    def score(self, pool: Pool, query_tokens: set[str]) -> np.ndarray:
        """Return the predicted grade of each pool member."""
        if len(pool.cos) == 0:
            return np.zeros(0)
        return ((inputs(pool, query_tokens) - self.mean) / self.scale) @ self.weights + self.bias

    def save(self, path: Path) -> None:
        blob = {
            "inputs": list(INPUTS),
            "mean": np.round(self.mean, 8).tolist(),
            "scale": np.round(self.scale, 8).tolist(),
            "weights": np.round(self.weights, 6).tolist(),
            "bias": round(self.bias, 6),
            **self.meta,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(blob, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> Fusion:
        path = Path(path or default_model_path())
        blob = json.loads(path.read_text(encoding="utf-8"))
        if tuple(blob["inputs"]) != INPUTS:
            raise ValueError(f"{path}: fusion inputs {blob['inputs']}, expected {list(INPUTS)}")
        meta = {k: v for k, v in blob.items() if k not in {"mean", "scale", "weights", "bias"}}
        return cls(
            np.asarray(blob["mean"]),
            np.asarray(blob["scale"]),
            np.asarray(blob["weights"]),
            float(blob["bias"]),
            meta,
        )


def fit_fusion(X: np.ndarray, grades: np.ndarray, alpha: float = 10.0) -> Fusion:
    """Fit the ridge regression of grades on stacked pool inputs."""
    from sklearn.linear_model import Ridge

    mean, scale = X.mean(axis=0), np.maximum(X.std(axis=0), 1e-6)  # constant inputs: no NaN
    r = Ridge(alpha=alpha).fit((X - mean) / scale, grades)
    return Fusion(mean, scale, r.coef_.astype(float), float(r.intercept_))


class Single:
    """One retriever alone, as a ranker with the reranker's `score`: dense, BM25 or their RRF."""

    def __init__(self, name: str):
        if name not in {"dense", "bm25", "rrf"}:
            raise ValueError(f"unknown ranker {name!r}")
        self.name = name

    def score(self, pool: Pool, query_tokens: set[str]) -> np.ndarray:
        if self.name == "dense":
            return pool.cos
        if self.name == "bm25":
            return pool.bm25
        return rrf(pool.cos, pool.bm25)
