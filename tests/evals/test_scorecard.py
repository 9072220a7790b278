"""The scorecard is fitted on dev only, and the router reads it per rule with a quality bar."""

from __future__ import annotations

import json

import pytest
from legal_orch_evals.cuad import run as run_cuad
from legal_orch_evals.cuad import select_contracts
from legal_orch_evals.scorecard import check_dev, write

from legal_orch.domain import Finding
from legal_orch.errors import LegalOrchError
from legal_orch.playbook import Playbook, Rule
from legal_orch.registry import AgentSpec, Registry
from legal_orch.router import choose, plan_subtasks, quality, rule_key
from legal_orch.settings import Settings
from tests.evals.test_review_eval import cuad_folder


def _risk(name: str, tier: int = 0) -> AgentSpec:
    def run(subtask, rule, clauses, doc, seg, ctx) -> Finding:  # pragma: no cover - not run
        raise NotImplementedError

    return AgentSpec(name=name, capability="risk", run=run, cost_tier=tier)


def test_write_keeps_other_agents_and_names_its_source(tmp_path):
    path = tmp_path / "scorecard.json"
    write("clause_extraction", {"Governing Law": 0.91234}, "legal-orch eval cuad: dev", path)
    write("risk_analysis", {rule_key("governing-law"): 0.8}, "legal-orch eval review: dev", path)
    write("risk_analysis", {rule_key("nda-1"): 0.6}, "legal-orch eval contractnli: dev", path)
    data = json.loads(path.read_text())
    assert data["agents"]["clause_extraction"] == {"Governing Law": 0.9123}
    assert data["agents"]["risk_analysis"] == {"rule:governing-law": 0.8, "rule:nda-1": 0.6}
    assert set(data["sources"]["risk_analysis"]) == {
        "legal-orch eval review",
        "legal-orch eval contractnli",
    }


def test_scorecard_only_from_dev():
    check_dev("dev")
    for split in ("test", "all", "train"):
        with pytest.raises(LegalOrchError, match="dev split only"):
            check_dev(split)


def test_router_reads_quality_per_rule_and_always_assigns_an_agent():
    cheap, strong = _risk("cheap"), _risk("strong", tier=1)
    card = {"cheap": {rule_key("law"): 0.9, rule_key("cap"): 0.2}, "strong": {rule_key("cap"): 0.7}}
    reg = Registry([cheap, strong]).with_scorecard(card)
    assert quality(reg.get("cheap"), ["Governing Law"], "law") == 0.9
    assert quality(reg.get("cheap"), [], "other") is None  # measured on other rules only
    assert choose(reg, "risk", ["Governing Law"], quality_bar=0.5, rule_id="law").name == "cheap"
    assert (
        choose(reg, "risk", ["Cap on Liability"], quality_bar=0.5, rule_id="cap").name == "strong"
    )
    # no agent meets the bar: the best measured one still gets the rule
    assert (
        choose(reg, "risk", ["Cap on Liability"], quality_bar=0.95, rule_id="cap").name == "strong"
    )
    book = Playbook(
        name="p",
        rules=[
            Rule(id="law", title="Law", categories=["Governing Law"]),
            Rule(id="cap", title="Cap", categories=["Cap on Liability"]),
            Rule(id="new", title="New", categories=["Insurance"]),
        ],
    )
    plan = plan_subtasks(book, reg, quality_bar=Settings().quality_bar)
    assert plan["law"].agent == "cheap" and plan["cap"].agent == "strong"
    assert plan["new"].agent in {"cheap", "strong"}


def test_default_quality_bar_is_set():
    assert 0.0 < Settings().quality_bar < 1.0


def test_eval_cuad_scores_a_user_folder_fully_and_says_how_many(tmp_path):
    data = cuad_folder(tmp_path / "cuad")
    contracts, split = select_contracts(data)
    assert split == "all" and len(contracts) == 2
    with pytest.raises(LegalOrchError, match="no contract"):
        select_contracts(data, "dev")  # both fixtures are test-split contracts
    m = run_cuad(data, tmp_path / "out")
    assert (m["split"], m["contracts"]) == ("all", 2)
    assert "2 contracts scored" in (tmp_path / "out" / "report.md").read_text()
    table = json.loads((tmp_path / "out" / "cost_quality.json").read_text())
    assert set(table["modes"]) == {"tier0", "tier1", "combined", "cascade"}
    assert table["modes"]["tier0"]["tier1_work_share"] == 0.0
    assert 0 < table["modes"]["cascade"]["tier1_work_share"] < 1
    assert table["embedded"] < table["sentences"]
    assert (
        "cascade (tier 1 where tier 0 is unsure)"
        in (tmp_path / "out" / "cost_quality.md").read_text()
    )
    with pytest.raises(LegalOrchError, match="dev split only"):
        run_cuad(data, tmp_path / "out2", scorecard=True)
