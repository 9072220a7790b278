"""An LLM verifier (tier 3): confirms or rejects a cheaper agent's finding, with a reason.

It never overrules evidence: a finding with cited text keeps its status whatever the model says
(the verdict and its reason are added as a note). Where the cheaper agent found nothing to cite
(the clause "missing") and the model rejects that with quotes located in the contract, the rule
goes to a lawyer with that text. Quotes are located and screened like every model output.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, Field, StringConstraints

from legal_orch.domain import Clause, Document, Finding, Subtask
from legal_orch.grounding import addresses_model, fence, ground
from legal_orch.llm import LLMAnswerError, as_llm
from legal_orch.playbook import Rule
from legal_orch.pseudonym import Pseudonymizer
from legal_orch.registry import AgentSpec, runner
from legal_orch.router import choose

NAME = "llm_verify"
MAX_PASSAGES = 6


class Verdict(BaseModel):
    """The model's structured verdict on one finding."""

    verdict: Literal["confirm", "reject"]
    reason: str = Field(max_length=600)
    quotes: list[Annotated[str, StringConstraints(max_length=400)]] = Field(
        default_factory=list, max_length=3
    )
    confidence: int = Field(ge=0, le=100, description="how sure, 0 to 100")


@lru_cache(maxsize=1)
def prompt() -> dict[str, str]:
    raw = (resources.files(__package__) / "prompt.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(raw)


def spans_for(finding: Finding, clauses: list[Clause], doc: Document, ctx, rule: Rule):
    """The text shown to the model: what the finding cites, the clauses, else the closest text."""
    spans = [(c.start, c.end) for c in finding.citations]
    spans += [(c.start, c.end) for c in sorted(clauses, key=lambda c: -c.confidence)]
    if not spans and hasattr(getattr(ctx, "store", None), "search_contract"):
        hits = ctx.store.search_contract(
            doc.sha256, f"{rule.title}. {rule.preferred}", MAX_PASSAGES
        )
        spans = [(h["start"], h["end"]) for h in hits]
    return list(dict.fromkeys(spans))[:MAX_PASSAGES]


def ask(llm, rule: Rule, finding: Finding, doc: Document, spans, subtask: Subtask) -> Verdict:
    """Ask the model for a verdict on `finding`, masked when the model is remote."""
    text, tag = fence(doc, spans)
    cited = "; ".join(f"“{' '.join(c.quote.split())}”" for c in finding.citations) or "(none)"
    values = {
        "fence": tag,
        "title": rule.title,
        "categories": ", ".join(rule.categories),
        "preferred": rule.preferred or "-",
        "status": finding.status.replace("_", " "),
        "severity": finding.severity,
        "explanation": finding.explanation,
        "cited": cited,
        "passages": text,
    }
    p = prompt()
    messages = [("system", p["system"].format(**values)), ("human", p["human"].format(**values))]
    if not llm.pseudonymize:
        return llm.structured(Verdict, messages)
    masker = Pseudonymizer(subtask.deal.key_terms.parties if subtask.deal else [])
    out = llm.structured(Verdict, [(r, masker.mask(m)) for r, m in messages])
    return out.model_copy(
        update={
            "reason": masker.unmask(out.reason),
            "quotes": [masker.unmask(q) for q in out.quotes],
        }
    )


def decide(finding: Finding, verdict: Verdict, doc: Document, spans, rule: Rule) -> Finding:
    """Apply the verdict without ever overruling cited evidence."""
    cites, notes = ground(doc, spans, verdict.quotes)
    reason = verdict.reason
    if addresses_model(reason):
        reason, cites = "(its reason repeated instructions addressed to an AI and is withheld)", []
    if verdict.verdict == "confirm":
        notes.append(f"Checked by a language model, which agreed: {reason}")
    elif not cites:
        notes.append(
            "A language model questioned this finding without citing the contract; set aside."
        )
    elif finding.citations:
        quoted = "; ".join(f"“{' '.join(c.quote.split())}”" for c in cites)
        notes.append(f"A language model questioned this finding: {reason} It points to {quoted}.")
    else:
        return finding.model_copy(
            update={
                "status": "needs_review",
                "severity": rule.severity_missing,
                "explanation": f"The offline check found no such clause, but a language model points to the text cited: {reason}",
                "citations": cites,
                "confidence": round(verdict.confidence / 100 * len(cites) / len(verdict.quotes), 4),
                "agent": NAME,
                "notes": [*finding.notes, *notes],
            }
        )
    return finding.model_copy(update={"notes": [*finding.notes, *notes]})


def verify(subtask: Subtask, rule: Rule, clauses: list[Clause], doc: Document, seg, ctx) -> Finding:
    """Judge with the cheapest offline agent, then have the model confirm or reject it."""
    llm = as_llm(getattr(ctx, "llm", None))
    if llm is None:
        raise RuntimeError("no LLM provider configured")
    spec = choose(ctx.registry, "risk", rule.categories, llm=False)
    finding = runner(spec, "risk")(subtask, rule, clauses, doc, seg, ctx)
    finding = finding.model_copy(update={"agent": finding.agent or spec.name})
    spans = spans_for(finding, clauses, doc, ctx, rule)
    try:
        verdict = ask(llm, rule, finding, doc, spans, subtask)
    except LLMAnswerError as e:
        return finding.model_copy(update={"notes": [*finding.notes, f"Not verified: {e}."]})
    return decide(finding, verdict, doc, spans, rule)


AGENT = AgentSpec(
    name=NAME,
    capability="risk",
    run=verify,
    description="Has a language model confirm or reject the offline finding, with a reason; never overrules cited text.",
    cost_tier=3,
    implementation="llm: any LangChain chat model with structured output",
    requires_llm=True,
)
