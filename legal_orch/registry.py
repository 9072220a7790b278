"""The agent registry: each agent declares what it can do, what it costs and how good it is.

Agents are found through the `legal_orch.agents` entry-point group (see pyproject.toml), so a
firm's own package adds or replaces one without touching the graph. Quality comes from the eval
scorecard (`corpora/scorecard.json`, written by `legal-orch eval`), not from the declaration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import metadata, resources
from typing import Any, Literal, overload

from legal_orch.capabilities import (
    PROTOCOLS,
    Capability,
    ExtractRun,
    KeyTermsRun,
    ResearchRun,
    RiskRun,
    SetupHook,
    SynthesizeRun,
    TrainHook,
    ValidateRun,
    signature_problem,
)
from legal_orch.errors import LegalOrchError

ENTRY_POINT_GROUP = "legal_orch.agents"
__all__ = ["AgentSpec", "Capability", "Registry", "default_registry", "load_scorecard"]


@dataclass(frozen=True)
class AgentSpec:
    """The declaration of one agent.

    `run` is the agent's entry point; its signature is the capability's protocol in
    `legal_orch.capabilities` (checked when the registry loads the agent). `train` names the
    models the agent can rebuild (`legal-orch train NAME`); `hooks` are extra entry points an
    eval may call (n-best candidates, say); `replaces` names a shipped agent this one stands in
    for. `quality` is measured (the dev scorecard), never declared: an agent without it is
    unmeasured.
    """

    name: str
    capability: Capability
    run: Callable[..., Any]
    description: str = ""
    categories: frozenset[str] | None = None  # clause types handled; None: all
    cost_tier: int = 0  # 0: offline, fast; 1: offline, heavier; 2: small LLM; 3: large LLM
    implementation: str = "offline"
    models: tuple[str, ...] = ()  # artifacts it loads, for `legal-orch agents`
    requires_llm: bool = False
    replaces: str | None = None
    train: Mapping[str, TrainHook] = field(default_factory=dict)
    setup: SetupHook | None = None
    hooks: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    quality: dict[str, float] = field(default_factory=dict)  # from the scorecard, per category

    def handles(self, category: str | None) -> bool:
        return self.categories is None or category is None or category in self.categories

    @property
    def measured(self) -> bool:
        return bool(self.quality)

    def quality_for(self, categories: Iterable[str]) -> float | None:
        """Return the mean measured quality over `categories`; None where unmeasured."""
        cats = list(categories)
        if not cats:
            q = self.quality
            return q.get("*", sum(q.values()) / len(q)) if q else None
        vals = [v for c in cats if (v := self.quality.get(c, self.quality.get("*"))) is not None]
        return sum(vals) / len(vals) if vals else None


class Registry:
    """The agents available to a review, by name and by capability."""

    def __init__(self, specs: Iterable[AgentSpec] = ()):
        self._specs: dict[str, AgentSpec] = {}
        for s in specs:
            self.register(s)

    def register(self, spec: AgentSpec) -> None:
        """Add `spec`; a declared `replaces` removes the agent it stands in for."""
        problem = signature_problem(spec.capability, spec.run)
        if problem:
            raise LegalOrchError(f"agent {spec.name}: {problem}")
        if spec.replaces:
            self._specs.pop(spec.replaces, None)
        self._specs[spec.name] = spec

    def get(self, name: str) -> AgentSpec:
        return self._specs[name]

    def find(self, name: str) -> AgentSpec | None:
        return self._specs.get(name)

    def all(self) -> list[AgentSpec]:
        return list(self._specs.values())

    def for_capability(self, capability: Capability, *, llm: bool = False) -> list[AgentSpec]:
        """Agents with `capability`, cheapest first (a specialist before a generalist of the same
        cost); LLM agents only when a model is configured."""
        specs = [s for s in self._specs.values() if s.capability == capability]
        specs = [s for s in specs if llm or not s.requires_llm]
        return sorted(specs, key=lambda s: (s.cost_tier, s.categories is None, s.name))

    def trainer(self, target: str) -> tuple[AgentSpec, TrainHook]:
        """Return the agent and hook that train `target` (a model name or an agent's name)."""
        for s in self._specs.values():
            if target in s.train:
                return s, s.train[target]
            if target == s.name and len(s.train) == 1:
                return s, next(iter(s.train.values()))
        known = sorted({t for s in self._specs.values() for t in s.train})
        raise LegalOrchError(f"nothing trains '{target}'; known: {', '.join(known) or 'none'}")

    def with_scorecard(self, scorecard: Mapping[str, Mapping[str, float]]) -> Registry:
        """Return a registry whose agents carry the measured quality from `scorecard`."""
        out = Registry()
        out._specs = {
            n: replace(s, quality={**s.quality, **scorecard.get(s.name, {})})
            for n, s in self._specs.items()
        }
        return out


@overload
def runner(spec: AgentSpec, capability: Literal["extract"]) -> ExtractRun: ...
@overload
def runner(spec: AgentSpec, capability: Literal["key_terms"]) -> KeyTermsRun: ...
@overload
def runner(spec: AgentSpec, capability: Literal["research"]) -> ResearchRun: ...
@overload
def runner(spec: AgentSpec, capability: Literal["risk"]) -> RiskRun: ...
@overload
def runner(spec: AgentSpec, capability: Literal["synthesize"]) -> SynthesizeRun: ...
@overload
def runner(spec: AgentSpec, capability: Literal["validate"]) -> ValidateRun: ...
def runner(spec: AgentSpec, capability: Capability) -> Any:
    """Return `spec.run` typed as the protocol of `capability` (its signature was checked when
    the agent registered)."""
    # Code written before the names were typed passes the protocol class: still served.
    name = capability if isinstance(capability, str) else _CAPABILITY_OF[capability]
    if spec.capability != name:
        raise LegalOrchError(f"agent {spec.name} offers '{spec.capability}', not '{name}'")
    return spec.run


_CAPABILITY_OF: dict[type, Capability] = {p: c for c, p in PROTOCOLS.items()}


def _entry_points() -> list[AgentSpec]:
    specs: list[AgentSpec] = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except (ImportError, AttributeError) as e:
            raise LegalOrchError(f"agent plugin {ep.name} ({ep.value}) failed to load: {e}") from e
        found = obj if isinstance(obj, list | tuple) else [obj]
        if not all(isinstance(s, AgentSpec) for s in found):
            raise LegalOrchError(f"agent plugin {ep.name} ({ep.value}) is not an AgentSpec")
        specs.extend(found)
    return specs


def assemble(specs: Iterable[AgentSpec]) -> Registry:
    """Build a registry: shipped agents first, then those that add to or replace them.

    Two agents with one name are an error unless the later one declares `replaces`.
    """
    ordered = sorted(specs, key=lambda s: s.replaces is not None)
    reg = Registry()
    for s in ordered:
        if reg.find(s.name) and s.replaces != s.name:
            raise LegalOrchError(
                f"two agents are named '{s.name}'; a replacement must say replaces='{s.name}'"
            )
        if s.replaces and not reg.find(s.replaces):
            raise LegalOrchError(f"agent {s.name} replaces '{s.replaces}', which is not installed")
        reg.register(s)
    return reg


def load_scorecard() -> dict[str, dict[str, float]]:
    """Read the shipped scorecard (agent -> category -> quality in 0..1); empty if none."""
    res = resources.files("legal_orch_corpora") / "scorecard.json"
    if not res.is_file():
        return {}
    data = json.loads(res.read_text(encoding="utf-8"))
    agents: dict[str, dict[str, float]] = data.get("agents", data)
    return agents


def default_registry() -> Registry:
    """Build the registry from installed entry points and the shipped scorecard."""
    return assemble(_entry_points()).with_scorecard(load_scorecard())
