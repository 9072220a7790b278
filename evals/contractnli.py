"""`legal-orch eval contractnli`: score the NDA playbook's decisions on ContractNLI.

Two protocols, side by side:

- `product`: what a review does. Each NDA's text becomes a `Document`, the product segments it,
  and for each rule of playbook `nda` the risk agent the router picks decides it; the finding's
  status maps back to a ContractNLI label (compliant: the rule's `hypothesis_preferred`;
  deviation: the other of Entailment / Contradiction; missing: NotMentioned; anything else is
  undecided and counted wrong). Evidence: the share of cited sentences that overlap a gold span.
- `gold_spans`: the paper's protocol, the NLI model run over ContractNLI's own spans through the
  agent's `nli_predict` hook (accuracy, F1, evidence mAP).

Writes `OUTDIR/metrics.json` (both protocols, the product's first), `OUTDIR/product.json` (each
document's decided labels and citations) and `OUTDIR/predictions.json` (the gold-span
protocol's choices, probabilities and span scores) so that anyone can rescore the run.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from legal_orch_evals.scorecard import check_dev, write
from rich.console import Console
from rich.progress import Progress

from legal_orch.capabilities import RiskRun
from legal_orch.datasets.contractnli import NliDataset, NliDocument, load_contractnli
from legal_orch.datasets.contractnli_metric import (
    Predictions,
    label_metrics,
    majority_choice,
    score_predictions,
)
from legal_orch.domain import Document, Finding, Page, Subtask
from legal_orch.errors import LegalOrchError
from legal_orch.ingest.segment import segment
from legal_orch.playbook import Rule
from legal_orch.registry import AgentSpec, Registry, default_registry, runner
from legal_orch.retrieval.embeddings import Embedder
from legal_orch.router import choose, rule_key

if TYPE_CHECKING:
    from legal_orch.context import ReviewContext

OTHER = {"Entailment": "Contradiction", "Contradiction": "Entailment"}
UNDECIDED = "Undecided"


def predictions_json(preds: Predictions) -> dict:
    """Serialise predictions: choice, class probabilities and rounded span scores."""
    return {
        doc_id: {
            h: {
                "choice": p.choice,
                "probs": {k: round(v, 4) for k, v in p.probs.items()},
                "span_scores": [round(s, 4) for s in p.span_scores],
            }
            for h, p in by_h.items()
        }
        for doc_id, by_h in preds.items()
    }


def majority_baseline(train: NliDataset, data: NliDataset) -> dict:
    """Label metrics of predicting each hypothesis's most frequent training label."""
    hids = list(data.hypotheses)
    maj = {h: majority_choice([d.annotations[h].choice for d in train.documents]) for h in hids}
    gold = {h: [d.annotations[h].choice for d in data.documents] for h in hids}
    return label_metrics(gold, {h: [maj[h]] * len(data.documents) for h in hids})


def nli_agent(registry: Registry | None = None) -> AgentSpec:
    """The risk agent the router would give an NDA hypothesis (it must offer span NLI)."""
    reg = registry or default_registry()
    for spec in reg.for_capability("risk"):
        if "nli_predict" in spec.hooks:
            return spec
    raise LegalOrchError("no registered risk agent offers span NLI ('nli_predict')")


def as_document(d: NliDocument) -> Document:
    """A ContractNLI NDA as the product's parsed document: its text as one page."""
    sha = hashlib.sha256(d.text.encode("utf-8")).hexdigest()
    return Document(
        path=f"contractnli:{d.id}",
        name=f"ContractNLI {d.id}",
        sha256=sha,
        text=d.text,
        pages=[Page(number=1, start=0, end=len(d.text))],
    )


def label_of(rule: Rule, f: Finding | None) -> str:
    """The ContractNLI label a finding states for its rule's hypothesis."""
    if f is None or rule.hypothesis_preferred is None:
        return UNDECIDED
    if f.status == "compliant":
        return rule.hypothesis_preferred
    if f.status == "deviation":
        return OTHER.get(rule.hypothesis_preferred, UNDECIDED)
    if f.status == "missing":
        return "NotMentioned"
    return UNDECIDED


def decide_document(d: NliDocument, ctx: ReviewContext) -> dict[str, Finding | None]:
    """Segment one NDA and decide every rule of the context's playbook with the routed agent."""
    doc = as_document(d)
    seg = segment(doc)
    out: dict[str, Finding | None] = {}
    for rule in ctx.playbook.rules:
        spec = choose(
            ctx.registry,
            "risk",
            rule.categories,
            quality_bar=ctx.settings.quality_bar,
            rule_id=rule.id,
        )
        sub = Subtask(id=rule.id, rule_id=rule.id, categories=rule.categories, agent=spec.name)
        try:
            out[rule.id] = runner(spec, RiskRun)(sub, rule, [], doc, seg, ctx)
        except Exception as e:  # noqa: BLE001 - recorded as undecided, never as a label
            ctx.cache.setdefault("eval.failures", []).append(f"{d.id} {rule.id}: {e}")
            out[rule.id] = None
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < end and start < b for a, b in spans)


