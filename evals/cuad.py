"""`legal-orch eval cuad`: run the product's extraction on CUAD PDFs and score it as CUAD does.

Predictions are made on the pypdf text of each PDF, projected onto the publisher's text, and
scored with the publisher's metric (see `cuad_metric`). Writes metrics.json, report.md, a PR
curve PNG and predictions.json in the publisher's n-best form.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from legal_orch_evals.scorecard import check_dev, write
from rich.console import Console
from rich.progress import Progress

from legal_orch.datasets.cuad import CuadContract, load_cuad
from legal_orch.datasets.cuad_align import Stream, project, question_predictions
from legal_orch.datasets.cuad_categories import CATEGORIES, DATE_CATEGORIES
from legal_orch.datasets.cuad_metric import (
    Counts,
    Curve,
    Prediction,
    aupr,
    best_f1,
    monotone,
    pr_curve,
    question_counts,
    summary,
)
from legal_orch.errors import LegalOrchError
from legal_orch.ingest.pdf import parse_pdf
from legal_orch.ingest.segment import segment
from legal_orch.registry import AgentSpec, Registry, default_registry
from legal_orch.router import choose
from legal_orch.values import parse_duration

# The CUAD release the shipped models were trained on: scored on its test split by default.
SHARED_CUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad"
ANSWER_CATEGORIES = (
    "Agreement Date",
    "Effective Date",
    "Expiration Date",
    "Governing Law",
    "Renewal Term",
    "Notice Period to Terminate Renewal",
)


def iso_gold(ans: str) -> str | None:
    """CUAD's `M/D/YYYY` answer as ISO, or None where a part is blank (`[]`)."""
    parts = ans.strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    m, d, y = (int(p) for p in parts)
    return f"{y:04d}-{m:02d}-{d:02d}"


def answer_match(category: str, gold: str, ours: str | None) -> bool | None:
    """Whether our normalised answer equals CUAD's; None where CUAD's is not comparable."""
    gold = gold.strip()
    if not gold or gold.lower() in {"no", "[]"}:
        return None
    if category in DATE_CATEGORIES:
        iso = iso_gold(gold)
        if iso is None:
            return (ours or "").lower() == "perpetual" if gold.lower() == "perpetual" else None
        return ours == iso
    if category == "Governing Law":
        return bool(ours) and ours.lower() in gold.lower()
    if category in ("Renewal Term", "Notice Period to Terminate Renewal"):
        want = parse_duration(gold)
        return None if want is None else ours == want
    return None


def default_split(data: Path) -> str:
    """`test` for the shared CUAD release (its train and dev contracts were trained and tuned
    on); `all` for any other CUAD-format folder."""
    shared = SHARED_CUAD.resolve()
    return "test" if Path(data).resolve() == shared else "all"


def select_contracts(data: Path, split: str | None = None) -> tuple[list[CuadContract], str]:
    """The contracts of `split` (default: `default_split`) and the split's name; never empty."""
    split = split or default_split(data)
    if split not in ("train", "dev", "test", "all"):
        raise LegalOrchError(f"unknown split '{split}' (train, dev, test or all)")
    if not (Path(data) / "master_clauses.csv").is_file():
        raise LegalOrchError(f"{data}: not a CUAD folder (no master_clauses.csv)")
    contracts = load_cuad(Path(data), split)
    if not contracts:
        raise LegalOrchError(f"{data}: no contract with PDF, text and gold in split '{split}'")
    return contracts, split


@dataclass
class ContractResult:
    title: str
    seconds_extract: float
    seconds_total: float
    predictions: dict[str, list[Prediction]]
    selected: dict[str, list[str]]  # category -> projected texts above the review threshold
    answers: dict[str, str | None]
    work: float | None = None  # share of tier 1's full work this way of extracting did
    sentences: tuple[int, int, int] = (0, 0, 0)  # sentences, embedded, categories tier 1 decided


