"""Risk analysis: judge each playbook rule against the contract, with cited evidence.

Commercial rules are judged on the extracted clauses of their categories and the attribute
checks of the rule; NDA rules (`rule.hypothesis` set) are decided by the span-NLI model over the
contract's sentences (Entailment / Contradiction / NotMentioned).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from legal_orch_agents.risk_analysis.judge import judge
from legal_orch_agents.risk_analysis.nda import decide

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


def _train_nli(data: Path) -> dict:
    from legal_orch_agents.risk_analysis.nli_train import main

    folder = data / "contract_nli" if (data / "contract_nli").is_dir() else data
    return main(folder / "train_truncated_50docs.json" if folder.is_dir() else folder)


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


AGENT = AgentSpec(
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
