"""The NDA tiers: the tier-1 model's train / save / load / score path, the combiner, the cascade."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from legal_orch_agents.risk_analysis import AGENT, RISK_AGENT
from legal_orch_agents.risk_analysis.nda import TIER1_AGENT, decide_cascade
from legal_orch_agents.risk_analysis.nli import NliPrediction
from legal_orch_agents.risk_analysis.nli_combine import (
    Combiner,
    _fit_confidence,
    cascade,
    fit_combiner,
)
from legal_orch_agents.risk_analysis.nli_neural import NeuralNliModel
from legal_orch_agents.risk_analysis.nli_neural import default_model_path as tier1_path
from legal_orch_agents.risk_analysis.nli_neural_train import Tier1Params, fit
from legal_orch_agents.risk_analysis.nli_train import embed_documents, embed_hypotheses

from legal_orch.datasets.contractnli import CHOICES, NliAnnotation, NliDataset, NliDocument
from legal_orch.ingest.segment import segment
from legal_orch.playbook import load_playbook
from legal_orch.registry import Registry
from legal_orch.router import choose, rule_key
from tests.playbook_examples import example_document

HYPS = {
    "h-employees": "Receiving Party may share some Confidential Information with its employees.",
    "h-licence": "Agreement shall not grant Receiving Party any right to Confidential Information.",
}
SHARE = "The Recipient may disclose Confidential Information to its employees who need to know it."
LICENCE = "Nothing in this Agreement grants the Recipient any licence or right in the information."
FILLER = [
    "This Agreement is governed by the laws of the State of Delaware.",
    "Notices shall be given in writing to the addresses above.",
    "This Agreement may be signed in counterparts.",
    "The parties wish to discuss a possible business relationship.",
]


def _doc(i: int, share: bool, licence: bool) -> NliDocument:
    sentences = [FILLER[i % 4], *([SHARE] if share else []), FILLER[(i + 1) % 4]]
    sentences += [LICENCE] if licence else []
    text, spans = "", []
    for s in sentences:
        spans.append((len(text), len(text) + len(s)))
        text += s + " "

    def ann(present: bool, sentence: str) -> NliAnnotation:
        if not present:
            return NliAnnotation(choice="NotMentioned", spans=[])
        return NliAnnotation(choice="Entailment", spans=[sentences.index(sentence)])

    annotations = {"h-employees": ann(share, SHARE), "h-licence": ann(licence, LICENCE)}
    return NliDocument(id=f"d{i}", text=text, spans=spans, annotations=annotations)


@pytest.fixture(scope="module")
def tiny(embedder):
    docs = [_doc(i, share=i % 2 == 0, licence=i % 3 != 0) for i in range(12)]
    data = NliDataset(hypotheses=HYPS, documents=docs)
    embs = embed_documents(docs, embedder)
    params = Tier1Params(hidden=16, epochs=60, positive_copies=2, inner_folds=2, label_c=1.0)
    return data, embs, fit(data, embs, embed_hypotheses(HYPS, embedder), params)


def test_tier1_learns_evidence_and_labels_and_round_trips_in_float16(tiny, tmp_path, embedder):
    data, _, model = tiny
    doc = _doc(20, share=True, licence=False)
    emb = embed_documents([doc], embedder)[0]
    preds = model.predict(doc.span_texts(), emb)
    share = preds["h-employees"]
    assert share.choice == "Entailment"
    assert int(np.argmax(share.span_scores)) == doc.span_texts().index(SHARE)
    assert preds["h-licence"].choice == "NotMentioned"
    assert abs(sum(share.probs.values()) - 1.0) < 1e-5

    path = tmp_path / "tier1.npz"
    model.save(path)
    with np.load(path) as z:
        assert z["W1"].dtype == np.float16 and z["lab_W"].dtype == np.float16
    again = NeuralNliModel.load(path).predict(doc.span_texts(), emb)
    for hid, p in preds.items():
        assert again[hid].choice == p.choice
        assert np.allclose(again[hid].span_scores, p.span_scores, atol=2e-2)
    # Asking for one hypothesis scores that one alone (what the cascade pays for).
    assert set(NeuralNliModel.load(path).predict(doc.span_texts(), emb, only=["h-licence"])) == {
        "h-licence"
    }


def test_missing_tier1_model_names_the_train_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="train model nli1"):
        NeuralNliModel.load(tmp_path / "none.npz")


def _pred(choice: str, p: float, hid: str = "h") -> NliPrediction:
    rest = (1.0 - p) / 2
    probs = {c: (p if c == choice else rest) for c in CHOICES}
    return NliPrediction(hid, choice, probs, [0.9, 0.1])  # type: ignore[arg-type]


def _pairs(seed: int):
    """Pairs of two models' predictions, right 75% and 70% of the time, independently."""
    rng = np.random.default_rng(seed)
    p0, p1, gold = [], [], []
    for _ in range(600):
        g = CHOICES[int(rng.integers(3))]
        others = [c for c in CHOICES if c != g]
        c0 = g if rng.random() < 0.75 else others[int(rng.integers(2))]
        c1 = g if rng.random() < 0.7 else others[int(rng.integers(2))]
        p0.append(_pred(c0, float(rng.uniform(0.4, 0.9))))
        p1.append(_pred(c1, float(rng.uniform(0.4, 0.9))))
        gold.append(g)
    return p0, p1, gold


