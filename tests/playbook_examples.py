"""Build a one-clause contract from a playbook example, as the risk agent would see it."""

from __future__ import annotations

import hashlib

from legal_orch.domain import (
    Clause,
    Deal,
    Document,
    KeyTerms,
    Page,
    Party,
    Segmentation,
    Subtask,
)
from legal_orch.ingest.segment import segment
from legal_orch.playbook import Playbook, Rule, RuleExample
from legal_orch.side import resolve_client


def example_document(text: str) -> Document:
    """A one-page document whose whole text is `text` (a short preamble when empty)."""
    body = text.strip() or "This Agreement is made between the parties named below."
    sha = hashlib.sha256(body.encode()).hexdigest()
    return Document(
        path="example.pdf",
        name="example.pdf",
        sha256=sha,
        text=body,
        pages=[Page(number=1, start=0, end=len(body))],
    )


def example_case(
    rule: Rule, ex: RuleExample
) -> tuple[Subtask, list[Clause], Document, Segmentation]:
    """The agent's inputs for one example: the clause list is empty for a `missing` example."""
    doc = example_document(ex.text)
    clauses = []
    if ex.text.strip() and (ex.category or rule.categories):
        clauses = [
            Clause(
                category=ex.category or rule.categories[0],
                text=doc.text,
                page=1,
                start=0,
                end=len(doc.text),
                confidence=0.9,
                answer=ex.answer,
            )
        ]
    sub = Subtask(
        id=f"{rule.id}#ex",
        rule_id=rule.id,
        categories=rule.categories,
        agent="risk_analysis",
        deal=example_deal(rule, ex),
    )
    return sub, clauses, doc, segment(doc)


def example_deal(rule: Rule, ex: RuleExample) -> Deal:
    """The deal an example is judged in: its parties and client, resolved as a review would."""
    parties = [Party(name=n, short_names=[n], role=r) for n, r in ex.parties.items()]
    book = Playbook(name="example", perspective=rule.perspective, rules=[rule])
    client = resolve_client(parties, ex.client, book)
    return Deal(key_terms=KeyTerms(parties=parties), client=client)
