"""Risk analysis: judge each playbook rule against the contract, with cited evidence.

Commercial rules are judged on the extracted clauses of their categories and the attribute
checks of the rule; NDA rules (`rule.hypothesis` set) are decided by the span-NLI model over the
contract's sentences (Entailment / Contradiction / NotMentioned).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from legal_orch_agents.risk_analysis.judge import judge
from legal_orch_agents.risk_analysis.nda import decide, decide_cascade
from legal_orch_agents.risk_analysis.nli_combine import Combiner, cascade, fit_combiner

from legal_orch.context import ReviewContext
from legal_orch.domain import Clause, Document, Finding, Segmentation, Subtask
from legal_orch.playbook import Rule
from legal_orch.registry import AgentSpec

if TYPE_CHECKING:
    from legal_orch_agents.risk_analysis.nli import NliPrediction

    from legal_orch.datasets.contractnli import NliDocument
    from legal_orch.retrieval.embeddings import Embedder


def analyze(
    subtask: Subtask,
    rule: Rule,
    clauses: list[Clause],
    doc: Document,
    seg: Segmentation,
    ctx: ReviewContext | None,
) -> Finding:
    """Judge one playbook rule for one contract; raise if it cannot be decided."""
    if rule.hypothesis or rule.hypothesis_id:
        return decide(rule, doc, seg, ctx)
    wanted = set(rule.categories)
    found = [c for c in clauses if c.category in wanted]
    return judge(rule, found, doc, deal=subtask.deal)


def analyze_nda(
    subtask: Subtask,
    rule: Rule,
    clauses: list[Clause],
    doc: Document,
    seg: Segmentation,
    ctx: ReviewContext | None,
) -> Finding:
    """Decide an NDA hypothesis by the cascade (tier 0, then tier 1 where tier 0 is unsure)."""
    if rule.hypothesis or rule.hypothesis_id:
        return decide_cascade(rule, doc, seg, ctx)
    return analyze(subtask, rule, clauses, doc, seg, ctx)  # no hypothesis: tier 0's judgement


TRAIN_FILES = ("train.json", "train_truncated_50docs.json")  # the full split where it is present


def nli_train_file(data: Path) -> Path:
    """ContractNLI's training file under `data` (all its training NDAs where shipped)."""
    folder = data / "contract_nli" if (data / "contract_nli").is_dir() else data
    if not folder.is_dir():
        return folder
    for name in TRAIN_FILES:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{folder}: no ContractNLI training file ({', '.join(TRAIN_FILES)})")


def _train_nli(data: Path) -> dict:
    from legal_orch_agents.risk_analysis.nli_train import main

    return main(nli_train_file(data))


def _train_nli1(data: Path) -> dict:
    from legal_orch_agents.risk_analysis.nli_neural_train import main

    return main(nli_train_file(data))


def _train_nli_combiner(data: Path) -> dict:
    from legal_orch_agents.risk_analysis.nli_neural_train import train_combiner

    folder = data / "contract_nli" if (data / "contract_nli").is_dir() else data
    return train_combiner(folder / "dev.json" if folder.is_dir() else folder)


def _train_calibration(data: Path) -> dict:
    from legal_orch_agents.risk_analysis.calibration import measure

    cache = Path(__file__).resolve().parents[2] / ".data" / "cache" / "cuad_pdf"
    return measure(data / "cuad" if (data / "cuad").is_dir() else data, cache=cache)


def nli_predict(
    documents: list[NliDocument], embedder: Embedder, model_path: Path | None = None
) -> tuple[dict[str, dict[str, NliPrediction]], dict[str, object]]:
    """Decide every hypothesis for ContractNLI documents (given spans); return the model's facts."""
    from legal_orch_agents.risk_analysis.nli import NliModel, default_model_path
    from legal_orch_agents.risk_analysis.nli_train import embed_documents

    model = NliModel.load(model_path)
    embs = embed_documents(documents, embedder)
    preds = {d.id: model.predict(d.span_texts(), e) for d, e in zip(documents, embs, strict=True)}
    meta = {
        "model": Path(model_path or default_model_path()).name,
        "model_train_documents": model.meta.get("train_documents"),
    }
    return preds, meta


def nli_tier1_predict(
    documents: list[NliDocument],
    embedder: Embedder,
    model_path: Path | None = None,
    only: dict[str, list[str]] | None = None,
) -> tuple[dict[str, dict[str, NliPrediction]], dict[str, object]]:
    """Tier 1 on ContractNLI documents (given spans), on every hypothesis or, per document id,
    `only` those listed (what a cascade asks for); return the predictions and the model's facts."""
    from legal_orch_agents.risk_analysis.nli_neural import NeuralNliModel, default_model_path
    from legal_orch_agents.risk_analysis.nli_train import embed_documents

    model = NeuralNliModel.load(model_path)
    embs = embed_documents(documents, embedder)
    preds = {
        d.id: model.predict(d.span_texts(), e, only=None if only is None else only.get(d.id, []))
        for d, e in zip(documents, embs, strict=True)
    }
    meta = {
        "model": Path(model_path or default_model_path()).name,
        "model_train_documents": model.meta.get("train_documents"),
    }
    return preds, meta


RISK_AGENT = AgentSpec(
    name="risk_analysis",
    capability="risk",
    run=analyze,
    description="Playbook checks on extracted clauses and attributes; span NLI for NDA hypotheses.",
    cost_tier=0,
    implementation="offline",
    models=("rules", "nli.npz (TF-IDF + all-MiniLM-L6-v2, logistic regression)"),
    train={"nli": _train_nli, "calibration": _train_calibration},
    hooks={"nli_predict": nli_predict},
)

NLI_TIER1_AGENT = AgentSpec(
    name="nli_tier1",
    capability="risk",
    run=analyze_nda,
    description="NDA hypotheses by a cascade: tier 0 span NLI, and where it is unsure a neural "
    "tier over frozen MiniLM vectors, the two settled by a combiner fitted on dev.",
    # Only rules without clause categories (the NDA hypotheses) are routed here.
    categories=frozenset(),
    cost_tier=1,
    implementation="offline",
    models=("nli.npz", "nli_tier1.npz (MLP heads over all-MiniLM-L6-v2)", "nli_combiner.json"),
    train={"nli1": _train_nli1, "nli_combiner": _train_nli_combiner},
    hooks={
        "nli_tier1_predict": nli_tier1_predict,
        "fit_combiner": fit_combiner,
        "cascade": cascade,
        "load_combiner": Combiner.load,
    },
)

# The entry point exports both tiers: the registry loads a list of specs from one name.
AGENT = (RISK_AGENT, NLI_TIER1_AGENT)
