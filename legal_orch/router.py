"""Give each subtask to the cheapest agent that meets the quality bar; escalate on failure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from legal_orch.domain import Subtask
from legal_orch.playbook import Playbook, Rule
from legal_orch.registry import AgentSpec, Capability, Registry


class NoAgentError(LookupError):
    """No registered agent has the capability the review needs."""


def choose(
    registry: Registry,
    capability: Capability,
    categories: Iterable[str] = (),
    *,
    quality_bar: float = 0.0,
    min_tier: int = 0,
    llm: bool = False,
    rule_id: str | None = None,
) -> AgentSpec:
    """Return the cheapest agent at or above `min_tier` whose measured quality meets the bar.

    An agent's quality is its scorecard figure for the playbook rule (`rule_id`) where it was
    measured on that rule, else the mean over `categories`. When none meets the bar, the
    best-measured agent of the lowest tier at or above `min_tier` is chosen (so a subtask always
    gets an agent); when none is at or above `min_tier`, the strongest there is.
    """
    cats = list(categories)
    specs = [s for s in registry.for_capability(capability, llm=llm) if _handles(s, cats)]
    if not specs:
        raise NoAgentError(f"no agent registered for '{capability}'")
    eligible = [s for s in specs if s.cost_tier >= min_tier] or [specs[-1]]
    good = [s for s in eligible if meets(quality(s, cats, rule_id), quality_bar)]
    if good:
        return good[0]
    return max(eligible, key=lambda s: (_known(quality(s, cats, rule_id)), -s.cost_tier))


def rule_key(rule_id: str) -> str:
    """The scorecard key of a playbook rule (categories and key-term fields are plain names)."""
    return f"rule:{rule_id}"


def quality(spec: AgentSpec, categories: list[str], rule_id: str | None = None) -> float | None:
    """The agent's measured quality on the rule, else on the categories; None where unmeasured."""
    if rule_id is not None and (q := spec.quality.get(rule_key(rule_id))) is not None:
        return q
    if rule_id is not None and not categories and any(k.startswith("rule:") for k in spec.quality):
        return None  # measured on other rules only: this rule is unmeasured
    return spec.quality_for(categories)


def meets(quality: float | None, bar: float) -> bool:
    """An unmeasured agent meets only a zero bar: unmeasured is not perfect."""
    return bar <= 0 if quality is None else quality >= bar


def _known(quality: float | None) -> float:
    return -1.0 if quality is None else quality


def _handles(spec: AgentSpec, categories: list[str]) -> bool:
    return not categories or any(spec.handles(c) for c in categories)


def llm_affordable(llm: Any, budget: float | None, spent: float, calls: int = 1) -> bool:
    """Whether the LLM tier may take `calls` more calls within what is left of the budget.

    A model missing from the price table cannot be vouched for, so a budget refuses it.
    """
    if llm is None or calls <= 0:
        return llm is not None
    if budget is None:
        return True
    # Each call is counted at its bound (a long prompt, the longest answer), not a typical one,
    # so the calls let through cannot together pass the budget.
    each = llm.bound() if hasattr(llm, "bound") else None
    return each is not None and spent + each * calls <= budget


def plan_subtasks(
    playbook: Playbook, registry: Registry, *, quality_bar: float = 0.0, llm: bool = False
) -> dict[str, Subtask]:
    """Return one subtask per playbook rule with the agent the router picked for it."""
    return {
        rule.id: Subtask(
            id=rule.id,
            rule_id=rule.id,
            categories=rule.categories,
            agent=(
                spec := choose(
                    registry,
                    "risk",
                    rule.categories,
                    quality_bar=quality_bar,
                    llm=llm,
                    rule_id=rule.id,
                )
            ).name,
            tier=spec.cost_tier,
        )
        for rule in playbook.rules
    }


def escalate(subtask: Subtask, rule: Rule, registry: Registry, *, llm: bool = False) -> Subtask:
    """Return the subtask re-routed to a stronger tier, or to the same agent for one more try."""
    stronger = [
        s
        for s in registry.for_capability("risk", llm=llm)
        if s.cost_tier > subtask.tier and _handles(s, rule.categories)
    ]
    spec = stronger[0] if stronger else registry.get(subtask.agent)
    return subtask.model_copy(
        update={"agent": spec.name, "tier": spec.cost_tier, "attempt": subtask.attempt + 1}
    )