def extractor(registry: Registry | None = None) -> AgentSpec:
    """The extraction agent the router would give a review (it must offer n-best candidates)."""
    spec = choose(registry or default_registry(), "extract")
    if "candidates" not in spec.hooks:
        raise LegalOrchError(f"agent {spec.name} offers no n-best candidates to score")
    return spec


def cascade_agent(registry: Registry | None = None) -> AgentSpec | None:
    """The tier-1 extraction agent with a cascade to measure, if one is installed."""
    reg = registry or default_registry()
    specs = [s for s in reg.for_capability("extract") if s.cost_tier >= 1 and "cascade" in s.hooks]
    return specs[0] if specs else None


# Ways of extracting that the eval measures side by side: tier 0 alone, tier 1 alone, both
# tiers on every sentence (combined), and the cascade (tier 1 only where tier 0 is unsure).
MODES = ("tier0", "tier1", "combined", "cascade")


def _result(
    c: CuadContract,
    doc,
    best: dict,
    chosen: list,
    cpu: float,
    wall_parse: float,
    work: float | None = None,
) -> ContractResult:
    pdf, txt = Stream.of(doc.text), Stream.of(c.txt.read_text(encoding="utf-8", errors="replace"))
    preds = question_predictions(c, best, pdf, txt)
    selected: dict[str, list[str]] = {cat: [] for cat in CATEGORIES}
    answers: dict[str, str | None] = {cat: None for cat in CATEGORIES}
    for cl in sorted(chosen, key=lambda x: -x.confidence):
        selected[cl.category].append(project(pdf, cl.start, cl.end, txt))
        answers[cl.category] = answers[cl.category] or cl.answer
    return ContractResult(c.title, cpu, cpu + wall_parse, preds, selected, answers, work)


def run_contract(c: CuadContract, spec: AgentSpec | None = None) -> ContractResult:
    """Parse, segment and extract one contract the way a review does, timing each part."""
    spec = spec or extractor()
    t0 = time.perf_counter()
    doc = parse_pdf(c.pdf)
    seg = segment(doc)
    t1 = time.perf_counter()
    cpu = time.process_time()
    best = spec.hooks["candidates"](doc, seg)
    chosen = spec.hooks["select"](best)
    return _result(c, doc, best, chosen, time.process_time() - cpu, t1 - t0)


def run_modes(
    c: CuadContract, tier0: AgentSpec, tier1: AgentSpec, store_of, modes: tuple[str, ...] = MODES
) -> dict[str, ContractResult]:
    """Each way of extracting on one contract, each timed in CPU-seconds from a cold store.

    `store_of()` gives an empty vector store, so no mode reuses another's embeddings; the
    combined mode alone reuses tier 1's (its cost is tier 1's plus tier 0's scoring).
    """
    t0 = time.perf_counter()
    doc = parse_pdf(c.pdf)
    seg = segment(doc)
    parse = time.perf_counter() - t0
    out: dict[str, ContractResult] = {}

    def timed(fn):
        start = time.process_time()
        value = fn()
        return value, time.process_time() - start

    (best, chosen), cpu0 = timed(
        lambda: (b := tier0.hooks["candidates"](doc, seg), tier0.hooks["select"](b))
    )
    out["tier0"] = _result(c, doc, best, chosen, cpu0, parse, 0.0)
    if "tier1" in modes or "combined" in modes:
        store = store_of()
        (best, chosen), cpu1 = timed(
            lambda: (b := tier1.hooks["tier1"](doc, seg, store), tier1.hooks["select_tier1"](b))
        )
        out["tier1"] = _result(c, doc, best, chosen, cpu1, parse, 1.0)
        (best, chosen), cpu = timed(
            lambda: (
                b := tier1.hooks["combined"](doc, seg, store),
                tier1.hooks["select_combined"](b),
            )
        )
        out["combined"] = _result(c, doc, best, chosen, cpu1 + cpu, parse, 1.0)
    store = store_of()
    (best, work), cpu = timed(lambda: tier1.hooks["cascade"](doc, seg, store))
    chosen, cpu_sel = timed(lambda: tier1.hooks["select_cascade"](best, work))
    out["cascade"] = _result(c, doc, best, chosen, cpu + cpu_sel, parse, work.share)
    out["cascade"].sentences = (work.sentences, work.embedded, len(work.categories))
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def per_category(contracts: list[CuadContract], results: list[ContractResult]) -> dict[str, dict]:
    """AP, best-sweep F1 and review-threshold P/R/F1 for each category."""
    out = {}
    for cat in CATEGORIES:
        gold = {c.question_id(cat): c.gold[cat] for c in contracts}
        preds = {
            c.question_id(cat): r.predictions[c.question_id(cat)]
            for c, r in zip(contracts, results, strict=True)
        }
        curve = pr_curve(gold, preds)
        f1_best, _ = best_f1(curve)
        counts = Counts()
        for c, r in zip(contracts, results, strict=True):
            counts = counts + question_counts(
                c.gold[cat], r.selected[cat], substring_ok=cat == "Parties"
            )
        p, rec, f1 = _prf(counts.tp, counts.fp, counts.fn)
        out[cat] = {
            "ap": 100 * aupr(curve),
            "best_f1": f1_best,
            "precision": p,
            "recall": rec,
            "f1": f1,
            "gold": sum(len(c.gold[cat]) for c in contracts),
            "contracts_with_gold": sum(bool(c.gold[cat]) for c in contracts),
        }
    return out


