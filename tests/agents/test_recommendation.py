"""Recommendation synthesis: actions, advice in the contract's own words, reconciliation."""

from __future__ import annotations

import re

import pytest
from legal_orch_agents.recommendation import AGENT, synthesize
from legal_orch_agents.recommendation.synthesis import cases

from legal_orch.domain import Citation, ClientSide, Deal, Finding, KeyTerms, Party
from legal_orch.playbook import load_playbook

# What a recommendation must never say to a lawyer: the playbook's generic party words and
# unfilled blanks.
GENERIC = re.compile(r"\bCustomer\b|\bSupplier\b|\[Party\]|\{|\}")


def cite(quote: str, start: int = 100) -> Citation:
    return Citation(page=1, start=start, end=start + len(quote), quote=quote)


def _f(
    rule_id: str,
    status: str,
    severity: str = "medium",
    confidence: float = 0.9,
    quote: str | None = None,
    **kw,
) -> Finding:
    """A finding; a clause found (compliant, deviation, needs_review...) quotes some text."""
    found = status not in ("missing", "not_found") and quote != ""
    cites = [cite(quote or f"The clause that {rule_id} is about.")] if found else []
    return Finding(
        rule_id=rule_id,
        title=rule_id,
        severity=severity,
        status=status,
        explanation=f"{rule_id} is {status}.",
        categories=kw.pop("categories", []),
        citations=cites,
        confidence=confidence,
        **kw,
    )


def absent(rule_id: str, what: str) -> Finding:
    """An avoided clause the review did not find: compliant, nothing quoted."""
    return Finding(
        rule_id=rule_id,
        title=rule_id,
        severity="info",
        status="compliant",
        explanation=f"No {what} clause was found.",
        categories=[what],
        confidence=0.7,
    )


def party(name: str, short: str, role: str, quote: str | None = None) -> Party:
    return Party(
        name=name, short_names=[short], role=role, citations=[cite(quote)] if quote else []
    )


RESELLER_DEAL = Deal(
    key_terms=KeyTerms(
        parties=[
            party(
                "Diversinet Corp.", "Diversinet", "supplier", "Diversinet Corp., a Delaware company"
            ),
            party("Acme Resale Ltd.", "Reseller", "reseller"),
        ]
    ),
    client=ClientSide(party="Acme Resale Ltd.", role="reseller", assumed=False),
    defined_terms=["Agreement", "Products", "Territory", "Term"],
    title="RESELLER AGREEMENT",
)
UNIVERSITY_DEAL = Deal(
    key_terms=KeyTerms(
        parties=[
            party("Board of Regents of The University of Texas System", "Board", "licensor"),
            party("Tyme Bio, Inc.", "Licensee", "licensee"),
        ]
    ),
    client=ClientSide(party="Tyme Bio, Inc.", role="licensee", assumed=False),
    defined_terms=["Agreement", "Licensed Patents", "Licensed Field", "Research Results"],
    title="PATENT AND TECHNOLOGY LICENSE AGREEMENT",
)


@pytest.fixture(scope="module")
def commercial():
    return load_playbook("commercial")


@pytest.fixture(scope="module")
def nda():
    return load_playbook("nda")


@pytest.mark.parametrize(
    ("rule_id", "status", "severity", "confidence", "action"),
    [
        ("governing-law", "compliant", "info", 0.9, "accept"),
        ("insurance", "missing", "medium", 0.7, "add"),
        ("anti-assignment", "deviation", "medium", 0.9, "negotiate"),
        ("non-compete", "deviation", "high", 0.9, "delete"),  # an avoid rule, high severity
        ("auto-renewal-notice", "needs_review", "medium", 0.5, "escalate"),
        ("liability-cap", "missing", "high", 0.3, "escalate"),  # high and unsure
        ("exclusivity", "missing", "info", 0.7, "accept"),  # nothing to add
    ],
)
def test_action_per_finding(commercial, rule_id, status, severity, confidence, action):
    (out,) = synthesize([_f(rule_id, status, severity, confidence)], commercial, None)
    rec = out.recommendation
    assert rec is not None and rec.action == action
    assert rec.rationale
    if action in ("add", "negotiate"):
        assert rec.fallback_language and not GENERIC.search(rec.fallback_language)
    if action == "accept":
        assert rec.fallback_language is None


