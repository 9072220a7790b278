"""An LLM risk agent (tier 2): judges a playbook rule with a LangChain chat model.

Chosen by the router only when a provider is configured, for subtasks the offline agent failed
or is not good enough at. The contract is data and the answer is untrusted:
- passages go to the model fenced and labelled as untrusted contract text, names and amounts
  replaced by placeholders when the model is not local;
- every quote is located in the passages shown (exactly, else up to white space) and re-cited
  from the document; a quote that is not there, or that itself speaks to a model, is refused;
- a conclusion without an accepted quote is not shown as a finding: it needs a lawyer's review;
- the offline agent's finding, when it has evidence, stands: the model may add a view, never
  remove or overrule it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated, Literal

import yaml
from legal_orch_agents.llm_risk.ask import ask as answer_question
from pydantic import BaseModel, Field, StringConstraints

from legal_orch.domain import Clause, Document, Finding, Severity, Subtask
from legal_orch.grounding import addresses_model, fence, ground
from legal_orch.llm import LLMAnswerError, as_llm
from legal_orch.playbook import Rule
from legal_orch.pseudonym import Pseudonymizer
from legal_orch.registry import AgentSpec, runner
from legal_orch.router import NoAgentError, choose

MAX_PASSAGES = 6
NAME = "llm_risk"


class Judgement(BaseModel):
    """The model's structured answer (bounded, so a runaway model cannot fill its window)."""

    status: Literal["compliant", "deviation", "missing", "needs_review"]
    severity: Severity
    explanation: str = Field(max_length=800)
    quotes: list[Annotated[str, StringConstraints(max_length=400)]] = Field(
        default_factory=list, max_length=3, description="exact quotes from the passages"
    )
    # A whole percentage: grammar-constrained local servers enforce integer bounds, not float ones.
    confidence: int = Field(ge=0, le=100, description="how sure, 0 to 100")


@lru_cache(maxsize=1)
def prompt() -> dict[str, str]:
    return yaml.safe_load(
        (resources.files(__package__) / "prompt.yaml").read_text(encoding="utf-8")
    )


def passages(doc: Document, clauses: list[Clause], ctx, rule: Rule) -> list[tuple[int, int]]:
    """Return the spans shown to the model: the extracted clauses, else the closest sentences."""
    spans = [(c.start, c.end) for c in sorted(clauses, key=lambda c: -c.confidence)[:MAX_PASSAGES]]
    if not spans and ctx is not None and hasattr(ctx.store, "search_contract"):
        query = f"{rule.title}. {rule.preferred}"
        spans = [
            (h["start"], h["end"])
            for h in ctx.store.search_contract(doc.sha256, query, MAX_PASSAGES)
        ]
    return spans


def ask(
    llm, rule: Rule, doc: Document, spans: list[tuple[int, int]], subtask: Subtask
) -> Judgement:
    """Ask the model about `rule`, showing only `spans`, masked when the model is remote."""
    text, tag = fence(doc, spans)
    values = {
        "fence": tag,
        "title": rule.title,
        "categories": ", ".join(rule.categories),
        "preferred": rule.preferred or "-",
        "kind": rule.kind,
        "passages": text,
    }
    p = prompt()
    messages = [("system", p["system"].format(**values)), ("human", p["human"].format(**values))]
    if not llm.pseudonymize:
        return llm.structured(Judgement, messages)
    parties = subtask.deal.key_terms.parties if subtask.deal else []
    masker = Pseudonymizer(parties)
    masked = [(role, masker.mask(m)) for role, m in messages]
    out = llm.structured(Judgement, masked)
    return out.model_copy(
        update={
            "explanation": masker.unmask(out.explanation),
            "quotes": [masker.unmask(q) for q in out.quotes],
        }
    )


