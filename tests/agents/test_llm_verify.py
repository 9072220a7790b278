"""The LLM verifier with a scripted chat model: it may confirm or question, never overrule."""

from __future__ import annotations

from types import SimpleNamespace

from legal_orch_agents.llm_verify import AGENT as VERIFY
from legal_orch_agents.llm_verify import verify

from legal_orch.registry import AgentSpec, Registry
from tests import graph_agents as ga
from tests.agents.test_llm_risk import RULE, TEXT, _clause, _doc, _sub
from tests.fake_llm import scripted, tool_answer


def _ctx(verdict: dict, store=None):
    offline = AgentSpec(name="rule_judge", capability="risk", run=ga.judge)
    return SimpleNamespace(
        llm=scripted(tool_answer("Verdict", verdict)),
        store=store,
        registry=Registry([offline, VERIFY]),
    )


def _verdict(verdict: str, quotes: list[str], reason: str = "As quoted.") -> dict:
    return {"verdict": verdict, "reason": reason, "quotes": quotes, "confidence": 80}


def test_confirmation_is_noted_on_the_offline_finding():
    doc = _doc()
    f = verify(_sub(), RULE, [_clause(doc)], doc, None, _ctx(_verdict("confirm", [])))
    assert (f.status, f.agent) == ("deviation", "rule_judge")
    assert any("agreed" in n for n in f.notes)


def test_a_rejection_never_overrules_cited_text():
    doc = _doc()
    ctx = _ctx(_verdict("reject", ["the fees paid in the prior twelve months"], "It is capped."))
    f = verify(_sub(), RULE, [_clause(doc)], doc, None, ctx)
    assert (f.status, f.agent) == ("deviation", "rule_judge") and f.citations
    assert any("questioned this finding: It is capped." in n for n in f.notes)


def test_a_rejection_without_contract_text_is_set_aside():
    doc = _doc()
    ctx = _ctx(_verdict("reject", ["liability is unlimited"]))
    f = verify(_sub(), RULE, [_clause(doc)], doc, None, ctx)
    assert f.status == "deviation" and any("set aside" in n for n in f.notes)


def test_a_missing_clause_the_model_finds_goes_to_a_lawyer_with_the_text():
    doc = _doc()
    store = SimpleNamespace(search_contract=lambda sha, q, k: [{"start": 15, "end": len(TEXT)}])
    ctx = _ctx(_verdict("reject", ["liability exceed the fees paid"], "There is a cap."), store)
    f = verify(
        _sub(), RULE, [], doc, None, ctx
    )  # nothing extracted: the offline agent says missing
    assert (f.status, f.agent) == ("needs_review", "llm_verify")
    (c,) = f.citations
    assert doc.text[c.start : c.end] == c.quote == "liability exceed the fees paid"