def test_fallback_uses_the_parties_short_names_and_defined_terms(commercial):
    found = [
        _f("insurance", "missing"),
        _f(
            "non-compete", "deviation", quote="Reseller shall not sell competing goods for 5 years."
        ),
        _f("audit-rights", "deviation"),
    ]
    ins, nc, audit = synthesize(found, commercial, RESELLER_DEAL)
    assert ins.recommendation.fallback_language.startswith("Diversinet shall maintain")
    nc_text = nc.recommendation.fallback_language
    assert "Reseller shall not offer" in nc_text and "in the Territory" in nc_text
    assert "the Products" in nc_text and "During the Term" in nc_text
    assert audit.recommendation.fallback_language.startswith(
        "Diversinet may audit the relevant records of Reseller"
    )
    for f in (ins, nc, audit):
        assert not GENERIC.search(f.recommendation.fallback_language), f.rule_id


def test_without_parties_the_advice_uses_role_words(commercial):
    (ins,) = synthesize([_f("insurance", "missing")], commercial, Deal())
    text = ins.recommendation.fallback_language
    assert text.startswith("The counterparty shall maintain") and not GENERIC.search(text)
    (nc,) = synthesize([_f("non-compete", "deviation", "medium")], commercial, Deal())
    # an undefined term falls back to plain words, never a capitalised term the contract lacks
    assert "the customer shall not offer" in nc.recommendation.fallback_language.lower()
    assert "Territory" not in nc.recommendation.fallback_language


def test_a_defined_role_word_names_the_client_when_parties_are_unknown(commercial):
    deal = Deal(defined_terms=["Reseller", "Licensee", "Products"], title="RESELLER AGREEMENT")
    (ins,) = synthesize([_f("non-compete", "deviation", "medium")], commercial, deal)
    assert "Reseller shall not offer" in ins.recommendation.fallback_language


def test_role_words_follow_the_contracts_spelling_and_never_guess_the_other_side(commercial):
    deal = Deal(defined_terms=["LICENSEE", "Contractor", "Licensed Technology"])
    (nc,) = synthesize([_f("non-compete", "deviation", "medium")], commercial, deal)
    assert "LICENSEE shall not offer" in nc.recommendation.fallback_language
    (ins,) = synthesize([_f("insurance", "missing")], commercial, deal)
    assert ins.recommendation.fallback_language.startswith("The counterparty shall maintain")


def test_a_check_points_at_the_contracts_own_term(commercial):
    deal = RESELLER_DEAL.model_copy(update={"defined_terms": ["Operation Warranty", "Products"]})
    (w,) = synthesize([_f("warranty-duration", "not_found")], commercial, deal)
    assert w.recommendation.action == "escalate"
    assert "defines the term “Operation Warranty”: start there" in w.recommendation.rationale


def test_a_defined_warranty_period_means_the_clause_was_missed(commercial):
    deal = RESELLER_DEAL.model_copy(update={"defined_terms": ["Warranty period", "Software"]})
    (w,) = synthesize([_f("warranty-duration", "missing")], commercial, deal)
    assert w.recommendation.action == "escalate" and w.recommendation.fallback_language is None
    assert "“Warranty period”" in w.recommendation.rationale


def test_one_sided_wording_is_not_what_the_playbook_asks():
    from legal_orch_agents.common.evidence import already_says

    ask = "Either party may terminate this Agreement for convenience on ninety (90) days' notice."
    assert not already_says(
        ask, "LICENSEE may terminate this Agreement upon ninety (90) days written notice."
    )
    assert already_says(
        ask,
        "Either party may terminate this Agreement for convenience upon ninety (90) days' written notice.",
    )
    assert not already_says(
        ask,
        "Either party may terminate this Agreement for convenience upon thirty (30) days' notice.",
    )


