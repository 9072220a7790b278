"""Precedent research: the closest market precedents for a rule and how our terms compare.

Offline: hybrid search (MiniLM in Chroma + BM25, fused, reranked) over the shipped CUAD/ACORD
precedent bank, and a comparison of the clause's normalised answer with the answers of the
precedent contracts of the same category.
"""

from __future__ import annotations

from pathlib import Path

from legal_orch_agents.precedent_research.bank import DEFAULT_BANK, PrecedentBank
from legal_orch_agents.precedent_research.market import compare

from legal_orch.context import ReviewContext
from legal_orch.domain import Clause, Precedent, Subtask
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


def _build_bank(data: Path) -> dict:
    from legal_orch_agents.precedent_research.build import main

    return main(data)


def _acord_hook(name: str):
    def call(*args, **kwargs):
        from legal_orch_agents.precedent_research import acord

        return getattr(acord, name)(*args, **kwargs)

    return call


def query_for(rule: Rule, clauses: list[Clause]) -> tuple[str, list[str]]:
    """Return the text to search with and the categories to search in."""
    if clauses:
        best = max(clauses, key=lambda c: c.confidence)
        return best.text, [best.category]
    # No clause found: show what market-standard language for the rule looks like.
    return rule.preferred or rule.title, list(rule.categories)


def closest(bank: PrecedentBank, text: str, categories: list[str], k: int) -> list[Precedent]:
    """Return the `k` best precedents over `categories` (the whole bank if none match)."""
    found = [p for c in categories for p in bank.search(text, k=k, category=c)]
    if not found:
        found = bank.search(text, k=k)
    unique = {p.id: p for p in sorted(found, key=lambda p: p.score)}
    return sorted(unique.values(), key=lambda p: -p.score)[:k]


def comparison_for(bank: PrecedentBank, clauses: list[Clause]) -> str | None:
    """Compare the best clause's normalised answer with its category's precedents."""
    answered = [c for c in clauses if c.answer]
    if not answered:
        return None
    best = max(answered, key=lambda c: c.confidence)
    return compare(best.category, best.answer, bank.answers(best.category))


def research(
    subtask: Subtask, rule: Rule, clauses: list[Clause], ctx: ReviewContext
) -> tuple[list[Precedent], str | None]:
    """Find the rule's closest precedents and compare the clause's key terms with them."""
    bank = bank_of(ctx)
    text, categories = query_for(rule, clauses)
    precedents = closest(bank, text, categories, ctx.settings.precedents_per_finding)
    return precedents, comparison_for(bank, clauses)


AGENT = AgentSpec(
    name="precedent_research",
    capability="research",
    run=research,
    description="Hybrid MiniLM+BM25 search of the CUAD/ACORD precedent bank, reranked; "
    "compares the clause's normalised answer with the precedent distribution.",
    cost_tier=0,
    implementation="offline",
    models=("all-MiniLM-L6-v2", "bm25s", "precedent_reranker"),
    train={"rerank": _train_rerank, "precedents": _build_bank},
    setup=setup,
    hooks={
        name: _acord_hook(name)
        for name in ("acord_bank", "judged_rankings", "corpus_rankings", "bank_latency")
    },
)
