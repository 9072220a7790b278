"""A hand-built review of the sample contract whose citations slice its real parsed text.

The UI, Word-export and decisions tests use it so they do not depend on the agents' output.
"""

from __future__ import annotations

import re

from legal_orch.domain import (
    Clause,
    Document,
    Finding,
    Precedent,
    Recommendation,
    Validation,
    ValidationCheck,
)
from legal_orch.reports.report import DocumentInfo, ReviewReport


def _cite(doc: Document, pattern: str):
    m = re.search(pattern, doc.text, flags=re.I)
    assert m, pattern
    return doc.cite(m.start(), m.end())


def sample_report(doc: Document) -> ReviewReport:
    """Return a review of `doc` (the parsed sample PDF) with three findings."""
    law = _cite(doc, r"governed by[^.]{0,200}\.")
    term = _cite(doc, r"terminat[^.]{0,200}\.")
    findings = [
        Finding(
            rule_id="governing-law",
            title="Governing law",
            severity="medium",
            status="deviation",
            explanation="Governed by the laws of Ontario, not a preferred jurisdiction.",
            categories=["Governing Law"],
            citations=[law],
            confidence=0.8,
            comparison="Most precedents choose New York or Delaware law.",
            precedents=[
                Precedent(
                    id="p1",
                    text="This Agreement shall be governed by the laws of the State of New York.",
                    source="CUAD: ACME_Supply",
                    category="Governing Law",
                    score=0.9,
                )
            ],
            recommendation=Recommendation(
                action="negotiate",
                rationale="Prefer a home jurisdiction.",
                fallback_language="This Agreement is governed by the laws of <b>New York</b>.",
            ),
        ),
        Finding(
            rule_id="termination",
            title="Termination rights",
            severity="high",
            status="deviation",
            explanation="The licence reverts on termination of the AMC.",
            categories=["Termination for Convenience"],
            citations=[term],
            confidence=0.6,
            recommendation=Recommendation(action="escalate", rationale="Check the AMC terms."),
        ),
        Finding(
            rule_id="audit-rights",
            title="Audit rights",
            severity="low",
            status="missing",
            explanation="No audit clause was found.",
            categories=["Audit Rights"],
            confidence=0.7,
            recommendation=Recommendation(
                action="add",
                rationale="Ask for audit rights.",
                fallback_language="Each party may audit the other's records once a year.",
            ),
        ),
    ]
    clauses = [
        Clause(
            category="Governing Law",
            text=law.quote,
            page=law.page,
            start=law.start,
            end=law.end,
            confidence=0.9,
            answer="Ontario",
        )
    ]
    return ReviewReport(
        document=DocumentInfo(
            path=doc.path, name=doc.name, sha256=doc.sha256, pages=len(doc.pages)
        ),
        playbook="commercial",
        clauses=clauses,
        findings=findings,
        validation=Validation(
            status="passed",
            confidence=0.74,
            checks=[ValidationCheck(name="citations", status="passed", detail="2 of 2 re-sliced")],
        ),
        timings={"ingest": 0.1, "analyze_risk": 0.2},
    )
