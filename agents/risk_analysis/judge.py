"""Judge the clauses found for a commercial playbook rule, from the client's side.

Statuses say what is known: `compliant` and `deviation` only on values read from a clause that
was found; `needs_review` when a value the rule needs could not be read (or whose side the clause
is on cannot be told and that decides it); `redacted` when the filing hides it; `missing` when no
clause was found and the extractor's measured recall for the clause type makes absence likely;
`not_found` otherwise. Confidences are the measured accuracy of the evidence on CUAD dev.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from legal_orch_agents.common.attributes import extract_attributes
from legal_orch_agents.common.roles import ROLE_WORDS, home_law
from legal_orch_agents.risk_analysis.calibration import Calibration, Evidence, Rate, shipped
from legal_orch_agents.risk_analysis.checks import (
    VALUE_NAMES,
    CheckResult,
    evaluate,
    found_values,
    met,
    unread,
)
from legal_orch_agents.risk_analysis.direction import (
    Orientation,
    client_party,
    orient,
    read,
    sides,
)
from legal_orch_agents.risk_analysis.kinds import contract_kind

from legal_orch.domain import (
    SEVERITIES,
    Citation,
    Clause,
    Deal,
    Document,
    Finding,
    FindingStatus,
    Severity,
)
from legal_orch.playbook import Rule, Verdict

AGENT_NAME = "risk_analysis"


def present_clauses(clauses: list[Clause]) -> list[Clause]:
    """Drop clauses an extractor answered "No" for (the clause type is not in the contract)."""
    return [c for c in clauses if (c.answer or "").strip().casefold() != "no"]


def with_attributes(clause: Clause, doc: Document) -> Clause:
    """Fill a clause's attributes from its text when the extractor left them empty."""
    if clause.attributes:
        return clause
    attrs = extract_attributes(doc, clause.start, clause.end, [clause.category])
    return clause.model_copy(update={"attributes": attrs})


@dataclass
class Verdicts:
    """A judgment under way: status, severity, words and evidence."""

    status: FindingStatus
    severity: Severity
    explanation: str
    cites: list[Citation]
    notes: list[str] = field(default_factory=list)
    passed: list[CheckResult] = field(default_factory=list)  # every check, when none failed


def judge(
    rule: Rule,
    clauses: list[Clause],
    doc: Document,
    deal: Deal | None = None,
    calibration: Calibration | None = None,
) -> Finding:
    """Apply `rule` to the clauses of its categories in `doc`, for the deal's client."""
    kind = contract_kind(deal.title) if deal is not None else None
    ev = (calibration or shipped()).evidence(rule.categories, kind)
    found = [with_attributes(c, doc) for c in present_clauses(clauses)]
    if not found:
        found = [with_attributes(c, doc) for c in _from_key_terms(rule, [], deal, doc, ev)]
    if not found:
        return _not_found(rule, ev)
    for extra in _from_key_terms(rule, found, deal, doc, ev):
        # the whole clause stands in for the fragments of it the extractor found
        found = [f for f in found if not (extra.start <= f.start and f.end <= extra.end)]
        found.append(with_attributes(extra, doc))
    side = _orientation(rule, found, deal, doc)
    if _binds_client_only(rule, side):
        return _client_only(rule, ev, side, found, doc)
    v = _own_law(rule, _checked(rule, found, doc), found, deal)
    if rule.direction and side.burdens is not None:
        verdict = _verdict_for(rule, side.burdens)
        if verdict != "check":
            v = _by_direction(rule, verdict, v)
    elif rule.direction and v.status == "deviation" and _direction_decides(rule):
        v.status, v.severity = "needs_review", rule.severity_deviation
        v.explanation = (
            f"Which party the {_cat(rule)} clause binds could not be read from its wording, and "
            f"that decides whether it works for or against the client. If it binds the client: "
            f"{v.explanation}"
        )
    explanation = " ".join(s for s in (_sides_sentence(rule, side), v.explanation) if s)
    conf = _confidence(ev, found)
    f = finding(rule, v.severity, v.status, explanation, v.cites, conf)
    return f.model_copy(
        update={"burdens": side.burdened, "benefits": side.benefited, "notes": v.notes}
    )


