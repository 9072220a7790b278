"""Every validation failure mode, on a hand-built document."""

from __future__ import annotations

import pytest
from legal_orch_agents.validation import validate

from legal_orch.domain import (
    AgentFailure,
    Citation,
    Clause,
    Document,
    Finding,
    Page,
    Recommendation,
)
from legal_orch.playbook import Playbook, Rule

TEXT = "Page one text. This Agreement is governed by the laws of Ontario.\n\nPage two: no assignment without consent."
PAGES = [Page(number=1, start=0, end=66), Page(number=2, start=68, end=len(TEXT))]
DOC = Document(path="d.pdf", name="d.pdf", sha256="b" * 64, text=TEXT, pages=PAGES)
BOOK = Playbook(
    name="t",
    rules=[
        Rule(id="law", title="Governing law", categories=["Governing Law"]),
        Rule(id="coc", title="Change of control", categories=["Change of Control"], kind="avoid"),
    ],
)


def cite(phrase: str) -> Citation:
    s = TEXT.index(phrase)
    return DOC.cite(s, s + len(phrase))


def law(**kw) -> Finding:
    base = dict(
        rule_id="law",
        title="Governing law",
        severity="medium",
        status="deviation",
        explanation="x",
        citations=[cite("governed by the laws of Ontario")],
        confidence=0.8,
        recommendation=Recommendation(action="negotiate", rationale="r"),
    )
    return Finding(**{**base, **kw})


COC = Finding(
    rule_id="coc",
    title="Change of control",
    severity="info",
    status="compliant",
    explanation="absent",
    confidence=0.9,
    recommendation=Recommendation(action="accept", rationale="r"),
)


def checks(v):
    return {c.name: c for c in v.checks}


def test_passes_when_everything_holds():
    v = validate(DOC, [], [law(), COC], BOOK, [])
    assert v.status == "passed" and 0 < v.confidence <= 1
    assert checks(v)["grounding"].detail.startswith("1/1 quotes exact")


@pytest.mark.parametrize(
    "bad",
    [
        Citation(page=1, start=15, end=30, quote="This Agreement X"),  # quote differs from the text
        Citation(page=2, start=15, end=29, quote=TEXT[15:29]),  # wrong page
        Citation(page=1, start=10, end=10_000, quote="x"),  # outside the document
    ],
)
def test_grounding_catches_inexact_quotes(bad):
    v = validate(DOC, [], [law(citations=[bad]), COC], BOOK, [])
    assert v.status == "failed" and checks(v)["grounding"].subtask_ids == ["law"]


def test_grounding_checks_clauses_too():
    clause = Clause(
        category="Governing Law", text="governed by", page=1, start=0, end=11, confidence=0.9
    )
    assert validate(DOC, [clause], [law(), COC], BOOK, []).status == "failed"


def test_coverage_unanswered_rule_is_incomplete():
    v = validate(DOC, [], [law()], BOOK, [])
    assert v.status == "incomplete" and checks(v)["coverage"].subtask_ids == ["coc"]


def test_agent_failure_is_incomplete_never_clean():
    fail = AgentFailure(
        agent="risk_analysis", stage="risk", subtask_id="law", error="RuntimeError: boom"
    )
    v = validate(DOC, [], [law(), COC], BOOK, [fail])
    assert v.status == "incomplete" and checks(v)["agents"].subtask_ids == ["law"]
    assert "boom" in checks(v)["agents"].detail


@pytest.mark.parametrize(
    "finding, why",
    [
        (law(citations=[]), "without a citation"),
        (
            law(status="missing", recommendation=Recommendation(action="add", rationale="r")),
            "missing yet cites",
        ),
        (
            law(
                status="missing",
                citations=[],
                recommendation=Recommendation(action="delete", rationale="r"),
            ),
            "contradicts",
        ),
        (
            law(
                confidence=0.5,
                status="compliant",
                recommendation=Recommendation(action="add", rationale="r"),
            ),
            "contradicts",
        ),
    ],
)
def test_consistency(finding, why):
    v = validate(DOC, [], [finding, COC], BOOK, [])
    assert v.status == "failed"
    c = checks(v)["consistency"]
    assert c.subtask_ids == ["law"] and why in c.detail


