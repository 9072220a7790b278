"""The precedent-research agent on a hand-made market of 211 contracts, in real Chroma.

The market: 200 contracts under New York law and one under Ontario law, ten of them with an
exclusivity clause, five with notice periods to stop renewal, and one ACORD clause that ACORD's
lawyers rated five stars. Each test reads what a lawyer would read in the review.
"""

from __future__ import annotations

import re

import pytest
from legal_orch_agents.precedent_research import AGENT, research

from legal_orch.context import ReviewContext
from legal_orch.domain import Clause, Deal, KeyTerm, KeyTerms, Party, Subtask
from legal_orch.playbook import Playbook, Rule
from legal_orch.registry import Registry
from legal_orch.retrieval.store import Store
from legal_orch.settings import Settings
from tests.test_precedents import write_bank

NY = "This Agreement is governed by the laws of the State of New York (contract {i})."
ONTARIO = "This Agreement is governed by the laws of the Province of Ontario, Canada."
EXCLUSIVE = "Supplier appoints Distributor as its exclusive distributor in the Territory ({i})."
NOTICE = [30, 60, 90, 90, 180]
RATED_NY = (
    "This Agreement and any dispute arising from it shall be governed by and construed under "
    "the laws of the State of New York, without regard to its conflict of laws rules."
)


def contract(i: int) -> dict:
    law = ["Ontario"] if i == 200 else ["New York"]
    present = {"Governing Law": "Ontario, Canada" if i == 200 else "New York"}
    measures: dict = {"Governing Law": law}
    if i < 10:
        present["Exclusivity"] = "Yes"
    if i < len(NOTICE):
        present["Notice Period to Terminate Renewal"] = f"{NOTICE[i]} days"
        measures["Notice Period to Terminate Renewal"] = float(NOTICE[i])
    return {
        "key": f"c{i}",
        "label": f"Distributor agreement between Acme {i} Corp. and Beta {i} LLC",
        "title": "Distributor Agreement",
        "parties": [f"Acme {i} Corp.", f"Beta {i} LLC"],
        "contract_type": "distributor agreement",
        "present": present,
        "measures": measures,
    }


def record(i: int, category: str, text: str, answer: str | None) -> dict:
    c = contract(i)
    return {
        "id": f"cuad:{category[:3]}{i}",
        "text": text,
        "category": category,
        "contract": c["key"],
        "contract_type": c["contract_type"],
        "parties": c["parties"],
        "answer": answer,
        "source": c["label"],
        "corpus": "cuad",
    }


def market() -> tuple[list[dict], list[dict]]:
    contracts = [contract(i) for i in range(201)]
    records = [record(i, "Governing Law", NY.format(i=i), "New York") for i in range(200)]
    records.append(record(200, "Governing Law", ONTARIO, "Ontario, Canada"))
    records += [record(i, "Exclusivity", EXCLUSIVE.format(i=i), "Yes") for i in range(10)]
    records += [
        record(
            i,
            "Notice Period to Terminate Renewal",
            f"Either party may stop renewal by notice {d} days before the term ends.",
            f"{d} days",
        )
        for i, d in enumerate(NOTICE)
    ]
    records.append(
        {
            "id": "acord:ny5",
            "text": RATED_NY,
            "category": "Governing Law",
            "contract": None,
            "contract_type": None,
            "parties": [],
            "answer": None,
            "source": "ACORD clause (source contract not named)",
            "rating": 5,
            "rated_for": "New York Governing Law",
            "corpus": "acord",
        }
    )
    return records, contracts


RULES = {
    "law": Rule(
        id="governing-law",
        title="Governing law is one of the preferred jurisdictions",
        categories=["Governing Law"],
        preferred="The law of New York governs.",
    ),
    "exclusivity": Rule(
        id="no-exclusivity",
        title="No exclusive dealing",
        categories=["Exclusivity"],
        kind="avoid",
        preferred="The client may buy from and sell to anyone.",
    ),
    "renewal": Rule(
        id="renewal-notice",
        title="Enough notice to stop an automatic renewal",
        categories=["Notice Period to Terminate Renewal"],
        preferred="Either party may elect not to renew by giving 60 days' written notice.",
    ),
}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("research")
    records, contracts = market()
    settings = Settings(data_dir=tmp, precedents_per_finding=3)
    store = Store(
        settings, embedder, bank_dir=write_bank(tmp / "bank", embedder, records, contracts)
    )
    return ReviewContext(
        settings=settings,
        playbook=Playbook(name="t", rules=list(RULES.values())),
        registry=Registry([AGENT]),
        embedder=embedder,
        store=store,
    )


def clause(category: str, text: str, answer: str | None, confidence: float = 0.9) -> Clause:
    return Clause(
        category=category,
        text=text,
        page=1,
        start=0,
        end=len(text),
        confidence=confidence,
        answer=answer,
    )


def sub(rule: Rule, key_terms: KeyTerms | None = None) -> Subtask:
    deal = Deal(key_terms=key_terms) if key_terms else None
    return Subtask(
        id=rule.id, rule_id=rule.id, categories=rule.categories, agent=AGENT.name, deal=deal
    )


def test_how_common_counts_the_contracts_without_the_clause(ctx):
    # The bank holds only contracts that have the clause: "100% give the same" says nothing.
    found = clause("Exclusivity", "Supplier appoints Reseller as its exclusive reseller.", "Yes")
    _, comparison = research(sub(RULES["exclusivity"]), RULES["exclusivity"], [found], ctx)
    assert "100%" not in comparison
    assert "10 of the 201 precedent contracts (5%)" in comparison


