"""Precedent research: the closest market precedents for a rule and how our terms compare.

Offline: hybrid search (MiniLM in Chroma + BM25, their candidates ordered by a linear combiner of
the two fitted on ACORD train) over the shipped CUAD/ACORD precedent bank; the best-rated language (ACORD's lawyers' ratings) for the rule; and a
comparison of the contract's terms with every precedent contract's (how common the clause is,
where its law, periods and cap sit in the market).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from legal_orch_agents.precedent_research import ours
from legal_orch_agents.precedent_research.bank import DEFAULT_BANK, PrecedentBank
from legal_orch_agents.precedent_research.market import PERIODS, ROLE_TYPES, Market

from legal_orch.context import ReviewContext
from legal_orch.domain import Clause, KeyTerms, Precedent, Subtask
from legal_orch.playbook import Rule
from legal_orch.registry import AgentSpec


def bank_of(ctx: ReviewContext) -> PrecedentBank:
    """Return the precedent bank of this review's store, loaded (and indexed) once per store."""
    return ctx.store.shared(
        "precedent_bank",
        lambda store: PrecedentBank.load(
            store.bank_dir or DEFAULT_BANK,
            embedder=store.embedder,
            client_factory=lambda: store.client,
        ),
    )


def setup(ctx: ReviewContext) -> str:
    """Index the shipped bank in this store ahead of the first review."""
    return f"precedent bank indexed: {bank_of(ctx).ensure_indexed().count()} clauses"


def _train_rerank(data: Path) -> dict:
    from legal_orch_agents.precedent_research.acord import train_reranker

    return train_reranker(data / "acord" if (data / "acord").is_dir() else data)


def _train_fusion(data: Path) -> dict:
    from legal_orch_agents.precedent_research.acord import train_fusion

    return train_fusion(data / "acord" if (data / "acord").is_dir() else data)


def _build_bank(data: Path) -> dict:
    from legal_orch_agents.precedent_research.build import main

    return main(data)


def _acord_hook(name: str):
    def call(*args, **kwargs):
        from legal_orch_agents.precedent_research import acord

        return getattr(acord, name)(*args, **kwargs)

    return call


QUERY_CLAUSES = 3  # the clauses of the rule, best first, whose text makes the query
MIN_RATING = 4  # stars out of 5: the least rating a clause needs to be offered as language
POOL_FACTOR = 3  # per category, search this many times `k` so duplicates can be dropped


def query_for(rule: Rule, clauses: list[Clause]) -> tuple[str, list[str]]:
    """Return the text to search with and the categories to search in."""
    if clauses:
        best = sorted(clauses, key=lambda c: -c.confidence)[:QUERY_CLAUSES]
        categories = list(dict.fromkeys(c.category for c in best))
        return " ".join(dict.fromkeys(c.text for c in best)), categories
    # No clause found: show what market-standard language for the rule looks like.
    return rule.preferred or rule.title, list(rule.categories)


def closest(
    bank: PrecedentBank,
    text: str,
    categories: list[str],
    k: int,
    query: np.ndarray | None = None,
) -> list[Precedent]:
    """Return the `k` best precedents over `categories` (the whole bank if none match).

    One per contract and one per wording: a lawyer gains nothing from the same clause twice.
    """
    if query is None and text.strip():
        query = bank.embedder.encode([text])[0]
    found = (
        bank.search(text, k=k * POOL_FACTOR, category=categories, query=query) if categories else []
    )
    if not found:
        found = bank.search(text, k=k * POOL_FACTOR, query=query)
    return distinct(bank, found)[:k]


def distinct(bank: PrecedentBank, precedents: list[Precedent]) -> list[Precedent]:
    """Keep the first precedent of each contract and of each wording, in order."""
    seen: set[str] = set()
    out = []
    for p in precedents:
        keys = {bank.contract_of(p), bank.text_key_of(p)}
        if not keys & seen:
            out.append(p)
            seen |= keys
    return out


def alternative(
    bank: PrecedentBank, rule: Rule, categories: list[str], query: np.ndarray
) -> Precedent | None:
    """Return the best-rated precedent language for the rule (ACORD's lawyers' ratings)."""
    return bank.best_rated(query, categories, MIN_RATING)


