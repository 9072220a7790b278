"""An LLM risk agent (tier 2): judges a playbook rule with a LangChain chat model.

Chosen by the router only when a provider is configured, for subtasks the offline agent failed
or is not good enough at. Output is structured and untrusted: every quote is located in the
passage it claims to come from and re-cited from the document text; a quote that cannot be
found is dropped, and the validator checks the rest.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field

from legal_orch.domain import Citation, Clause, Document, Finding, Severity, Subtask
from legal_orch.playbook import Rule
from legal_orch.registry import AgentSpec

MAX_PASSAGES = 6


class Judgement(BaseModel):
    """The model's structured answer."""

    status: Literal["compliant", "deviation", "missing", "needs_review"]
    severity: Severity
    explanation: str
    quotes: list[str] = Field(default_factory=list, description="exact quotes from the passages")
    confidence: float = Field(ge=0.0, le=1.0)


@lru_cache(maxsize=1)
def prompt() -> ChatPromptTemplate:
    raw = yaml.safe_load((resources.files(__package__) / "prompt.yaml").read_text(encoding="utf-8"))
    return ChatPromptTemplate.from_messages([("system", raw["system"]), ("human", raw["human"])])


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


def locate(doc: Document, spans: list[tuple[int, int]], quote: str) -> Citation | None:
    """Find `quote` inside one of `spans` (exactly, else up to white space) and cite it."""
    q = " ".join(quote.split())
    for s, e in spans:
        i = doc.text.find(quote, s, e)
        if i >= 0:
            return doc.cite(i, i + len(quote))
        words = q.split()
        if not words:
            continue
        i = doc.text.find(words[0], s, e)
        while i >= 0:
            j, k = i, 0
            while k < len(words) and doc.text.startswith(words[k], j):
                j += len(words[k])
                k += 1
                while j < e and doc.text[j].isspace():
                    j += 1
            if k == len(words):
                return doc.cite(i, j)
            i = doc.text.find(words[0], i + 1, e)
    return None


def judge(subtask: Subtask, rule: Rule, clauses: list[Clause], doc: Document, seg, ctx) -> Finding:
    """Ask the configured chat model for a structured judgement of one rule."""
    if ctx is None or ctx.llm is None:
        raise RuntimeError("no LLM provider configured")
    spans = passages(doc, clauses, ctx, rule)
    numbered = "\n".join(
        f"[{i + 1}] {' '.join(doc.text[s:e].split())}" for i, (s, e) in enumerate(spans)
    )
    chain = prompt() | ctx.llm.with_structured_output(Judgement)
    out: Judgement = chain.invoke(
        {
            "title": rule.title,
            "categories": ", ".join(rule.categories),
            "preferred": rule.preferred or "-",
            "kind": rule.kind,
            "passages": numbered or "(none found)",
        }
    )
    cites = [c for q in out.quotes if (c := locate(doc, spans, q)) is not None]
    status = out.status
    if status in ("compliant", "deviation") and not cites:
        status = "needs_review"  # a conclusion without evidence is not a conclusion
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=out.severity,
        status=status,
        explanation=out.explanation,
        categories=rule.categories,
        citations=[] if status == "missing" else cites,
        confidence=out.confidence,
        agent="llm_risk",
    )


AGENT = AgentSpec(
    name="llm_risk",
    capability="risk",
    run=judge,
    description="Judges a playbook rule with the configured LangChain chat model (structured output).",
    cost_tier=2,
    implementation="llm: any LangChain chat model with structured output",
    requires_llm=True,
)
