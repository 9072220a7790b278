"""The shipped extraction model: TF-IDF vocabularies and linear heads, stored as one small npz.

Three heads share one file: sentences x 41 categories, date mentions x 2 (Agreement and
Effective Date) and title lines x 1 (Document Name). Coefficients are float16; a per-category
calibration maps raw scores and rank to the probability that a span matches a gold answer, so
confidences are comparable across categories (the CUAD metric pools every question).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from legal_orch_agents.common.tfidf import Tfidf

if TYPE_CHECKING:  # training only: a review transforms without importing sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer

ARTIFACT = "clause_extraction.npz"
WORD_PATTERN = r"(?u)\b\w\w+\b"
TOKEN_PATTERN = r"\S+"
CHAR = "char_wb"  # in place of a token pattern: character 3..n-grams within word boundaries


def tfidf(ngram_max: int, pattern: str, **kw) -> TfidfVectorizer:
    """A sublinear TF-IDF vectorizer over words matching `pattern`, or char n-grams for CHAR."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if pattern == CHAR:
        return TfidfVectorizer(
            analyzer=CHAR, ngram_range=(3, ngram_max), sublinear_tf=True, dtype=np.float32, **kw
        )
    return TfidfVectorizer(
        ngram_range=(1, ngram_max), token_pattern=pattern, sublinear_tf=True, dtype=np.float32, **kw
    )


@dataclass
class Vectorizer:
    """A fitted TF-IDF vocabulary: terms, their idf and the analyser settings."""

    terms: list[str]
    idf: np.ndarray
    ngram_max: int = 1
    token_pattern: str = TOKEN_PATTERN
    _tfidf: Tfidf | None = field(default=None, repr=False)

    @classmethod
    def from_sklearn(cls, v: TfidfVectorizer) -> Vectorizer:
        pattern = CHAR if v.analyzer == CHAR else v.token_pattern
        return cls(
            list(v.get_feature_names_out()), v.idf_.astype(np.float32), v.ngram_range[1], pattern
        )

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if self._tfidf is None:
            char = self.token_pattern == CHAR
            self._tfidf = Tfidf(
                self.terms,
                self.idf.astype(np.float64),
                analyzer=CHAR if char else "word",
                ngram_range=(3, self.ngram_max) if char else (1, self.ngram_max),
                token_pattern=self.token_pattern,
            )
        return self._tfidf.transform(texts)


@dataclass
class Head:
    """Linear scores over the concatenated vectorizers' features for `labels`."""

    labels: list[str]
    vectorizers: list[Vectorizer]
    coef: np.ndarray  # (n_labels, n_features)
    intercept: np.ndarray  # (n_labels,)

    def features(self, columns: list[list[str]]) -> sp.csr_matrix:
        return sp.hstack(
            [v.transform(c) for v, c in zip(self.vectorizers, columns, strict=True)]
        ).tocsr()

    def decision(self, columns: list[list[str]]) -> np.ndarray:
        """Raw margins, one column per label."""
        if not columns[0]:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        x = self.features(columns)
        return np.asarray(x @ self.coef.T.astype(np.float32)) + self.intercept


@dataclass
class Calibration:
    """p = sigmoid(w . [margin, log(1 + rank), log(1 + chars), best margin] + b) per "category|head".

    The best margin of the category in the document is evidence that the category is present.

    Fitted on the dev split; `fallback` (per head) serves keys with too few dev examples.
    """

    params: dict[str, list[float]]  # key -> [w_margin, w_rank, w_chars, w_best, b]
    fallback: dict[str, list[float]]

    def __call__(
        self, key: str, margin: np.ndarray, rank: np.ndarray, chars: np.ndarray
    ) -> np.ndarray:
        w = self.params.get(key) or self.fallback.get(key.split("|")[-1], [1.0, 0.0, 0.0, 0.0, 0.0])
        best = margin.max() if len(margin) else 0.0
        z = w[0] * margin + w[1] * np.log1p(rank) + w[2] * np.log1p(chars) + w[3] * best + w[4]
        return 1.0 / (1.0 + np.exp(-z))


@dataclass
class ExtractionModel:
    sentences: Head
    dates: Head
    titles: Head
    calibration: Calibration
    merge_ratio: float = 0.5  # a neighbour joins a span when its margin is this close (see spans)
    thresholds: dict[str, float] = field(default_factory=dict)  # span cut-off per category
    presence: dict[str, float] = field(default_factory=dict)  # category-present cut-off
    meta: dict = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write the model as one compressed npz (float16 coefficients)."""
        arrays: dict[str, Any] = {}  # Any: numpy would read `allow_pickle` from the **
        heads = {"sentences": self.sentences, "dates": self.dates, "titles": self.titles}
        spec: dict = {
            "heads": {},
            "calibration": self.calibration.__dict__,
            "merge_ratio": self.merge_ratio,
            "thresholds": self.thresholds,
            "presence": self.presence,
            "meta": self.meta,
        }
        for name, h in heads.items():
            spec["heads"][name] = {"labels": h.labels, "vectorizers": []}
            coef = h.coef.astype(np.float16)
            arrays[f"{name}.coef"] = coef
            arrays[f"{name}.intercept"] = h.intercept.astype(np.float32)
            for i, v in enumerate(h.vectorizers):
                spec["heads"][name]["vectorizers"].append(
                    {"ngram_max": v.ngram_max, "token_pattern": v.token_pattern}
                )
                arrays[f"{name}.v{i}.terms"] = np.array("\n".join(v.terms))
                arrays[f"{name}.v{i}.idf"] = v.idf.astype(np.float16)
        arrays["spec"] = np.array(json.dumps(spec))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: Path | None = None) -> ExtractionModel:
        """Read a model written by `save` (the shipped artifact when `path` is None)."""
        if path is None:
            path = Path(str(resources.files("legal_orch_corpora") / "models" / ARTIFACT))
        with np.load(path, allow_pickle=False) as z:
            spec = json.loads(str(z["spec"]))
            heads = {}
            for name, h in spec["heads"].items():
                vecs = [
                    Vectorizer(
                        str(z[f"{name}.v{i}.terms"]).split("\n"),
                        z[f"{name}.v{i}.idf"].astype(np.float32),
                        v["ngram_max"],
                        v["token_pattern"],
                    )
                    for i, v in enumerate(h["vectorizers"])
                ]
                heads[name] = Head(h["labels"], vecs, z[f"{name}.coef"], z[f"{name}.intercept"])
        return cls(
            heads["sentences"],
            heads["dates"],
            heads["titles"],
            Calibration(**spec["calibration"]),
            spec["merge_ratio"],
            spec["thresholds"],
            spec.get("presence", {}),
            spec["meta"],
        )


@lru_cache(maxsize=1)
def shipped_model() -> ExtractionModel:
    """Load the shipped artifact once per process."""
    return ExtractionModel.load()
