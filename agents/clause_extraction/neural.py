"""The neural tier (tier 1): a small network over frozen MiniLM vectors, and its combiner with tier 0.

Each sentence is read through four packaged all-MiniLM-L6-v2 vectors (the sentence, the one
before, the one after and its section heading) and its place in the contract; one hidden layer
scores all 41 categories at once. The MiniLM weights stay frozen: only this head is trained, and
it ships as a float16 npz of well under a megabyte.

Where both tiers score a sentence, a combiner fitted on dev turns the two margins and their
disagreement into one log-odds that the sentence belongs to a gold clause; where only tier 0 has
scored it (the cascade embeds only what it needs), a tier-0-only fit gives the same scale.
Spans then grow from those scores exactly as they do from tier 0's (see `spans`), with their own
dev calibration, span cut-offs and presence cut-offs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from legal_orch_agents.clause_extraction.model import Calibration, ExtractionModel, shipped_model

from legal_orch.retrieval.embeddings import DIM

ARTIFACT = "clause_extraction_neural.npz"
N_FEATURES = 4 * DIM + 2


def sentence_features(sentences: np.ndarray, headings: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Features of sentences `rows`: their vectors, their neighbours', their heading's and place.

    `sentences` holds every sentence's vector (rows never embedded may be zero, except `rows`
    and their neighbours); `headings` the heading vector of every sentence (zero: no heading).
    """
    n = len(sentences)
    rows = np.asarray(rows, dtype=int)
    zero = np.zeros((1, sentences.shape[1]), dtype=np.float32)
    padded = np.vstack([zero, sentences.astype(np.float32), zero])
    place = np.stack([rows / max(n - 1, 1), (rows < 8).astype(np.float32)], axis=1)
    return np.hstack(
        [
            padded[rows + 1],
            padded[rows],  # the sentence before (zero for the first)
            padded[rows + 2],  # the sentence after (zero for the last)
            headings[rows].astype(np.float32),
            place.astype(np.float32),
        ]
    )


@dataclass
class NeuralHead:
    """One hidden layer (ReLU) from sentence features to one margin per category."""

    labels: list[str]
    w1: np.ndarray  # (N_FEATURES, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden, n_labels)
    b2: np.ndarray

    def margins(self, x: np.ndarray) -> np.ndarray:
        """Log-odds per row of `x` and label."""
        if not len(x):
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        h = np.maximum(x @ self.w1.astype(np.float32) + self.b1, 0.0)
        return h @ self.w2.astype(np.float32) + self.b2


def disagreement(l0: np.ndarray, l1: np.ndarray) -> np.ndarray:
    """How far apart the two tiers' calibrated log-odds are (0: they agree)."""
    return np.abs(l0 - l1)


@dataclass
class Combiner:
    """Each tier's margin calibrated on dev (`scales`: l = a * m + b), then
    log-odds = w0 * l0 + w1 * l1 + wd * |l0 - l1| + b, with wd <= 0 (fitted on dev).

    `alone` = [a, b]: log-odds = a * m0 + b, for sentences tier 1 did not read.
    """

    weights: list[float]  # [w0, w1, wd, b]
    alone: list[float]
    scales: list[float] = field(default_factory=lambda: [1.0, 0.0, 1.0, 0.0])  # a0 b0 a1 b1

    def calibrated(self, m0: np.ndarray, m1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a0, b0, a1, b1 = self.scales
        return a0 * m0 + b0, a1 * m1 + b1

    def __call__(self, m0: np.ndarray, m1: np.ndarray) -> np.ndarray:
        w0, w1, wd, b = self.weights
        l0, l1 = self.calibrated(m0, m1)
        return w0 * l0 + w1 * l1 + wd * disagreement(l0, l1) + b

    def tier0(self, m0: np.ndarray) -> np.ndarray:
        a, b = self.alone
        return a * m0 + b


@dataclass
class Settings:
    """How one way of scoring sentences turns into calibrated spans (as tier 0's own settings)."""

    calibration: Calibration
    merge_ratio: float
    thresholds: dict[str, float]
    presence: dict[str, float]

    def model(self, base: ExtractionModel) -> ExtractionModel:
        """`base` (tier 0, whose date and title heads are kept) with these span settings."""
        return replace(
            base,
            calibration=self.calibration,
            merge_ratio=self.merge_ratio,
            thresholds=self.thresholds,
            presence=self.presence,
        )

    def to_json(self) -> dict:
        return {
            "calibration": self.calibration.__dict__,
            "merge_ratio": self.merge_ratio,
            "thresholds": self.thresholds,
            "presence": self.presence,
        }

    @classmethod
    def from_json(cls, d: dict) -> Settings:
        return cls(
            Calibration(**d["calibration"]), d["merge_ratio"], d["thresholds"], d["presence"]
        )


@dataclass
class Cascade:
    """Which categories tier 1 reads, and how many of tier 0's best sentences per category.

    A category is unsure when tier 0's best span has a confidence in [low, high], or when tier 0
    is weak on it (`weak`, from its dev F1); tier 1 then reads that category's `top` sentences by
    tier 0's margin and their neighbours.
    """

    low: float
    high: float
    top: int
    weak: list[str] = field(default_factory=list)


@dataclass
class NeuralModel:
    head: NeuralHead
    combiner: Combiner
    tier1: Settings
    combined: Settings
    cascade: Cascade
    meta: dict = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write the model as one compressed npz (float16 weights)."""
        arrays: dict[str, Any] = {
            "w1": self.head.w1.astype(np.float16),
            "b1": self.head.b1.astype(np.float32),
            "w2": self.head.w2.astype(np.float16),
            "b2": self.head.b2.astype(np.float32),
        }
        spec = {
            "labels": self.head.labels,
            "combiner": self.combiner.__dict__,
            "tier1": self.tier1.to_json(),
            "combined": self.combined.to_json(),
            "cascade": self.cascade.__dict__,
            "meta": self.meta,
        }
        arrays["spec"] = np.array(json.dumps(spec))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: Path | None = None) -> NeuralModel:
        """Read a model written by `save` (the shipped artifact when `path` is None)."""
        if path is None:
            path = Path(str(resources.files("legal_orch_corpora") / "models" / ARTIFACT))
        with np.load(path, allow_pickle=False) as z:
            spec = json.loads(str(z["spec"]))
            head = NeuralHead(
                spec["labels"],
                z["w1"].astype(np.float32),
                z["b1"],
                z["w2"].astype(np.float32),
                z["b2"],
            )
        return cls(
            head,
            Combiner(**spec["combiner"]),
            Settings.from_json(spec["tier1"]),
            Settings.from_json(spec["combined"]),
            Cascade(**spec["cascade"]),
            spec["meta"],
        )

    def tier1_model(self) -> ExtractionModel:
        return self.tier1.model(shipped_model())

    def combined_model(self) -> ExtractionModel:
        return self.combined.model(shipped_model())


@lru_cache(maxsize=1)
def shipped_neural() -> NeuralModel:
    """Load the shipped neural artifact once per process."""
    return NeuralModel.load()
