"""The validation agent: grounding, coverage, consistency, meaning, and the review's confidence.

Model and agent output is untrusted here: every quote is re-sliced from the document text and
compared exactly; every playbook rule must be answered; conclusions must not contradict each
other; and an agent that failed makes the review `incomplete`, never "no risks". The meaning
checks (agents/validation/meaning.py) read what the findings say: a quote of the wrong clause
type, advice resting on a clause the review calls absent, two statements of one fact that
disagree, advice asking for what the contract already says. A finding that fails one is sent to
a lawyer (`needs_review`, the reason in its notes) rather than reported as made.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from legal_orch_agents.validation.meaning import (
    Problem,
    amend,
    check_absent_reliance,
    check_already_said,
    check_clause_type,
    check_facts,
)

from legal_orch.domain import (
    SEVERITIES,
    AgentFailure,
    Citation,
    Clause,
    Deal,
    Document,
    Finding,
    Validation,
    ValidationCheck,
    ValidationStatus,
)
from legal_orch.playbook import Playbook, Rule
from legal_orch.registry import AgentSpec

# A finding at zero confidence (its quote says the opposite of its clause type) still leaves
# the rest of the review worth something.
CONFIDENCE_FLOOR = 0.01

# The actions that can stand with each status; anything else is a contradiction.
# A compliant clause may still be negotiated when reconciled with a related finding
# (e.g. a cap that exists but carves out IP indemnity).
_ACTIONS = {
    "compliant": {"accept", "negotiate"},
    "deviation": {"negotiate", "delete", "escalate", "accept"},
    "missing": {"add", "escalate", "accept"},
    "needs_review": {"escalate", "negotiate", "accept", "add", "delete"},
    # What the review could not establish goes to a lawyer, never accepted or acted on as fact.
    "not_found": {"escalate"},
    "redacted": {"escalate"},
}


def citation_errors(doc: Document, cites: Iterable[Citation]) -> list[str]:
    """Describe each citation whose quote or page does not match the document exactly."""
    errs = []
    for c in cites:
        if not (0 <= c.start < c.end <= len(doc.text)):
            errs.append(f"offsets [{c.start}, {c.end}) outside the document")
        elif doc.text[c.start : c.end] != c.quote:
            errs.append(f"quote at [{c.start}, {c.end}) differs from the text")
        elif doc.page_of(c.start) != c.page:
            errs.append(
                f"quote at [{c.start}, {c.end}) is on page {doc.page_of(c.start)}, not {c.page}"
            )
    return errs


def _clause_errors(doc: Document, clauses: list[Clause]) -> list[str]:
    return citation_errors(
        doc, (Citation(page=c.page, start=c.start, end=c.end, quote=c.text) for c in clauses)
    )


def check_grounding(
    doc: Document, clauses: list[Clause], findings: list[Finding]
) -> ValidationCheck:
    """Every clause and citation must quote the document exactly, on the page it names."""
    bad_ids = []
    errors = _clause_errors(doc, clauses)
    errors += citation_errors(doc, (a.citation for c in clauses for a in c.attributes))
    for f in findings:
        cite_errs = citation_errors(doc, f.citations)
        if cite_errs:
            bad_ids.append(f.rule_id)
            errors += [f"{f.rule_id}: {e}" for e in cite_errs]
    n = len(clauses) + sum(len(f.citations) for f in findings)
    detail = f"{n - len(errors)}/{n} quotes exact" + (f"; {errors[0]}" if errors else "")
    return ValidationCheck(
        name="grounding",
        status="failed" if errors else "passed",
        detail=detail,
        subtask_ids=bad_ids,
    )


def check_coverage(playbook: Playbook, findings: list[Finding]) -> ValidationCheck:
    """Every playbook rule must have a finding."""
    answered = {f.rule_id for f in findings}
    missing = [r.id for r in playbook.rules if r.id not in answered]
    detail = f"{len(playbook.rules) - len(missing)}/{len(playbook.rules)} rules answered"
    if missing:
        detail += f"; unanswered: {', '.join(missing)}"
    return ValidationCheck(
        name="coverage",
        status="failed" if missing else "passed",
        detail=detail,
        subtask_ids=missing,
    )


def _contradictions(f: Finding, rule: Rule | None) -> list[str]:
    out = []
    if f.severity not in SEVERITIES:
        out.append(f"severity {f.severity!r} unknown")
    # Compliance by absence (an `avoid` rule whose clause is not there) has nothing to cite.
    cites_needed = f.status == "deviation" or (
        f.status == "compliant" and (rule is None or rule.kind != "avoid")
    )
    if cites_needed and not f.citations:
        out.append(f"status {f.status} without a citation")
    if f.status == "missing" and f.citations:
        out.append("status missing yet cites the clause")
    if f.recommendation and f.recommendation.action not in _ACTIONS[f.status]:
        out.append(f"action {f.recommendation.action} contradicts status {f.status}")
    if not 0.0 <= f.confidence <= 1.0:
        out.append(f"confidence {f.confidence} outside 0..1")
    return out


def check_consistency(findings: list[Finding], playbook: Playbook) -> ValidationCheck:
    """No finding may contradict itself (status, evidence, severity and action must agree)."""
    rules = {r.id: r for r in playbook.rules}
    bad, notes = [], []
    for f in findings:
        errs = _contradictions(f, rules.get(f.rule_id))
        if errs:
            bad.append(f.rule_id)
            notes.append(f"{f.rule_id}: {errs[0]}")
    detail = f"{len(findings) - len(bad)}/{len(findings)} findings consistent" + (
        f"; {notes[0]}" if notes else ""
    )
    return ValidationCheck(
        name="consistency", status="failed" if bad else "passed", detail=detail, subtask_ids=bad
    )


def check_agents(failures: list[AgentFailure]) -> ValidationCheck:
    """Every agent must have finished; a failure names the subtask to re-route."""
    if not failures:
        return ValidationCheck(name="agents", status="passed", detail="all agents finished")
    ids = sorted({f.subtask_id for f in failures if f.subtask_id})
    first = failures[0]
    detail = f"{len(failures)} agent failure(s); {first.agent} at {first.stage}: {first.error}"
    return ValidationCheck(name="agents", status="failed", detail=detail, subtask_ids=ids)


def review_confidence(findings: list[Finding]) -> float:
    """The review's confidence: the geometric mean of its findings' confidences, each weighted by
    its severity.

    A review is only as sound as its weakest conclusions: unlike the plain mean, the geometric
    mean lets one doubtful finding pull the review down. Findings the meaning checks sent to a
    lawyer count with the confidence they were left (no more than the clause finder's score for
    the quoted clause type).
    """
    if not findings:
        return 0.0
    weight = {s: i + 1 for i, s in enumerate(SEVERITIES)}
    total = sum(weight[f.severity] for f in findings)
    logs = sum(weight[f.severity] * math.log(max(f.confidence, CONFIDENCE_FLOOR)) for f in findings)
    return round(math.exp(logs / total), 3)


def _meaning_check(name: str, problems: list[Problem], n: int, what: str) -> ValidationCheck:
    """Report a meaning check; its re-routable subtasks are those a stronger tier could mend."""
    if not problems:
        return ValidationCheck(name=name, status="passed", detail=f"{what} ({n} findings read)")
    ids = sorted({p.rule_id for p in problems if p.reroute})
    first = problems[0]
    sent = ", ".join(sorted({p.rule_id for p in problems}))
    detail = f"{len(problems)} sent to a lawyer ({sent}); {first.rule_id}: {first.note}"
    return ValidationCheck(name=name, status="failed", detail=detail, subtask_ids=ids)


def validate(
    doc: Document,
    clauses: list[Clause],
    findings: list[Finding],
    playbook: Playbook,
    failures: list[AgentFailure],
    deal: Deal | None = None,
    ctx: object = None,
) -> Validation:
    """Run every check; `incomplete` when an agent failed or a rule is unanswered, `failed` when
    a quote is inexact or a finding contradicts itself. Findings a meaning check fails are sent
    to a lawyer (`amended`) and the review says so, rather than failing as a whole."""
    rules = {r.id: r for r in playbook.rules}
    typed = check_clause_type(findings, clauses, rules)
    absent = check_absent_reliance(findings, typed)
    facts = check_facts(findings, clauses, deal)
    said = check_already_said(doc, findings)
    amended = amend(findings, typed + absent + facts + said)
    final = [amended.get(f.rule_id, f) for f in findings]
    n = len(findings)
    # Grounding and consistency judge the findings as the agents made them: sending a finding
    # to a lawyer must not hide an inexact quote or a self-contradiction.
    checks = [
        check_grounding(doc, clauses, findings),
        check_coverage(playbook, final),
        check_consistency(findings, playbook),
        check_agents(failures),
        _meaning_check("clause type", typed, n, "every quote is of its rule's clause type"),
        _meaning_check(
            "absent clauses", absent, n, "no advice rests on a clause the review calls absent"
        ),
        _meaning_check(
            "facts agree", facts, n, "the findings agree with each other and the key terms"
        ),
        _meaning_check(
            "not already said", said, n, "no advice asks for what the contract already says"
        ),
    ]
    by_name = {c.name: c for c in checks}
    status: ValidationStatus
    if by_name["agents"].status == "failed" or by_name["coverage"].status == "failed":
        status = "incomplete"
    elif by_name["grounding"].status == "failed" or by_name["consistency"].status == "failed":
        status = "failed"
    else:
        status = "passed"
    return Validation(
        status=status,
        checks=checks,
        confidence=review_confidence(final),
        amended=list(amended.values()),
    )


AGENT = AgentSpec(
    name="validation",
    capability="validate",
    run=validate,
    description=(
        "Re-slices every quote from the source; checks coverage, consistency, agent failures, "
        "and what the findings mean: clause types, absent clauses, facts, advice already given."
    ),
    cost_tier=0,
    implementation="offline: exact re-slicing, clause-finder scores and word rules",
)