def test_a_right_the_client_alone_has_is_kept(commercial):
    deal = Deal(defined_terms=["LICENSEE", "Licensed Technology"])
    own = "LICENSEE may terminate this Agreement upon ninety (90) days written notice."
    (f,) = synthesize([_f("termination-for-convenience", "deviation", quote=own)], commercial, deal)
    assert (
        f.recommendation.action == "accept"
        and "lets LICENSEE terminate" in f.recommendation.rationale
    )
    theirs = "If LICENSEE fails to pay, D2 may terminate this Agreement upon ten (10) days notice."
    (g,) = synthesize(
        [_f("termination-for-convenience", "deviation", quote=theirs)], commercial, deal
    )
    assert g.recommendation.action == "negotiate"
    # a non-exclusive grant to the client is no exclusivity in its favour
    grant = "D2 hereby grants LICENSEE a perpetual non-exclusive, worldwide license."
    (e,) = synthesize([_f("exclusivity", "deviation", quote=grant)], commercial, deal)
    assert e.recommendation.action == "negotiate"


def test_governing_law_keeps_an_acceptable_law(commercial):
    quote = "This Agreement is governed by the laws of the State of Delaware and of Ontario."
    (law,) = synthesize([_f("governing-law", "deviation", quote=quote)], commercial, Deal())
    assert law.recommendation.action == "accept" and "Delaware" in law.recommendation.rationale
    assert law.recommendation.fallback_language is None


def test_governing_law_of_a_public_body_goes_to_a_lawyer_not_to_new_york(commercial):
    quote = "This Agreement shall be governed by the laws of the State of Texas."
    (law,) = synthesize(
        [_f("governing-law", "deviation", quote=quote)], commercial, UNIVERSITY_DEAL
    )
    rec = law.recommendation
    assert rec.action == "escalate"
    assert "New York" not in rec.rationale and rec.fallback_language is None
    assert "public body" in rec.rationale and "Texas law" in rec.rationale
    assert "Board" in rec.rationale


def test_governing_law_between_companies_proposes_a_preferred_law(commercial):
    quote = "This Agreement shall be governed by the laws of the province of Ontario, Canada."
    (law,) = synthesize([_f("governing-law", "deviation", quote=quote)], commercial, RESELLER_DEAL)
    assert law.recommendation.action == "negotiate"
    assert "the laws of the State of New York" in law.recommendation.fallback_language
    assert "could not read the parties" not in law.recommendation.rationale
    (unknown,) = synthesize([_f("governing-law", "deviation", quote=quote)], commercial, Deal())
    assert "if either is established in Ontario" in unknown.recommendation.rationale


def test_the_clients_own_law_is_kept(commercial):
    deal = RESELLER_DEAL.model_copy(
        update={
            "key_terms": KeyTerms(
                parties=[
                    party("Diversinet Corp.", "Diversinet", "supplier"),
                    party("2205925 Ontario Limited", "Reseller", "reseller"),
                ]
            ),
            "client": ClientSide(party="2205925 Ontario Limited", role="reseller"),
        }
    )
    quote = "This Agreement shall be governed by the laws of the province of Ontario, Canada."
    (law,) = synthesize([_f("governing-law", "deviation", quote=quote)], commercial, deal)
    assert (
        law.recommendation.action == "accept"
        and "Reseller's own law" in law.recommendation.rationale
    )


def test_a_research_licence_gets_no_product_warranty_or_supplier_insurance(commercial):
    out = synthesize(
        [_f("warranty-duration", "missing"), _f("insurance", "missing")],
        commercial,
        UNIVERSITY_DEAL,
    )
    for f in out:
        assert f.recommendation.action == "accept", f.rule_id
        assert f.recommendation.fallback_language is None
        assert "research licence" in f.recommendation.rationale
    # the same findings in a supply deal still ask for the clause
    supply = synthesize([_f("warranty-duration", "missing")], commercial, RESELLER_DEAL)
    assert supply[0].recommendation.action == "add"
    assert "Diversinet warrants that the Products" in supply[0].recommendation.fallback_language