def grounded(
    rule: Rule, answer: Judgement, doc: Document, spans: list[tuple[int, int]], found: bool
) -> Finding:
    """Turn the model's answer into a finding that shows only what the contract supports."""
    cites, notes = ground(doc, spans, answer.quotes)
    status, severity, explanation = answer.status, answer.severity, answer.explanation
    if addresses_model(explanation):
        explanation = (
            "The model's explanation is withheld: it repeats instructions addressed to an AI."
        )
        notes.append("The model's explanation repeated instructions found in the contract text.")
    if status in ("compliant", "deviation") and not cites:
        notes.append(
            f"The model said “{status}” but gave no quotation found in the contract, "
            "so its view is not shown as a finding."
        )
        status, severity = "needs_review", rule.severity_deviation
        explanation = "A lawyer should read this clause: the model's answer could not be checked against the contract text."
    elif status == "missing" and found:
        notes.append("The model said the clause is missing, but text of its kind was found.")
        status, severity = "needs_review", rule.severity_missing
        explanation = "A lawyer should read the clause found: the model called it missing."
    share = len(cites) / len(answer.quotes) if answer.quotes else 0.0
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity,
        status=status,
        explanation=explanation,
        categories=rule.categories,
        citations=[] if status == "missing" else cites,
        # The model's own confidence, discounted by the share of its quotes the contract bears out.
        confidence=round(answer.confidence / 100 * (share if status != "missing" else 1.0), 4),
        agent=NAME,
        notes=notes,
    )


def unanswered(rule: Rule, problem: str) -> Finding:
    """A rule the model answered in a form that cannot be used: it needs a lawyer's review."""
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=rule.severity_deviation,
        status="needs_review",
        explanation="A lawyer should read this clause: the model's answer could not be used.",
        categories=rule.categories,
        confidence=0.0,
        agent=NAME,
        notes=[problem[0].upper() + problem[1:] + "."],
    )


def offline_finding(subtask, rule, clauses, doc, seg, ctx) -> tuple[Finding | None, str | None]:
    """The cheapest offline agent's finding for the rule, or why there is none."""
    registry = getattr(ctx, "registry", None)
    if registry is None:
        return None, None
    try:
        spec = choose(registry, "risk", rule.categories, llm=False)
    except NoAgentError:
        return None, None
    try:
        return runner(spec, "risk")(subtask, rule, clauses, doc, seg, ctx), None
    except Exception as e:  # noqa: BLE001 - reported in the finding's notes
        return (
            None,
            f"The offline check could not run ({type(e).__name__}); the model's view stands alone.",
        )


def reconcile(offline: Finding | None, llm: Finding) -> Finding:
    """The offline finding with evidence stands; the model may only add its view."""
    if offline is None or not offline.citations:
        if offline is not None and offline.status == "missing" and llm.citations:
            return llm.model_copy(
                update={
                    "notes": [
                        *llm.notes,
                        "The offline check did not find this clause; the model found the quoted text.",
                    ]
                }
            )
        return llm
    if llm.status == offline.status:
        view = "A language model, shown the same passages, reached the same view."
    elif llm.status == "needs_review":
        view = (
            "A language model's answer could not be checked against the contract and was set aside."
        )
    else:
        view = (
            f"A language model read the passages differently ({llm.status.replace('_', ' ')}): "
            f"{llm.explanation} This finding rests on the quoted text; compare before relying on either."
        )
    return offline.model_copy(update={"notes": [*offline.notes, *llm.notes, view]})


def judge(subtask: Subtask, rule: Rule, clauses: list[Clause], doc: Document, seg, ctx) -> Finding:
    """Ask the configured chat model for a structured, grounded judgement of one rule."""
    llm = as_llm(getattr(ctx, "llm", None))
    if llm is None:
        raise RuntimeError("no LLM provider configured")
    offline, why = offline_finding(subtask, rule, clauses, doc, seg, ctx)
    spans = passages(doc, clauses, ctx, rule)
    try:
        finding = grounded(rule, ask(llm, rule, doc, spans, subtask), doc, spans, bool(clauses))
    except LLMAnswerError as e:  # it answered, wrongly: a lawyer reads the clause instead
        finding = unanswered(rule, str(e))
    if why:
        finding = finding.model_copy(update={"notes": [*finding.notes, why]})
    return reconcile(offline, finding)


AGENT = AgentSpec(
    name=NAME,
    capability="risk",
    run=judge,
    description="Judges a playbook rule with the configured LangChain chat model (structured output).",
    cost_tier=2,
    implementation="llm: any LangChain chat model with structured output",
    requires_llm=True,
    hooks={"ask": answer_question},  # `legal-orch ask FILE QUESTION`
)
