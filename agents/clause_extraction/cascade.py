"""The cascade: tier 0 reads every sentence; tier 1 reads only where tier 0 is unsure.

Tier 0's TF-IDF heads score the whole contract in milliseconds. A category is unsure when its
best span's confidence falls in the cascade's band (neither clearly there nor clearly absent) or
when tier 0 is weak on it; for those categories only, tier 1 embeds tier 0's best sentences and
their neighbours, scores them, and the combiner merges both tiers' opinions. Sure categories keep
tier 0's spans. Which sentences to embed is decided here; the embedding itself is asked of the
caller (in a review, the store, so other agents share the vectors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from legal_orch_agents.clause_extraction.extract import TOP_K, candidates, sentence_margins
from legal_orch_agents.clause_extraction.model import ExtractionModel, shipped_model
from legal_orch_agents.clause_extraction.neural import Cascade, NeuralModel, sentence_features

from legal_orch.datasets.cuad_categories import CATEGORIES
from legal_orch.domain import Clause, Document, Segmentation

# rows -> (every sentence's vector, zero where not embedded; every sentence's heading vector)
VectorSource = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass
class Work:
    """What tier 1 read for one contract."""

    sentences: int  # sentences in the contract
    scored: int  # sentences tier 1 scored
    embedded: int  # sentences embedded (scored ones and their neighbours)
    categories: list[str]  # the categories tier 1 decided

    @property
    def share(self) -> float:
        """The share of tier 1's full work (every sentence embedded) that the cascade did."""
        return self.embedded / self.sentences if self.sentences else 0.0


def unsure(best: dict[str, list[Clause]], plan: Cascade) -> list[str]:
    """The categories tier 1 should decide: tier 0 weak on them, or its best span in the band."""
    out = []
    for cat in CATEGORIES:
        top = best[cat][0].confidence if best.get(cat) else 0.0
        if cat in plan.weak or plan.low <= top <= plan.high:
            out.append(cat)
    return out


def rows_to_read(m0: np.ndarray, cats: list[str], top: int) -> np.ndarray:
    """Tier 0's `top` sentences for each of `cats`, by its margin."""
    cols = [CATEGORIES.index(c) for c in cats]
    if not cols or not len(m0):
        return np.zeros(0, dtype=int)
    best = np.argsort(-m0[:, cols], axis=0, kind="stable")[:top]
    return np.unique(best.ravel())


def with_neighbours(rows: np.ndarray, n: int) -> np.ndarray:
    """`rows` and the sentences either side of them (their features read both)."""
    if not len(rows):
        return rows
    near = np.concatenate([rows - 1, rows, rows + 1])
    return np.unique(near[(near >= 0) & (near < n)])


def combined_margins(
    neural: NeuralModel, m0: np.ndarray, rows: np.ndarray, vectors: VectorSource
) -> np.ndarray:
    """Combined log-odds for every sentence: both tiers on `rows`, tier 0 alone elsewhere."""
    z = neural.combiner.tier0(m0)
    if len(rows):
        sents, heads = vectors(with_neighbours(rows, len(m0)))
        m1 = neural.head.margins(sentence_features(sents, heads, rows))
        z[rows] = neural.combiner(m0[rows], m1)
    return z


def tier1_margins(neural: NeuralModel, n: int, vectors: VectorSource) -> np.ndarray:
    """Tier 1's own log-odds for every sentence (it reads them all)."""
    rows = np.arange(n)
    sents, heads = vectors(rows)
    return neural.head.margins(sentence_features(sents, heads, rows))


def cascade_candidates(
    doc: Document,
    seg: Segmentation,
    neural: NeuralModel,
    vectors: VectorSource,
    k: int = TOP_K,
    base: ExtractionModel | None = None,
) -> tuple[dict[str, list[Clause]], Work]:
    """The n-best clauses per category, tier 1 consulted only for unsure categories."""
    base = base or shipped_model()
    m0 = sentence_margins(doc, seg, base)
    best = candidates(doc, seg, k, base, margins=m0)
    cats = unsure(best, neural.cascade)
    rows = rows_to_read(m0, cats, neural.cascade.top)
    work = Work(len(m0), len(rows), len(with_neighbours(rows, len(m0))), cats)
    if not cats:
        return best, work
    z = combined_margins(neural, m0, rows, vectors)
    refined = candidates(doc, seg, k, neural.combined_model(), margins=z)
    return {c: refined[c] if c in cats else best[c] for c in CATEGORIES}, work


def cut_offs(neural: NeuralModel, cats: Sequence[str]) -> tuple[dict, dict]:
    """Span and presence cut-offs: the combined tier's for `cats`, tier 0's for the rest."""
    base, comb = shipped_model(), neural.combined
    chosen = set(cats)
    spans = {c: (comb.thresholds if c in chosen else base.thresholds)[c] for c in CATEGORIES}
    present = {c: (comb.presence if c in chosen else base.presence)[c] for c in CATEGORIES}
    return spans, present