def test_no_product_warranty_where_the_deal_shows_no_goods(commercial):
    endorsement = Deal(
        defined_terms=["Agreement", "Endorsement Services"], title="ENDORSEMENT AGREEMENT"
    )
    (w,) = synthesize([_f("warranty-duration", "missing")], commercial, endorsement)
    assert w.recommendation.action == "accept" and w.recommendation.fallback_language is None
    assert "endorsement agreement" in w.recommendation.rationale
    (nf,) = synthesize([_f("warranty-duration", "not_found")], commercial, endorsement)
    assert "does not fit this endorsement agreement" in nf.recommendation.rationale
    # with nothing known of the deal, the playbook's wording stands
    (w,) = synthesize([_f("warranty-duration", "missing")], commercial, Deal())
    assert w.recommendation.action == "add"


def test_a_warranty_the_contract_defines_gets_a_period_not_a_second_warranty(commercial):
    deal = RESELLER_DEAL.model_copy(
        update={"defined_terms": [*RESELLER_DEAL.defined_terms, "Operation Warranty"]}
    )
    (w,) = synthesize([_f("warranty-duration", "missing")], commercial, deal)
    assert w.recommendation.fallback_language.startswith(
        "The Operation Warranty shall apply for twelve (12) months"
    )
    assert "Operation Warranty" in w.recommendation.rationale


def test_never_proposes_wording_the_quoted_clause_already_has(commercial):
    quote = (
        "Either party may terminate this Agreement for convenience on ninety (90) days' prior "
        "written notice to the other party, save as set out in Section 4."
    )
    (tfc,) = synthesize(
        [_f("termination-for-convenience", "deviation", quote=quote)], commercial, RESELLER_DEAL
    )
    assert tfc.recommendation.action == "escalate"
    assert tfc.recommendation.fallback_language is None
    assert "already" in tfc.recommendation.rationale


@pytest.mark.parametrize("status", ["not_found", "redacted", "needs_review"])
def test_uncertain_findings_say_what_to_check_never_add(commercial, status):
    (f,) = synthesize([_f("insurance", status)], commercial, RESELLER_DEAL)
    rec = f.recommendation
    assert rec.action == "escalate" and rec.fallback_language is None
    assert re.match(r"(Check|Obtain)", rec.rationale)
    assert "Add a clause" not in rec.rationale


def test_reconciliation_needs_both_clauses_found(commercial):
    """'No non-compete clause was found' must not be followed by advice about the non-compete."""
    exclusivity = _f("exclusivity", "deviation", categories=["Exclusivity"])
    out = synthesize([exclusivity, absent("non-compete", "Non-Compete")], commercial, None)
    assert not any("Reconciled" in f.recommendation.rationale for f in out)
    assert out[1].recommendation.action == "accept"
    found = _f("non-compete", "deviation", categories=["Non-Compete"])
    out = synthesize([exclusivity, found], commercial, None)
    assert all("Read together with the finding" in f.recommendation.rationale for f in out)


def test_reconciliation_needs_both_findings_more_likely_right_than_wrong(commercial):
    doubtful = _f("minimum-commitment", "deviation", confidence=0.48)
    out = synthesize([_f("exclusivity", "deviation"), doubtful], commercial, None)
    assert not any("Reconciled" in f.recommendation.rationale for f in out)


def test_a_clause_that_binds_only_the_counterparty_is_kept(commercial):
    quote = (
        "Diversinet grants to Reseller an exclusive right to sell the Products in the Territory."
    )
    excl = _f("exclusivity", "deviation", quote=quote, burdens="Diversinet", benefits="Reseller")
    (alone,) = synthesize([excl], commercial, RESELLER_DEAL)
    assert alone.recommendation.action == "accept"
    assert "binds Diversinet and benefits Reseller" in alone.recommendation.rationale
    # where the risk agent did not say whom it benefits, the grant's words do
    unread = _f("exclusivity", "deviation", quote=quote.replace("grants to", "hereby grants to"))
    assert synthesize([unread], commercial, RESELLER_DEAL)[0].recommendation.action == "accept"
    # exclusivity granted to the client in return for a minimum: keep it, soften the minimum
    out = synthesize([excl, _f("minimum-commitment", "deviation")], commercial, RESELLER_DEAL)
    for f in out:
        assert "The exclusivity is granted to Reseller" in f.recommendation.rationale
        assert "forgoing other suppliers" not in f.recommendation.rationale
        assert (
            "Diversinet's sole remedy is to end exclusivity" in f.recommendation.fallback_language
        )


