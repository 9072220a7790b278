"""What a batch will cost, said before it starts: pages and model calls priced from the table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legal_orch.llm import MAX_TOKENS, make_chat_model
from legal_orch.playbook import load_playbook
from legal_orch.router import plan_subtasks
from legal_orch.settings import Settings

# CPU-seconds one page takes offline when no review in OUTDIR says better: the warm review
# benchmark's median, 0.81 s for a median of 9.5 pages (benchmarks/results/review.json).
CPU_SECONDS_PER_PAGE = 0.085
TOKENS_IN_PER_CALL = 1500  # a rule, six passages and the instructions (the same as LLM.estimate)
TOKENS_OUT_PER_CALL = 300


@dataclass
class BatchEstimate:
    """The expected cost of the contracts a batch still has to review."""

    contracts: int
    pages: int
    cpu_seconds: float
    model: str | None = None
    model_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    money: float | None = 0.0  # None: the model is missing from the price table
    money_most: float | None = 0.0  # every call at its longest answer
    currency: str = "USD"
    budget: float | None = None

    def line(self) -> str:
        """The estimate in plain words, one line."""
        head = (
            f"about to review {self.contracts} contract(s), {self.pages} page(s): about "
            f"{self.cpu_seconds:,.0f} CPU-seconds on this machine"
        )
        if not self.model_calls:
            return head + "; no language model is used"
        if self.money is None:
            cost = f"the model {self.model} is not in the price table, so no budget can pay for it"
        else:
            most = self.money_most if self.money_most is not None else self.money
            cost = f"about {self.money:.4f} {self.currency} (at most {most:.4f})"
        tail = f"; budget {self.budget:.4f} {self.currency}" if self.budget is not None else ""
        return (
            f"{head}; {self.model_calls} language-model call(s) to {self.model}, about "
            f"{self.tokens_in:,} tokens in and {self.tokens_out:,} out: {cost}{tail}"
        )


def pages_of(path: Path) -> int:
    """Pages of a PDF; a Word file counts a page per 40 paragraphs. 1 when it cannot be read
    (the review will say why)."""
    try:
        if path.suffix.lower() == ".docx":
            from docx import Document

            return max(1, -(-len(Document(str(path)).paragraphs) // 40))
        from pypdf import PdfReader

        return max(1, len(PdfReader(str(path)).pages))
    except Exception:  # noqa: BLE001 - an unreadable file costs a page; its review reports it
        return 1


def cpu_per_page(done: list[Any]) -> float:
    """CPU-seconds per page measured by reviews already in OUTDIR, else the benchmark's."""
    pages = sum(r.document.pages for r in done)
    cpu = sum(e.cpu_seconds for r in done for e in r.costs)
    return cpu / pages if pages and cpu else CPU_SECONDS_PER_PAGE


def estimate(
    paths: list[Path],
    settings: Settings,
    playbook: str | None = None,
    *,
    done: list[Any] = (),  # type: ignore[assignment]
    budget: float | None = None,
    registry: Any = None,
) -> BatchEstimate:
    """Estimate the cost of reviewing `paths`: pages x CPU, planned model calls x prices."""
    pages = sum(pages_of(p) for p in paths)
    est = BatchEstimate(
        contracts=len(paths),
        pages=pages,
        cpu_seconds=round(pages * cpu_per_page(list(done)), 1),
        budget=budget,
    )
    llm = make_chat_model(settings)
    if llm is None or not paths:
        return est
    if registry is None:  # the router's registry, as each review's Reviewer builds it
        from legal_orch.outcomes import learned_registry
        from legal_orch.registry import default_registry

        registry = default_registry()
        registry = learned_registry(registry, settings) if settings.learn else registry
    book = load_playbook(playbook or settings.playbook)
    plan = plan_subtasks(book, registry, quality_bar=settings.quality_bar, llm=True)
    per_contract = sum(registry.get(s.agent).requires_llm for s in plan.values())
    calls = per_contract * len(paths)
    each, most = llm.estimate(), llm.price(TOKENS_IN_PER_CALL, MAX_TOKENS)
    est.model, est.model_calls, est.currency = llm.model_name, calls, llm.prices.currency
    est.tokens_in, est.tokens_out = calls * TOKENS_IN_PER_CALL, calls * TOKENS_OUT_PER_CALL
    est.money = None if each is None else round(each * calls, 6)
    est.money_most = None if most is None else round(most * calls, 6)
    return est
