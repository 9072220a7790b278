"""`eval contractnli`: the NDA playbook's decisions on the product's own segmentation."""

from __future__ import annotations

import numpy as np
import pytest
from legal_orch_evals.contractnli import (
    UNDECIDED,
    as_document,
    cost_quality_markdown,
    embed_spans,
    label_of,
    product_metrics,
    product_path,
    run,
    tier_comparison,
)

from legal_orch.datasets.contractnli import (
    NliAnnotation,
    NliDataset,
    NliDocument,
    load_contractnli,
)
from legal_orch.domain import Citation, Finding
from legal_orch.playbook import load_playbook
from legal_orch.router import choose

NDA = load_playbook("nda")

TEXT = (
    "MUTUAL NON-DISCLOSURE AGREEMENT. "
    "Confidential Information means any information disclosed by either party, whether in "
    "writing, orally or visually. "
    "The Receiving Party shall use Confidential Information solely to evaluate the proposed "
    "transaction. "
    "This Agreement is governed by the laws of the State of New York."
)


def _nda() -> NliDataset:
    """One hand-made NDA with ContractNLI's layout: spans, and gold for the verbal hypothesis."""
    spans, start = [], 0
    for sentence in TEXT.split(". "):
        end = TEXT.index(sentence, start) + len(sentence)
        spans.append((TEXT.index(sentence, start), end))
        start = end
    verbal = next(r for r in NDA.rules if r.id == "nda-verbal-information")
    other = {r.hypothesis_id: NliAnnotation(choice="NotMentioned", spans=[]) for r in NDA.rules}
    other[verbal.hypothesis_id] = NliAnnotation(choice="Entailment", spans=[1])
    doc = NliDocument(id="nda-1", text=TEXT, spans=spans, annotations=other)
    hyps = {r.hypothesis_id: r.hypothesis or r.title for r in NDA.rules}
    return NliDataset(hypotheses=hyps, documents=[doc])


def _finding(rule, status: str, cites=()) -> Finding:
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity="info",
        status=status,
        explanation="x",
        citations=list(cites),
    )


def test_label_of_maps_statuses_back_through_the_preferred_answer():
    prefers_c = next(r for r in NDA.rules if r.hypothesis_preferred == "Contradiction")
    prefers_e = next(r for r in NDA.rules if r.hypothesis_preferred == "Entailment")
    assert label_of(prefers_c, _finding(prefers_c, "compliant")) == "Contradiction"
    assert label_of(prefers_c, _finding(prefers_c, "deviation")) == "Entailment"
    assert label_of(prefers_e, _finding(prefers_e, "deviation")) == "Contradiction"
    assert label_of(prefers_e, _finding(prefers_e, "missing")) == "NotMentioned"
    assert label_of(prefers_e, _finding(prefers_e, "needs_review")) == UNDECIDED
    assert label_of(prefers_e, None) == UNDECIDED  # a failed agent is never a label


def test_product_metrics_score_labels_and_cited_sentences_on_gold_spans():
    data = _nda()
    doc = data.documents[0]
    verbal = next(r for r in NDA.rules if r.id == "nda-verbal-information")
    on_gold = Citation(page=1, start=doc.spans[1][0], end=doc.spans[1][1], quote="")
    off_gold = Citation(page=1, start=doc.spans[3][0], end=doc.spans[3][1], quote="")
    decided = {doc.id: {r.id: _finding(r, "missing") for r in NDA.rules}}
    decided[doc.id][verbal.id] = _finding(verbal, "compliant", [on_gold, off_gold])
    m = product_metrics(data, decided, NDA.rules)
    assert m["documents"] == 1 and m["hypotheses"] == len(NDA.rules)
    assert m["per_hypothesis"][verbal.hypothesis_id]["accuracy"] == 1.0
    assert m["evidence_cited"] == 2 and m["evidence_cited_on_gold"] == 0.5
    assert m["evidence_pairs_with_a_hit"] == 1.0 and m["undecided"] == 0


