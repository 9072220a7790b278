"""ACORD clause-retrieval eval of the precedent search (`legal-orch eval acord`).

Data in ACORD's BEIR layout: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`. Two
protocols: each query ranks its judged pool (every clause with a qrel for it, ~1,100; the
protocol this data supports, whose rankings go to `run.tsv`), and each query searches the whole
corpus through the product's search path (unjudged clauses count as grade 0). The precedent
agent is reached through the registry: the one the router would pick for research.
"""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from legal_orch.datasets.acord import load
from legal_orch.datasets.acord_metric import mean_metrics
from legal_orch.registry import Registry, default_registry
from legal_orch.retrieval.embeddings import Embedder, default_embedder
from legal_orch.router import choose

RUN_DEPTH = 100


def write_run(rankings: dict[str, list], path: Path) -> None:
    """Write `query-id corpus-id rank score` rows, the top RUN_DEPTH per query."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["query-id", "corpus-id", "rank", "score"])
        for qid, ranked in rankings.items():
            for rank, (cid, score) in enumerate(ranked[:RUN_DEPTH], start=1):
                w.writerow([qid, cid, rank, f"{score:.6f}"])


def run(
    data: Path,
    split: str,
    out: Path,
    *,
    embedder: Embedder | None = None,
    reranker: Any = "default",
    cache_dir: Path | None | str = "default",
    latency_bank: Path | None | str = "default",
    registry: Registry | None = None,
) -> dict:
    """Evaluate precedent search on one ACORD split; write metrics.json and run.tsv to `out`."""
    embedder = embedder or default_embedder()
    hooks = choose(registry or default_registry(), "research").hooks
    acord = load(data, split)
    bank = hooks["acord_bank"](acord, embedder, cache_dir=cache_dir, reranker=reranker)
    judged = hooks["judged_rankings"](bank, acord, embedder)
    full, latencies = hooks["corpus_rankings"](bank, acord)
    metrics = {
        **_rounded(mean_metrics({q: [c for c, _ in r] for q, r in judged.items()}, acord.qrels)),
        "split": split,
        "protocol": "judged pool: each query ranks the clauses with a qrel for it",
        "ranker": "minilm+bm25 pool features, reranker" if bank.reranker else "minilm+bm25 rrf",
        "full_corpus": {
            **_rounded(mean_metrics(full, acord.qrels)),
            "corpus": len(acord.corpus),
            # Unjudged clauses count as grade 0: this share says how much of that is unknown.
            "judged@10": round(_judged_share(full, acord.qrels, 10), 4),
            "latency_ms_p50": round(statistics.median(latencies), 2),
            "latency_ms_p95": round(float(np.percentile(latencies, 95)), 2),
        },
    }
    if latency_bank is not None:
        lat = hooks["bank_latency"](list(acord.queries.values()), embedder, latency_bank)
        if lat:
            metrics["bank_latency"] = lat
    out.mkdir(parents=True, exist_ok=True)
    write_run(judged, out / "run.tsv")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def _judged_share(rankings: dict[str, list[str]], qrels: dict, k: int) -> float:
    shares = [sum(c in qrels[q] for c in r[:k]) / k for q, r in rankings.items()]
    return sum(shares) / len(shares) if shares else 0.0


def _rounded(m: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}
