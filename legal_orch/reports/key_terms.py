"""The key terms as rows a person reads first: a label, the value, and where it is written."""

from __future__ import annotations

from dataclasses import dataclass

from legal_orch.domain import Citation, ClientSide, KeyTerm, KeyTerms


@dataclass(frozen=True)
class TermRow:
    label: str
    value: str
    citations: tuple[Citation, ...] = ()


def _term(t: KeyTerm | None) -> str | None:
    if t is None or t.status == "not_stated":
        return None
    if t.status == "redacted":
        return "redacted in the filing"
    text = t.value if t.value is not None else str(t.normalized)
    if t.status == "computed":
        text += " (computed" + (f": {t.detail}" if t.detail else "") + ")"
    elif t.detail:
        text += f" ({t.detail})"
    return text


def key_term_rows(terms: KeyTerms) -> list[TermRow]:
    """The review's key terms in reading order; a term the contract does not state is left out."""
    rows: list[TermRow] = []
    for p in terms.parties:
        short = f' ("{", ".join(p.short_names)}")' if p.short_names else ""
        rows.append(TermRow("Party", f"{p.name}{short}, {p.role}", tuple(p.citations[:1])))
    simple = [
        ("Agreement date", terms.agreement_date),
        ("Effective date", terms.effective_date),
        ("Initial term", terms.initial_term),
        ("Expiration date", terms.expiration_date),
        ("Renewal", terms.renewal),
        ("Renewal term", terms.renewal_term),
        ("Notice of non-renewal", terms.nonrenewal_notice),
        ("Last day to give notice of non-renewal", terms.nonrenewal_deadline),
    ]
    rows += [
        TermRow(label, v, tuple(t.citations[:1])) for label, t in simple if t and (v := _term(t))
    ]
    for tc in terms.termination_for_convenience:
        notice = f" on {tc.notice_days} days' notice" if tc.notice_days is not None else ""
        rows.append(
            TermRow("Termination for convenience", f"{tc.party}{notice}", tuple(tc.citations[:1]))
        )
    for label, t in (("Governing law", terms.governing_law), ("Forum", terms.forum)):
        if v := _term(t):
            rows.append(TermRow(label, v, tuple(t.citations[:1]) if t else ()))
    if (cap := terms.liability_cap) is not None:
        parts = [v for t in (cap.amount, cap.multiple, cap.lookback) if (v := _term(t))]
        value = "; ".join(parts) or "capped; amount not stated"
        if cap.whose:
            value += f"; liability of {cap.whose}"
        if cap.carve_outs:
            value += "; except " + ", ".join(cap.carve_outs)
        rows.append(TermRow("Liability cap", value, tuple(cap.citations[:1])))
    if v := _term(terms.payment_terms):
        rows.append(TermRow("Payment terms", v, tuple(terms.payment_terms.citations[:1])))  # type: ignore[union-attr]
    return rows


def side_line(client: ClientSide) -> str:
    """One line saying whose side the review takes and whether it was told or assumed."""
    who = client.party or (f"the {client.role}" if client.role else "no party")
    how = "assumed" if client.assumed else "as instructed"
    return f"Acting for {who} ({how}: {client.reason})" if client.reason else f"Acting for {who}"