def _from_key_terms(
    rule: Rule, found: list[Clause], deal: Deal | None, doc: Document, ev: Evidence
) -> list[Clause]:
    """The cap or governing-law clause the key terms read, where the extractor missed it or
    its spans stop short of it.

    The extractor cuts clauses at its span boundaries and may miss the sentence that states the
    amount or the law; the key-terms agent reads the whole clause. One review must not say "no
    amount was read", or "very likely has none", above a key-terms table that states it.
    """
    if deal is None:
        return []
    kt = deal.key_terms
    cites = []
    if "Cap on Liability" in rule.categories and kt.liability_cap is not None:
        cites = kt.liability_cap.citations
    elif (
        "Governing Law" in rule.categories
        and kt.governing_law is not None
        and kt.governing_law.status == "stated"
    ):
        cites = kt.governing_law.citations
    elif {"Renewal Term", "Notice Period to Terminate Renewal"} & set(rule.categories):
        stated = [
            t
            for t in (kt.renewal_term, kt.nonrenewal_notice, kt.renewal)
            if t is not None and t.status == "stated" and t.citations
        ]
        cites = stated[0].citations if stated else []
    if not cites:
        return []
    start, end = _sentence_around(doc.text, cites[0].start, cites[0].end)
    if any(f.start <= start and end <= f.end for f in found):
        return []
    c = doc.cite(start, end)
    # No extractor score exists for it: the review's measured precision for this clause type.
    conf = max((f.confidence for f in found), default=ev.precision.value or 0.5)
    return [
        Clause(
            category=rule.categories[0],
            text=c.quote,
            page=c.page,
            start=c.start,
            end=c.end,
            confidence=conf,
        )
    ]


def _sentence_around(text: str, start: int, end: int, reach: int = 400) -> tuple[int, int]:
    """The sentence holding `[start, end)`: from the previous full stop or blank line to the next
    full stop, within `reach` characters each way."""
    lo = max(text.rfind(". ", max(0, start - reach), start), text.rfind("\n\n", 0, start))
    lo = max(lo + 2, start - reach, 0) if lo >= 0 else max(0, start - reach)
    lo = min(lo, start)
    hi = text.find(".", end, end + reach)
    hi = hi + 1 if hi >= 0 else min(len(text), end + reach)
    return lo, max(hi, end)


def _orientation(rule: Rule, found: list[Clause], deal: Deal | None, doc: Document) -> Orientation:
    if not rule.direction:
        return Orientation(None, None, None, None)
    parties = sides(deal, rule.perspective, doc.text)
    return orient(rule.direction, read(" ".join(c.text for c in found), parties), parties)


def _verdict_for(rule: Rule, burdens: str) -> Verdict:
    d = rule.direction
    assert d is not None
    return {"client": d.burdens_client, "counterparty": d.burdens_counterparty}.get(
        burdens, d.mutual
    )


def _direction_decides(rule: Rule) -> bool:
    d = rule.direction
    return d is not None and len({d.burdens_client, d.burdens_counterparty, d.mutual}) > 1


def _by_direction(rule: Rule, verdict: Verdict, checked: Verdicts) -> Verdicts:
    """The verdict the client's side decides; a failed check still adds its reason and cite."""
    if verdict == "favourable":
        return Verdicts("compliant", "info", "It works in the client's favour.", checked.cites)
    why = f"It is one-sided against the client; the playbook's position: {rule.preferred.strip()}"
    severity = rule.severity_deviation
    if checked.status == "deviation" and rule.checks:
        why += f" Besides, {_uncap(checked.explanation)}"
        severity = max(severity, checked.severity, key=SEVERITIES.index)
    elif checked.status in ("needs_review", "redacted"):
        why += f" Besides, {_uncap(checked.explanation)}"
    elif passed := [r for r in checked.passed if r.outcome == "pass"]:
        why += " Otherwise it meets the playbook: " + "; ".join(map(_met_with_values, passed)) + "."
    return Verdicts("deviation", severity, why, checked.cites, checked.notes)