def test_how_common_among_contracts_of_the_same_kind(ctx):
    found = clause("Exclusivity", "Supplier appoints Reseller as its exclusive reseller.", "Yes")
    terms = KeyTerms(
        parties=[
            Party(name="Acme Supplies Inc.", role="supplier"),
            Party(name="Acme Reseller Inc.", role="reseller"),
        ]
    )
    rule = RULES["exclusivity"]
    _, comparison = research(sub(rule, terms), rule, [found], ctx)
    assert (
        "as do 10 of the 201 precedent contracts (5%), and 10 of the 201 reseller and "
        in comparison
    )
    assert "distributor agreements (5%)." in comparison


def test_a_missing_clause_says_how_common_it_is(ctx):
    _, comparison = research(sub(RULES["exclusivity"]), RULES["exclusivity"], [], ctx)
    assert comparison.startswith("Exclusivity: none was found here; 10 of the 201")


def test_a_rare_law_is_a_count_never_zero_percent(ctx):
    found = clause(
        "Governing Law", "This Agreement is governed by the laws of Ontario, Canada.", "Ontario"
    )
    _, comparison = research(sub(RULES["law"]), RULES["law"], [found], ctx)
    assert not re.search(r"\b0%", comparison)
    assert "Ontario here" in comparison
    assert "1 chooses Ontario" in comparison
    assert "New York 200 (100%)" in comparison


def test_values_are_normalised_never_raw_sentences(ctx):
    raw = "13.1 This Agreement shall be governed by the laws of the State of New York."
    found = clause("Governing Law", raw, raw)
    _, comparison = research(sub(RULES["law"]), RULES["law"], [found], ctx)
    assert "New York here" in comparison
    assert "13.1" not in comparison and "shall be governed" not in comparison


def test_an_unreadable_value_falls_back_to_how_common_the_clause_is(ctx):
    raw = "13.1 This Agreement shall be governed by the laws agreed in Schedule 4."
    found = clause("Governing Law", raw, raw)
    _, comparison = research(sub(RULES["law"]), RULES["law"], [found], ctx)
    assert comparison.startswith("Governing Law: this contract has a Governing Law clause")
    assert "Schedule 4" not in comparison


def test_a_period_is_placed_in_the_market_distribution(ctx):
    found = clause(
        "Notice Period to Terminate Renewal",
        "This Agreement renews unless a party gives 10 days' notice of non-renewal.",
        "10 days",
    )
    _, comparison = research(sub(RULES["renewal"]), RULES["renewal"], [found], ctx)
    assert comparison.startswith("Notice Period to Terminate Renewal: 10 days here.")
    assert "5 of the 201 precedent contracts (2%) have such a clause" in comparison
    assert "0 shorter, 0 the same and 5 longer (median 90 days" in comparison


def test_key_terms_stand_in_where_the_clause_states_no_value(ctx):
    found = clause("Notice Period to Terminate Renewal", "Renewal may be stopped by notice.", None)
    terms = KeyTerms(nonrenewal_notice=KeyTerm(value="60 days", normalized=60, unit="days"))
    _, comparison = research(sub(RULES["renewal"], terms), RULES["renewal"], [found], ctx)
    assert "60 days here" in comparison and "1 shorter, 1 the same and 3 longer" in comparison


def test_precedents_are_named_by_type_and_parties_one_per_contract(ctx):
    found = clause("Exclusivity", "Supplier appoints Reseller as its exclusive reseller.", "Yes")
    precedents, _ = research(sub(RULES["exclusivity"]), RULES["exclusivity"], [found], ctx)
    assert len(precedents) == 3
    assert all(p.source.startswith("Distributor agreement between Acme") for p in precedents)
    assert all(".pdf" not in p.source.lower() and p.parties for p in precedents)
    assert len({p.source for p in precedents}) == 3


def test_the_best_rated_language_comes_first_with_its_rating(ctx):
    found = clause(
        "Governing Law", "This Agreement is governed by the laws of Ontario, Canada.", "Ontario"
    )
    precedents, comparison = research(sub(RULES["law"]), RULES["law"], [found], ctx)
    assert precedents[0].id == "acord:ny5" and precedents[0].rating == 5
    assert precedents[0].rated_for == "New York Governing Law"
    assert "rated 5 of 5 stars by ACORD's lawyers for “New York Governing Law”" in comparison


def test_language_is_offered_only_where_it_helps(ctx):
    # A clause the client avoids and does not have needs no "language to add".
    avoid = RULES["law"].model_copy(update={"kind": "avoid"})
    precedents, comparison = research(sub(avoid), avoid, [], ctx)
    assert "rated" not in comparison and all(p.rating is None for p in precedents)
    found = clause("Governing Law", NY.format(i=0), "New York")
    _, comparison = research(sub(avoid), avoid, [found], ctx)
    assert "If the clause must stay, the best-rated market language" in comparison
    _, comparison = research(sub(RULES["law"]), RULES["law"], [], ctx)
    assert "To add one, the best-rated market language" in comparison


def test_no_rated_language_no_offer(ctx):
    _, comparison = research(sub(RULES["renewal"]), RULES["renewal"], [], ctx)
    assert "rated" not in comparison
    assert comparison.endswith(
        "Of the 5 with one, 5 state a notice to stop renewal (median 90 days)."
    )


def test_category_absent_from_bank_falls_back_to_whole_bank(ctx):
    rule = RULES["law"].model_copy(
        update={"categories": ["Audit Rights"], "preferred": "governed by New York law"}
    )
    precedents, comparison = research(sub(rule), rule, [], ctx)
    assert precedents and precedents[0].category == "Governing Law"
    assert comparison.startswith("Audit Rights: none was found here; none of the 201")


def test_agent_declaration():
    assert AGENT.capability == "research" and AGENT.cost_tier == 0 and not AGENT.requires_llm