def test_a_finding_in_two_cases_carries_both_once(commercial):
    out = synthesize(
        [
            _f("exclusivity", "deviation"),
            _f("non-compete", "deviation"),
            _f("minimum-commitment", "deviation"),
        ],
        commercial,
        RESELLER_DEAL,
    )
    excl = out[0].recommendation.rationale
    assert "Read together with the finding “non-compete”" in excl
    assert "Read together with the finding “minimum-commitment”" in excl
    assert excl.count("On its own") == 1
    assert "Reseller" in excl  # the case's words name the client


def test_cap_with_ip_carve_out_is_one_recommendation(commercial):
    findings = [
        _f("liability-cap", "compliant", "info"),
        _f("uncapped-liability", "deviation", "high"),
        _f("governing-law", "compliant", "info"),
    ]
    cap, carve, law = synthesize(findings, commercial, RESELLER_DEAL)
    assert cap.recommendation.action == carve.recommendation.action == "negotiate"
    # (these hand-built findings carry their rule id as title; a review's carry the rule's title)
    assert "Read together with the finding “uncapped-liability”" in cap.recommendation.rationale
    assert "Read together with the finding “liability-cap”" in carve.recommendation.rationale
    assert "super-cap" in cap.recommendation.rationale
    assert "indemnities" in cap.recommendation.fallback_language
    assert law.recommendation.action == "accept"  # untouched by the case


def test_no_cap_with_unlimited_liability_escalates(commercial):
    out = synthesize(
        [_f("liability-cap", "missing", "high"), _f("uncapped-liability", "deviation", "high")],
        commercial,
        None,
    )
    assert {f.recommendation.action for f in out} == {"escalate"}


def test_cases_do_not_fire_on_other_statuses(commercial):
    out = synthesize(
        [_f("liability-cap", "compliant", "info"), _f("uncapped-liability", "compliant", "info")],
        commercial,
        None,
    )
    assert {f.recommendation.action for f in out} == {"accept"}
    assert not any("Reconciled" in f.recommendation.rationale for f in out)


@pytest.mark.parametrize(
    ("findings", "action"),
    [
        ([("anti-assignment", "compliant"), ("change-of-control", "deviation")], "negotiate"),
        (
            [("auto-renewal-notice", "deviation"), ("termination-for-convenience", "missing")],
            {"negotiate", "add"},  # missing member: add,
        ),
        (
            [("termination-for-convenience", "compliant"), ("liquidated-damages", "deviation")],
            "negotiate",
        ),
        ([("exclusivity", "deviation"), ("non-compete", "deviation")], "negotiate"),
    ],
)
def test_commercial_reconciliations(commercial, findings, action):
    out = synthesize([_f(r, s) for r, s in findings], commercial, None)
    assert {f.recommendation.action for f in out} == (
        action if isinstance(action, set) else {action}
    )
    assert all("Read together with the finding" in f.recommendation.rationale for f in out)


def test_nda_return_but_retain(nda):
    deal = Deal(defined_terms=["Receiving Party", "Disclosing Party", "Confidential Information"])
    out = synthesize(
        [_f("nda-return-or-destroy", "compliant", "info"), _f("nda-retention", "deviation", "low")],
        nda,
        deal,
    )
    assert [f.recommendation.action for f in out] == ["negotiate", "negotiate"]
    assert out[0].recommendation.fallback_language.startswith("The Receiving Party may retain")


