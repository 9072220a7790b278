"""Recommendation synthesis: an action, a rationale and fallback language for every finding,
in the contract's own words, with related findings reconciled into one recommendation.

The wording and the reconciliation cases are data (`templates.yaml`, `reconciliation.yaml`);
fallback language comes from the playbook, its placeholders filled from the deal.
"""

from __future__ import annotations

from legal_orch_agents.recommendation.synthesis import (
    advice_for,
    cases,
    recommend,
    reconcile,
    rule_for,
    templates,
    weigh_absence,
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
    advice = advice_for(playbook, deal, templates())
    drafted = []
    for f in findings:
        rule = rule_for(playbook, f.rule_id)
        advised = f.model_copy(update={"recommendation": recommend(f, rule, advice)})
        drafted.append(weigh_absence(advised, rule, advice))
    return reconcile(drafted, advice, cases())


AGENT = AgentSpec(
    name="recommendation_synthesis",
    capability="synthesize",
    run=synthesize,
    description=(
        "Actions and fallback language in the contract's own terms (parties, defined terms, "
        "law); reconciles related findings whose clauses were found."
    ),
    cost_tier=0,
    implementation="offline: templates filled from the deal",
)
