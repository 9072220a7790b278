"""Decide an NDA rule's ContractNLI hypothesis over a contract's sentences, with evidence."""

from __future__ import annotations

import numpy as np
from legal_orch_agents.risk_analysis.judge import finding
from legal_orch_agents.risk_analysis.nli import NliModel, NliPrediction
from legal_orch_agents.risk_analysis.nli_combine import Combiner
from legal_orch_agents.risk_analysis.nli_neural import NeuralNliModel, doc_features

from legal_orch.context import ReviewContext
from legal_orch.domain import Document, Finding, Segment, Segmentation
from legal_orch.playbook import Rule
from legal_orch.retrieval.embeddings import default_embedder

MODEL_KEY = "risk_analysis.nli_model"
TIER1_KEY = "risk_analysis.nli_tier1_model"
COMBINER_KEY = "risk_analysis.nli_combiner"
EVIDENCE_SPANS = 3
TIER1_AGENT = "nli_tier1"


def _cached(ctx: ReviewContext | None, key: str, load):
    if ctx is None:
        return load()
    if key not in ctx.cache:
        ctx.cache[key] = load()
    return ctx.cache[key]


def nli_model(ctx: ReviewContext | None) -> NliModel:
    """Load the shipped NLI model once per review context (or once per call without one)."""
    return _cached(ctx, MODEL_KEY, NliModel.load)


def tier1_model(ctx: ReviewContext | None) -> NeuralNliModel:
    """Load the shipped tier-1 NLI model once per review context."""
    return _cached(ctx, TIER1_KEY, NeuralNliModel.load)


def combiner(ctx: ReviewContext | None) -> Combiner:
    """Load the shipped tier-0 / tier-1 combiner once per review context."""
    return _cached(ctx, COMBINER_KEY, Combiner.load)


def units(seg: Segmentation) -> list[Segment]:
    """The spans the model reads: sentences, or clauses when segmentation found no sentences."""
    return seg.sentences or seg.clauses


def span_vectors(
    doc: Document, seg: Segmentation, ctx: ReviewContext | None
) -> tuple[list[str], np.ndarray]:
    """The spans' texts and MiniLM vectors, embedded once per document for both tiers."""
    spans = units(seg)
    if not spans:
        raise ValueError(f"{doc.name}: no sentences to read; segmentation produced nothing")
    texts = [" ".join(s.text.split()) for s in spans]
    embedder = ctx.embedder if ctx is not None else default_embedder()
    key = f"risk_analysis.nli_vectors:{doc.sha256}:{len(spans)}"
    return texts, _cached(ctx, key, lambda: embedder.encode(texts))


def predictions(
    doc: Document, seg: Segmentation, ctx: ReviewContext | None
) -> dict[str, NliPrediction]:
    """Predict every hypothesis for `doc` with tier 0; memoised per document."""
    key = f"risk_analysis.nli:{doc.sha256}:{len(units(seg))}"
    if ctx is not None and key in ctx.cache:
        return ctx.cache[key]
    texts, vecs = span_vectors(doc, seg, ctx)
    preds = nli_model(ctx).predict(texts, vecs)
    if ctx is not None:
        ctx.cache[key] = preds
    return preds


def tier1_prediction(
    doc: Document, seg: Segmentation, ctx: ReviewContext | None, hypothesis_id: str
) -> NliPrediction:
    """Tier 1's decision on one hypothesis (the span features are built once per document)."""
    texts, vecs = span_vectors(doc, seg, ctx)
    key = f"risk_analysis.nli1_features:{doc.sha256}:{len(texts)}"
    features = _cached(ctx, key, lambda: doc_features(texts, vecs))
    return tier1_model(ctx).predict(texts, vecs, only=[hypothesis_id], features=features)[
        hypothesis_id
    ]


def decide(rule: Rule, doc: Document, seg: Segmentation, ctx: ReviewContext | None) -> Finding:
    """Map the model's choice on the rule's hypothesis to a cited finding."""
    preds = predictions(doc, seg, ctx)
    if rule.hypothesis_id not in preds:
        known = ", ".join(preds)
        raise ValueError(
            f"rule {rule.id}: no trained model for hypothesis {rule.hypothesis_id!r} (known: {known})"
        )
    p = preds[rule.hypothesis_id]
    how = f"the model's probability: {p.probs[p.choice]:.2f}"
    return _finding(rule, doc, seg, p, p.probs[p.choice], how)


def decide_cascade(
    rule: Rule, doc: Document, seg: Segmentation, ctx: ReviewContext | None
) -> Finding:
    """Tier 0 decides; where it is unsure, tier 1 also reads the NDA and the combiner settles it.

    Two models that disagree lower the finding's confidence (the combiner's calibration).
    """
    p0 = predictions(doc, seg, ctx).get(rule.hypothesis_id or "")
    if p0 is None:
        return decide(rule, doc, seg, ctx)  # raises, naming the hypotheses the model knows
    comb = combiner(ctx)
    if not comb.needs_tier1(p0):
        how = f"the model's probability: {p0.probs[p0.choice]:.2f}"
        f = _finding(rule, doc, seg, p0, p0.probs[p0.choice], how)
    else:
        p1 = tier1_prediction(doc, seg, ctx, p0.hypothesis_id)
        p, confidence = comb.combine(p0, p1)
        agree = "agree" if p0.choice == p1.choice else "disagree"
        how = f"two models read it and {agree}; confidence {confidence:.2f}"
        f = _finding(rule, doc, seg, p, confidence, how)
    return f.model_copy(update={"agent": TIER1_AGENT})


def _finding(
    rule: Rule, doc: Document, seg: Segmentation, p: NliPrediction, confidence: float, how: str
) -> Finding:
    spans = units(seg)
    cites = [doc.cite(spans[i].start, spans[i].end) for i in p.evidence(EVIDENCE_SPANS)]
    status, severity = _status(rule, p.choice)
    said = (rule.hypothesis or rule.title).strip().rstrip(".")
    explanation = (
        f"{_READING[p.choice]} “{said}” ({how}). The playbook's position: {rule.preferred.strip()}"
    )
    return finding(rule, severity, status, explanation, cites, confidence)


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
