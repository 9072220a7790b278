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
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from legal_orch_evals.scorecard import check_dev, write
from rich.console import Console
from rich.progress import Progress

from legal_orch.capabilities import RiskRun
from legal_orch.datasets.contractnli import CHOICES, NliDataset, NliDocument, load_contractnli
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


def decide_document(
    d: NliDocument, ctx: ReviewContext, agent: str | None = None
) -> dict[str, Finding | None]:
    """Segment one NDA and decide every rule of the context's playbook with the routed agent
    (or with `agent` for every rule, to measure it)."""
    doc = as_document(d)
    seg = ctx.cache.get(f"eval.segment:{doc.sha256}") or segment(doc)
    ctx.cache[f"eval.segment:{doc.sha256}"] = seg
    out: dict[str, Finding | None] = {}
    for rule in ctx.playbook.rules:
        spec = (
            ctx.registry.get(agent)
            if agent
            else choose(
                ctx.registry,
                "risk",
                rule.categories,
                quality_bar=ctx.settings.quality_bar,
                rule_id=rule.id,
            )
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


def product_path(
    data: NliDataset, ctx: ReviewContext, agent: str | None = None
) -> tuple[dict, dict]:
    """Run the product's segmentation and routed risk agents (or `agent`) on every NDA; return
    metrics and decisions."""
    decided = {}
    ctx.cache["eval.failures"] = []
    cpu = time.process_time()
    with Progress(*Progress.get_default_columns(), console=Console(stderr=True)) as bar:
        for d in bar.track(data.documents, description=f"NDAs ({agent or 'routed'})"):
            decided[d.id] = decide_document(d, ctx, agent)
    cpu = time.process_time() - cpu
    metrics = product_metrics(data, decided, ctx.playbook.rules)
    metrics["failures"] = ctx.cache.get("eval.failures", [])
    metrics["agents"] = sorted({f.agent for fs in decided.values() for f in fs.values() if f})
    metrics["agent_by_rule"] = {
        rid: sorted({fs[rid].agent for fs in decided.values() if fs.get(rid)})
        for rid in next(iter(decided.values()), {})
    }
    metrics["cpu_seconds_per_nda"] = round(cpu / max(len(data.documents), 1), 3)
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


class MemoEmbedder:
    """The review's embedder, remembering each text's vector (tiers share one embedding pass)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.name = getattr(embedder, "name", "memo")
        self._seen: dict[str, Any] = {}

    def encode(self, texts: list[str]):
        import numpy as np

        todo = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if todo:
            self._seen.update(zip(todo, self.embedder.encode(todo), strict=True))
        return np.stack([self._seen[t] for t in texts]) if texts else np.zeros((0, 384))


def tier1_agent(registry: Registry) -> AgentSpec:
    """The tier-1 NDA agent (it offers `nli_tier1_predict` and the combiner)."""
    for spec in registry.for_capability("risk"):
        if "nli_tier1_predict" in spec.hooks:
            return spec
    raise LegalOrchError("no registered risk agent offers tier-1 span NLI ('nli_tier1_predict')")


def _folds(n: int, k: int, seed: int = 7) -> list[list[int]]:
    import numpy as np

    idx = np.random.default_rng(seed).permutation(n)
    return [sorted(int(i) for i in idx[j::k]) for j in range(k)]


def _cpu(fn, *args, **kwargs):
    c = time.process_time()
    out = fn(*args, **kwargs)
    return out, time.process_time() - c


COMBINER_FOLDS = 5


def embed_spans(dataset: NliDataset, embedder: Embedder) -> tuple[MemoEmbedder, float]:
    """Embed every gold span once; return the remembering embedder and the CPU seconds it took."""
    memo = MemoEmbedder(embedder)
    texts = [" ".join(t.split()) for d in dataset.documents for t in d.span_texts()]
    _, cpu = _cpu(memo.encode, texts)
    return memo, cpu


def tier_comparison(
    dataset: NliDataset, registry: Registry, memo: MemoEmbedder, embed_cpu: float
) -> dict:
    """Tier 0 alone, tier 1 alone, the two combined and the cascade, on the gold spans.

    The combiner and the cascade's threshold are fitted on dev, so every figure here is out of
    fold: each NDA is decided by a combiner fitted on the other folds' NDAs. CPU seconds per NDA
    are process time: the embedding pass (shared by both tiers), then each tier's heads; the
    cascade's tier 1 is run for real on just the hypotheses where tier 0 was unsure.
    """
    spec0, spec1 = nli_agent(registry), tier1_agent(registry)
    docs, hids = dataset.documents, list(dataset.hypotheses)
    n = max(len(docs), 1)
    (p0, _), t0 = _cpu(spec0.hooks["nli_predict"], docs, memo)
    (p1, _), t1 = _cpu(spec1.hooks["nli_tier1_predict"], docs, memo)
    combined: dict = {}
    cascaded: dict = {}
    asked: dict[str, list[str]] = {}
    agree = {True: [0, 0, 0.0], False: [0, 0, 0.0]}  # pairs, right, confidence summed
    t_comb = 0.0
    for held in _folds(len(docs), min(COMBINER_FOLDS, len(docs))):
        rest = [d for i, d in enumerate(docs) if i not in set(held)]
        comb = spec1.hooks["fit_combiner"](
            [p0[d.id][h] for d in rest for h in hids],
            [p1[d.id][h] for d in rest for h in hids],
            [d.annotations[h].choice for d in rest for h in hids],
        )
        for i in held:
            d = docs[i]
            asked[d.id] = [h for h in hids if comb.needs_tier1(p0[d.id][h])]
            combined[d.id], cascaded[d.id] = {}, {}
            c = time.process_time()
            for h in hids:
                pred, conf = comb.combine(p0[d.id][h], p1[d.id][h])
                combined[d.id][h] = pred
                cascaded[d.id][h] = spec1.hooks["cascade"](comb, p0[d.id][h], p1[d.id][h])
                a = agree[p0[d.id][h].choice == p1[d.id][h].choice]
                a[0], a[1], a[2] = (
                    a[0] + 1,
                    a[1] + (pred.choice == d.annotations[h].choice),
                    a[2] + conf,
                )
            t_comb += time.process_time() - c
    (_, _), t_cascade1 = _cpu(spec1.hooks["nli_tier1_predict"], docs, memo, only=asked)
    share = sum(len(v) for v in asked.values()) / max(len(docs) * len(hids), 1)

    def row(preds, heads: float, tier1_share: float) -> dict:
        m = score_predictions(dataset, preds)
        said = [preds[d.id][h].choice for d in docs for h in hids]
        return {
            **{k: round(v, 4) for k, v in m.items() if isinstance(v, float)},
            "predicted": {c: said.count(c) for c in CHOICES},
            "tier1_share": round(tier1_share, 4),
            "cpu_seconds_per_nda": round((embed_cpu + heads) / n, 4),
            "cpu_seconds_per_nda_after_embedding": round(heads / n, 4),
        }

    gold = [d.annotations[h].choice for d in docs for h in hids]
    return {
        "gold": {c: gold.count(c) for c in CHOICES},
        "protocol": "ContractNLI's gold spans; combiner and cascade threshold fitted on dev in "
        f"{COMBINER_FOLDS} folds by NDA, each NDA scored out of fold",
        "embedding_cpu_seconds_per_nda": round(embed_cpu / n, 4),
        "tier0": row(p0, t0, 0.0),
        "tier1": row(p1, t1, 1.0),
        "combined": row(combined, t0 + t1 + t_comb, 1.0),
        "cascade": row(cascaded, t0 + t_cascade1 + t_comb * share, share),
        "agreement": {
            ("agree" if k else "disagree"): {
                "pairs": v[0],
                "accuracy": round(v[1] / v[0], 4) if v[0] else None,
                "mean_confidence": round(v[2] / v[0], 4) if v[0] else None,
            }
            for k, v in agree.items()
        },
    }


def cost_quality_markdown(tiers: dict, product: dict) -> str:
    """The cost-quality table the README shows."""
    lines = [
        "| NDA hypotheses (ContractNLI dev, gold spans) | accuracy | F1(C) | F1(E) | evidence mAP "
        "| tier 1 runs on | CPU s / NDA (after embedding) |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {
        "tier0": "tier 0 alone (TF-IDF + MiniLM, linear)",
        "tier1": "tier 1 alone (MLP heads over frozen MiniLM)",
        "combined": "both, combiner fitted on dev (out of fold)",
        "cascade": "cascade: tier 1 only where tier 0 is unsure",
    }
    for key, name in names.items():
        r = tiers[key]
        lines.append(
            f"| {name} | {r['accuracy']:.3f} | {r['f1_contradiction']:.3f} | "
            f"{r['f1_entailment']:.3f} | {r['evidence_map']:.3f} | {r['tier1_share']:.0%} | "
            f"{r['cpu_seconds_per_nda']:.3f} ({r['cpu_seconds_per_nda_after_embedding']:.4f}) |"
        )
    ag = tiers["agreement"]
    lines += [
        "",
        f"Embedding (shared by both tiers): {tiers['embedding_cpu_seconds_per_nda']:.3f} CPU s "
        "per NDA. Where the tiers agree: "
        f"{ag['agree']['pairs']} pairs, accuracy {ag['agree']['accuracy']}, mean confidence "
        f"{ag['agree']['mean_confidence']}; where they disagree: {ag['disagree']['pairs']} pairs, "
        f"accuracy {ag['disagree']['accuracy']}, mean confidence "
        f"{ag['disagree']['mean_confidence']}.",
        "",
        "| NDA playbook through the product (routed agents, product segmentation) | accuracy "
        "| F1(C) | F1(E) | CPU s / NDA to decide, sentences already embedded |",
        "|---|---|---|---|---|",
    ]
    for name, r in product.items():
        cpu = r.get("cpu_seconds_per_nda")
        lines.append(
            f"| {name} | {r['accuracy']:.3f} | {r['f1_contradiction']:.3f} | "
            f"{r['f1_entailment']:.3f} | {'–' if cpu is None else f'{cpu:.3f}'} |"
        )
    embed = next(
        (
            r["sentences_and_vectors_cpu_seconds_per_nda"]
            for r in product.values()
            if "sentences_and_vectors_cpu_seconds_per_nda" in r
        ),
        None,
    )
    if embed is not None:
        lines += ["", f"Segmenting and embedding an NDA's sentences first: {embed:.3f} CPU s."]
    return "\n".join(lines) + "\n"


def _forget_decisions(ctx: ReviewContext) -> None:
    """Drop memoised NDA decisions (keep sentences and vectors) so each run pays for its own."""
    for k in [k for k in ctx.cache if k.startswith(("risk_analysis.nli:", "risk_analysis.nli1"))]:
        del ctx.cache[k]


def product_runs(
    dataset: NliDataset, ctx: ReviewContext, scorecard: Path | None | bool, source: str
) -> tuple[dict, dict, dict]:
    """The product path per NDA agent forced on every rule, then routed; with `scorecard`, each
    agent's accuracy per rule is written before the routed run reads it."""
    tier0, tier1 = nli_agent(ctx.registry).name, tier1_agent(ctx.registry).name
    warm, _ = product_path(dataset, ctx, tier0)  # segments and embeds every NDA once
    by_agent = {}
    for name in (tier0, tier1):
        _forget_decisions(ctx)
        by_agent[name], _ = product_path(dataset, ctx, name)
        if scorecard is not False:
            per_rule = by_agent[name]["per_hypothesis"].values()
            write(
                name,
                {rule_key(v["rule_id"]): v["accuracy"] for v in per_rule},
                source,
                None if scorecard is True else scorecard,  # type: ignore[arg-type]
            )
    if scorecard is not False:
        from legal_orch.registry import load_scorecard

        fresh = load_scorecard() if scorecard is True else json.loads(Path(scorecard).read_text())
        ctx.registry = ctx.registry.with_scorecard(fresh.get("agents", fresh))
    _forget_decisions(ctx)
    routed, rows = product_path(dataset, ctx)
    routed["sentences_and_vectors_cpu_seconds_per_nda"] = round(
        warm["cpu_seconds_per_nda"] - by_agent[tier0]["cpu_seconds_per_nda"], 3
    )
    return routed, by_agent, rows


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
    """Score the NDA playbook on `data` both ways; write metrics.json, product.json,
    predictions.json and cost_quality.md to `out`; with `scorecard` (dev only), record each NDA
    agent's accuracy per rule, which the routed run then follows."""
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
    source = (
        f"legal-orch eval contractnli: accuracy per NDA rule on {Path(data).name} "
        f"({len(dataset.documents)} NDAs, the product's segmentation)"
    )
    card: Path | bool = (scorecard_path or True) if scorecard else False
    product, by_agent, rows = product_runs(dataset, ctx, card, source)
    t1 = time.perf_counter()
    memo, embed_cpu = embed_spans(dataset, ctx.embedder)  # both protocols share one pass
    gold, preds = gold_span_path(dataset, memo, ctx.registry, model_path)  # type: ignore[arg-type]
    t2 = time.perf_counter()
    tiers = tier_comparison(dataset, ctx.registry, memo, embed_cpu)
    metrics = {
        "data": Path(data).name,
        "documents": len(dataset.documents),
        "product": {**product, "seconds": round(t1 - t0, 1)},
        "product_by_agent": by_agent,
        "gold_spans": {**gold, "seconds": round(t2 - t1, 1)},
        "tiers": {**tiers, "seconds": round(time.perf_counter() - t2, 1)},
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / "product.json").write_text(json.dumps(rows), encoding="utf-8")
    (out / "predictions.json").write_text(json.dumps(preds), encoding="utf-8")
    table = {f"{name} on every rule": r for name, r in by_agent.items()}
    table["routed (the review's own choice per rule)"] = product
    (out / "cost_quality.md").write_text(cost_quality_markdown(tiers, table), encoding="utf-8")
    return metrics
