"""`legal-orch eval contractnli`: score the NDA span-NLI model on a ContractNLI JSON file.

Writes `OUTDIR/metrics.json` (accuracy, f1_contradiction, f1_entailment, evidence_map, documents,
and more) and `OUTDIR/predictions.json` (per document and hypothesis: the choice, its
probabilities and a score for every span) so that anyone can rescore the run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from legal_orch.datasets.contractnli import NliDataset, load_contractnli
from legal_orch.datasets.contractnli_metric import (
    Predictions,
    label_metrics,
    majority_choice,
    score_predictions,
)
from legal_orch.errors import LegalOrchError
from legal_orch.registry import AgentSpec, Registry, default_registry
from legal_orch.retrieval.embeddings import Embedder, default_embedder


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


def run(
    data: Path,
    out: Path,
    model_path: Path | None = None,
    embedder: Embedder | None = None,
    registry: Registry | None = None,
) -> dict:
    """Evaluate the shipped NLI model on `data`; write metrics.json and predictions.json to `out`."""
    t0 = time.perf_counter()
    dataset = load_contractnli(data)
    spec = nli_agent(registry)
    preds, meta = spec.hooks["nli_predict"](
        dataset.documents, embedder or default_embedder(), model_path
    )
    metrics = score_predictions(dataset, preds)
    metrics.update(
        {
            "data": Path(data).name,
            "agent": spec.name,
            **meta,
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / "predictions.json").write_text(json.dumps(predictions_json(preds)), encoding="utf-8")
    return metrics
