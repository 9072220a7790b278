"""The clause-extraction agent: CUAD's 41 categories with spans, confidences and answers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from legal_orch_agents.clause_extraction.extract import TOP_K, candidates, select
from legal_orch_agents.clause_extraction.model import shipped_model

from legal_orch.datasets.cuad_categories import CATEGORIES
from legal_orch.domain import Clause, Document, Segmentation
from legal_orch.registry import AgentSpec

if TYPE_CHECKING:
    from legal_orch.context import ReviewContext


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


AGENT = AgentSpec(
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
    train={"extract": _train},
    hooks={"candidates": extract_candidates, "select": select_shipped},
)

__all__ = ["AGENT", "CATEGORIES", "extract", "extract_candidates"]
