"""The graph's nodes: each reads state, calls the agent the registry names, returns its keys.

Nodes hold no prompts and no model logic; agents (found through the registry) do the work.
An agent that raises is recorded as an `AgentFailure`, so the review can say "incomplete"
rather than reading an error as "no risks found"; a transient error is first left to the graph's
RetryPolicy (see retry.py), and recorded only when the last attempt fails too.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from legal_orch import costs
from legal_orch.context import ReviewContext
from legal_orch.domain import AgentFailure, Deal, KeyTerms, Subtask
from legal_orch.graph.retry import retry_or_record
from legal_orch.graph.routing import failed_subtasks, needs_lawyer
from legal_orch.graph.state import ReviewState, SubtaskInput
from legal_orch.ingest import parse as parse_document
from legal_orch.ingest.limits import ReadLimits
from legal_orch.ingest.segment import segment as segment_document
from legal_orch.registry import runner
from legal_orch.router import choose, escalate, llm_affordable, plan_subtasks, quality
from legal_orch.side import resolve_client

Runtime_ = Runtime[ReviewContext]


Update = dict[str, Any]
Node = TypeVar("Node", bound=Callable[..., Update])


def timed(stage: str) -> Callable[[Node], Node]:
    """Add the node's wall time to `timings[stage]` and report progress to the stream."""

    def deco(fn: Node) -> Node:
        @wraps(fn)
        def run(state: Any, runtime: Runtime_) -> Update:
            t0 = time.perf_counter()
            sub = state.get("subtask") if isinstance(state, dict) else None
            with costs.meter(stage, sub.id if sub is not None else "") as m:
                update = fn(state, runtime)
            elapsed = time.perf_counter() - t0
            _progress(stage, state, elapsed)
            return {**update, "timings": {stage: elapsed}, "costs": list(m.entries.values())}

        return cast(Node, run)  # the same signature: LangGraph reads it to pass the runtime

    return deco


def _progress(stage: str, state: Any, elapsed: float) -> None:
    sub = state.get("subtask") if isinstance(state, dict) else None
    # Outside a graph run (unit tests call nodes directly) there is no stream to write to.
    with contextlib.suppress(RuntimeError):
        get_stream_writer()(
            {"stage": stage, "subtask": sub.id if sub else None, "seconds": round(elapsed, 3)}
        )


def _failure(
    agent: str, stage: str, exc: BaseException, subtask_id: str | None = None
) -> AgentFailure:
    return AgentFailure(
        agent=agent, stage=stage, subtask_id=subtask_id, error=f"{type(exc).__name__}: {exc}"[:500]
    )


def _deal(state: ReviewState) -> Deal:
    return state.get("deal") or Deal()


def _llm_ok(state: ReviewState, ctx: ReviewContext, calls: int = 1) -> bool:
    """Whether the LLM tier may take `calls` more calls: configured, and within the budget
    of the review and, in a batch with `--budget`, what the batch's ledger still holds."""
    spent = costs.spent(state.get("costs", []))
    if not llm_affordable(ctx.llm, ctx.settings.budget, spent, calls):
        return False
    if ctx.settings.budget_ledger is None or calls <= 0:
        return True
    each = ctx.llm.bound() if hasattr(ctx.llm, "bound") else None
    if each is None:
        return False  # a model missing from the price table cannot be vouched for
    ledger = costs.Ledger(ctx.settings.budget_ledger)
    return ledger.reserve(state["document"].sha256, each * calls)


@timed("ingest")
def ingest(state: ReviewState, runtime: Runtime_) -> Update:
    """Parse the PDF or Word file; bad input raises an InputError that ends the review with one line."""
    s = runtime.context.settings
    doc = parse_document(
        state["path"],
        max_pages=s.max_pages,
        max_file_mb=s.max_file_mb,
        ocr=s.ocr,
        ocr_timeout=s.ocr_timeout,
        limits=ReadLimits(s.parse_timeout, s.parse_memory_mb),
    )
    return {"document": doc}


@timed("segment")
def segment(state: ReviewState, runtime: Runtime_) -> Update:
    """Split the document into headings, clauses, sentences and defined terms."""
    return {"segmentation": segment_document(state["document"])}


@timed("index")
def index(state: ReviewState, runtime: Runtime_) -> Update:
    """Keep the contract at hand for agents that search it; index it in Chroma only when asked.

    Embedding is lazy: no offline agent reads the vectors, so a review embeds nothing unless an
    agent searches the contract or the user keeps contracts for cross-contract search.
    """
    store, settings = runtime.context.store, runtime.context.settings
    store.remember(state["document"], state["segmentation"])
    if settings.index_contracts:
        store.index_contract(state["document"], state["segmentation"])
    return {}


