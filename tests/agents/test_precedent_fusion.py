"""Dense and BM25 ranking alone and combined: the combiner's fit, round trip and shipped use."""

from __future__ import annotations

import json

import numpy as np
import pytest
from legal_orch_agents.precedent_research.bank import default_ranker
from legal_orch_agents.precedent_research.fusion import (
    INPUTS,
    Fusion,
    Single,
    default_model_path,
    fit_fusion,
    inputs,
)
from legal_orch_agents.precedent_research.rerank import Pool

from tests.agents.test_precedent_research import ctx  # noqa: F401 - the research fixture


def _pool(cos: np.ndarray, bm25: np.ndarray, seed: int = 0) -> Pool:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(len(cos), 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Pool(vectors, cos, bm25, [set()] * len(cos), np.full(len(cos), 200.0))


def _ndcg5(scores: np.ndarray, grades: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")[:5]
    ideal = np.sort(grades)[::-1][:5]
    disc = 1 / np.log2(np.arange(2, 7))
    return float((grades[order] * disc).sum() / (ideal * disc).sum())


def _judged_pools(n: int, seed: int):
    """Pools whose grade needs both retrievers: relevant clauses are near in meaning AND share
    the request's words; each retriever alone is fooled by half of the distractors."""
    rng = np.random.default_rng(seed)
    out = []
    for q in range(n):
        m = 60
        kind = rng.integers(3, size=m)  # 0: relevant, 1: same meaning only, 2: same words only
        cos = np.where(kind == 2, rng.uniform(0.1, 0.4, m), rng.uniform(0.5, 0.8, m))
        bm25 = np.where(kind == 1, rng.uniform(0, 2, m), rng.uniform(4, 9, m))
        grades = np.where(kind == 0, 3.0, 0.0)
        out.append((_pool(cos, bm25, seed * 100 + q), grades))
    return out


def test_the_combiner_beats_each_retriever_alone_where_relevance_needs_both(tmp_path):
    train, held = _judged_pools(20, 1), _judged_pools(10, 2)
    model = fit_fusion(
        np.vstack([inputs(p, set()) for p, _ in train]), np.concatenate([g for _, g in train])
    )

    def mean_ndcg(ranker) -> float:
        return float(np.mean([_ndcg5(ranker.score(p, set()), g) for p, g in held]))

    combined = mean_ndcg(model)
    assert combined > mean_ndcg(Single("dense")) + 0.1
    assert combined > mean_ndcg(Single("bm25")) + 0.1

    path = tmp_path / "fusion.json"
    model.save(path)
    again = Fusion.load(path)
    pool, _ = held[0]
    assert np.allclose(again.score(pool, set()), model.score(pool, set()), atol=1e-4)

    blob = json.loads(path.read_text())
    blob["inputs"] = list(INPUTS[:-1])
    path.write_text(json.dumps(blob))
    with pytest.raises(ValueError, match="inputs"):
        Fusion.load(path)


def test_single_rankers_read_one_retriever_each():
    pool = _pool(np.array([0.9, 0.1, 0.5]), np.array([0.0, 7.0, 3.0]))
    assert np.argmax(Single("dense").score(pool, set())) == 0
    assert np.argmax(Single("bm25").score(pool, set())) == 1
    with pytest.raises(ValueError):
        Single("neural")


@pytest.mark.skipif(not default_model_path().is_file(), reason="no shipped precedent combiner")
def test_the_review_search_uses_the_shipped_combiner_and_prefers_agreement():
    ranker = default_ranker()
    assert isinstance(ranker, Fusion)
    assert ranker.meta["trained_on"] == "ACORD qrels/train.tsv"
    # A clause both retrievers rank first outranks one only the dense retriever likes, which
    # outranks one neither likes: where the two disagree the score falls between.
    cos = np.concatenate([[0.8, 0.8, 0.2], np.linspace(0.3, 0.5, 20)])
    bm25 = np.concatenate([[9.0, 0.0, 0.0], np.linspace(1.0, 3.0, 20)])
    scores = ranker.score(_pool(cos, bm25), set())
    assert scores[0] > scores[1] > scores[2]


def test_the_review_search_takes_each_ranker_and_gets_its_own_back(ctx):  # noqa: F811
    from legal_orch_agents.precedent_research import AGENT, bank_of, research

    from tests.agents.test_precedent_research import RULES, sub

    rankers = AGENT.hooks["rankers"]()
    assert {"dense", "bm25", "rrf"} <= set(rankers)
    rule = next(iter(RULES.values()))
    shipped = bank_of(ctx).reranker
    previous = AGENT.hooks["use_ranker"](ctx, rankers["bm25"])
    try:
        assert previous is shipped and bank_of(ctx).reranker is rankers["bm25"]
        found, _ = research(sub(rule), rule, [], ctx)
        assert found and all(p.score is not None for p in found)
    finally:
        AGENT.hooks["use_ranker"](ctx, previous)
    assert bank_of(ctx).reranker is shipped
    if default_model_path().is_file():
        assert isinstance(shipped, Fusion)  # the review's own search orders with the combiner
