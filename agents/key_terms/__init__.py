"""Key terms: the parties and their roles, dates, term and renewal, law, cap and payment.

Work in progress in this commit: the agent returns no terms yet (the review shows none).
"""

from __future__ import annotations

from legal_orch.context import ReviewContext
from legal_orch.domain import Clause, Document, KeyTerms, Segmentation
from legal_orch.registry import AgentSpec


def read_key_terms(
    doc: Document, seg: Segmentation, clauses: list[Clause], ctx: ReviewContext | None = None
) -> KeyTerms:
    """Read the deal's key terms from the document and its extracted clauses."""
    return KeyTerms()


AGENT = AgentSpec(
    name="key_terms",
    capability="key_terms",
    run=read_key_terms,
    description="Parties and roles, dates, term, renewal, notice deadlines, law, cap, payment.",
    cost_tier=0,
    implementation="offline: rules over the preamble, signature blocks and extracted clauses",
)