@timed("extract")
def extract(state: ReviewState, runtime: Runtime_) -> Update:
    """Extract CUAD clauses with the extraction agent the router picks."""
    ctx = runtime.context
    spec = choose(
        ctx.registry, "extract", quality_bar=ctx.settings.quality_bar, llm=ctx.llm is not None
    )
    doc, seg = state["document"], state["segmentation"]
    costs.attribute(spec.name)
    try:
        # An agent that wants the sentence vectors asks the store (the index stage made them).
        return {"clauses": runner(spec, "extract")(doc, seg, ctx)}
    except Exception as e:  # noqa: BLE001 - recorded: the review becomes incomplete
        retry_or_record(e, runtime)
        return {"clauses": [], "failures": {"extract": _failure(spec.name, "extract", e)}}


@timed("key_terms")
def key_terms(state: ReviewState, runtime: Runtime_) -> Update:
    """Read the parties and key terms, and settle whose side the review takes."""
    ctx = runtime.context
    doc, seg = state["document"], state["segmentation"]
    update: Update = {}
    terms = KeyTerms()
    specs = ctx.registry.for_capability("key_terms", llm=ctx.llm is not None)
    if specs:
        spec = choose(ctx.registry, "key_terms", quality_bar=ctx.settings.quality_bar)
        costs.attribute(spec.name)
        try:
            terms = runner(spec, "key_terms")(doc, seg, state.get("clauses", []), ctx)
            update["failures"] = {"key_terms": None}
        except Exception as e:  # noqa: BLE001 - recorded: the review becomes incomplete
            retry_or_record(e, runtime)
            update["failures"] = {"key_terms": _failure(spec.name, "key_terms", e)}
    client = resolve_client(terms.parties, state.get("client"), ctx.playbook)
    defined = sorted({t.term for t in seg.terms})
    title = next(
        (c.answer or c.text for c in state.get("clauses", []) if c.category == "Document Name"),
        None,
    )
    deal = Deal(key_terms=terms, client=client, defined_terms=defined, title=title)
    return {**update, "deal": deal}


@timed("plan")
def plan(state: ReviewState, runtime: Runtime_) -> Update:
    """Decompose the review into one subtask per playbook rule, each routed to an agent."""
    ctx = runtime.context
    bar = ctx.settings.quality_bar
    subtasks = plan_subtasks(ctx.playbook, ctx.registry, quality_bar=bar, llm=ctx.llm is not None)
    wanted = [k for k, s in subtasks.items() if ctx.registry.get(s.agent).requires_llm]
    if wanted and not _llm_ok(state, ctx, len(wanted)):  # the budget cannot pay for them all
        offline = plan_subtasks(ctx.playbook, ctx.registry, quality_bar=bar, llm=False)
        keep = _affordable(state, ctx, wanted, offline)
        subtasks = {k: s if k in keep else offline[k] for k, s in subtasks.items()}
    deal = _deal(state)
    subtasks = {k: s.model_copy(update={"deal": deal}) for k, s in subtasks.items()}
    return {"subtasks": subtasks, "pending": list(subtasks)}


def _affordable(
    state: ReviewState, ctx: ReviewContext, wanted: list[str], offline: dict[str, Subtask]
) -> set[str]:
    """The most of `wanted` the budget pays for, those the offline tier is weakest at first."""

    def offline_quality(k: str) -> float:
        q = quality(ctx.registry.get(offline[k].agent), offline[k].categories, offline[k].rule_id)
        return -1.0 if q is None else q

    ranked = sorted(wanted, key=offline_quality)
    for n in range(len(ranked) - 1, 0, -1):
        if _llm_ok(state, ctx, n):
            return set(ranked[:n])
    return set()


@timed("research_precedents")
def research_precedents(state: SubtaskInput, runtime: Runtime_) -> Update:
    """Find the closest precedents for one subtask and compare its key terms."""
    ctx, sub = runtime.context, state["subtask"]
    spec = choose(ctx.registry, "research", sub.categories, llm=ctx.llm is not None)
    rule = ctx.playbook.rule(sub.rule_id)
    costs.attribute(spec.name)
    try:
        precedents, comparison = runner(spec, "research")(sub, rule, state["clauses"], ctx)
    except Exception as e:  # noqa: BLE001 - recorded: the review becomes incomplete
        retry_or_record(e, runtime)
        return {"failures": {f"research:{sub.id}": _failure(spec.name, "research", e, sub.id)}}
    return {
        "precedents": {sub.id: precedents},
        "comparisons": {sub.id: comparison} if comparison else {},
        "failures": {f"research:{sub.id}": None},
    }


@timed("analyze_risk")
def analyze_risk(state: SubtaskInput, runtime: Runtime_) -> Update:
    """Judge one playbook rule with the agent the router assigned to the subtask."""
    ctx, sub = runtime.context, state["subtask"]
    # A resumed review may find its planned agent gone (the registry changed): route again.
    spec = ctx.registry.find(sub.agent) or choose(
        ctx.registry, "risk", sub.categories, llm=ctx.llm is not None
    )
    rule = ctx.playbook.rule(sub.rule_id)
    costs.attribute(spec.name)
    try:
        finding = runner(spec, "risk")(
            sub, rule, state["clauses"], state["document"], state["segmentation"], ctx
        )
    except Exception as e:  # noqa: BLE001 - recorded: the review becomes incomplete
        retry_or_record(e, runtime)
        return {
            "failures": {f"risk:{sub.id}": _failure(spec.name, "risk", e, sub.id)},
            "findings": {sub.id: None},
        }
    finding = finding.model_copy(update={"agent": finding.agent or spec.name})
    return {"findings": {sub.id: finding}, "failures": {f"risk:{sub.id}": None}}


