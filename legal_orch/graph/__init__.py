"""The review graph: wiring, state, nodes, routing between them and checkpoints."""

from legal_orch.graph.checkpoint import STATE_VERSION, open_checkpointer
from legal_orch.graph.wiring import STAGES, build_graph

__all__ = ["STAGES", "STATE_VERSION", "build_graph", "open_checkpointer"]
