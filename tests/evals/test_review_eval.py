"""`eval review`: scoring rules on hand-built reviews, and the harness on the CUAD fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from legal_orch_evals.review import (
    ContractScore,
    RuleScore,
    absent_passes,
    constant_confidences,
    contradictions,
    days,
    gold_parties,
    key_term_match,
    parties_match,
    run,
)

from legal_orch.domain import (
    Citation,
    Finding,
    KeyTerm,
    KeyTerms,
    Party,
    Validation,
    ValidationCheck,
)
from legal_orch.errors import LegalOrchError
from legal_orch.playbook import load_playbook
from legal_orch.reports.report import DocumentInfo, ReviewReport
from tests.conftest import FIXTURES

CUAD_FIXTURES = FIXTURES / "cuad"


def cuad_folder(tmp: Path) -> Path:
    """The committed fixtures in CUAD's release layout (PDFs under full_contract_pdf/)."""
    (tmp / "full_contract_pdf").mkdir(parents=True)
    for pdf in CUAD_FIXTURES.glob("*"):
        if pdf.suffix.lower() == ".pdf":
            shutil.copy(pdf, tmp / "full_contract_pdf" / pdf.name)
    shutil.copy(CUAD_FIXTURES / "master_clauses.csv", tmp / "master_clauses.csv")
    shutil.copytree(CUAD_FIXTURES / "full_contract_txt", tmp / "full_contract_txt")
    return tmp


# --- key terms ---------------------------------------------------------------------------


def test_gold_parties_drop_descriptions_groups_and_generic_names():
    answer = (
        '[ * * * ] ("Provider"); TELCOSTAR PTE, LTD.; Ability Computer & Software Industries Ltd; '
        "TELCOSTAR PTE, LTD. and Ability Computer & Software Industries Ltd (each and both of them "
        '"Recipient"); Each of the foregoing parties is referred to herein as a “Party”'
    )
    got = [(p.name, p.short_names) for p in gold_parties(answer)]
    assert got == [
        ("", ("Provider",)),
        ("TELCOSTAR PTE, LTD.", ()),
        ("Ability Computer & Software Industries Ltd", ()),
    ]
    got = gold_parties(
        'Global Technologies, Ltd ("Company"); Timothy Cabrera ("Consultant"); '
        "Company and Consultant (individually, a “Party”; collectively, the “Parties”)"
    )
    assert [p.name for p in got] == ["Global Technologies, Ltd", "Timothy Cabrera"]


def test_parties_match_by_name_or_short_name_with_one_extra_at_most():
    gold = 'Ingram Micro ("Distributor"); NETGEAR, Inc. ("NETGEAR")'
    netgear = Party(name="NETGEAR, INC.", short_names=["NETGEAR"])
    ingram = Party(name="Ingram Micro Inc.", short_names=["Distributor"])
    other = Party(name="Acme Logistics LLC")
    assert parties_match(gold, [ingram, netgear]) is True
    assert parties_match(
        gold, [Party(name="The Distributor", short_names=["Distributor"]), netgear]
    )
    assert parties_match(gold, [ingram, netgear, other]) is True
    assert parties_match(gold, [ingram, netgear, other, Party(name="Zeta Corp")]) is False
    assert parties_match(gold, [netgear]) is False
    assert parties_match("", [netgear]) is None


def test_key_term_match_dates_places_and_durations():
    iso = KeyTerm(value="5 November 1996", normalized="1996-11-05")
    assert key_term_match("Agreement Date", "11/5/1996", iso) is True
    assert key_term_match("Agreement Date", "11/6/1996", iso) is False
    assert key_term_match("Agreement Date", "11/5/1996", None) is False
    assert key_term_match("Agreement Date", "[]/[]/1996", iso) is None  # not comparable
    assert key_term_match("Effective Date", "", iso) is None
    hidden = KeyTerm(value="[***]", normalized="1996-11-05", status="redacted")
    assert key_term_match("Agreement Date", "11/5/1996", hidden) is False
    perpetual = KeyTerm(value="perpetual", normalized="perpetual")
    assert key_term_match("Expiration Date", "perpetual", perpetual) is True

    ontario = KeyTerm(value="Ontario", normalized="Ontario")
    assert key_term_match("Governing Law", "Province of Ontario, Canada", ontario) is True
    assert key_term_match("Governing Law", "California", ontario) is False
    new_york = KeyTerm(value="the laws of the State of New York", normalized="US-NY")
    assert key_term_match("Governing Law", "New York", new_york) is True

    year = KeyTerm(value="1 year", normalized=365, unit="days")
    assert key_term_match("Renewal Term", "succesive 1 year", year) is True
    months = KeyTerm(value="12 months", normalized=360, unit="days")
    assert key_term_match("Renewal Term", "1 year", months) is True  # calendar rounding
    assert key_term_match("Renewal Term", "2 years", year) is False
    text_only = KeyTerm(value="1 year", normalized="1 year")
    assert key_term_match("Renewal Term", "1 year", text_only) is False  # days must be an int
    assert key_term_match("Notice Period to Terminate Renewal", "no notice stated", year) is None
    assert days("3 months") == 90 and days("2 weeks") == 14 and days(None) is None


# --- whole-review checks -----------------------------------------------------------------


def _cite(quote: str, start: int = 0) -> Citation:
    return Citation(page=1, start=start, end=start + len(quote), quote=quote)


def _finding(rule_id: str, status: str, cats: list[str], cites=(), conf=0.7) -> Finding:
    return Finding(
        rule_id=rule_id,
        title=rule_id,
        severity="info" if status == "compliant" else "medium",
        status=status,
        explanation="x",
        categories=cats,
        citations=list(cites),
        confidence=conf,
        agent="risk_analysis",
    )