def presence(contracts: list[CuadContract], results: list[ContractResult]) -> dict[str, float]:
    """Contract-level presence: is the category there at all? micro and macro P/R/F1."""
    tot = [0, 0, 0]
    f1s = []
    for cat in CATEGORIES:
        tp = fp = fn = 0
        for c, r in zip(contracts, results, strict=True):
            g, p = bool(c.gold[cat]), bool(r.selected[cat])
            tp, fp, fn = tp + (g and p), fp + (p and not g), fn + (g and not p)
        tot = [tot[0] + tp, tot[1] + fp, tot[2] + fn]
        if tp + fp + fn:
            f1s.append(_prf(tp, fp, fn)[2])
    p, r, f1 = _prf(*tot)
    return {
        "presence_micro_precision": p,
        "presence_micro_recall": r,
        "presence_micro_f1": f1,
        "presence_macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
    }


def answer_accuracy(
    contracts: list[CuadContract], results: list[ContractResult]
) -> dict[str, dict]:
    out = {}
    for cat in ANSWER_CATEGORIES:
        checks = [
            answer_match(cat, c.answers[cat], r.answers[cat])
            for c, r in zip(contracts, results, strict=True)
        ]
        checks = [x for x in checks if x is not None]
        out[cat] = {"accuracy": sum(checks) / len(checks) if checks else None, "n": len(checks)}
    return out


