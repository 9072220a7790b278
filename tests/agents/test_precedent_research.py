"""The precedent-research agent on a small hand-made bank in real Chroma."""

from __future__ import annotations

import pytest
from legal_orch_agents.precedent_research import AGENT, research

from legal_orch.context import ReviewContext
from legal_orch.domain import Clause, Subtask
from legal_orch.playbook import Playbook, Rule
from legal_orch.registry import Registry
from legal_orch.retrieval.store import Store
from legal_orch.settings import Settings
from tests.test_precedents import write_bank

RULE = Rule(
    id="renewal-notice",
    title="Enough notice to stop an automatic renewal",
    categories=["Notice Period to Terminate Renewal"],
    preferred="Either party may elect not to renew by giving at least 60 days' written notice.",
)
SUB = Subtask(id="s1", rule_id=RULE.id, categories=RULE.categories, agent="precedent_research")


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("research")
    settings = Settings(data_dir=tmp, precedents_per_finding=2)
    store = Store(settings, embedder, bank_dir=write_bank(tmp / "bank", embedder))
    return ReviewContext(
        settings=settings,
        playbook=Playbook(name="t", rules=[RULE]),
        registry=Registry([AGENT]),
        embedder=embedder,
        store=store,
    )


def clause(text: str, answer: str | None) -> Clause:
    return Clause(
        category="Notice Period to Terminate Renewal",
        text=text,
        page=1,
        start=0,
        end=len(text),
        confidence=0.9,
        answer=answer,
    )


def test_precedents_and_comparison_for_a_found_clause(ctx):
    found = clause(
        "This Agreement renews unless a party gives 10 days' notice of non-renewal.", "10 days"
    )
    precedents, comparison = research(SUB, RULE, [found], ctx)
    assert len(precedents) == 2
    assert {p.category for p in precedents} == {"Notice Period to Terminate Renewal"}
    assert all(p.text and p.source for p in precedents)
    assert comparison == (
        "Notice Period to Terminate Renewal: 10 days here; 100% of 5 precedent contracts give "
        "more and 0% less (median 60 days)."
    )


def test_missing_clause_gets_market_language_without_comparison(ctx):
    precedents, comparison = research(SUB, RULE, [], ctx)
    assert len(precedents) == 2
    assert all(p.category == "Notice Period to Terminate Renewal" for p in precedents)
    assert comparison is None


def test_category_absent_from_bank_falls_back_to_whole_bank(ctx):
    rule = RULE.model_copy(
        update={"categories": ["Audit Rights"], "preferred": "governed by New York law"}
    )
    precedents, _ = research(SUB, rule, [], ctx)
    assert precedents and precedents[0].category == "Governing Law"


def test_agent_declaration():
    assert AGENT.capability == "research" and AGENT.cost_tier == 0 and not AGENT.requires_llm