def _report(findings, terms=None, checks=()) -> ReviewReport:
    return ReviewReport(
        document=DocumentInfo(path="x.pdf", name="x.pdf", sha256="0" * 64, pages=1),
        playbook="commercial",
        key_terms=terms or KeyTerms(),
        clauses=[],
        findings=findings,
        validation=Validation(status="passed", checks=list(checks)),
    )


def test_contradictions_absent_here_relied_on_there():
    law = _cite("governed by the laws of Ontario")
    clean = _report(
        [_finding("governing-law", "compliant", ["Governing Law"], [law])],
        KeyTerms(governing_law=KeyTerm(value="Ontario", citations=[law])),
    )
    assert contradictions(clean) == []
    report = _report(
        [
            _finding("governing-law", "missing", ["Governing Law"]),
            _finding("law-and-forum", "deviation", ["Governing Law"], [law]),
        ],
        KeyTerms(governing_law=KeyTerm(value="Ontario", citations=[law])),
        [ValidationCheck(name="consistency", status="failed", subtask_ids=["audit-rights"])],
    )
    kinds = sorted(c.split(":", 1)[0] for c in contradictions(report))
    assert kinds == ["consistency", "finding", "key terms"]


def test_missing_for_the_other_side_beside_the_clients_own_clause_is_no_contradiction():
    own = _cite("Aimmune shall maintain clinical trial insurance")
    insured = _finding("insurance", "missing", ["Insurance"], [own]).model_copy(
        update={"burdens": "Aimmune", "benefits": "Xencor"}
    )
    other = _finding("insurance-2", "deviation", ["Insurance"], [own])
    assert contradictions(_report([insured, other])) == []
    unexplained = _finding("insurance", "missing", ["Insurance"], [own])
    assert contradictions(_report([unexplained, other])) != []


def test_absent_passes_count_checks_passed_without_a_value():
    book = load_playbook("commercial")
    cap_rule = book.rule("liability-cap")
    assert any(c.attribute == "multiple" for c in cap_rule.checks)
    no_value = _cite("Liability is limited as set out in this Section.")
    hidden = _cite("Liability shall not exceed [***] times the fees paid.")
    stated = _cite("Liability shall not exceed 2 times the fees paid in the prior 12 months.")
    passes = absent_passes(
        _report([_finding("liability-cap", "compliant", ["Cap on Liability"], [no_value])]), book
    )
    assert {p["value"] for p in passes} == {"absent"} and passes
    passes = absent_passes(
        _report([_finding("liability-cap", "compliant", ["Cap on Liability"], [hidden])]), book
    )
    assert {p["value"] for p in passes} == {"redacted"}
    assert not absent_passes(
        _report([_finding("liability-cap", "compliant", ["Cap on Liability"], [stated])]), book
    )
    # compliance by absence (an avoided clause not there) reads no value
    assert not absent_passes(_report([_finding("non-compete", "compliant", ["Non-Compete"])]), book)


def test_constant_confidences_flag_a_rule_whose_confidence_never_moves():
    def score(conf_a: float, conf_b: float) -> ContractScore:
        rules = {
            "a": RuleScore("missing", conf_a, False, True),
            "b": RuleScore("compliant", conf_b, True, True),
        }
        return ContractScore("t", 1.0, "passed", 0, {}, rules)

    scores = [score(0.7, 0.5), score(0.7, 0.6), score(0.7, 0.5)]
    assert constant_confidences(scores) == [
        {"rule_id": "a", "status": "missing", "confidence": 0.7, "findings": 3}
    ]
    assert constant_confidences(scores[:2]) == []  # too few findings to say


# --- the harness -------------------------------------------------------------------------


def test_eval_review_on_the_cuad_fixtures(tmp_path):
    data = cuad_folder(tmp_path / "cuad")
    m = run(data, tmp_path / "out")
    assert m["split"] == "all" and m["documents"] == 2 and m["documents_failed"] == 0
    reviews = sorted((tmp_path / "out" / "reviews").glob("*.json"))
    assert len(reviews) == 2
    report = ReviewReport.model_validate_json(reviews[0].read_text(encoding="utf-8"))
    assert report.findings
    # CUAD answers both contracts' parties, agreement date and law; NETGEAR's dates and renewal
    kt = m["key_terms"]
    assert {k: kt[k]["n"] for k in kt} == {
        "parties": 2,
        "agreement_date": 2,
        "effective_date": 1,
        "expiration_date": 1,
        "governing_law": 2,
        "renewal_term": 1,
        "nonrenewal_notice": 0,
    }
    assert m["key_terms_n"] == 9
    rules_with_cuad = [r for r in load_playbook("commercial").rules if r.categories]
    assert m["evidence_n"] == 2 * len(rules_with_cuad)
    assert 0.0 <= m["evidence_agreement"] <= 1.0
    assert m["quotes"] > 0 and 0.0 <= m["quote_overlap"] <= 1.0
    saved = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert saved["documents"] == 2 and "rules" in saved
    assert len((tmp_path / "out" / "scores.jsonl").read_text().splitlines()) == 2
    assert "Documents scored: **2**" in (tmp_path / "out" / "report.md").read_text()


def test_eval_review_refuses_a_scorecard_from_test(tmp_path):
    data = cuad_folder(tmp_path / "cuad")
    with pytest.raises(LegalOrchError, match="dev split only"):
        run(data, tmp_path / "out", split="test", scorecard=True)
    assert not (tmp_path / "out" / "metrics.json").exists()


def test_eval_review_on_shared_cuad_dev(shared_data, tmp_path):
    m = run(shared_data / "cuad", tmp_path / "out", split="dev", limit=1)
    assert m["split"] == "dev" and m["documents"] == 1
    assert m["key_terms_n"] >= 1 and m["evidence_n"] > 0
