"""Routing between the graph's nodes: the fan-out of subtasks and what follows validation."""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Send

from legal_orch import costs
from legal_orch.context import ReviewContext
from legal_orch.domain import Finding
from legal_orch.graph.state import ReviewState, SubtaskInput
from legal_orch.router import escalate, llm_affordable


def fan_out(state: ReviewState) -> list[Send]:
    """Send every pending subtask to precedent research and to risk analysis in parallel."""
    sends = []
    for sid in state.get("pending", []):
        sub = state["subtasks"][sid]
        payload = SubtaskInput(
            subtask=sub,
            document=state["document"],
            segmentation=state["segmentation"],
            clauses=[c for c in state.get("clauses", []) if c.category in sub.categories],
        )
        sends += [Send("research_precedents", payload), Send("analyze_risk", payload)]
    return sends or [Send("synthesize", state)]


def failed_subtasks(state: ReviewState, ctx: ReviewContext) -> list[str]:
    """Subtask ids named by a failed check that another try could mend.

    An agent that raised may succeed on a retry; an answer that failed a check is only worth
    re-asking of a stronger tier (the same deterministic agent would answer the same).
    """
    v = state.get("validation")
    if v is None:
        return []
    subtasks = state.get("subtasks", {})
    raised = {
        sid
        for c in v.checks
        if c.name in ("agents", "coverage") and c.status == "failed"
        for sid in c.subtask_ids
    }
    failed = {
        sid for c in v.checks if c.status == "failed" for sid in c.subtask_ids if sid in subtasks
    }
    spent = costs.spent(state.get("costs", []))
    llm = llm_affordable(ctx.llm, ctx.settings.budget, spent)
    failed |= unsure(state, ctx) if llm else set()
    return sorted(
        sid
        for sid in failed
        if sid in raised
        or escalate(
            subtasks[sid], ctx.playbook.rule(subtasks[sid].rule_id), ctx.registry, llm=llm
        ).agent
        != subtasks[sid].agent
    )


def unsure(state: ReviewState, ctx: ReviewContext) -> set[str]:
    """The confidence cascade: subtasks whose offline finding is below `cascade_below` (or was
    sent to a lawyer), asked once more of a stronger tier when a model is configured."""
    below = ctx.settings.cascade_below
    if below <= 0:
        return set()
    subtasks, findings = state.get("subtasks", {}), state.get("findings", {})
    return {
        sid
        for sid, sub in subtasks.items()
        if sub.attempt == 0
        and (spec := ctx.registry.find(sub.agent)) is not None
        and not spec.requires_llm
        and (f := findings.get(sub.rule_id)) is not None
        and (f.confidence < below or f.status == "needs_review")
    }


def needs_lawyer(state: ReviewState, ctx: ReviewContext) -> list[Finding]:
    """High-severity findings whose confidence is too low to stand without a lawyer."""
    decided = state.get("decisions", {})
    return [
        f
        for f in state.get("findings", {}).values()
        if f.severity in ("high", "critical")
        and f.confidence < ctx.settings.interrupt_confidence
        and f.rule_id not in decided
    ]


def route_after_validation(
    state: ReviewState, runtime: Runtime[ReviewContext]
) -> Literal["reroute", "ask_lawyer", "report"]:
    """Re-route failed subtasks (bounded), ask a lawyer when needed, else report."""
    ctx = runtime.context
    if failed_subtasks(state, ctx) and state.get("attempts", 0) <= ctx.settings.max_reroutes:
        return "reroute"
    if ctx.settings.interrupts and needs_lawyer(state, ctx):
        return "ask_lawyer"
    return "report"
