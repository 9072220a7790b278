"""The library API: review one contract with the checkpointed graph, streaming progress."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from legal_orch.context import ReviewContext
from legal_orch.errors import DecisionError
from legal_orch.graph import STATE_VERSION, build_graph, open_checkpointer
from legal_orch.ingest import check_input
from legal_orch.ingest.pdf import display_name, sha256_file
from legal_orch.llm import make_chat_model
from legal_orch.outcomes import OutcomeStore, learned_registry
from legal_orch.playbook import Playbook, load_playbook
from legal_orch.registry import Registry, default_registry
from legal_orch.reports.report import ReviewReport, from_state
from legal_orch.retrieval.embeddings import Embedder, default_embedder
from legal_orch.settings import Settings

if TYPE_CHECKING:
    from legal_orch.retrieval.store import Store

Progress = Callable[[dict[str, Any]], None]


@dataclass
class Paused:
    """A review waiting for a lawyer's decision; resume with `Reviewer.review(..., decisions=)`."""

    thread_id: str
    question: dict[str, Any]


class Reviewer:
    """Review contracts: owns the context (agents, stores, playbook) and the compiled graph."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        playbook: Playbook | str | None = None,
        registry: Registry | None = None,
        embedder: Embedder | None = None,
        store: Store | None = None,
        llm: Any = None,
        checkpointer: Any = None,
    ):
        self.settings = settings or Settings()
        pb = playbook if playbook is not None else self.settings.playbook
        self.playbook = pb if isinstance(pb, Playbook) else load_playbook(pb)
        if registry is None:
            registry = default_registry()
            if self.settings.learn:  # quality refitted from this installation's outcomes
                registry = learned_registry(registry, self.settings)
        self.registry = registry
        self.embedder = embedder or default_embedder(self.settings)
        self._store = store
        self.llm = llm if llm is not None else make_chat_model(self.settings)
        self.checkpointer = checkpointer or open_checkpointer(self.settings.checkpoint_path())
        self.graph = build_graph(checkpointer=self.checkpointer)

    @property
    def store(self) -> Store:
        if self._store is None:
            from legal_orch.retrieval.store import Store

            self._store = Store.from_settings(self.settings, self.embedder)
        return self._store

    def context(self) -> ReviewContext:
        return ReviewContext(
            settings=self.settings,
            playbook=self.playbook,
            registry=self.registry,
            embedder=self.embedder,
            store=self.store,
            llm=self.llm,
        )

    def thread_id(self, path: Path, client: str | None = None) -> str:
        """Key a review by file content, playbook and side, so a re-run resumes the same one."""
        book = hashlib.sha256(self.playbook.model_dump_json().encode()).hexdigest()[:12]
        side = hashlib.sha256((client or "").encode()).hexdigest()[:8]
        return f"{sha256_file(path)}:{book}:{side}:{STATE_VERSION}"

    def review(
        self,
        path: str | Path,
        *,
        on_progress: Progress | None = None,
        decisions: dict[str, Any] | None = None,
        fresh: bool = False,
        client: str | None = None,
    ) -> ReviewReport | Paused:
        """Review `path`; resume an interrupted or crashed run of the same file if there is one."""
        path = Path(path)
        check_input(path, self.settings.max_file_mb)
        thread = self.thread_id(path, client)
        config: RunnableConfig = {"configurable": {"thread_id": thread}}
        snap = self.graph.get_state(config)
        asked = snap.interrupts[0].value if snap.interrupts and not fresh else None
        if decisions and asked is None:
            raise DecisionError(f"{display_name(path)}: no paused review awaits a decision")
        if asked is not None and not decisions:
            return Paused(thread_id=thread, question=asked)  # never decide for the lawyer
        if snap.next and not fresh:
            inp: Any = Command(resume=check_decisions(decisions or {}, asked)) if asked else None
        else:
            if snap.values:
                self.checkpointer.delete_thread(thread)
            inp = {"path": str(path), "playbook": self.playbook.name}
            if client:
                inp["client"] = client
        chunk: Any  # with several stream modes LangGraph yields (mode, chunk) pairs
        for mode, chunk in self.graph.stream(
            inp,
            config,
            context=self.context(),
            stream_mode=["updates", "custom"],
            # Each step is on disk before the next starts: a kill -9 loses at most the step running.
            durability="sync",
        ):
            if on_progress is not None:
                on_progress(chunk if mode == "custom" else {"updates": list(chunk)})
        snap = self.graph.get_state(config)
        if snap.interrupts:
            return Paused(thread_id=thread, question=snap.interrupts[0].value)
        report = from_state(snap.values, self.playbook.name, [r.id for r in self.playbook.rules])
        if self.settings.learn:  # the router learns from how each agent's findings fared
            OutcomeStore.from_settings(self.settings).record_review(report)
        self.prune()
        return report

    def prune(self) -> int:
        """Delete finished reviews' checkpoints older than `keep_checkpoints_days`."""
        from legal_orch.graph.checkpoint import prune_finished

        if not hasattr(self.checkpointer, "conn"):  # an in-memory saver: gone with the process
            return 0
        return prune_finished(self.graph, self.checkpointer, self.settings.keep_checkpoints_days)


def check_decisions(decisions: dict[str, Any], asked: dict[str, Any]) -> dict[str, Any]:
    """Return `decisions` if they answer exactly what the paused review asked, else raise."""
    wanted = [f["rule_id"] for f in asked.get("findings", [])]
    unknown = sorted(set(decisions) - set(wanted) - {"*"})
    if unknown:
        raise DecisionError(
            f"no finding awaits a decision on {', '.join(map(repr, unknown))}; "
            f"decide one of: {', '.join(wanted)} (or * for all)"
        )
    undecided = [r for r in wanted if r not in decisions and "*" not in decisions]
    if undecided:
        raise DecisionError(
            f"no decision given for {', '.join(undecided)}; decide each (or * for all the rest)"
        )
    return decisions
