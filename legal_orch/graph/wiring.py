"""Wiring of the review graph: no prompts, no model calls (see DESIGN.md for the flow)."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer

from legal_orch.context import ReviewContext
from legal_orch.graph import nodes, routing
from legal_orch.graph.retry import RETRY
from legal_orch.graph.state import ReviewInput, ReviewOutput, ReviewState

STAGES = (
    "ingest",
    "segment",
    "index",
    "extract",
    "key_terms",
    "plan",
    "research_precedents",
    "analyze_risk",
    "synthesize",
    "validate",
    "reroute",
    "ask_lawyer",
    "report",
)


def report(state: ReviewState) -> dict[str, Any]:
    """End the review; the output schema selects what the caller receives."""
    return {}


ReviewGraph = CompiledStateGraph[ReviewState, ReviewContext, ReviewInput, ReviewOutput]


def build_graph(*, checkpointer: Checkpointer = None) -> ReviewGraph:
    """Compile the review graph, checkpointed by `checkpointer` when given."""
    g = StateGraph(
        ReviewState,
        input_schema=ReviewInput,
        output_schema=ReviewOutput,
        context_schema=ReviewContext,
    )
    g.add_node("ingest", nodes.ingest)
    g.add_node("segment", nodes.segment)
    g.add_node("index", nodes.index, retry_policy=RETRY)
    g.add_node("extract", nodes.extract, retry_policy=RETRY)
    g.add_node("key_terms", nodes.key_terms, retry_policy=RETRY)
    g.add_node("plan", nodes.plan)
    g.add_node("research_precedents", nodes.research_precedents, retry_policy=RETRY)
    g.add_node("analyze_risk", nodes.analyze_risk, retry_policy=RETRY)
    g.add_node("synthesize", nodes.synthesize, retry_policy=RETRY)
    g.add_node("validate", nodes.validate)
    g.add_node("reroute", nodes.reroute)
    g.add_node("ask_lawyer", nodes.ask_lawyer)
    g.add_node("report", report)
    g.add_edge(START, "ingest")
    g.add_edge("ingest", "segment")
    g.add_edge("segment", "index")
    g.add_edge("index", "extract")
    g.add_edge("extract", "key_terms")
    g.add_edge("key_terms", "plan")
    g.add_conditional_edges(
        "plan", routing.fan_out, ["research_precedents", "analyze_risk", "synthesize"]
    )
    g.add_edge("research_precedents", "synthesize")
    g.add_edge("analyze_risk", "synthesize")
    g.add_edge("synthesize", "validate")
    g.add_conditional_edges(
        "validate", routing.route_after_validation, ["reroute", "ask_lawyer", "report"]
    )
    g.add_conditional_edges(
        "reroute", routing.fan_out, ["research_precedents", "analyze_risk", "synthesize"]
    )
    g.add_edge("ask_lawyer", "report")
    g.add_edge("report", END)
    return g.compile(checkpointer=checkpointer)