def plot_curve(curve: Curve, path: Path) -> None:
    """Save the pooled precision-recall curve as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(curve.recalls, monotone(curve.precisions), label="smoothed")
    ax.plot(curve.recalls, curve.precisions, alpha=0.4, label="raw")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("CUAD clause extraction (pooled)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report_md(m: dict) -> str:
    """A Markdown report of the metrics."""
    lines = [
        f"# CUAD clause extraction: {m['split']} split, {m['contracts']} contracts scored",
        "",
        f"- AUPR: **{m['aupr']:.1f}**; precision at 80% recall: **{m['precision_at_80_recall']:.1f}**; "
        f"at 90% recall: **{m['precision_at_90_recall']:.1f}**",
        f"- presence micro-F1 {m['presence_micro_f1']:.3f} (P {m['presence_micro_precision']:.3f}, "
        f"R {m['presence_micro_recall']:.3f}); macro-F1 {m['presence_macro_f1']:.3f}",
        f"- seconds per contract: extraction {m['seconds_per_contract']:.3f}, "
        f"with pypdf parse and segmentation {m['seconds_per_contract_total']:.3f}",
        "",
        "| category | AP | F1 (review threshold) | P | R | gold pieces |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for cat, v in m["per_category"].items():
        lines.append(
            f"| {cat} | {v['ap']:.1f} | {v['f1']:.2f} | {v['precision']:.2f} | {v['recall']:.2f} | {v['gold']} |"
        )
    lines += ["", "| answer | accuracy | n |", "|---|---:|---:|"]
    for cat, v in m["answers"].items():
        acc = "-" if v["accuracy"] is None else f"{v['accuracy']:.2f}"
        lines.append(f"| {cat} | {acc} | {v['n']} |")
    return "\n".join(lines) + "\n"


def mode_metrics(
    contracts: list[CuadContract], results: list[ContractResult], split: str
) -> tuple[dict, dict]:
    """Metrics of one way of extracting, and its pooled predictions."""
    gold = {c.question_id(cat): c.gold[cat] for c in contracts for cat in CATEGORIES}
    preds = {q: p for r in results for q, p in r.predictions.items()}
    curve = pr_curve(gold, preds)
    n = max(len(results), 1)
    metrics = {
        "split": split,
        **summary(gold, preds),
        # recall with every candidate kept (20 per question): the ceiling of the curve
        "pooled_recall_at_20": 100 * curve.recalls[-1],
        **presence(contracts, results),
        "per_category": per_category(contracts, results),
        "answers": answer_accuracy(contracts, results),
        "contracts": len(contracts),
        "seconds_per_contract": sum(r.seconds_extract for r in results) / n,
        "seconds_per_contract_total": sum(r.seconds_total for r in results) / n,
        "curve": {
            "precision": curve.precisions,
            "recall": curve.recalls,
            "thresholds": curve.thresholds,
        },
    }
    return metrics, preds


COST_KEYS = (
    "seconds_per_contract",
    "aupr",
    "precision_at_80_recall",
    "precision_at_90_recall",
    "presence_micro_f1",
    "pooled_recall_at_20",
)


def cost_quality(by_mode: dict[str, dict], work: dict[str, float]) -> dict[str, dict]:
    """CPU-seconds per contract against the metric, per way of extracting."""
    return {
        mode: {**{k: m[k] for k in COST_KEYS}, "tier1_work_share": work[mode]}
        for mode, m in by_mode.items()
    }


def cost_quality_md(table: dict[str, dict], split: str, n: int) -> str:
    """The cost-quality table as Markdown."""
    lines = [
        f"# CUAD cost and quality: {split} split, {n} contracts",
        "",
        "CPU-seconds per contract for extraction after parsing (all threads, cold vectors); "
        "tier 1's work share is the part of the contract's sentences it embedded.",
        "",
        "| extraction | CPU s / contract | AUPR | P@80R | P@90R | presence micro-F1 "
        "| pooled recall, 20 candidates | tier-1 work share |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "tier0": "tier 0 alone (TF-IDF heads)",
        "tier1": "tier 1 alone (MiniLM head)",
        "combined": "both tiers, combined",
        "cascade": "cascade (tier 1 where tier 0 is unsure)",
    }
    for mode, v in table.items():
        lines.append(
            f"| {names.get(mode, mode)} | {v['seconds_per_contract']:.3f} | {v['aupr']:.1f} "
            f"| {v['precision_at_80_recall']:.1f} | {v['precision_at_90_recall']:.1f} "
            f"| {v['presence_micro_f1']:.3f} | {v['pooled_recall_at_20']:.1f} "
            f"| {100 * v['tier1_work_share']:.0f}% |"
        )
    return "\n".join(lines) + "\n"


def _write(out: Path, metrics: dict, preds: dict) -> None:
    (out / "metrics.json").write_text(
        json.dumps(metrics, indent=1, allow_nan=True) + "\n", encoding="utf-8"
    )
    (out / "report.md").write_text(report_md(metrics), encoding="utf-8")
    nbest = {
        q: [{"text": p.text, "probability": p.probability} for p in ps] for q, ps in preds.items()
    }
    (out / "predictions.json").write_text(json.dumps(nbest) + "\n", encoding="utf-8")


def _cold_store():
    from legal_orch.retrieval.embeddings import default_embedder
    from legal_orch.retrieval.store import Store
    from legal_orch.settings import Settings

    settings = Settings()
    embedder = default_embedder(settings)
    return lambda: Store(settings, embedder)


def run(
    data: Path,
    out: Path,
    limit: int | None = None,
    split: str | None = None,
    scorecard: bool = False,
    scorecard_path: Path | None = None,
    tier0_only: bool = False,
    modes: tuple[str, ...] = MODES,
) -> dict:
    """Evaluate extraction on CUAD `split` (see `default_split`); write metrics, report, plot
    and n-best predictions; with `scorecard` (dev only), record per-category F1 for the router.

    With a tier-1 agent installed (and not `tier0_only`), every way of extracting is measured
    and `cost_quality.json`/`.md` compare them; the main metrics are then the cascade's (what
    the router gives a review), each mode's in `modes/<mode>/`.
    """
    contracts, split = select_contracts(Path(data), split)
    contracts = contracts[:limit]
    if scorecard:
        check_dev(split)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    registry = default_registry()
    spec = extractor(registry)
    tier1 = None if tier0_only else cascade_agent(registry)
    results: dict[str, list[ContractResult]] = {}
    store_of = _cold_store() if tier1 else None
    with Progress(*Progress.get_default_columns(), console=Console(stderr=True)) as bar:
        task = bar.add_task("CUAD", total=len(contracts))
        for c in contracts:
            if tier1 is None:
                results.setdefault("tier0", []).append(run_contract(c, spec))
            else:
                for mode, r in run_modes(c, spec, tier1, store_of, modes).items():
                    results.setdefault(mode, []).append(r)
            bar.advance(task)
    by_mode, preds_of = {}, {}
    for mode, rs in results.items():
        by_mode[mode], preds_of[mode] = mode_metrics(contracts, rs, split)
    main = "cascade" if tier1 is not None else "tier0"
    metrics = by_mode[main]
    _write(out, metrics, preds_of[main])
    plot_curve(
        Curve(
            metrics["curve"]["precision"],
            metrics["curve"]["recall"],
            metrics["curve"]["thresholds"],
        ),
        out / "pr_curve.png",
    )
    if tier1 is not None:
        for mode, m in by_mode.items():
            (out / "modes" / mode).mkdir(parents=True, exist_ok=True)
            _write(out / "modes" / mode, m, preds_of[mode])
        cascade = results["cascade"]
        sentences = sum(r.sentences[0] for r in cascade)
        embedded = sum(r.sentences[1] for r in cascade)
        work = {
            "tier0": 0.0,
            "tier1": 1.0,
            "combined": 1.0,
            "cascade": embedded / max(sentences, 1),
        }
        table = cost_quality(by_mode, work)
        metrics["cost_quality"] = table
        metrics["cascade_work"] = {
            "sentences": sentences,
            "embedded": embedded,
            "categories_decided_by_tier1_per_contract": sum(r.sentences[2] for r in cascade)
            / max(len(cascade), 1),
        }
        (out / "metrics.json").write_text(
            json.dumps(metrics, indent=1, allow_nan=True) + "\n", encoding="utf-8"
        )
        (out / "cost_quality.json").write_text(
            json.dumps(
                {
                    "split": split,
                    "contracts": len(contracts),
                    "modes": table,
                    **metrics["cascade_work"],
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        (out / "cost_quality.md").write_text(
            cost_quality_md(table, split, len(contracts)), encoding="utf-8"
        )
    if scorecard:
        agents = {"tier0": spec.name} | ({"cascade": tier1.name} if tier1 else {})
        for mode, name in agents.items():
            write(
                name,
                {c: v["f1"] for c, v in by_mode[mode]["per_category"].items()},
                f"legal-orch eval cuad: per-category F1 at the review threshold, CUAD {split} "
                f"split ({len(contracts)} contracts, pypdf text)",
                scorecard_path,
            )
    return metrics