def _checked(rule: Rule, found: list[Clause], doc: Document) -> Verdicts:
    """The rule's kind, requirement and checks on the clauses found."""
    results = [evaluate(c, found) for c in rule.checks]
    failed = [r for r in results if r.outcome == "fail"]
    cites = _citations(found, failed, doc)
    notes = [_note(r) for r in results if r.outcome in ("unknown", "redacted", "skipped")]
    if failed:
        severity = max(
            (r.check.severity or rule.severity_deviation for r in failed), key=SEVERITIES.index
        )
        return Verdicts("deviation", severity, _why_failed(failed), cites, notes)
    if rule.kind == "avoid" and not rule.checks:
        why = f"The contract contains {_a(_cat(rule))} clause, which the playbook avoids."
        return Verdicts("deviation", rule.severity_deviation, why, cites, notes)
    missing_value = _requirement(rule, found)
    if missing_value:
        return Verdicts(missing_value[0], rule.severity_deviation, missing_value[1], cites, notes)
    for outcome, status in (("redacted", "redacted"), ("unknown", "needs_review")):
        hit = [r for r in results if r.outcome == outcome]
        if hit:
            why = " ".join(_note(r) for r in hit)
            return Verdicts(status, rule.severity_deviation, why, cites, notes)
    why = _why_passed(rule, results, found)
    return Verdicts("compliant", "info", why, cites, notes, passed=results)


def _own_law(rule: Rule, v: Verdicts, found: list[Clause], deal: Deal | None) -> Verdicts:
    """A governing law outside the playbook's list that is the client's own law (the client is
    established there) is no deviation for the client: it is the law the client knows best."""
    checks = {c.attribute for c in rule.checks}
    if v.status != "deviation" or deal is None or checks != {"jurisdiction"}:
        return v
    laws = sorted({str(a.value) for c in found for a in c.attributes if a.kind == "jurisdiction"})
    client = client_party(deal, rule.perspective)
    home = home_law(client, laws) if client is not None else None
    if client is None or home is None:
        return v
    name = client.short_names[0] if client.short_names else client.name
    name = f"the {name}" if name in ROLE_WORDS else name
    why = (
        f"{home} law governs. It is outside the playbook's preferred jurisdictions, but it is "
        f"the law of the place where {name} (the client) is established, which favours the client."
    )
    return Verdicts("compliant", "info", why, v.cites, v.notes)


def _requirement(rule: Rule, found: list[Clause]) -> tuple[FindingStatus, str] | None:
    req = rule.requires
    if req is None or any(a.kind in req.any_of for c in found for a in c.attributes):
        return None
    names = " or ".join(VALUE_NAMES[k] for k in req.any_of)
    if unread(found) == "redacted":
        return "redacted", f"{_cap(names)} is redacted in the filing, so it cannot be judged."
    return "needs_review", f"{_cap(req.message.strip().rstrip('.'))}; a lawyer should check it."


def _note(r: CheckResult) -> str:
    name = _cap(VALUE_NAMES[r.check.attribute])
    if r.outcome == "redacted":
        return f"{name} is redacted in the filing, so whether {met(r.check)} cannot be told."
    if r.outcome == "skipped":
        return f"{name} is not stated, so whether {met(r.check)} was not checked."
    return f"{name} could not be read in the clause; a lawyer should check whether {met(r.check)}."


def _binds_client_only(rule: Rule, side: Orientation) -> bool:
    """A required obligation of the other side (insurance: the playbook counts the client being
    bound as against it) that the clause found puts on the client alone: the clause the rule
    requires, one binding the other side, is not there."""
    d = rule.direction
    if rule.kind != "require" or d is None or d.reads != "obligation":
        return False
    return side.burdens == "client" and d.burdens_client == "against"


def _client_only(
    rule: Rule, ev: Evidence, side: Orientation, found: list[Clause], doc: Document
) -> Finding:
    cat, other = _cat(rule), side.benefited or "the other party"
    base = _not_found(rule, ev, f"{cat} clause binding {other}")
    client = _as_client(side.burdened or "the client")
    why = f"The {cat} clause found binds only {client}; it puts no such duty on {other}. "
    return base.model_copy(
        update={
            "explanation": why + base.explanation,
            "citations": [doc.cite(c.start, c.end) for c in found],
            "burdens": side.burdened,
            "benefits": side.benefited,
        }
    )


def _not_found(rule: Rule, ev: Evidence, what: str | None = None) -> Finding:
    cat = _cat(rule)
    what = what or f"{cat} clause"
    measured = _recall_words(ev.recall)
    # `missing` says a clause the client needs is absent: only where the playbook counts its
    # absence as a risk and dev shows the review would very likely have found one.
    needed = rule.kind != "avoid" and rule.severity_missing != "info"
    if ev.absence_is_known:
        status: FindingStatus = "missing" if needed else "not_found"
        why = f"No {what} was found; {measured}, so the contract very likely has none."
    else:
        status = "not_found"
        why = f"No {what} was found, but {measured}: check by hand."
    severity: Severity = rule.severity_missing if needed else "info"
    if needed:
        why += f" The playbook expects: {rule.preferred.strip()}"
    conf = ev.if_not_shown()
    return finding(rule, severity, status, why, [], conf if conf is not None else 0.0)