def test_compliant_by_absence_needs_no_citation_only_for_avoid_rules():
    law_absent = law(
        status="compliant",
        citations=[],
        recommendation=Recommendation(action="accept", rationale="r"),
    )
    assert checks(validate(DOC, [], [law_absent, COC], BOOK, []))["consistency"].subtask_ids == [
        "law"
    ]


# ---- What the findings mean -------------------------------------------------------------------

DEAL_TEXT = (
    "1. Appointment. Supplier appoints Distributor as its non-exclusive distributor of the "
    "Products in the Territory.\n\n"
    "2. Termination. Either party may terminate this Agreement for convenience on thirty (30) "
    "days' written notice.\n\n"
    "3. Law. This Agreement is governed by the laws of the Province of Ontario.\n\n"
    "4. Insurance. Supplier shall maintain, with reputable insurers, commercial general "
    "liability insurance of at least $1,000,000 per occurrence and $2,000,000 in the "
    "aggregate, and shall provide certificates of insurance on request."
)
DEAL_DOC = Document(
    path="m.pdf",
    name="m.pdf",
    sha256="c" * 64,
    text=DEAL_TEXT,
    pages=[Page(number=1, start=0, end=len(DEAL_TEXT))],
)
MEANING_BOOK = Playbook(
    name="m",
    rules=[
        Rule(id="coc", title="Change of control", categories=["Change of Control"], kind="avoid"),
        Rule(id="exclusivity", title="Exclusivity", categories=["Exclusivity"], kind="avoid"),
        Rule(id="non-compete", title="Non-compete", categories=["Non-Compete"], kind="avoid"),
        Rule(id="law", title="Governing law", categories=["Governing Law"]),
        Rule(id="insurance", title="Insurance", categories=["Insurance"]),
        Rule(id="tfc", title="Convenience exit", categories=["Termination for Convenience"]),
    ],
)


def dcite(phrase: str) -> Citation:
    s = DEAL_TEXT.index(phrase)
    return DEAL_DOC.cite(s, s + len(phrase))


def clause(category: str, phrase: str, confidence: float) -> Clause:
    c = dcite(phrase)
    return Clause(
        category=category, text=c.quote, page=1, start=c.start, end=c.end, confidence=confidence
    )


TFC_TEXT = (
    "Either party may terminate this Agreement for convenience on thirty (30) days' written notice."
)
APPOINT = "Supplier appoints Distributor as its non-exclusive distributor of the Products in the Territory."
LAW_TEXT = "This Agreement is governed by the laws of the Province of Ontario."
CLAUSES = [
    clause("Termination for Convenience", TFC_TEXT, 0.92),
    clause("Change of Control", TFC_TEXT, 0.21),  # the clause finder's weak second guess
    clause("Exclusivity", APPOINT, 0.81),  # a high score on the word "exclusive"
    clause("Governing Law", LAW_TEXT, 0.95),
]


def mf(rule_id: str, status: str, quote: str | None, action: str = "accept", **kw) -> Finding:
    rule = MEANING_BOOK.rule(rule_id)
    return Finding(
        rule_id=rule_id,
        title=rule.title,
        severity=kw.pop("severity", "medium"),
        status=status,
        explanation=kw.pop("explanation", f"{rule.title}: {status}."),
        categories=rule.categories,
        citations=[dcite(quote)] if quote else [],
        confidence=kw.pop("confidence", 0.8),
        recommendation=Recommendation(
            action=action, rationale=kw.pop("rationale", "r"), fallback_language=kw.pop("fb", None)
        ),
        **kw,
    )


def sound() -> dict[str, Finding]:
    """A review whose findings all hold up."""
    return {
        "coc": mf("coc", "compliant", None, explanation="No Change of Control clause was found."),
        "exclusivity": mf(
            "exclusivity", "compliant", None, explanation="No Exclusivity clause was found."
        ),
        "non-compete": mf(
            "non-compete", "compliant", None, explanation="No Non-Compete clause was found."
        ),
        "law": mf("law", "deviation", LAW_TEXT, "negotiate", fb="New York law governs."),
        "insurance": mf(
            "insurance", "compliant", "Supplier shall maintain, with reputable insurers"
        ),
        "tfc": mf("tfc", "compliant", TFC_TEXT),
    }


INSURANCE = clause("Insurance", "Supplier shall maintain, with reputable insurers", 0.9)


def run(findings: dict[str, Finding], clauses=(*CLAUSES, INSURANCE), deal=None):
    return validate(DEAL_DOC, list(clauses), list(findings.values()), MEANING_BOOK, [], deal)


