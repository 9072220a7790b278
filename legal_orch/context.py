"""The run-time context of a review: injected dependencies, never built at import time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from legal_orch.playbook import Playbook
from legal_orch.registry import Registry
from legal_orch.settings import Settings

if TYPE_CHECKING:
    from legal_orch.retrieval.embeddings import Embedder
    from legal_orch.retrieval.store import Store


@dataclass
class ReviewContext:
    """What every node may use: settings, playbook, agents, embeddings, stores, an optional LLM."""

    settings: Settings
    playbook: Playbook
    registry: Registry
    embedder: Embedder
    store: Store
    llm: Any = None  # a LangChain chat model when a provider is configured
    cache: dict[str, Any] = field(default_factory=dict)  # per-process memo (models, banks)
