"""The clause-extraction agent: CUAD's 41 categories with spans, confidences and answers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from legal_orch_agents.clause_extraction.cascade import (
    VectorSource,
    Work,
    cascade_candidates,
    cut_offs,
    tier1_margins,
)
from legal_orch_agents.clause_extraction.extract import (
    TOP_K,
    candidates,
    select,
    sentence_margins,
)
from legal_orch_agents.clause_extraction.model import shipped_model
from legal_orch_agents.clause_extraction.neural import ARTIFACT as NEURAL_ARTIFACT
from legal_orch_agents.clause_extraction.neural import shipped_neural
from legal_orch_agents.clause_extraction.vector_cache import expand, headings_of

from legal_orch.datasets.cuad_categories import CATEGORIES
from legal_orch.domain import Clause, Document, Segmentation
from legal_orch.registry import AgentSpec
from legal_orch.retrieval.embeddings import DIM

if TYPE_CHECKING:
    from legal_orch.context import ReviewContext
    from legal_orch.retrieval.store import Store


def extract_candidates(
    doc: Document, seg: Segmentation, vectors: np.ndarray | None = None, k: int = TOP_K
) -> dict[str, list[Clause]]:
    """The n-best (up to `k`) clauses per category with calibrated confidences."""
    # `vectors` (MiniLM sentence embeddings) are accepted for the graph's signature; this model
    # reads TF-IDF features only, so they are not needed and never computed here.
    del vectors
    return candidates(doc, seg, k)


def extract(
    doc: Document,
    seg: Segmentation,
    ctx: ReviewContext | None = None,
    vectors: np.ndarray | None = None,
) -> list[Clause]:
    """The clauses a review shows: per category, the spans above the dev-tuned threshold."""
    return select_shipped(extract_candidates(doc, seg, vectors))


def select_shipped(best: dict[str, list[Clause]]) -> list[Clause]:
    """The clauses a review shows from n-best `best`, with the shipped thresholds."""
    model = shipped_model()
    return select(best, model.thresholds, model.presence)


def _train(data: Path) -> dict:
    from legal_orch_agents.clause_extraction.train import main

    return main(data / "cuad" if (data / "cuad").is_dir() else data)


def _recalibrate(data: Path) -> dict:
    from legal_orch_agents.clause_extraction.train import recalibrate

    return recalibrate(data / "cuad" if (data / "cuad").is_dir() else data)


def _train_neural(data: Path) -> dict:
    from legal_orch_agents.clause_extraction.neural_train import main

    return main(data / "cuad" if (data / "cuad").is_dir() else data)


def store_vectors(store: Store, doc: Document, seg: Segmentation) -> VectorSource:
    """Vectors from the review's store: sentences shared with other agents, headings asked."""
    names, idx = headings_of(seg)

    def source(rows) -> tuple[np.ndarray, np.ndarray]:
        sents = store.sentence_vectors(doc, seg, rows)
        need = sorted({int(idx[r]) for r in rows if idx[r] >= 0})
        heads = np.zeros((len(names), DIM), dtype=np.float32)
        if need:
            heads[need] = store.embedder.encode([names[i] for i in need])
        return sents, expand(heads, idx)

    return source


def _default_store() -> Store:
    from legal_orch.retrieval.embeddings import default_embedder
    from legal_orch.retrieval.store import Store
    from legal_orch.settings import Settings

    settings = Settings()
    return Store(settings, default_embedder(settings))


def cascade(
    doc: Document, seg: Segmentation, store: Store | None = None
) -> tuple[dict[str, list[Clause]], Work]:
    """The cascade's n-best clauses per category and what tier 1 read to make them."""
    store = store or _default_store()
    return cascade_candidates(doc, seg, shipped_neural(), store_vectors(store, doc, seg))


def select_cascade(best: dict[str, list[Clause]], work: Work) -> list[Clause]:
    """The clauses a review shows from the cascade's n-best, each tier with its own cut-offs."""
    spans, present = cut_offs(shipped_neural(), work.categories)
    return select(best, spans, present)


def extract_cascade(
    doc: Document, seg: Segmentation, ctx: ReviewContext | None = None
) -> list[Clause]:
    """Tier 0 everywhere, tier 1 where tier 0 is unsure: the clauses a review shows."""
    best, work = cascade(doc, seg, ctx.store if ctx is not None else None)
    return select_cascade(best, work)


def tier1_candidates(
    doc: Document, seg: Segmentation, store: Store | None = None
) -> dict[str, list[Clause]]:
    """Tier 1 alone: every sentence embedded and scored by the neural head."""
    store = store or _default_store()
    neural = shipped_neural()
    m1 = tier1_margins(neural, len(seg.sentences), store_vectors(store, doc, seg))
    return candidates(doc, seg, model=neural.tier1_model(), margins=m1)


def combined_candidates(
    doc: Document, seg: Segmentation, store: Store | None = None
) -> dict[str, list[Clause]]:
    """Both tiers on every sentence, merged by the combiner."""
    store = store or _default_store()
    neural = shipped_neural()
    m0 = sentence_margins(doc, seg, shipped_model())
    m1 = tier1_margins(neural, len(seg.sentences), store_vectors(store, doc, seg))
    z = neural.combiner(m0, m1)
    return candidates(doc, seg, model=neural.combined_model(), margins=z)


def select_tier1(best: dict[str, list[Clause]]) -> list[Clause]:
    t = shipped_neural().tier1
    return select(best, t.thresholds, t.presence)


def select_combined(best: dict[str, list[Clause]]) -> list[Clause]:
    t = shipped_neural().combined
    return select(best, t.thresholds, t.presence)


TIER0 = AgentSpec(
    name="clause_extraction",
    capability="extract",
    run=extract,
    description="Finds CUAD's 41 clause categories with exact spans, confidences and normalised answers.",
    categories=None,
    cost_tier=0,
    implementation=(
        "offline: TF-IDF (word 1-2 grams + heading/neighbour context) logistic heads over "
        "sentences, date mentions and title lines; spans grown within clauses; dev-calibrated"
    ),
    models=("corpora/models/clause_extraction.npz",),
    train={"extract": _train, "extract-calibration": _recalibrate},
    hooks={"candidates": extract_candidates, "select": select_shipped},
)

CASCADE = AgentSpec(
    name="clause_extraction_cascade",
    capability="extract",
    run=extract_cascade,
    description=(
        "Tier 0 on every sentence; where it is unsure, a neural tier over MiniLM vectors reads "
        "its best sentences and a combiner merges both opinions."
    ),
    categories=None,
    cost_tier=1,
    implementation=(
        "offline: tier 0 (TF-IDF heads) everywhere; for unsure categories a one-layer network "
        "over frozen all-MiniLM-L6-v2 vectors of the sentence, its neighbours and its heading, "
        "combined with tier 0 by a dev-fitted logistic combiner that lowers confidence where "
        "the tiers disagree"
    ),
    models=("corpora/models/clause_extraction.npz", f"corpora/models/{NEURAL_ARTIFACT}"),
    train={"extract-neural": _train_neural},
    hooks={
        "cascade": cascade,
        "select_cascade": select_cascade,
        "tier1": tier1_candidates,
        "select_tier1": select_tier1,
        "combined": combined_candidates,
        "select_combined": select_combined,
    },
)

# The entry point (`legal_orch_agents.clause_extraction:AGENT`) registers both tiers.
AGENT = (TIER0, CASCADE)

__all__ = ["AGENT", "CASCADE", "CATEGORIES", "TIER0", "extract", "extract_candidates"]
