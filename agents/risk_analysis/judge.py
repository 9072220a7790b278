"""Judge the clauses found for a commercial playbook rule: compliant, deviation, missing, review."""

from __future__ import annotations

from legal_orch_agents.common.attributes import extract_attributes
from legal_orch_agents.risk_analysis.checks import CheckResult, evaluate

from legal_orch.domain import SEVERITIES, Citation, Clause, Document, Finding, Severity
from legal_orch.playbook import Rule

AGENT_NAME = "risk_analysis"
# Confidence that a clause is truly absent: the extractor's recall is not measured per rule yet.
MISSING_CONFIDENCE = 0.7
UNDECIDED_FACTOR = 0.6  # a check that could not be read lowers the confidence


def present_clauses(clauses: list[Clause]) -> list[Clause]:
    """Drop clauses an extractor answered "No" for (the clause type is not in the contract)."""
    return [c for c in clauses if (c.answer or "").strip().casefold() != "no"]


def with_attributes(clause: Clause, doc: Document) -> Clause:
    """Fill a clause's attributes from its text when the extractor left them empty."""
    if clause.attributes:
        return clause
    attrs = extract_attributes(doc, clause.start, clause.end, [clause.category])
    return clause.model_copy(update={"attributes": attrs})


def judge(rule: Rule, clauses: list[Clause], doc: Document) -> Finding:
    """Apply `rule` to the clauses of its categories in `doc`."""
    found = [with_attributes(c, doc) for c in present_clauses(clauses)]
    if not found:
        return _absent(rule)
    results = [evaluate(c, found) for c in rule.checks]
    failed = [r for r in results if r.outcome == "fail"]
    unknown = [r for r in results if r.outcome == "unknown"]
    cites = _citations(found, failed, doc)
    conf = sum(c.confidence for c in found) / len(found)
    if failed:
        severity = max(
            (r.check.severity or rule.severity_deviation for r in failed), key=SEVERITIES.index
        )
        return finding(rule, severity, "deviation", _why_failed(failed), cites, conf)
    if rule.kind == "avoid" and not rule.checks:
        return finding(
            rule,
            rule.severity_deviation,
            "deviation",
            f"The contract contains a {' / '.join(rule.categories)} clause; the playbook avoids it.",
            cites,
            conf,
        )
    if unknown:
        return finding(
            rule,
            rule.severity_deviation,
            "needs_review",
            _why_unknown(unknown),
            cites,
            conf * UNDECIDED_FACTOR,
        )
    return finding(rule, "info", "compliant", _why_passed(rule, results), cites, conf)


def _absent(rule: Rule) -> Finding:
    cats = " / ".join(rule.categories)
    if rule.kind == "avoid":
        return finding(
            rule, "info", "compliant", f"No {cats} clause was found.", [], MISSING_CONFIDENCE
        )
    return finding(
        rule,
        rule.severity_missing,
        "missing",
        f"No {cats} clause was found; the playbook expects: {rule.preferred}".strip(),
        [],
        MISSING_CONFIDENCE,
    )


def _citations(found: list[Clause], failed: list[CheckResult], doc: Document) -> list[Citation]:
    cites = [a.citation for r in failed for a in r.evidence]
    cites += [doc.cite(c.start, c.end) for c in found]
    seen: set[tuple[int, int]] = set()
    return [c for c in cites if (c.start, c.end) not in seen and not seen.add((c.start, c.end))]


def _describe(r: CheckResult) -> str:
    c = r.check
    shown = ", ".join(str(v) for v in r.values[:3]) if c.attribute != "text" else ""
    base = c.message or f"{c.attribute} {c.op} {c.value}"
    return f"{base} (found: {shown})" if shown else base


def _why_failed(failed: list[CheckResult]) -> str:
    return "Deviates from the playbook: " + "; ".join(_describe(r) for r in failed) + "."


def _why_unknown(unknown: list[CheckResult]) -> str:
    names = ", ".join(sorted({r.check.attribute for r in unknown}))
    return f"The clause is present but its {names} could not be read; a lawyer should check it."


def _why_passed(rule: Rule, results: list[CheckResult]) -> str:
    if not results:
        return f"The clause is present, as the playbook expects: {rule.preferred}".strip()
    return (
        "The clause meets the playbook's checks: "
        + "; ".join(f"{r.check.attribute} {r.check.op} {r.check.value}" for r in results)
        + "."
    )


def finding(
    rule: Rule,
    severity: Severity,
    status,
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
