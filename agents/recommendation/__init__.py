"""Recommendation synthesis: an action, a rationale and fallback language for every finding,
with related findings reconciled into one coherent recommendation.

The wording and the reconciliation cases are data (`templates.yaml`, `reconciliation.yaml`).
"""

from __future__ import annotations

from legal_orch_agents.recommendation.synthesis import (
    cases,
    recommend,
    reconcile,
    rule_for,
    templates,
)

from legal_orch.context import ReviewContext
from legal_orch.domain import Deal, Finding
from legal_orch.playbook import Playbook
from legal_orch.registry import AgentSpec


def synthesize(
    findings: list[Finding],
    playbook: Playbook,
    deal: Deal | None = None,
    ctx: ReviewContext | None = None,
) -> list[Finding]:
    """Recommend an action for each finding, then reconcile findings that bear on each other."""
    t = templates()
    drafted = [
        f.model_copy(update={"recommendation": recommend(f, rule_for(playbook, f.rule_id), t)})
        for f in findings
    ]
    return reconcile(drafted, t, cases())


AGENT = AgentSpec(
    name="recommendation_synthesis",
    capability="synthesize",
    run=synthesize,
    description="Template-driven actions and fallback language; reconciles related findings.",
    cost_tier=0,
    implementation="offline",
)