def test_a_sound_review_passes_every_meaning_check():
    v = run(sound())
    assert v.status == "passed" and not v.amended
    assert all(c.status == "passed" for c in v.checks), v.checks


def test_a_change_of_control_finding_quoting_a_convenience_exit_is_sent_to_a_lawyer():
    findings = sound()
    findings["coc"] = mf("coc", "deviation", TFC_TEXT, "negotiate")
    v = run(findings)
    c = checks(v)["clause type"]
    assert c.status == "failed" and "coc" in c.detail
    assert c.subtask_ids == []  # no risk tier gets other clauses: a lawyer, not a re-route
    (coc,) = v.amended
    assert coc.status == "needs_review" and coc.recommendation.action == "escalate"
    assert "21%" in coc.notes[0] and "Change of Control" in coc.notes[0]
    assert coc.confidence <= 0.21
    assert v.status == "passed"  # the review no longer states it as fact


def test_an_exclusivity_finding_quoting_non_exclusive_is_sent_to_a_lawyer():
    findings = sound()
    findings["exclusivity"] = mf("exclusivity", "deviation", APPOINT, "negotiate")
    v = run(findings)
    (excl,) = v.amended
    assert excl.rule_id == "exclusivity" and "“non-exclusive”" in excl.notes[0]
    # resting on the wrong clause, it reports no risk until a lawyer confirms the clause
    assert excl.status == "needs_review" and excl.severity == "info"
    assert excl.explanation.startswith("No risk is reported here until a lawyer confirms")
    # a genuinely exclusive grant passes
    from legal_orch_agents.validation.meaning import contrary

    assert contrary("appoints Distributor as its exclusive distributor", "Exclusivity") is None
    assert contrary("a non-exclusive, non-transferable licence", "Exclusivity") == "non-exclusive"


def test_advice_resting_on_a_clause_the_review_calls_absent_fails():
    """'No non-compete clause was found' then 'the non-compete ... bars the client' must fail."""
    findings = sound()
    lock = (
        "Reconciled with non-compete (exclusivity with a non-compete): Exclusivity and the "
        "non-compete together bar the client from the market for the products."
    )
    findings["exclusivity"] = mf(
        "exclusivity", "deviation", "Supplier appoints Distributor", "negotiate", rationale=lock
    )
    findings["non-compete"] = mf(
        "non-compete",
        "compliant",
        None,
        "negotiate",
        explanation="No Non-Compete clause was found.",
        rationale=lock,
    )
    v = run(
        findings,
        clauses=[*CLAUSES, INSURANCE, clause("Exclusivity", "Supplier appoints Distributor", 0.8)],
    )
    c = checks(v)["absent clauses"]
    assert c.status == "failed" and "19/19" not in c.detail
    amended = {f.rule_id: f for f in v.amended}
    assert set(amended) == {"exclusivity", "non-compete"}
    assert "found none" in amended["exclusivity"].notes[0]
    assert "nothing to negotiate" in amended["non-compete"].notes[0]


def test_advice_resting_on_a_clause_of_the_wrong_type_fails_too():
    findings = sound()
    findings["exclusivity"] = mf("exclusivity", "deviation", APPOINT, "negotiate")
    findings["insurance"] = mf(
        "insurance",
        "compliant",
        "Supplier shall maintain, with reputable insurers",
        "negotiate",
        rationale="Reconciled with exclusivity: an exclusive arrangement makes the client carry the risk.",
    )
    v = run(findings)
    amended = {f.rule_id: f for f in v.amended}
    assert set(amended) == {"exclusivity", "insurance"}
    assert "doubts the clause it quotes" in amended["insurance"].notes[0]


def test_advice_that_proposes_to_add_an_absent_clause_is_fine():
    findings = sound()
    findings["tfc"] = mf("tfc", "missing", None, "add", explanation="No exit was found.")
    findings["law"] = mf(
        "law",
        "deviation",
        LAW_TEXT,
        "negotiate",
        rationale="There is no exit for convenience; add one with the renewal fix.",
    )
    v = run(
        findings,
        clauses=[c for c in (*CLAUSES, INSURANCE) if c.category != "Termination for Convenience"],
    )
    assert checks(v)["absent clauses"].status == "passed"