def comparison_for(
    bank: PrecedentBank,
    rule: Rule,
    clauses: list[Clause],
    key_terms: KeyTerms | None,
    offered: Precedent | None = None,
) -> str | None:
    """Compare the contract with the market for each of the rule's categories."""
    if not bank.market.contracts:
        return None
    lines = [
        sentence(bank.market, category, [c for c in clauses if c.category == category], key_terms)
        for category in dict.fromkeys(rule.categories or [c.category for c in clauses])
    ]
    if offered is not None:
        lines.append(offer_line(offered, rule, present=bool(clauses)))
    return " ".join(lines) or None


def sentence(
    market: Market, category: str, clauses: list[Clause], key_terms: KeyTerms | None
) -> str:
    """One sentence placing this contract's clause of `category` in the market."""
    present = bool(clauses)
    kinds = contract_kinds(key_terms)
    if category == "Governing Law":
        return market.law(ours.law(clauses, key_terms), present, kinds)
    if category == "Cap on Liability":
        return market.cap(ours.cap(clauses, key_terms), present, kinds)
    if category in PERIODS:
        return market.period(category, ours.days(category, clauses, key_terms), present, kinds)
    return market.presence(category, present, kinds)


def contract_kinds(key_terms: KeyTerms | None) -> tuple[str, ...]:
    """The precedent contract types this contract is one of, from its parties' roles.

    The most telling role decides: a reseller's supplier still signs a reseller agreement.
    """
    roles = {p.role for p in key_terms.parties} if key_terms else set()
    return next((ROLE_TYPES[r] for r in ROLE_TYPES if r in roles), ())


# How the best-rated language is offered, by the rule's kind and whether the clause is there.
# A clause the client avoids and does not have needs no language; nor does one only reported on.
OFFERS = {
    ("require", True): "Should this clause be renegotiated, the",
    ("require", False): "To add one, the",
    ("avoid", True): "If the clause must stay, the",
    ("inform", True): "Should this clause be renegotiated, the",
}


def offers(rule: Rule, present: bool) -> bool:
    """Whether best-rated language helps a lawyer with this rule and this contract."""
    return (rule.kind, present) in OFFERS


def offer_line(p: Precedent, rule: Rule, present: bool) -> str:
    """Say where the best-rated language is and what it was rated for."""
    lead = OFFERS[(rule.kind, present)]
    source = p.source if p.source[1:2].isupper() else p.source[:1].lower() + p.source[1:]
    where = f"from the {source}" if p.contract_type else "from a contract ACORD does not name"
    return (
        f"{lead} best-rated market language is the first precedent below ({where}; rated "
        f"{p.rating} of 5 stars by ACORD's lawyers for “{p.rated_for}”)."
    )


def research(
    subtask: Subtask, rule: Rule, clauses: list[Clause], ctx: ReviewContext
) -> tuple[list[Precedent], str | None]:
    """Find the rule's closest precedents and compare the clause's key terms with the market."""
    bank = bank_of(ctx)
    text, categories = query_for(rule, clauses)
    k = ctx.settings.precedents_per_finding
    wanted = rule.preferred or text
    texts = list(dict.fromkeys(t for t in (text, wanted) if t.strip()))
    vectors = dict(zip(texts, bank.embedder.encode(texts), strict=True)) if texts else {}
    offered = None
    if wanted in vectors and offers(rule, bool(clauses)):
        offered = alternative(bank, rule, list(rule.categories) or categories, vectors[wanted])
    found = closest(bank, text, categories, k, vectors.get(text))
    precedents = distinct(bank, ([offered] if offered else []) + found)[:k]
    key_terms = subtask.deal.key_terms if subtask.deal else None
    return precedents, comparison_for(bank, rule, clauses, key_terms, offered)


AGENT = AgentSpec(
    name="precedent_research",
    capability="research",
    run=research,
    description="Hybrid MiniLM+BM25 search of the CUAD/ACORD precedent bank, the two combined; "
    "compares the clause's normalised answer with the precedent distribution.",
    cost_tier=0,
    implementation="offline",
    models=("all-MiniLM-L6-v2", "bm25s", "precedent_fusion", "precedent_reranker"),
    train={"rerank": _train_rerank, "fusion": _train_fusion, "precedents": _build_bank},
    setup=setup,
    hooks={
        name: _acord_hook(name)
        for name in (
            "acord_bank",
            "judged_rankings",
            "acord_categories",
            "acord_ids",
            "bank_size",
            "rankers",
            "use_ranker",
            "single_rankings",
        )
    },
)
