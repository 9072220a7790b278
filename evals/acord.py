"""ACORD clause-retrieval eval of precedent research (`legal-orch eval acord`).

Data in ACORD's BEIR layout: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`. Two
protocols, side by side:

- **product path**: each query runs as a review's research subtask, the very call a review
  makes (`run(subtask, rule, clauses, ctx)` of the agent the router picks), over the whole
  shipped bank (CUAD's and ACORD's clauses): the rule asks for the query's CUAD categories (ACORD
  files its queries under its own headings; the agent maps them) with the query as its
  preferred language and no clause found. Its precedents, mapped back to ACORD's clauses, are
  scored; a clause without a judgement counts as grade 0, and `judged@10` says how much of the
  ranking that is.
- **judged pool**: each query ranks the clauses judged for it (~1,100; the protocol of ACORD's
  paper), whose rankings go to `run.tsv`.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from legal_orch.context import ReviewContext
from legal_orch.datasets.acord import Acord, load
from legal_orch.datasets.acord_metric import mean_metrics
from legal_orch.domain import Subtask
from legal_orch.playbook import Playbook, Rule
from legal_orch.registry import AgentSpec, Registry, default_registry
from legal_orch.retrieval.embeddings import Embedder, default_embedder
from legal_orch.retrieval.store import Store
from legal_orch.router import choose
from legal_orch.settings import Settings

RUN_DEPTH = 100
PRODUCT_DEPTH = 10  # precedents per finding in the product path: NDCG@10 needs ten
LATENCY_ROUNDS = 5  # each query's research call is timed this many times


def write_run(rankings: dict[str, list], path: Path) -> None:
    """Write `query-id corpus-id rank score` rows, the top RUN_DEPTH per query."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["query-id", "corpus-id", "rank", "score"])
        for qid, ranked in rankings.items():
            for rank, (cid, score) in enumerate(ranked[:RUN_DEPTH], start=1):
                w.writerow([qid, cid, rank, f"{score:.6f}"])


def rule_for(qid: str, text: str, categories: tuple[str, ...]) -> Rule:
    """The playbook rule a review would run for an ACORD request: its categories, its language."""
    return Rule(id=f"acord:{qid}", title=text, categories=list(categories), preferred=text)


def product_rankings(
    spec: AgentSpec, ctx: ReviewContext, acord: Acord, rounds: int = LATENCY_ROUNDS
) -> tuple[dict[str, list[str]], dict[str, list[float]], dict[str, list[str]]]:
    """Run each query as a research subtask; return rankings, warm latencies (ms), categories.

    Latency: wall and CPU time of each call (the process's CPU time, all its threads): on a
    machine whose cores other jobs share, the wall time is mostly waiting for a core.
    """
    hooks = spec.hooks
    rules = {
        qid: rule_for(qid, text, hooks["acord_categories"](text, acord.headings.get(qid)))
        for qid, text in acord.queries.items()
    }

    def call(rule: Rule):
        sub = Subtask(id=rule.id, rule_id=rule.id, categories=rule.categories, agent=spec.name)
        return spec.run(sub, rule, [], ctx)

    call(next(iter(rules.values())))  # first use: the bank is loaded and indexed
    rankings: dict[str, list[str]] = {}
    latencies: dict[str, list[float]] = {"wall": [], "cpu": []}
    for _ in range(rounds):
        for qid, rule in rules.items():
            wall, cpu = time.perf_counter(), time.process_time()
            precedents, _ = call(rule)
            latencies["wall"].append((time.perf_counter() - wall) * 1000)
            latencies["cpu"].append((time.process_time() - cpu) * 1000)
            rankings[qid] = hooks["acord_ids"](ctx, precedents)
    return rankings, latencies, {q: r.categories for q, r in rules.items()}


def review_context(
    registry: Registry, embedder: Embedder, data_dir: Path | None, bank_dir: Path | None
) -> ReviewContext:
    """A review's context for research alone: the shipped bank (or `bank_dir`), ten precedents."""
    settings = Settings(precedents_per_finding=PRODUCT_DEPTH)
    if data_dir is not None:
        settings = Settings(data_dir=data_dir, precedents_per_finding=PRODUCT_DEPTH)
    return ReviewContext(
        settings=settings,
        playbook=Playbook(name="acord", rules=[]),
        registry=registry,
        embedder=embedder,
        store=Store(settings, embedder, bank_dir=bank_dir),
    )