def test_nda_wording_follows_the_contracts_own_terms(nda):
    deal = Deal(defined_terms=["Recipient", "Discloser", "Evaluation Material"])
    (f,) = synthesize([_f("nda-limited-use", "deviation")], nda, deal)
    text = f.recommendation.fallback_language
    assert text.startswith("The Recipient shall use") and "Receiving Party" not in text


def test_every_case_names_rules_of_a_shipped_playbook(commercial, nda):
    ids = {r.id for r in commercial.rules} | {r.id for r in nda.rules}
    for case in cases():
        assert set(case.when) <= ids, case.id


def test_every_shipped_fallback_fills_without_blanks(commercial, nda):
    """Every playbook rule's wording, for a deal with parties and one without."""
    for book in (commercial, nda):
        for rule in book.rules:
            for deal in (RESELLER_DEAL, Deal()):
                (f,) = synthesize([_f(rule.id, "deviation", "medium")], book, deal)
                text = f.recommendation.fallback_language or ""
                assert not GENERIC.search(text), (rule.id, text)
                # the redline inserts it into the contract: wording, not an instruction
                assert not re.match(r"(Delete|Strike|Remove)\b", text), (rule.id, text)


def test_unknown_rule_still_gets_a_recommendation(commercial):
    (out,) = synthesize([_f("firm-specific", "deviation")], commercial, None)
    assert out.recommendation.action == "negotiate" and out.recommendation.fallback_language is None


def test_agent_declaration():
    assert AGENT.capability == "synthesize" and AGENT.run is synthesize


def test_whom_a_clause_binds_is_read_as_the_risk_agent_names_it(commercial):
    """Without the parties, 'the Reseller' is the client the contract's own word names."""
    deal = Deal(defined_terms=["Reseller", "Products"], title="RESELLER AGREEMENT")
    quote = "Diversinet hereby appoints the Reseller as its sole reseller of the Products."
    excl = _f(
        "exclusivity", "compliant", quote=quote, burdens="Diversinet", benefits="the Reseller"
    )
    minimum = _f("minimum-commitment", "deviation", burdens="the Reseller", benefits="Diversinet")
    out = synthesize([excl, minimum], commercial, deal)
    assert all("The exclusivity is granted to" in f.recommendation.rationale for f in out)
    # a clause binding both parties favours neither
    both = excl.model_copy(update={"burdens": "each party", "benefits": "each party"})
    out = synthesize([both, minimum], commercial, deal)
    assert not any("The exclusivity is granted to" in f.recommendation.rationale for f in out)


# --- the lawyer's read of three test-split reviews (docs/lawyer_read) ---------------------------

# Imperial's outsourcing contract, reviewed for the customer (Party A); the parties were not read.
IMPERIAL_DEAL = Deal(
    client=ClientSide(party=None, role="customer", assumed=True),
    title="Outsourcing Contract on Development of Miaoli Royal Resort Hotel",
)
AIMMUNE_DEAL = Deal(
    key_terms=KeyTerms(
        parties=[
            party("Xencor, Inc.", "Xencor", "licensor"),
            party("Aimmune Therapeutics, Inc.", "Aimmune", "licensee"),
        ]
    ),
    client=ClientSide(party="Aimmune Therapeutics, Inc.", role="licensee", assumed=False),
    defined_terms=["Agreement", "Product", "Clinical Trial", "Net Sales", "Regulatory Approval"],
    title="LICENSE, DEVELOPMENT AND COMMERCIALIZATION AGREEMENT",
)


def _advice(commercial, finding: Finding, deal: Deal):
    (out,) = synthesize([finding], commercial, deal)
    assert out.recommendation is not None
    return out.recommendation


def test_a_customer_is_never_asked_to_add_a_cap_on_what_it_can_recover(commercial):
    rec = _advice(commercial, _f("liability-cap", "missing", "high"), IMPERIAL_DEAL)
    assert rec.action == "accept" and rec.fallback_language is None, rec
    assert "mutual" in rec.rationale and "own liability" in rec.rationale, rec.rationale
    rec = _advice(commercial, _f("liability-cap", "not_found", "high"), IMPERIAL_DEAL)
    assert "propose the playbook's wording" not in rec.rationale, rec.rationale
    assert "do not propose a cap" in rec.rationale, rec.rationale