def test_product_path_runs_the_routed_nda_agent_on_our_segmentation(embedder):
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings

    data = _nda()
    assert as_document(data.documents[0]).text == TEXT
    ctx = Reviewer(Settings(), playbook="nda", embedder=embedder).context()
    m, rows = product_path(data, ctx)
    # The router gives each NDA rule to tier 0 or, where the scorecard says tier 0 is weak, to
    # the tier-1 cascade.
    assert m["failures"] == [] and set(m["agents"]) <= {"risk_analysis", "nli_tier1"}
    for rule in NDA.rules:
        chosen = choose(ctx.registry, "risk", rule.categories, quality_bar=0.7, rule_id=rule.id)
        assert m["agent_by_rule"][rule.id] == [chosen.name]
    assert set(rows["nda-1"]) == {r.id for r in NDA.rules}
    for row in rows["nda-1"].values():
        assert row is not None
        for a, b in row["citations"]:
            assert 0 <= a < b <= len(TEXT)
    assert 0.0 <= m["accuracy"] <= 1.0


def test_eval_contractnli_on_shared_dev(shared_data, tmp_path, embedder):
    import json

    dev = shared_data / "contract_nli" / "dev.json"
    small = tmp_path / "dev.json"
    raw = json.loads(dev.read_text(encoding="utf-8"))
    raw["documents"] = raw["documents"][:2]
    small.write_text(json.dumps(raw), encoding="utf-8")
    m = run(small, tmp_path / "out", embedder=embedder)
    assert m["documents"] == 2
    assert m["product"]["documents"] == 2 and m["gold_spans"]["documents"] == 2
    assert set(m["tiers"]) >= {"tier0", "tier1", "combined", "cascade"}
    assert "cascade" in (tmp_path / "out" / "cost_quality.md").read_text(encoding="utf-8")
    assert len(load_contractnli(small).documents) == 2
    assert (tmp_path / "out" / "product.json").exists()


def test_scorecard_refused_from_a_test_file(tmp_path):
    from legal_orch.errors import LegalOrchError

    with pytest.raises(LegalOrchError, match="dev split only"):
        run(tmp_path / "test.json", tmp_path / "out", scorecard=True)


def test_tiers_alone_combined_and_cascaded_are_scored_out_of_fold(embedder):
    from legal_orch.registry import default_registry

    base = _nda()
    rng = np.random.default_rng(0)
    docs = []
    for i in range(6):  # six NDAs of one text whose gold labels differ: enough for folds
        ann = {
            h: NliAnnotation(choice=str(rng.choice(["Entailment", "Contradiction"])), spans=[1])
            if rng.random() < 0.5
            else NliAnnotation(choice="NotMentioned", spans=[])
            for h in base.hypotheses
        }
        docs.append(base.documents[0].model_copy(update={"id": f"nda-{i}", "annotations": ann}))
    data = NliDataset(hypotheses=base.hypotheses, documents=docs)
    memo, cpu = embed_spans(data, embedder)
    tiers = tier_comparison(data, default_registry(), memo, cpu)
    for key in ("tier0", "tier1", "combined", "cascade"):
        assert 0.0 <= tiers[key]["accuracy"] <= 1.0
        assert tiers[key]["cpu_seconds_per_nda"] >= tiers["embedding_cpu_seconds_per_nda"]
    assert tiers["tier0"]["tier1_share"] == 0.0 and tiers["tier1"]["tier1_share"] == 1.0
    n_pairs = len(docs) * len(data.hypotheses)
    assert sum(tiers["gold"].values()) == n_pairs == sum(tiers["cascade"]["predicted"].values())
    assert 0.0 <= tiers["cascade"]["tier1_share"] <= 1.0
    pairs = sum(v["pairs"] for v in tiers["agreement"].values())
    assert pairs == len(docs) * len(data.hypotheses)
    table = cost_quality_markdown(tiers, {})
    assert "cascade: tier 1 only where tier 0 is unsure" in table
