"""The neural tier: its artifact, the combiner's disagreement, the cascade's work, the generator."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
from legal_orch_agents.clause_extraction import CASCADE, TIER0, store_vectors
from legal_orch_agents.clause_extraction.cascade import (
    cascade_candidates,
    rows_to_read,
    unsure,
    with_neighbours,
)
from legal_orch_agents.clause_extraction.extract import candidates
from legal_orch_agents.clause_extraction.neural import (
    N_FEATURES,
    Cascade,
    Combiner,
    NeuralHead,
    NeuralModel,
    disagreement,
    sentence_features,
    shipped_neural,
)
from legal_orch_agents.clause_extraction.neural_train import fit_combiner, fit_mlp
from legal_orch_agents.clause_extraction.spans import parts, top_sentences

from legal_orch.datasets.cuad_categories import CATEGORIES
from legal_orch.domain import Clause
from legal_orch.ingest.pdf import parse_pdf
from legal_orch.ingest.segment import segment
from legal_orch.registry import default_registry
from legal_orch.retrieval.embeddings import DIM
from legal_orch.retrieval.store import Store
from legal_orch.settings import Settings
from tests.test_precedents import CountingEmbedder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cuad"
NETGEAR = FIXTURES / "NETGEAR,INC_04_21_2003-EX-10.16-DISTRIBUTOR AGREEMENT.pdf"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def netgear():
    doc = parse_pdf(NETGEAR)
    return doc, segment(doc)


# --- the artifact: small, loads, scores -------------------------------------------------------


def test_shipped_artifact_is_small_float16_and_scores_every_category():
    path = REPO / "corpora" / "models" / "clause_extraction_neural.npz"
    assert path.stat().st_size < 2_000_000
    with np.load(path) as z:
        assert z["w1"].dtype == np.float16 and z["w1"].shape[0] == N_FEATURES
    model = shipped_neural()
    assert model.head.labels == list(CATEGORIES)
    x = np.zeros((3, N_FEATURES), dtype=np.float32)
    assert model.head.margins(x).shape == (3, len(CATEGORIES))
    assert model.combiner.weights[2] <= 0  # disagreement never raises confidence
    assert set(model.meta["dev"]) >= {"tier0", "tier1", "combined"}


def test_save_and_load_round_trip_in_float16(tmp_path):
    rng = np.random.default_rng(0)
    head = NeuralHead(
        list(CATEGORIES),
        rng.standard_normal((N_FEATURES, 8)).astype(np.float32),
        np.zeros(8, np.float32),
        rng.standard_normal((8, len(CATEGORIES))).astype(np.float32),
        np.zeros(len(CATEGORIES), np.float32),
    )
    shipped = shipped_neural()
    model = NeuralModel(
        head, Combiner([1.0, 1.0, -2.0, 0.0], [1.0, 0.0], [1.0, 0.5, 2.0, 0.0]), shipped.tier1,
        shipped.combined,
        Cascade(0.1, 0.9, 5, ["Audit Rights"]), {"note": "hand-built"},
    )  # fmt: skip
    model.save(tmp_path / "m.npz")
    back = NeuralModel.load(tmp_path / "m.npz")
    x = rng.standard_normal((4, N_FEATURES)).astype(np.float32)
    assert np.allclose(
        back.head.margins(x), head.margins(x), atol=0.05 * np.abs(head.margins(x)).max()
    )
    assert back.cascade == model.cascade and back.combiner == model.combiner


def test_features_read_the_sentence_its_neighbours_and_heading():
    sents = np.eye(4, DIM, dtype=np.float32)
    heads = np.zeros((4, DIM), dtype=np.float32)
    heads[2, 10] = 1.0
    x = sentence_features(sents, heads, np.array([0, 2]))
    assert x.shape == (2, N_FEATURES)
    assert x[0, 0] == 1 and not x[0, DIM : 2 * DIM].any()  # the first sentence has no previous
    assert x[1, 2] == 1 and x[1, DIM + 1] == 1 and x[1, 2 * DIM + 3] == 1
    assert x[1, 3 * DIM + 10] == 1 and x[0, -1] == 1  # heading; the first sentence is early


def test_the_head_learns_a_separable_category():
    rng = np.random.default_rng(1)
    x = np.zeros((3000, N_FEATURES), dtype=np.float32)
    x[:, :8] = rng.standard_normal((3000, 8))  # a few informative dimensions, the rest silent
    y = np.zeros((3000, len(CATEGORIES)), dtype=bool)
    y[:, 0] = x[:, 0] > 1.0
    head, stats = fit_mlp(x[:2500], y[:2500], x[2500:], y[2500:], hidden=16, epochs=10, lr=1e-2)
    z = head.margins(x[2500:])[:, 0]
    assert z[y[2500:, 0]].mean() > z[~y[2500:, 0]].mean() + 1.0
    assert stats["dev_mean_ap"] > 0.8 and stats["epochs"] >= 1


# --- the combiner: disagreement lowers confidence -----------------------------------------


def test_disagreement_lowers_the_combined_score():
    comb = Combiner([0.6, 0.6, -0.5, -1.0], [0.8, -0.5], [1.0, 0.0, 1.0, 0.0])
    agree = comb(np.array([2.0]), np.array([2.0]))
    split = comb(np.array([6.0]), np.array([-2.0]))  # same sum of margins, opposite opinions
    assert disagreement(np.array([6.0]), np.array([-2.0]))[0] == 8.0
    assert split[0] < agree[0]


def test_fit_combiner_learns_that_disagreement_means_doubt():
    rng = np.random.default_rng(2)
    truth = rng.random(20000) < 0.1
    # each tier is right most of the time; when they disagree, one of them is wrong
    m0 = np.where(truth ^ (rng.random(20000) < 0.15), 3.0, -3.0) + rng.normal(0, 1, 20000)
    m1 = np.where(truth ^ (rng.random(20000) < 0.15), 3.0, -3.0) + rng.normal(0, 1, 20000)
    comb = fit_combiner(m0[:, None], m1[:, None], truth[:, None])
    assert comb.weights[2] < 0
    both = comb(np.array([3.0]), np.array([3.0]))[0]
    one = comb(np.array([3.0]), np.array([-3.0]))[0]
    assert one < both


def test_fit_combiner_refuses_a_disagreement_that_would_raise_confidence():
    rng = np.random.default_rng(3)
    m0 = rng.normal(0, 2, 5000)
    m1 = rng.normal(0, 2, 5000)
    truth = disagreement(m0, m1) > 3.0  # contrived: here disagreement marks the positives
    comb = fit_combiner(m0[:, None], m1[:, None], truth[:, None])
    assert comb.weights[2] == 0.0


# --- the cascade: tier 1 reads only what tier 0 is unsure of --------------------------------


def _clause(conf: float) -> Clause:
    return Clause(category="x", text="t", page=1, start=0, end=1, confidence=conf)


def test_unsure_categories_are_the_band_and_the_weak_ones():
    best = {c: [_clause(0.99)] for c in CATEGORIES}
    best["Audit Rights"] = [_clause(0.4)]
    best["Insurance"] = []
    plan = Cascade(0.05, 0.95, 4, weak=["Parties"])
    assert unsure(best, plan) == ["Parties", "Audit Rights"]
    assert unsure(best, Cascade(0.0, 1.0, 4)) == list(CATEGORIES)


def test_rows_to_read_are_tier0s_best_per_unsure_category_with_neighbours():
    m0 = np.full((30, len(CATEGORIES)), -5.0)
    j = CATEGORIES.index("Audit Rights")
    m0[[3, 17, 25], j] = [4.0, 3.0, 2.0]
    rows = rows_to_read(m0, ["Audit Rights"], 2)
    assert rows.tolist() == [3, 17]
    assert with_neighbours(rows, 30).tolist() == [2, 3, 4, 16, 17, 18]
    assert with_neighbours(np.array([0, 29]), 30).tolist() == [0, 1, 28, 29]
    assert rows_to_read(m0, [], 5).size == 0


def test_cascade_embeds_only_what_it_reads_and_keeps_tier0_where_sure(netgear, tmp_path):
    from legal_orch.retrieval.embeddings import default_embedder

    doc, seg = netgear
    counting = CountingEmbedder(default_embedder())
    store = Store(Settings(data_dir=tmp_path), counting)
    best, work = cascade_candidates(doc, seg, shipped_neural(), store_vectors(store, doc, seg))
    tier0 = candidates(doc, seg)
    assert 0 < work.embedded < work.sentences and work.scored <= work.embedded
    assert work.share == work.embedded / work.sentences
    held = store.sentence_vectors(doc, seg, [])  # what the cascade left in the store
    assert int((np.abs(held).sum(1) > 0).sum()) == work.embedded
    for cat in CATEGORIES:
        if cat not in work.categories:
            assert [c.text for c in best[cat]] == [c.text for c in tier0[cat]]
    assert work.categories, "the fixture has categories tier 0 is unsure of"


def test_nothing_unsure_means_no_embedding(netgear):
    doc, seg = netgear
    model = shipped_neural()
    sure = NeuralModel(model.head, model.combiner, model.tier1, model.combined, Cascade(2, 3, 10))

    def refuse(rows):
        raise AssertionError("tier 1 should not have been consulted")

    best, work = cascade_candidates(doc, seg, sure, refuse)
    assert work.categories == [] and work.embedded == 0
    assert best.keys() == candidates(doc, seg).keys()


def test_the_router_gives_a_review_the_better_measured_extractor():
    from legal_orch.router import choose

    reg = default_registry()
    assert reg.get(CASCADE.name).cost_tier == 1 and reg.get(TIER0.name).cost_tier == 0
    pick = choose(reg, "extract", quality_bar=Settings().quality_bar)
    t0 = reg.get(TIER0.name).quality_for([])
    t1 = reg.get(CASCADE.name).quality_for([])
    assert pick.name == (CASCADE.name if (t1 or -1) > (t0 or -1) else TIER0.name)


# --- the candidate generator -------------------------------------------------------------


def test_parts_split_a_sentence_at_colons_and_provisos():
    text = (
        "The Licensee shall pay royalties on net sales: provided, however, that no royalty "
        "shall be due on samples given away free"
    )
    got = [text[a:b] for a, b in parts(text)]
    assert got == [
        "The Licensee shall pay royalties on net sales",
        "provided, however, that no royalty shall be due on samples given away free",
    ]
    assert parts("A short sentence with no parts at all.") == []


def test_top_sentences_propose_each_best_sentence_alone(netgear):
    doc, seg = netgear
    from legal_orch_agents.clause_extraction.features import sentence_units

    units = sentence_units(doc, seg)
    m = np.zeros((len(units), 2))
    m[[5, 6, 7], 0] = [3.0, 2.9, 2.8]
    got = top_sentences(units, m, ["A", "B"], 3)
    a = [c for c in got if c.category == "A"]
    assert [(c.start, c.end, c.rank) for c in a] == [
        (units[i].start, units[i].end, r) for r, i in enumerate((5, 6, 7))
    ]


def test_the_n_best_spreads_over_passages(netgear):
    from legal_orch_agents.clause_extraction.spans import Candidate

    doc, _ = netgear
    x = importlib.import_module("legal_orch_agents.clause_extraction.extract")
    # three boundaries of one passage, then another passage with a lower confidence
    ranked = [
        (Candidate("Audit Rights", "sentence", 100, 300, 2.0, 0), 0.9),
        (Candidate("Audit Rights", "single", 100, 200, 2.0, 0), 0.8),
        (Candidate("Audit Rights", "clause", 50, 350, 2.0, 0), 0.7),
        (Candidate("Audit Rights", "top", 1000, 1100, 1.0, 1), 0.3),
    ]
    spread = [c.start for c, _ in x._distinct(doc, ranked, 3, cap=2)]
    assert spread == [100, 100, 1000]  # the third boundary waits for the other passage
    assert [c.start for c, _ in x._distinct(doc, ranked, 3)] == [100, 100, 50]
    assert [c.start for c, _ in x._distinct(doc, ranked, 4, cap=2)] == [100, 100, 50, 1000]


def test_the_cascade_agent_reviews_through_the_reviews_store(netgear, tmp_path):
    from legal_orch.context import ReviewContext
    from legal_orch.playbook import load_playbook
    from legal_orch.retrieval.embeddings import default_embedder

    doc, seg = netgear
    settings = Settings(data_dir=tmp_path)
    embedder = CountingEmbedder(default_embedder())
    store = Store(settings, embedder)
    ctx = ReviewContext(settings, load_playbook("commercial"), default_registry(), embedder, store)
    clauses = CASCADE.run(doc, seg, ctx)
    assert clauses and all(c.text == doc.text[c.start : c.end] for c in clauses)
    assert [(c.start, c.category) for c in clauses] == sorted(
        (c.start, c.category) for c in clauses
    )
    assert 0 < embedder.texts < len(seg.sentences) + 200  # a part of the sentences, and headings
    found = {c.category for c in clauses}
    assert "Governing Law" in found and "Document Name" in found
