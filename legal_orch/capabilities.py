"""The typed contract of each capability: what an agent's `run` takes and returns.

A plug-in's `run` is checked against its capability's protocol when the registry loads it
(arity and parameter names), and statically by the type checker through `Registry.runner`.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from legal_orch.context import ReviewContext
    from legal_orch.domain import (
        AgentFailure,
        Clause,
        Deal,
        Document,
        Finding,
        KeyTerms,
        Precedent,
        Segmentation,
        Subtask,
        Validation,
    )
    from legal_orch.playbook import Playbook, Rule

Capability = Literal["extract", "key_terms", "research", "risk", "synthesize", "validate"]
CAPABILITIES: tuple[Capability, ...] = (
    "extract",
    "key_terms",
    "research",
    "risk",
    "synthesize",
    "validate",
)


class ExtractRun(Protocol):
    def __call__(self, doc: Document, seg: Segmentation, ctx: ReviewContext) -> list[Clause]: ...


class KeyTermsRun(Protocol):
    def __call__(
        self, doc: Document, seg: Segmentation, clauses: list[Clause], ctx: ReviewContext
    ) -> KeyTerms: ...


class ResearchRun(Protocol):
    def __call__(
        self, subtask: Subtask, rule: Rule, clauses: list[Clause], ctx: ReviewContext
    ) -> tuple[list[Precedent], str | None]: ...


class RiskRun(Protocol):
    def __call__(
        self,
        subtask: Subtask,
        rule: Rule,
        clauses: list[Clause],
        doc: Document,
        seg: Segmentation,
        ctx: ReviewContext,
    ) -> Finding: ...


class SynthesizeRun(Protocol):
    def __call__(
        self, findings: list[Finding], playbook: Playbook, deal: Deal, ctx: ReviewContext
    ) -> list[Finding]: ...


class ValidateRun(Protocol):
    def __call__(
        self,
        doc: Document,
        clauses: list[Clause],
        findings: list[Finding],
        playbook: Playbook,
        failures: list[AgentFailure],
        deal: Deal,
        ctx: ReviewContext,
    ) -> Validation: ...


class TrainHook(Protocol):
    """Train one of an agent's models from the shared data folder; return what was measured."""

    def __call__(self, data: Path) -> Mapping[str, Any]: ...


class SetupHook(Protocol):
    """Prepare an agent's stores ahead of the first review (index a bank, say)."""

    def __call__(self, ctx: ReviewContext) -> str: ...


PROTOCOLS: dict[Capability, type] = {
    "extract": ExtractRun,
    "key_terms": KeyTermsRun,
    "research": ResearchRun,
    "risk": RiskRun,
    "synthesize": SynthesizeRun,
    "validate": ValidateRun,
}


def arity(capability: Capability) -> int:
    """The number of positional parameters a `run` of `capability` receives."""
    sig = inspect.signature(PROTOCOLS[capability].__call__)
    return len(sig.parameters) - 1  # less `self`


def signature_problem(capability: Capability, run: Any) -> str | None:
    """Say why `run` cannot be called as `capability` requires, or None when it can."""
    try:
        sig = inspect.signature(run)
    except (TypeError, ValueError):
        return None  # a builtin or C callable: checked when called
    try:
        sig.bind(*range(arity(capability)))
    except TypeError as e:
        return f"run{sig} cannot take the {arity(capability)} arguments of '{capability}': {e}"
    return None
