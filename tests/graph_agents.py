"""Small deterministic agents for graph tests: they exercise routing, failures and interrupts.

They stand in for the offline agents only where a test needs a failure, a delay or a chosen
confidence; pypdf, spaCy, Chroma, the embeddings and LangGraph stay real.
"""

from __future__ import annotations

import re
import sys
import time

from legal_orch.domain import Clause, Finding, Recommendation
from legal_orch.playbook import Playbook, Rule
from legal_orch.registry import AgentSpec, Registry

PLAYBOOK = Playbook(
    name="test",
    rules=[
        Rule(
            id="governing-law",
            title="Governing law",
            categories=["Governing Law"],
            severity_missing="medium",
        ),
        Rule(
            id="termination",
            title="Termination rights",
            categories=["Termination for Convenience"],
            severity_deviation="high",
        ),
    ],
)
_PATTERNS = {
    "Governing Law": r"governed by[^.]{0,200}\.",
    "Termination for Convenience": r"terminat[^.]{0,200}\.",
}


def regex_extract(doc, seg, ctx=None, vectors=None):
    """Extract one clause per category by a regex over the text (exact offsets)."""
    out = []
    for cat, pat in _PATTERNS.items():
        m = re.search(pat, doc.text, flags=re.I)
        if m:
            c = doc.cite(m.start(), m.end())
            out.append(
                Clause(
                    category=cat,
                    text=c.quote,
                    page=c.page,
                    start=c.start,
                    end=c.end,
                    confidence=0.9,
                )
            )
    return out


def judge(subtask, rule, clauses, doc, seg, ctx, *, confidence=0.9, severity=None):
    if not clauses:
        return Finding(
            rule_id=rule.id,
            title=rule.title,
            severity=rule.severity_missing,
            status="missing",
            explanation="not found",
            categories=rule.categories,
            confidence=confidence,
        )
    c = clauses[0]
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity or rule.severity_deviation,
        status="deviation",
        explanation="found",
        categories=rule.categories,
        citations=[doc.cite(c.start, c.end)],
        confidence=confidence,
    )


def failing_judge(*args, **kwargs):
    raise RuntimeError("model unavailable")


def unsure_judge(subtask, rule, clauses, doc, seg, ctx):
    return judge(subtask, rule, clauses, doc, seg, ctx, confidence=0.2, severity="high")


def slow_judge(subtask, rule, clauses, doc, seg, ctx):
    print("ANALYZING", flush=True)
    sys.stdout.flush()
    time.sleep(60)
    return judge(subtask, rule, clauses, doc, seg, ctx)


def research(subtask, rule, clauses, ctx):
    return [], None


def synthesize(findings, playbook, deal, ctx):
    action = {
        "compliant": "accept",
        "deviation": "negotiate",
        "missing": "add",
        "needs_review": "escalate",
    }
    return [
        f.model_copy(
            update={"recommendation": Recommendation(action=action[f.status], rationale="test")}
        )
        for f in findings
    ]


def registry(*risk: AgentSpec) -> Registry:
    from legal_orch_agents.validation import AGENT as VALIDATION

    base = [
        AgentSpec(name="regex_extract", capability="extract", run=regex_extract),
        AgentSpec(name="test_research", capability="research", run=research),
        AgentSpec(name="test_synthesize", capability="synthesize", run=synthesize),
        VALIDATION,
    ]
    return Registry(
        base + list(risk or [AgentSpec(name="test_risk", capability="risk", run=judge)])
    )