def run(
    data: Path,
    split: str,
    out: Path,
    *,
    embedder: Embedder | None = None,
    reranker: Any = "default",
    cache_dir: Path | None | str = "default",
    registry: Registry | None = None,
    bank_dir: Path | None = None,
    data_dir: Path | None = None,
) -> dict:
    """Evaluate precedent research on one ACORD split; write metrics.json and run.tsv to `out`."""
    embedder = embedder or default_embedder()
    registry = registry or default_registry()
    spec = choose(registry, "research")
    acord = load(data, split)
    ctx = review_context(registry, embedder, data_dir, bank_dir)
    product, latencies, categories = product_rankings(spec, ctx, acord)
    bank = spec.hooks["acord_bank"](acord, embedder, cache_dir=cache_dir, reranker=reranker)
    judged = spec.hooks["judged_rankings"](bank, acord, embedder)
    table = ranker_table(spec, ctx, bank, acord, embedder)
    metrics = {
        "split": split,
        "queries": len(acord.qrels),
        "agent": spec.name,
        "product_path": {
            **_rounded(mean_metrics(product, acord.qrels)),
            "protocol": "each query runs as a review's research subtask over the whole shipped "
            "bank, under the CUAD categories it maps to; unjudged clauses count as grade 0",
            "bank_clauses": spec.hooks["bank_size"](ctx),
            "queries_with_categories": sum(bool(c) for c in categories.values()),
            "judged@10": round(_judged_share(product, acord.qrels, 10), 4),
            # Sakai's condensed list: the same rankings with unjudged clauses removed, so holes
            # in the judgements do not count as misses (an upper reading, not the figure).
            "condensed": _rounded(mean_metrics(_condensed(product, acord.qrels), acord.qrels)),
            "latency_ms_p50": round(statistics.median(latencies["wall"]), 2),
            "latency_ms_p95": round(float(np.percentile(latencies["wall"], 95)), 2),
            "cpu_ms_p50": round(statistics.median(latencies["cpu"]), 2),
            "latency_calls": len(latencies["wall"]),
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
        "judged_pool": {
            **_rounded(
                mean_metrics({q: [c for c, _ in r] for q, r in judged.items()}, acord.qrels)
            ),
            "protocol": "each query ranks the clauses with a qrel for it (ACORD's corpus only)",
            "ranker": type(bank.reranker).__name__ if bank.reranker else "minilm+bm25 rrf",
        },
        "rankers": table,
    }
    out.mkdir(parents=True, exist_ok=True)
    write_run(judged, out / "run.tsv")
    per_query = {
        q: {
            "categories": categories[q],
            "top10": product[q][:10],
            **_rounded(mean_metrics({q: product[q]}, {q: acord.qrels[q]})),
        }
        for q in acord.qrels
    }
    (out / "per_query.json").write_text(json.dumps(per_query, indent=2) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / "cost_quality.md").write_text(cost_quality_markdown(metrics), encoding="utf-8")
    return metrics


def ranker_table(spec: AgentSpec, ctx: ReviewContext, bank: Any, acord: Acord, embedder) -> dict:
    """Each ranker alone (dense, BM25, their RRF), their combiner and the reranker: on the judged
    pools and through the review's own search, with CPU milliseconds per query."""
    out = {}
    for name, ranker in spec.hooks["rankers"]().items():
        cpu = time.process_time()
        ranked = spec.hooks["single_rankings"](bank, acord, embedder, ranker)
        judged_ms = (time.process_time() - cpu) * 1000 / max(len(ranked), 1)
        previous = spec.hooks["use_ranker"](ctx, ranker)
        try:
            product, latencies, _ = product_rankings(spec, ctx, acord, rounds=1)
        finally:
            spec.hooks["use_ranker"](ctx, previous)
        out[name] = {
            "judged_pool": _rounded(
                mean_metrics({q: [c for c, _ in r] for q, r in ranked.items()}, acord.qrels)
            ),
            "judged_pool_cpu_ms_per_query": round(judged_ms, 2),
            "product_path": _rounded(mean_metrics(product, acord.qrels)),
            "product_path_cpu_ms_p50": round(statistics.median(latencies["cpu"]), 2),
        }
    return out


RANKER_NAMES = {
    "dense": "dense alone (MiniLM cosine)",
    "bm25": "BM25 alone",
    "rrf": "reciprocal-rank fusion of the two (no training)",
    "fusion": "combiner of dense and BM25 (ridge, fitted on ACORD train)",
    "reranker": "reranker (gradient boosting with a memory of train grades)",
}


def cost_quality_markdown(metrics: dict) -> str:
    """The cost-quality table the README shows."""
    split, n = metrics["split"], metrics["queries"]
    lines = [
        f"| ranker (ACORD {split}, {n} queries) | judged pool NDCG@5 | 5-star share of top 5 "
        "| product search NDCG@5 | 5-star share | CPU ms / query (judged pool; product search) |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in metrics["rankers"].items():
        j, p = r["judged_pool"], r["product_path"]
        lines.append(
            f"| {RANKER_NAMES.get(name, name)} | {j['ndcg@5']:.3f} | {j['p@5_5star']:.3f} | "
            f"{p['ndcg@5']:.3f} | {p['p@5_5star']:.3f} | "
            f"{r['judged_pool_cpu_ms_per_query']:.1f}; {r['product_path_cpu_ms_p50']:.1f} |"
        )
    pp = metrics["product_path"]
    lines += [
        "",
        f"The review's own search (ranker: {metrics['judged_pool']['ranker']}): NDCG@5 "
        f"{pp['ndcg@5']:.3f}, 5-star share {pp['p@5_5star']:.3f}, judged@10 {pp['judged@10']:.2f}, "
        f"CPU {pp['cpu_ms_p50']:.1f} ms per query (p50; load average {pp['load_average_1min']}).",
    ]
    return "\n".join(lines) + "\n"


def _condensed(rankings: dict[str, list[str]], qrels: dict) -> dict[str, list[str]]:
    return {q: [c for c in r if c in qrels.get(q, {})] for q, r in rankings.items()}


def _judged_share(rankings: dict[str, list[str]], qrels: dict, k: int) -> float:
    shares = [sum(c in qrels[q] for c in r[:k]) / k for q, r in rankings.items()]
    return sum(shares) / len(shares) if shares else 0.0


def _rounded(m: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}
