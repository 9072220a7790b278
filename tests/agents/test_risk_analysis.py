"""Risk analysis: commercial rules on hand-built clauses, NDA rules through the NLI model."""

from __future__ import annotations

import pytest
from legal_orch_agents.risk_analysis import AGENT, analyze
from legal_orch_agents.risk_analysis.nli import NliModel

from legal_orch.domain import Clause, Subtask
from legal_orch.ingest.segment import segment
from legal_orch.playbook import Rule, load_playbook, parse_playbook
from tests.playbook_examples import example_document

NDA_TEXT = """MUTUAL NON-DISCLOSURE AGREEMENT

1. The Receiving Party shall use the Confidential Information solely for the purpose of evaluating the proposed transaction.

2. The Receiving Party may disclose Confidential Information to its employees who need to know it.

3. Upon termination of this Agreement, the Receiving Party shall return or destroy all Confidential Information.

4. This Agreement is governed by the laws of the State of New York.
"""


def _sub(rule: Rule) -> Subtask:
    return Subtask(id=rule.id, rule_id=rule.id, categories=rule.categories, agent="risk_analysis")


def _clause(doc, category, text, answer=None) -> Clause:
    start = doc.text.index(text)
    return Clause(
        category=category,
        text=text,
        page=1,
        start=start,
        end=start + len(text),
        confidence=0.8,
        answer=answer,
    )


def test_agent_declaration():
    assert AGENT.capability == "risk" and AGENT.run is analyze and AGENT.name == "risk_analysis"


def test_deviation_cites_the_failing_attribute():
    book = load_playbook("commercial")
    rule = book.rule("termination-for-convenience")
    text = "Preamble.\n\nSupplier may terminate this Agreement without cause upon ten (10) days' notice."
    doc = example_document(text)
    clause = _clause(doc, "Termination for Convenience", text.split("\n\n")[1])
    f = analyze(_sub(rule), rule, [clause], doc, segment(doc), None)
    assert f.status == "deviation" and f.severity == "medium"
    assert f.citations[0].quote == "ten (10) days"  # the attribute first, then the clause
    assert any(c.quote == clause.text for c in f.citations)
    assert "thirty days" in f.explanation and "one-sided against the client" in f.explanation
    assert (f.burdens, f.benefits) == ("the client", "the Supplier")


def test_clauses_of_other_categories_are_ignored_and_no_answers_dropped():
    book = load_playbook("commercial")
    rule = book.rule("insurance")
    doc = example_document(
        "Supplier shall maintain insurance of $5,000,000. Governing law: Delaware."
    )
    law = _clause(doc, "Governing Law", "Governing law: Delaware.")
    no = _clause(doc, "Insurance", "Supplier shall maintain insurance of $5,000,000.", answer="No")
    f = analyze(_sub(rule), rule, [law, no], doc, segment(doc), None)
    assert f.status == "missing" and f.severity == "medium" and not f.citations


def test_preferred_jurisdiction_list_comes_from_the_playbook():
    book = parse_playbook(
        "name: firm\npreferred_jurisdictions: [Ontario]\nrules:\n  - id: law\n    title: Law\n"
        "    categories: [Governing Law]\n    checks:\n      - {attribute: jurisdiction, op: in, "
        "value: '@preferred_jurisdictions'}\n",
        "firm.yaml",
    )
    rule = book.rule("law")
    doc = example_document("This Agreement is governed by the laws of the Province of Ontario.")
    ok = analyze(
        _sub(rule), rule, [_clause(doc, "Governing Law", doc.text)], doc, segment(doc), None
    )
    assert ok.status == "compliant"
    doc2 = example_document("This Agreement is governed by the laws of the State of Texas.")
    bad = analyze(
        _sub(rule), rule, [_clause(doc2, "Governing Law", doc2.text)], doc2, segment(doc2), None
    )
    assert bad.status == "deviation"


@pytest.fixture(scope="module")
def nda_findings():
    book = load_playbook("nda")
    doc = example_document(NDA_TEXT)
    seg = segment(doc)
    return doc, {r.id: analyze(_sub(r), r, [], doc, seg, None) for r in book.rules}


def test_nda_rules_decide_every_hypothesis_with_evidence(nda_findings):
    doc, findings = nda_findings
    assert len(findings) == 17
    for f in findings.values():
        assert f.status in ("compliant", "deviation", "missing")
        assert 0.0 < f.confidence <= 1.0
        for c in f.citations:
            assert c.quote == doc.text[c.start : c.end]
        if f.status != "missing":
            assert f.citations, f.rule_id


def test_nda_limited_use_is_found_with_its_sentence(nda_findings):
    _, findings = nda_findings
    f = findings["nda-limited-use"]
    assert f.status == "compliant"
    assert any("solely for the purpose" in c.quote for c in f.citations)


def test_nda_absent_topics_are_missing(nda_findings):
    _, findings = nda_findings
    assert findings["nda-no-reverse-engineering"].status == "missing"
    assert findings["nda-no-solicitation"].status == "missing"


def test_unknown_hypothesis_fails_loudly():
    rule = Rule(
        id="x", title="x", categories=[], hypothesis="Something new.", hypothesis_id="nda-99"
    )
    doc = example_document(NDA_TEXT)
    with pytest.raises(ValueError, match="nda-99"):
        analyze(_sub(rule), rule, [], doc, segment(doc), None)


def test_missing_model_names_the_train_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="train nli"):
        NliModel.load(tmp_path / "nli.npz")
