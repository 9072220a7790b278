"""This contract's market measures, read from its cited clauses, else from its key terms.

Clauses come first because they are what the finding cites; a key term stands in where the
clauses do not state the value. Only normalised values come out: a jurisdiction the rules
recognise, a period in days, a cap's basis. A clause whose value cannot be read gives None,
never its sentence.
"""

from __future__ import annotations

from legal_orch_agents.precedent_research import measures
from legal_orch_agents.precedent_research.measures import Cap

from legal_orch.domain import Clause, KeyTerm, KeyTerms

DAYS_PER_MONTH = 30


def _best_first(clauses: list[Clause]) -> list[Clause]:
    return sorted(clauses, key=lambda c: -c.confidence)


def _stated(term: KeyTerm | None) -> KeyTerm | None:
    return term if term is not None and term.status in ("stated", "computed") else None


def law(clauses: list[Clause], key_terms: KeyTerms | None) -> list[str]:
    """Return the governing law(s) this contract names, normalised ("Ontario")."""
    for c in _best_first(clauses):
        found = measures.jurisdictions(c.answer or "") or measures.jurisdictions(c.text)
        if found:
            return found
    term = _stated(key_terms.governing_law if key_terms else None)
    return measures.jurisdictions(term.value or "") if term else []


def days(category: str, clauses: list[Clause], key_terms: KeyTerms | None) -> float | None:
    """Return this contract's period of `category` in days, or None."""
    for c in _best_first(clauses):
        found = measures.answer_days(c.answer)
        if found is not None:
            return found
    text = " ".join(c.text for c in _best_first(clauses))
    if category == "Termination for Convenience":
        found = measures.notice_days(text) if text else None
        if found is None and key_terms and key_terms.termination_for_convenience:
            stated = [t.notice_days for t in key_terms.termination_for_convenience if t.notice_days]
            found = float(min(stated)) if stated else None
        return found
    if category == "Warranty Duration":
        return measures.first_duration(text) if text else None
    term = None
    if key_terms is not None:
        term = {
            "Renewal Term": key_terms.renewal_term,
            "Notice Period to Terminate Renewal": key_terms.nonrenewal_notice,
        }.get(category)
    term = _stated(term)
    return float(term.normalized) if term and isinstance(term.normalized, int | float) else None


def cap(clauses: list[Clause], key_terms: KeyTerms | None) -> Cap | None:
    """Return how this contract caps liability (a multiple of fees or a fixed sum), or None."""
    text = " ".join(c.text for c in sorted(clauses, key=lambda c: c.start))
    found = measures.cap(text) if text else None
    if found or key_terms is None or key_terms.liability_cap is None:
        return found
    lc = key_terms.liability_cap
    multiple, amount = _stated(lc.multiple), _stated(lc.amount)
    if multiple and isinstance(multiple.normalized, int | float):
        back = _stated(lc.lookback)
        months = (
            round(float(back.normalized) / DAYS_PER_MONTH)
            if back and isinstance(back.normalized, int | float)
            else None
        )
        return Cap(basis="fees", multiple=float(multiple.normalized), months=months)
    if amount and isinstance(amount.normalized, int | float):
        return Cap(basis="amount", amount=float(amount.normalized))
    return None