def test_a_supplier_client_is_still_offered_the_playbooks_cap(commercial):
    supplier = RESELLER_DEAL.model_copy(
        update={"client": ClientSide(party="Diversinet Corp.", role="supplier", assumed=False)}
    )
    rec = _advice(commercial, _f("liability-cap", "missing", "high"), supplier)
    assert rec.action == "add" and "aggregate liability" in (rec.fallback_language or ""), rec


def test_a_missing_convenience_exit_is_proposed_for_the_client_alone(commercial):
    rec = _advice(commercial, _f("termination-for-convenience", "missing", "low"), IMPERIAL_DEAL)
    fallback = rec.fallback_language or ""
    assert rec.action == "add" and fallback.startswith("The customer may terminate"), rec
    assert "either party" not in fallback.lower() and "work performed" in fallback, fallback
    rec = _advice(commercial, _f("termination-for-convenience", "not_found", "low"), IMPERIAL_DEAL)
    assert "alone" in rec.rationale and "Either party" not in rec.rationale, rec.rationale


def test_a_locked_in_term_asks_for_the_clients_exit_only(commercial):
    findings = [
        _f("auto-renewal-notice", "deviation", quote="renews automatically"),
        _f("termination-for-convenience", "missing", "low"),
    ]
    out = synthesize(findings, commercial, RESELLER_DEAL)
    fallback = out[1].recommendation.fallback_language or ""
    assert "Reseller may terminate for convenience" in fallback, fallback
    assert "either party may terminate" not in fallback.lower(), fallback


def test_a_drug_development_licence_gets_no_product_warranty(commercial):
    rec = _advice(commercial, _f("warranty-duration", "not_found"), AIMMUNE_DEAL)
    assert "propose the playbook's wording" not in rec.rationale, rec.rationale
    assert "does not fit this drug development agreement" in rec.rationale, rec.rationale


def test_a_licensee_running_the_trials_is_not_asked_for_licensor_insurance(commercial):
    rec = _advice(commercial, _f("insurance", "missing"), AIMMUNE_DEAL)
    assert rec.action == "accept" and rec.fallback_language is None, rec
    licensor = AIMMUNE_DEAL.model_copy(
        update={"client": ClientSide(party="Xencor, Inc.", role="licensor", assumed=False)}
    )
    rec = _advice(commercial, _f("insurance", "missing"), licensor)
    assert rec.action == "add" and "Aimmune shall maintain" in (rec.fallback_language or ""), rec


def test_the_contracts_title_keeps_its_capitals(commercial):
    rec = _advice(commercial, _f("warranty-duration", "not_found"), IMPERIAL_DEAL)
    assert "Outsourcing Contract on Development of Miaoli Royal Resort Hotel" in rec.rationale, (
        rec.rationale
    )


def test_an_absence_that_suits_the_client_is_not_a_high_risk(commercial):
    """A paying client is better off with no cap: its absence is no HIGH finding above advice
    that says not to propose one; for a supplier it stays what the playbook says."""
    missing, unsure = synthesize(
        [_f("liability-cap", "missing", "high"), _f("liability-cap", "not_found", "high")],
        commercial,
        RESELLER_DEAL,
    )
    assert missing.severity == "info" and unsure.severity == "low"
    assert "do not propose a cap" in (
        missing.recommendation.rationale + unsure.recommendation.rationale
    )
    supplier = RESELLER_DEAL.model_copy(
        update={"client": ClientSide(party="Diversinet Corp.", role="supplier", assumed=False)}
    )
    (theirs,) = synthesize([_f("liability-cap", "missing", "high")], commercial, supplier)
    assert theirs.severity == "high"
    (needed,) = synthesize([_f("insurance", "missing", "medium")], commercial, RESELLER_DEAL)
    assert needed.severity == "medium"  # a clause the client needs keeps its weight