@timed("synthesize")
def synthesize(state: ReviewState, runtime: Runtime_) -> Update:
    """Attach precedents, then let the synthesis agent write and reconcile recommendations."""
    ctx = runtime.context
    findings = {
        rid: f.model_copy(
            update={
                "precedents": state.get("precedents", {}).get(rid, f.precedents),
                "comparison": state.get("comparisons", {}).get(rid, f.comparison),
            }
        )
        for rid, f in state.get("findings", {}).items()
    }
    spec = choose(ctx.registry, "synthesize", llm=ctx.llm is not None)
    costs.attribute(spec.name)
    try:
        ordered = [findings[r.id] for r in ctx.playbook.rules if r.id in findings]
        done = runner(spec, "synthesize")(ordered, ctx.playbook, _deal(state), ctx)
    except Exception as e:  # noqa: BLE001 - recorded: the review becomes incomplete
        retry_or_record(e, runtime)
        return {
            "findings": findings,
            "failures": {"synthesize": _failure(spec.name, "synthesize", e)},
        }
    return {"findings": {f.rule_id: f for f in done}, "failures": {"synthesize": None}}


@timed("validate")
def validate(state: ReviewState, runtime: Runtime_) -> Update:
    """Check grounding, coverage and consistency; decide what must be re-routed."""
    ctx = runtime.context
    spec = choose(ctx.registry, "validate")
    costs.attribute(spec.name)
    findings = list(state.get("findings", {}).values())
    validation = runner(spec, "validate")(
        state["document"],
        state.get("clauses", []),
        findings,
        ctx.playbook,
        list(state.get("failures", {}).values()),
        _deal(state),
        ctx,
    )
    update: Update = {"validation": validation, "attempts": 1}
    if validation.amended:
        update["findings"] = {f.rule_id: f for f in validation.amended}
    return update


@timed("reroute")
def reroute(state: ReviewState, runtime: Runtime_) -> Update:
    """Escalate each failed subtask to a stronger tier and queue it for another fan-out."""
    ctx = runtime.context
    ids = failed_subtasks(state, ctx)
    subtasks = dict(state["subtasks"])
    n_llm = 0
    for sid in ids:
        # Each escalation to the LLM tier must fit what is left of the budget.
        rule = ctx.playbook.rule(subtasks[sid].rule_id)
        subtasks[sid] = escalate(
            subtasks[sid], rule, ctx.registry, llm=_llm_ok(state, ctx, n_llm + 1)
        )
        n_llm += ctx.registry.get(subtasks[sid].agent).requires_llm
    return {"subtasks": subtasks, "pending": ids}


@timed("ask_lawyer")
def ask_lawyer(state: ReviewState, runtime: Runtime_) -> Update:
    """Pause the review until a lawyer decides each uncertain high-severity finding."""
    pending = needs_lawyer(state, runtime.context)
    answer = interrupt(
        {
            "question": "Confirm or reject these high-severity findings made with low confidence.",
            "findings": [
                {
                    "rule_id": f.rule_id,
                    "title": f.title,
                    "severity": f.severity,
                    "confidence": f.confidence,
                    "explanation": f.explanation,
                    # the clause itself, so the lawyer decides on the text, not on a summary
                    "citations": [c.model_dump(mode="json") for c in f.citations],
                }
                for f in pending
            ],
        }
    )
    decisions = {f.rule_id: _decision(answer, f.rule_id) for f in pending}
    findings = {}
    for f in pending:
        d = decisions[f.rule_id]
        if d["decision"] == "reject":
            findings[f.rule_id] = f.model_copy(
                update={
                    "status": "needs_review",
                    "severity": "info",
                    "explanation": f"Rejected by {d['reviewer']}: {f.explanation}",
                }
            )
        else:
            findings[f.rule_id] = f.model_copy(update={"confidence": 1.0})
    return {"decisions": decisions, "findings": findings}


def _decision(answer: Any, rule_id: str) -> dict[str, str]:
    raw = answer.get(rule_id, answer.get("*", "accept")) if isinstance(answer, dict) else answer
    raw = raw if isinstance(raw, dict) else {"decision": str(raw)}
    decision = raw.get("decision", "accept")
    if decision not in ("accept", "reject"):
        raise ValueError(f"decision for {rule_id} must be accept or reject, not {decision!r}")
    return {
        "decision": decision,
        "reviewer": raw.get("reviewer", "lawyer"),
        "note": raw.get("note", ""),
    }