def test_a_clause_called_absent_but_quoted_elsewhere_is_a_conflict_of_facts():
    findings = sound()
    findings["tfc"] = mf("tfc", "missing", None, "add", explanation="No exit was found.")
    v = run(findings)
    c = checks(v)["facts agree"]
    assert c.status == "failed" and c.subtask_ids == ["tfc"]  # a stronger reader may settle it
    (tfc,) = v.amended
    assert "clause finder lists one" in tfc.notes[0]


def test_key_terms_and_a_finding_must_give_the_same_law():
    from legal_orch.domain import Deal, KeyTerm, KeyTerms

    deal = Deal(key_terms=KeyTerms(governing_law=KeyTerm(value="Delaware", citations=[])))
    v = run(sound(), deal=deal)
    c = checks(v)["facts agree"]
    assert c.status == "failed" and c.subtask_ids == ["law"]
    assert "Delaware" in v.amended[0].notes[0]
    agreeing = Deal(key_terms=KeyTerms(governing_law=KeyTerm(value="Ontario")))
    assert checks(run(sound(), deal=agreeing))["facts agree"].status == "passed"


def test_a_recommendation_asking_for_what_the_contract_already_says_fails():
    findings = sound()
    ask = (
        "Supplier shall maintain, with reputable insurers, commercial general liability "
        "insurance of at least $1,000,000 per occurrence and $2,000,000 in the aggregate."
    )
    findings["insurance"] = mf("insurance", "missing", None, "add", fb=ask)
    v = run(findings, clauses=CLAUSES)
    c = checks(v)["not already said"]
    assert c.status == "failed" and c.subtask_ids == []  # missed by the clause finder
    (ins,) = [f for f in v.amended if f.rule_id == "insurance"]
    assert "already appears to say" in ins.notes[0] and "Supplier shall maintain" in ins.notes[0]
    # a different figure is a different ask
    findings["insurance"] = mf(
        "insurance", "missing", None, "add", fb=ask.replace("$2,000,000", "$5,000,000")
    )
    assert checks(run(findings, clauses=CLAUSES))["not already said"].status == "passed"


def test_words_scattered_over_unrelated_clauses_are_not_the_contract_saying_it():
    from legal_orch_agents.validation.meaning import check_already_said

    text = (
        "Each Party may terminate this Agreement on written notice if the other party becomes "
        "bankrupt and the proceeding is not dismissed within ninety (90) days. Aimmune may "
        "terminate this Agreement for its convenience upon sixty (60) days' prior written notice."
    )
    doc = Document(
        path="s.pdf",
        name="s.pdf",
        sha256="d" * 64,
        text=text,
        pages=[Page(number=1, start=0, end=len(text))],
    )
    ask = "Either party may terminate this Agreement for convenience on ninety (90) days' prior written notice to the other party."
    f = mf("tfc", "deviation", None, "negotiate", fb=ask)
    assert check_already_said(doc, [f]) == []
    said = text.replace("Aimmune may", "Either party may").replace("sixty (60)", "ninety (90)")
    doc2 = doc.model_copy(update={"text": said, "pages": [Page(number=1, start=0, end=len(said))]})
    assert [p.rule_id for p in check_already_said(doc2, [f])] == ["tfc"]


def test_uncertain_statuses_may_only_be_escalated():
    findings = sound()
    findings["insurance"] = mf("insurance", "not_found", None, "add")
    v = run(findings)
    assert (
        v.status == "failed" and "contradicts status not_found" in checks(v)["consistency"].detail
    )


def test_the_review_confidence_follows_its_findings():
    clear = run(sound())
    doubtful = sound()
    doubtful["coc"] = mf("coc", "deviation", TFC_TEXT, "negotiate", severity="high")
    worse = run(doubtful)
    assert worse.confidence < clear.confidence
    unsure = {k: f.model_copy(update={"confidence": 0.3}) for k, f in sound().items()}
    assert run(unsure).confidence < clear.confidence


def test_missing_for_the_counterparty_may_cite_the_clients_own_clause():
    """Aimmune insures itself; nothing binds Xencor: 'missing' citing Aimmune's clause holds."""
    add = Recommendation(action="add", rationale="r")
    own = law(status="missing", burdens="Aimmune", benefits="Xencor", recommendation=add)
    assert checks(validate(DOC, [], [own, COC], BOOK, []))["consistency"].status == "passed"
    bare = law(status="missing", recommendation=add)
    assert checks(validate(DOC, [], [bare, COC], BOOK, []))["consistency"].status == "failed"
