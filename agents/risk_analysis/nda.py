"""Decide an NDA rule's ContractNLI hypothesis over a contract's sentences, with evidence."""

from __future__ import annotations

from legal_orch_agents.risk_analysis.judge import finding
from legal_orch_agents.risk_analysis.nli import NliModel, NliPrediction

from legal_orch.context import ReviewContext
from legal_orch.domain import Document, Finding, Segment, Segmentation
from legal_orch.playbook import Rule
from legal_orch.retrieval.embeddings import default_embedder

MODEL_KEY = "risk_analysis.nli_model"
EVIDENCE_SPANS = 3


def nli_model(ctx: ReviewContext | None) -> NliModel:
    """Load the shipped NLI model once per review context (or once per call without one)."""
    if ctx is None:
        return NliModel.load()
    if MODEL_KEY not in ctx.cache:
        ctx.cache[MODEL_KEY] = NliModel.load()
    return ctx.cache[MODEL_KEY]


def units(seg: Segmentation) -> list[Segment]:
    """The spans the model reads: sentences, or clauses when segmentation found no sentences."""
    return seg.sentences or seg.clauses


def predictions(
    doc: Document, seg: Segmentation, ctx: ReviewContext | None
) -> dict[str, NliPrediction]:
    """Predict every hypothesis for `doc`; memoised per document in the review context."""
    key = f"risk_analysis.nli:{doc.sha256}:{len(units(seg))}"
    if ctx is not None and key in ctx.cache:
        return ctx.cache[key]
    spans = units(seg)
    if not spans:
        raise ValueError(f"{doc.name}: no sentences to read; segmentation produced nothing")
    embedder = ctx.embedder if ctx is not None else default_embedder()
    texts = [" ".join(s.text.split()) for s in spans]
    preds = nli_model(ctx).predict(texts, embedder.encode(texts))
    if ctx is not None:
        ctx.cache[key] = preds
    return preds


def decide(rule: Rule, doc: Document, seg: Segmentation, ctx: ReviewContext | None) -> Finding:
    """Map the model's choice on the rule's hypothesis to a cited finding."""
    preds = predictions(doc, seg, ctx)
    if rule.hypothesis_id not in preds:
        known = ", ".join(preds)
        raise ValueError(
            f"rule {rule.id}: no trained model for hypothesis {rule.hypothesis_id!r} (known: {known})"
        )
    p = preds[rule.hypothesis_id]
    spans = units(seg)
    cites = [doc.cite(spans[i].start, spans[i].end) for i in p.evidence(EVIDENCE_SPANS)]
    status, severity = _status(rule, p.choice)
    said = (rule.hypothesis or rule.title).strip().rstrip(".")
    explanation = (
        f"{_READING[p.choice]} “{said}” (the model's probability: {p.probs[p.choice]:.2f})."
        f" The playbook's position: {rule.preferred.strip()}"
    )
    return finding(rule, severity, status, explanation, cites, p.probs[p.choice])


_READING = {
    "Entailment": "The contract provides that",
    "Contradiction": "The contract provides the opposite of",
    "NotMentioned": "The contract does not address",
}


def _status(rule: Rule, choice: str):
    if choice == rule.hypothesis_preferred:
        return "compliant", "info"
    if choice == "NotMentioned":
        return "missing", rule.severity_missing
    return "deviation", rule.severity_deviation
