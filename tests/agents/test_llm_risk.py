"""The LLM risk agent with a scripted chat model: structured output, untrusted quotes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from legal_orch_agents.llm_risk import judge

from legal_orch.domain import Clause, Document, Page, Subtask
from legal_orch.grounding import locate
from legal_orch.playbook import Rule
from tests.fake_llm import scripted, tool_answer

TEXT = "12. Liability.\nIn no event shall either party's aggregate\nliability exceed the fees paid in the prior twelve months."
RULE = Rule(
    id="liability-cap", title="Liability is capped", categories=["Cap on Liability"], kind="require"
)


def _doc() -> Document:
    return Document(
        path="x.pdf",
        name="x.pdf",
        sha256="a" * 64,
        text=TEXT,
        pages=[Page(number=1, start=0, end=len(TEXT))],
    )


def _clause(doc: Document) -> Clause:
    s = TEXT.index("In no event")
    return Clause(
        category="Cap on Liability", text=TEXT[s:], page=1, start=s, end=len(TEXT), confidence=0.8
    )


def _ctx(*answers):
    return SimpleNamespace(llm=scripted(*answers), store=None)


def _sub():
    return Subtask(
        id="liability-cap",
        rule_id="liability-cap",
        categories=["Cap on Liability"],
        agent="llm_risk",
        tier=2,
    )


def test_quote_across_line_break_is_cited_exactly():
    doc = _doc()
    answer = tool_answer(
        "Judgement",
        {
            "status": "compliant",
            "severity": "info",
            "explanation": "Capped at 12 months of fees.",
            "quotes": ["either party's aggregate liability exceed the fees paid"],
            "confidence": 85,
        },
    )
    f = judge(_sub(), RULE, [_clause(doc)], doc, None, _ctx(answer))
    assert f.status == "compliant" and f.agent == "llm_risk" and f.confidence == 0.85
    (c,) = f.citations
    assert doc.text[c.start : c.end] == c.quote and "aggregate\nliability" in c.quote


def test_invented_quote_is_dropped_and_conclusion_downgraded():
    doc = _doc()
    answer = tool_answer(
        "Judgement",
        {
            "status": "deviation",
            "severity": "high",
            "explanation": "Uncapped.",
            "quotes": ["liability shall be unlimited"],
            "confidence": 90,
        },
    )
    f = judge(_sub(), RULE, [_clause(doc)], doc, None, _ctx(answer))
    assert f.citations == [] and f.status == "needs_review"


def test_without_provider_it_fails_loudly():
    doc = _doc()
    with pytest.raises(RuntimeError, match="no LLM provider"):
        judge(_sub(), RULE, [_clause(doc)], doc, None, SimpleNamespace(llm=None, store=None))


def test_locate_outside_passages_is_none():
    doc = _doc()
    assert locate(doc, [(0, 14)], "fees paid") is None
    assert locate(doc, [(0, len(TEXT))], "fees   paid") is not None