def test_disagreement_lowers_the_combined_confidence():
    comb = fit_combiner(*_pairs(1))
    p0 = _pred("Entailment", 0.7)
    agreed, conf_agree = comb.combine(p0, _pred("Entailment", 0.7))
    split, conf_split = comb.combine(p0, _pred("Contradiction", 0.7))
    assert agreed.choice == "Entailment"
    assert conf_split < conf_agree - 0.05
    assert 0.0 < conf_split < conf_agree < 1.0


def test_agreement_never_raises_confidence_even_where_the_data_would_say_so():
    rng = np.random.default_rng(2)
    top = rng.uniform(0.4, 0.95, 800)
    agree = (rng.random(800) < 0.6).astype(float)
    # Here agreement goes with wrong answers: the fit would give it a negative weight.
    right = rng.random(800) < np.where(agree == 1, 0.5, 0.9)
    conf = _fit_confidence(top, agree, right)
    assert conf[1] == 0.0  # the agreement term is held at zero, never negative
    comb = Combiner(np.zeros((3, 7)), np.zeros(3), conf, 0.5, disagree_cap=0.5)
    for t in (0.4, 0.6, 0.8, 0.95):
        assert comb.confidence(t, agree=False) <= comb.confidence(t, agree=True)


def test_cascade_threshold_keeps_tier1_to_at_most_half_of_the_work():
    p0, p1, gold = _pairs(3)
    comb = fit_combiner(p0, p1, gold)
    share = np.mean([comb.needs_tier1(a) for a in p0])
    assert 0.0 < share <= 0.5
    sure = next(a for a in p0 if not comb.needs_tier1(a))
    assert cascade(comb, sure, _pred("NotMentioned", 0.99)) is sure


NDA = (
    "MUTUAL NON-DISCLOSURE AGREEMENT\n\n"
    "1. Confidential Information means all information disclosed by either party, whether "
    "orally or in writing.\n\n"
    "2. The Receiving Party shall use the Confidential Information solely for the purpose of "
    "evaluating the proposed transaction.\n\n"
    "3. The Receiving Party may disclose Confidential Information to its employees who need to "
    "know it.\n\n"
    "4. This Agreement is governed by the laws of the State of New York."
)


@pytest.mark.skipif(
    not tier1_path().is_file(), reason="no shipped tier-1 model (legal-orch train model nli1)"
)
@pytest.mark.parametrize(("threshold", "tier1_runs"), [(0.0, False), (1.01, True)])
def test_the_cascade_runs_tier1_only_where_tier0_is_unsure(embedder, threshold, tier1_runs):
    doc = example_document(NDA)
    seg = segment(doc)
    comb = Combiner.load()
    comb.threshold = threshold
    ctx = SimpleNamespace(cache={"risk_analysis.nli_combiner": comb}, embedder=embedder)
    book = load_playbook("nda")
    findings = [decide_cascade(r, doc, seg, ctx) for r in book.rules]  # type: ignore[arg-type]
    ran = any(k.startswith("risk_analysis.nli1") for k in ctx.cache)
    assert ran is tier1_runs
    assert all(f.agent == TIER1_AGENT for f in findings)
    said = " ".join(f.explanation for f in findings)
    assert ("two models read it" in said) is tier1_runs
    for f in findings:
        assert 0.0 < f.confidence <= 1.0
        assert all(c.quote == doc.text[c.start : c.end] for c in f.citations)
    limited = next(f for f in findings if f.rule_id == "nda-limited-use")
    assert limited.status == "compliant"


def test_the_router_gives_an_nda_rule_to_tier1_only_where_tier0_is_below_the_bar():
    tier1 = next(s for s in AGENT if s.name == TIER1_AGENT)
    weak, strong = "nda-retention", "nda-limited-use"
    card = {
        RISK_AGENT.name: {rule_key(weak): 0.55, rule_key(strong): 0.82, "Cap on Liability": 0.9},
        tier1.name: {rule_key(weak): 0.75, rule_key(strong): 0.84},
    }
    reg = Registry(AGENT).with_scorecard(card)
    assert choose(reg, "risk", [], quality_bar=0.7, rule_id=weak).name == tier1.name
    assert choose(reg, "risk", [], quality_bar=0.7, rule_id=strong).name == RISK_AGENT.name
    commercial = choose(reg, "risk", ["Cap on Liability"], quality_bar=0.95, rule_id="cap")
    assert commercial.name == RISK_AGENT.name  # tier 1 never takes a clause rule
