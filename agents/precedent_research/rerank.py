"""Learned reranking of a candidate pool of clauses for one query.

The features describe a clause relative to the pool it competes in (dense and lexical scores,
their ranks, pseudo-relevance feedback from the pool's head, length, query-term coverage), so
the same model ranks ACORD's judged pools in the eval and the fused candidates of a live search.
The model is trained on ACORD's train queries only (`legal-orch train rerank`),
and carries a `Memory` of the lawyers' grades for those queries: a clause graded highly for a
similar request is evidence for the request at hand ("what lawyers rated best").
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

FEATURES = (
    "cos",
    "cos_rank",
    "cos_gap",
    "bm25_rel",
    "bm25_rank",
    "coverage",
    "log_chars",
    "prf10",
    "prf5",
    "rrf",
    "memory",
    "memory_sim",
)
# Chosen by 5-fold CV on the train queries (NDCG@5 for 1: 0.670, 3: 0.674, 5: 0.686, 8: 0.677).
MEMORY_NEIGHBOURS = 5
DEFAULT_MODEL = (
    Path(str(resources.files("legal_orch_corpora"))) / "models" / "precedent_reranker.joblib"
)
RRF_K = 60
# Pseudo-relevance feedback: the centroid of the fused head of the pool describes the query's
# intent better than a four-word ACORD query or a clause's own wording does on its own.
PRF_HEAD = 10


def ranks(scores: np.ndarray) -> np.ndarray:
    """Return each item's 0-based rank under descending `scores` (ties keep input order)."""
    out = np.empty(len(scores), dtype=np.float64)
    out[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return out


def rrf(*score_lists: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Fuse score lists over the same items by reciprocal rank."""
    return sum(1.0 / (k + ranks(s) + 1.0) for s in score_lists)


@dataclass
class Pool:
    """One query's candidates: their vectors, texts' token sets and lengths, and raw scores."""

    vectors: np.ndarray  # (n, d) unit vectors
    cos: np.ndarray  # (n,) cosine to the query
    bm25: np.ndarray  # (n,) BM25 scores
    tokens: list[set[str]]
    chars: np.ndarray  # (n,) character lengths
    query: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (d,) the query's vector
    keys: list[str] = field(default_factory=list)  # text_key of each candidate


def text_key(text: str) -> str:
    """Key a clause by its white-space-normalised text, the same in every bank it is in."""
    return hashlib.sha1(" ".join(text.lower().split()).encode()).hexdigest()[:16]


@dataclass
class Memory:
    """Training queries' vectors and, for each, the grades of the clauses judged relevant."""

    vectors: np.ndarray  # (m, d)
    grades: list[dict[str, int]]  # per query: text_key -> grade (> 0 only)

    def recall(
        self, query: np.ndarray, keys: list[str], exclude: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return each key's grade averaged over the nearest training queries, and their similarity."""
        n = len(keys)
        if len(self.grades) == 0 or query.size == 0:
            return np.zeros(n), np.zeros(n)
        sims = self.vectors @ query
        order = [i for i in np.argsort(-sims, kind="stable") if i != exclude][:MEMORY_NEIGHBOURS]
        weights = np.maximum(sims[order], 0.0)
        total = np.zeros(n)
        for w, i in zip(weights, order, strict=True):
            total += w * np.array([self.grades[i].get(k, 0) for k in keys], dtype=np.float64)
        recalled = total / max(float(weights.sum()), 1e-9)
        return recalled, np.full(n, float(sims[order[0]]) if order else 0.0)


def pool_features(
    pool: Pool, query_tokens: set[str], memory: Memory | None = None, exclude: int | None = None
) -> np.ndarray:
    """Return the (n, len(FEATURES)) feature matrix of a pool."""
    fused = rrf(pool.cos, pool.bm25)
    head = np.argsort(-fused, kind="stable")[:PRF_HEAD]
    head5 = np.argsort(-pool.cos, kind="stable")[:5]
    coverage = np.array([len(query_tokens & t) / max(len(query_tokens), 1) for t in pool.tokens])
    cols = [
        pool.cos,
        np.log1p(ranks(pool.cos)),
        pool.cos - pool.cos.max(initial=0.0),
        pool.bm25 / max(float(pool.bm25.max(initial=0.0)), 1e-9),
        np.log1p(ranks(pool.bm25)),
        coverage,
        np.log1p(pool.chars),
        pool.vectors @ _unit(pool.vectors[head].mean(axis=0)),
        pool.vectors @ _unit(pool.vectors[head5].mean(axis=0)),
        fused * RRF_K,
    ]
    if memory is None:
        cols += [np.zeros(len(pool.cos)), np.zeros(len(pool.cos))]
    else:
        cols += list(memory.recall(pool.query, pool.keys, exclude))
    return np.stack(cols, axis=1)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


class CompiledTrees:
    """A fitted HistGradientBoostingRegressor evaluated with numpy over all trees at once.

    sklearn's own `predict` costs 15-30 ms on a 200-row pool (thread-pool start-up per call on
    busy cores); walking every tree level by level in numpy takes a few milliseconds.
    """

    ARRAYS = ("feature", "threshold", "left", "right", "is_leaf", "value", "roots")

    def __init__(self, model: Any = None, arrays: dict[str, np.ndarray] | None = None):
        if arrays is not None:  # read back from `arrays()`: no sklearn needed
            for name in self.ARRAYS:
                setattr(self, name, arrays[name])
            self.depth = int(arrays["depth"])
            self.baseline = float(arrays["baseline"])
            return
        trees = [p.nodes for per_iteration in model._predictors for p in per_iteration]
        offsets = np.cumsum([0] + [len(t) for t in trees[:-1]])
        nodes = np.concatenate(trees)
        shift = np.repeat(offsets, [len(t) for t in trees])
        self.feature = nodes["feature_idx"].astype(np.intp)
        self.threshold = nodes["num_threshold"].astype(np.float64)
        self.left = nodes["left"].astype(np.intp) + shift
        self.right = nodes["right"].astype(np.intp) + shift
        self.is_leaf = nodes["is_leaf"].astype(bool)
        self.value = nodes["value"].astype(np.float64)
        self.roots = offsets.astype(np.intp)
        self.depth = int(nodes["depth"].max()) if len(nodes) else 0
        self.baseline = float(np.ravel(model._baseline_prediction)[0])

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Return the model's prediction for each row of `features`."""
        n, trees = len(features), len(self.roots)
        node = np.tile(self.roots, n)  # (row, tree) pairs, row-major
        row = np.repeat(np.arange(n), trees)
        active = np.arange(n * trees)
        for _ in range(self.depth):
            at = node[active]
            inner = ~self.is_leaf[at]
            active, at = active[inner], at[inner]  # pairs that reached a leaf stay there
            if not len(active):
                break
            go_left = features[row[active], self.feature[at]] <= self.threshold[at]
            node[active] = np.where(go_left, self.left[at], self.right[at])
        return self.baseline + self.value[node].reshape(n, trees).sum(axis=1)

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the trees as plain arrays (what `CompiledTrees(arrays=...)` reads back)."""
        out = {name: getattr(self, name) for name in self.ARRAYS}
        return {**out, "depth": np.asarray(self.depth), "baseline": np.asarray(self.baseline)}


class Reranker:
    """A pointwise gradient-boosted model of a clause's grade from its pool features."""

    def __init__(
        self,
        model: Any,
        features: tuple[str, ...] = FEATURES,
        memory: Memory | None = None,
        trees: CompiledTrees | None = None,
    ):
        if tuple(features) != FEATURES:
            raise ValueError(f"reranker was trained on features {features}, expected {FEATURES}")
        self.model = model  # None when read from the compiled cache (scoring needs only trees)
        self.memory = memory
        self._trees = trees or CompiledTrees(model)

    def score(self, pool: Pool, query_tokens: set[str]) -> np.ndarray:
        """Return the predicted grade of each pool member."""
        if len(pool.cos) == 0:
            return np.zeros(0)
        return self._trees.predict(pool_features(pool, query_tokens, self.memory))

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL, cache_dir: Path | None = None) -> Reranker:
        """Load a reranker saved by `save`.

        With `cache_dir`, its trees are kept there as plain arrays keyed by the file's digest,
        so later processes score without unpickling the sklearn model (importing sklearn
        costs a review ~2.5 s of start-up and ~60 MB).
        """
        cached = compiled_path(path, cache_dir) if cache_dir is not None else None
        if cached is not None and cached.is_file():
            return cls._from_compiled(cached)
        import joblib

        blob = joblib.load(path)
        memory = blob.get("memory")
        reranker = cls(
            blob["model"],
            tuple(blob["features"]),
            Memory(np.asarray(memory["vectors"]), memory["grades"]) if memory else None,
        )
        if cached is not None:
            reranker._save_compiled(cached)
        return reranker

    @classmethod
    def _from_compiled(cls, path: Path) -> Reranker:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        features = tuple(json.loads(str(arrays.pop("features"))))
        grades = json.loads(str(arrays.pop("grades")))
        vectors = arrays.pop("memory_vectors")
        memory = Memory(vectors, grades) if grades is not None else None
        return cls(None, features, memory, CompiledTrees(arrays=arrays))

    def _save_compiled(self, path: Path) -> None:
        memory = self.memory
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
        arrays: dict[str, Any] = {  # Any: numpy would read `allow_pickle` from the **
            **self._trees.arrays(),
            "features": np.asarray(json.dumps(list(FEATURES))),
            "grades": np.asarray(json.dumps(memory.grades if memory else None)),
            "memory_vectors": (
                memory.vectors.astype(np.float32) if memory else np.zeros((0, 0), np.float32)
            ),
        }
        np.savez(tmp, **arrays)
        os.replace(tmp, path)  # atomic: workers starting together never read half a file

    def save(self, path: Path, **info: Any) -> None:
        """Save the model with its feature names, memory and training notes."""
        import joblib

        memory = (
            {"vectors": self.memory.vectors.astype(np.float32), "grades": self.memory.grades}
            if self.memory
            else None
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = {"model": self.model, "features": list(FEATURES), "memory": memory, **info}
        joblib.dump(blob, path, compress=3)


def compiled_path(path: Path, cache_dir: Path) -> Path:
    """Where the compiled trees of the reranker at `path` are cached (by its content's digest)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return cache_dir / f"precedent_reranker-{digest}.npz"


def fit(
    features: np.ndarray, grades: np.ndarray, memory: Memory | None = None, seed: int = 0
) -> Reranker:
    """Fit a reranker on stacked pool features and their grades."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    model = HistGradientBoostingRegressor(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=50, random_state=seed
    )
    return Reranker(model.fit(features, grades), memory=memory)