def _recall_words(r: Rate) -> str:
    if not r.n:
        return "how often the review finds this clause type has not been measured"
    return (
        f"in testing on {r.n} contracts that have one, the review found it in {r.hits} "
        f"({r.hits / r.n:.0%})"
    )


def _confidence(ev: Evidence, found: list[Clause]) -> float:
    """How likely a clause the review shows for these categories is one a lawyer would mark, in
    a contract of this kind."""
    measured = ev.if_shown()
    if measured is not None:
        return measured
    # Never shown on dev: fall back on the extractor's own calibrated span probability.
    return sum(c.confidence for c in found) / len(found)


_SIDES = {
    "obligation": "The {cat} clause binds {x} in favour of {y}.",
    "right": "The {cat} clause gives the right to {y} alone; it runs against {x}.",
    "liability_limit": "The {cat} clause limits the liability of {y} only; {x} bears any loss "
    "beyond it.",
    "liability_exposure": "The {cat} clause leaves the liability of {x} open, in favour of {y}.",
}
_MUTUAL = {
    "obligation": "The {cat} clause binds each party alike.",
    "right": "The {cat} clause gives each party the same right.",
    "liability_limit": "The {cat} clause limits each party's liability alike.",
    "liability_exposure": "The {cat} clause leaves each party's liability open alike.",
}


def _sides_sentence(rule: Rule, side: Orientation) -> str:
    if not rule.direction or side.burdens is None:
        return ""
    reads, cat = rule.direction.reads, _cat(rule)
    if side.burdens == "mutual":
        return _MUTUAL[reads].format(cat=cat)
    x, y = side.burdened or "the other party", side.benefited or "the other party"
    if side.burdens == "client":
        x = _as_client(x)
    else:
        y = _as_client(y)
    return _SIDES[reads].format(cat=cat, x=x, y=y)


def _as_client(label: str) -> str:
    return label if label == "the client" else f"{label} (the client)"


def _citations(found: list[Clause], failed: list[CheckResult], doc: Document) -> list[Citation]:
    cites = [a.citation for r in failed for a in r.evidence]
    cites += [doc.cite(c.start, c.end) for c in found]
    seen: set[tuple[int, int]] = set()
    return [c for c in cites if (c.start, c.end) not in seen and not seen.add((c.start, c.end))]


def _why_failed(failed: list[CheckResult]) -> str:
    parts = []
    for r in failed:
        said = found_values(r)
        parts.append(
            _cap(r.check.message or f"not {met(r.check)}") + (f" ({said})" if said else "")
        )
    return ". ".join(parts) + "."


def _why_passed(rule: Rule, results: list[CheckResult], found: list[Clause]) -> str:
    passed = [r for r in results if r.outcome == "pass"]
    if rule.requires:
        read_ = [a.value for c in found for a in c.attributes if a.kind in rule.requires.any_of]
        stated = f"The clause states {', '.join(dict.fromkeys(str(v) for v in read_[:3]))}"
    else:
        stated = "The clause is present"
    if not passed:
        return f"{stated}, as the playbook expects: {rule.preferred.strip()}"
    return (
        f"{stated} and meets the playbook: " + "; ".join(_met_with_values(r) for r in passed) + "."
    )


def _met_with_values(r: CheckResult) -> str:
    said = found_values(r)
    return met(r.check) + (f" ({said})" if said else "")


def _cat(rule: Rule) -> str:
    return " / ".join(rule.categories)


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _uncap(text: str) -> str:
    """Lower-case a sentence's first letter, unless its first word is an acronym."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() else text[:1].lower() + text[1:]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def finding(
    rule: Rule,
    severity: Severity,
    status: FindingStatus,
    explanation: str,
    cites: list[Citation],
    confidence: float,
) -> Finding:
    """Build the finding for `rule`, its confidence clipped to 0..1."""
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity,
        status=status,
        explanation=explanation,
        categories=list(rule.categories),
        citations=cites,
        confidence=round(max(0.0, min(1.0, confidence)), 3),
        agent=AGENT_NAME,
    )
