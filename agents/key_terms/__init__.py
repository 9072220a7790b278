"""Key terms: the parties and their roles, dates, term and renewal, law, cap and payment.

Offline rules over the preamble, the definitions, the signature blocks and the sentences the
extraction agent marks (its clauses are anchors; the text around them is read again). Every value
cites its text; a value the filing hides is `redacted`, one derived from others is `computed`.

What `normalized` holds, for tools that read the review's JSON: dates are ISO strings
("2021-03-01"), or "perpetual" for an expiry where the contract fixes no date (`value` then says
so in words and `detail` quotes how it ends); durations (initial term, renewal term, notice,
look-back, payment days) are an int number of days (a year 365, whole years of months likewise, a
month 30) with `value` in words ("1 year"); the governing law and forum are a place ("New York",
"England and Wales"); a cap amount is a float with `unit` its ISO currency, a multiple of fees a
float with `unit` "x fees". A term that runs from an event ("3 years after the Launch Date") keeps
`normalized` None. Measured against CUAD on train/dev with `python -m
legal_orch_agents.key_terms.devcheck` (results/).
"""

from __future__ import annotations

from legal_orch_agents.key_terms.dates import agreement_date, effective_date
from legal_orch_agents.key_terms.law import forum, governing_law
from legal_orch_agents.key_terms.money import liability_cap, payment_terms
from legal_orch_agents.key_terms.obligations import find_obligations  # noqa: E402
from legal_orch_agents.key_terms.parties import read_parties
from legal_orch_agents.key_terms.reading import Contract
from legal_orch_agents.key_terms.term import read_term
from legal_orch_agents.key_terms.termination import terminations

from legal_orch.context import ReviewContext
from legal_orch.domain import Clause, Document, KeyTerms, Segmentation
from legal_orch.registry import AgentSpec


def read_key_terms(
    doc: Document, seg: Segmentation, clauses: list[Clause], ctx: ReviewContext | None = None
) -> KeyTerms:
    """Read the deal's key terms from the document and its extracted clauses."""
    c = Contract(doc, seg, clauses)
    parties = read_parties(c)
    agreed = agreement_date(c)
    effective = effective_date(c, agreed)
    t = read_term(c, effective)
    return KeyTerms(
        parties=parties,
        agreement_date=agreed,
        effective_date=effective,
        initial_term=t.initial_term,
        expiration_date=t.expiration_date,
        renewal=t.renewal,
        renewal_term=t.renewal_term,
        nonrenewal_notice=t.nonrenewal_notice,
        nonrenewal_deadline=t.nonrenewal_deadline,
        termination_for_convenience=terminations(c, parties),
        governing_law=governing_law(c),
        forum=forum(c),
        liability_cap=liability_cap(c, parties),
        payment_terms=payment_terms(c),
        obligations=find_obligations(doc, seg, parties),
    )


AGENT = AgentSpec(
    name="key_terms",
    capability="key_terms",
    run=read_key_terms,
    description="Parties and roles, dates, term, renewal, notice deadlines, law, cap, payment.",
    cost_tier=0,
    implementation="offline: rules over the preamble, definitions, signature blocks and extracted clauses",
)