def product_metrics(
    data: NliDataset, decided: dict[str, dict[str, Finding | None]], rules: list[Rule]
) -> dict[str, Any]:
    """Label metrics of the playbook's decisions, and evidence as cited sentences on gold spans."""
    by_h = {r.hypothesis_id: r for r in rules if r.hypothesis_id in data.hypotheses}
    gold = {h: [d.annotations[h].choice for d in data.documents] for h in by_h}
    pred = {h: [label_of(r, decided[d.id][r.id]) for d in data.documents] for h, r in by_h.items()}
    cited = on_gold = pairs = pairs_hit = 0
    for d in data.documents:
        for h, r in by_h.items():
            a, f = d.annotations[h], decided[d.id][r.id]
            if a.choice == "NotMentioned" or f is None or not f.citations:
                continue
            spans = [d.spans[i] for i in a.spans]
            hits = [_overlaps(c.start, c.end, spans) for c in f.citations]
            cited, on_gold = cited + len(hits), on_gold + sum(hits)
            pairs, pairs_hit = pairs + 1, pairs_hit + any(hits)
    return {
        **label_metrics(gold, pred),
        "evidence_cited_on_gold": on_gold / cited if cited else None,
        "evidence_cited": cited,
        "evidence_pairs_with_a_hit": pairs_hit / pairs if pairs else None,
        "evidence_pairs": pairs,
        "undecided": sum(p == UNDECIDED for ps in pred.values() for p in ps),
        "hypotheses": len(by_h),
        "documents": len(data.documents),
        "per_hypothesis": {
            h: {
                "rule_id": by_h[h].id,
                "accuracy": sum(a == b for a, b in zip(gold[h], pred[h], strict=True))
                / max(len(gold[h]), 1),
            }
            for h in by_h
        },
    }


def product_path(data: NliDataset, ctx: ReviewContext) -> tuple[dict, dict]:
    """Run the product's segmentation and routed risk agents on every NDA; metrics, decisions."""
    decided = {}
    with Progress(*Progress.get_default_columns(), console=Console(stderr=True)) as bar:
        for d in bar.track(data.documents, description="NDAs"):
            decided[d.id] = decide_document(d, ctx)
    metrics = product_metrics(data, decided, ctx.playbook.rules)
    metrics["failures"] = ctx.cache.get("eval.failures", [])
    metrics["agents"] = sorted({f.agent for fs in decided.values() for f in fs.values() if f})
    rows = {
        doc_id: {
            rid: None
            if f is None
            else {
                "status": f.status,
                "confidence": f.confidence,
                "citations": [[c.start, c.end] for c in f.citations],
            }
            for rid, f in fs.items()
        }
        for doc_id, fs in decided.items()
    }
    return metrics, rows


def gold_span_path(
    dataset: NliDataset,
    embedder: Embedder,
    registry: Registry | None = None,
    model_path: Path | None = None,
) -> tuple[dict, dict]:
    """The paper's protocol: the NLI model over ContractNLI's own spans (`nli_predict`)."""
    spec = nli_agent(registry)
    preds, meta = spec.hooks["nli_predict"](dataset.documents, embedder, model_path)
    metrics = score_predictions(dataset, preds)
    metrics.update({"agent": spec.name, **meta})
    return metrics, predictions_json(preds)


def run(
    data: Path,
    out: Path,
    model_path: Path | None = None,
    embedder: Embedder | None = None,
    registry: Registry | None = None,
    ctx: ReviewContext | None = None,
    scorecard: bool = False,
    scorecard_path: Path | None = None,
) -> dict:
    """Score the NDA playbook on `data` both ways; write metrics.json, product.json and
    predictions.json to `out`; with `scorecard` (dev only), record accuracy per NDA rule."""
    t0 = time.perf_counter()
    split = Path(data).stem.split("_")[0]
    if scorecard:
        check_dev(split)
    dataset = load_contractnli(data)
    if ctx is None:
        from legal_orch.review import Reviewer
        from legal_orch.settings import Settings

        ctx = Reviewer(
            Settings(learn=False), playbook="nda", registry=registry, embedder=embedder
        ).context()
    product, rows = product_path(dataset, ctx)
    t1 = time.perf_counter()
    gold, preds = gold_span_path(dataset, ctx.embedder, ctx.registry, model_path)
    metrics = {
        "data": Path(data).name,
        "documents": len(dataset.documents),
        "product": {**product, "seconds": round(t1 - t0, 1)},
        "gold_spans": {**gold, "seconds": round(time.perf_counter() - t1, 1)},
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / "product.json").write_text(json.dumps(rows), encoding="utf-8")
    (out / "predictions.json").write_text(json.dumps(preds), encoding="utf-8")
    if scorecard:
        by_agent = product["agents"]
        if len(by_agent) == 1:
            write(
                by_agent[0],
                {rule_key(v["rule_id"]): v["accuracy"] for v in product["per_hypothesis"].values()},
                f"legal-orch eval contractnli: accuracy per NDA rule on {Path(data).name} "
                f"({len(dataset.documents)} NDAs, the product's segmentation)",
                scorecard_path,
            )
    return metrics
