"""The key-terms agent: parties and roles, dates, term and renewal, law, cap, payment.

Hand-written contracts pin each rule; the committed PDFs and (where present) CUAD dev contracts
run the real parse -> segment -> extract -> key terms path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from legal_orch_agents.clause_extraction import extract
from legal_orch_agents.key_terms import AGENT, read_key_terms
from legal_orch_agents.key_terms.devcheck import gold_parties, party_found

from legal_orch.domain import Document, KeyTerms, Page
from legal_orch.ingest.pdf import parse_pdf
from legal_orch.ingest.segment import segment
from legal_orch.values import (
    add_duration,
    duration_parts,
    is_redacted,
    parse_date,
    parse_duration,
    parse_money,
    parse_place,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cuad"
NETGEAR = FIXTURES / "NETGEAR,INC_04_21_2003-EX-10.16-DISTRIBUTOR AGREEMENT.pdf"
ENTRUST = FIXTURES / "ENTRUSTINC_07_24_1998-EX-10.5-STRATEGIC ALLIANCE AGREEMENT.PDF"

LICENCE = """LICENSE AGREEMENT

This License Agreement (the "Agreement") is made as of March\u00a01,\u00a02019 (the "Effective Date") \
by and between The University of Texas, a public institution ("University"), and Acme Pharma, \
Inc., a Delaware corporation with offices at 1 Main Street, Boston, MA ("Licensee").

WHEREAS, University owns certain patents;

1. Grant. University hereby grants to Licensee an exclusive license under the Patents.

2. Term. The term of this Agreement shall commence on the Effective Date and continue for a \
period of three (3) years (the "Initial Term"). Thereafter this Agreement shall automatically \
renew for successive one (1) year periods unless either party gives written notice of \
non-renewal at least ninety (90) days prior to the end of the then-current term.

3. Termination. Licensee may terminate this Agreement at any time for convenience upon thirty \
(30) days' prior written notice to University.

4. Payment. Licensee shall pay each invoice within forty-five (45) days after receipt of the \
invoice.

5. Limitation. In no event shall University's aggregate liability under this Agreement exceed \
the total fees paid by Licensee in the twelve (12) months preceding the claim, except for \
liability arising from gross negligence or willful misconduct.

6. Governing Law. This Agreement shall be governed by the laws of the State of New\u00a0York, and \
the parties submit to the exclusive jurisdiction of the courts located in New York, New York.

IN WITNESS WHEREOF, the parties have executed this Agreement.
"""

REDACTED_SUPPLY = """[***] INDICATES MATERIAL THAT HAS BEEN OMITTED AND FILED SEPARATELY WITH THE SECURITIES \
AND EXCHANGE COMMISSION UNDER A REQUEST FOR CONFIDENTIAL TREATMENT BETWEEN THE PARTIES.

SUPPLY AGREEMENT

This Supply Agreement is entered into as of [***], 2015 by and between Beta Foods LLC, a \
Nevada limited liability company ("Beta"), and Gamma Corp., an Ohio corporation ("Gamma").

1. Term. This Agreement shall continue for a period of [***] years from the date hereof.

2. Liability. Gamma's total liability under this Agreement shall not exceed $[***].

3. Law. This Agreement shall be governed by the laws of Ohio.
"""

NO_CAP = """SERVICES AGREEMENT

This Services Agreement is made on June 5, 2020 between Delta Ltd. ("Customer") and Omega \
Services Inc. ("Provider").

1. Term. This Agreement shall remain in effect until December 31, 2022.

2. Exclusion. In no event shall either party be liable for any indirect, incidental or \
consequential damages, or for lost profits.

3. Cap. Provider's maximum aggregate liability shall not exceed two million dollars \
($2,000,000).
"""

SIGNED_ONLY = """MARKETING AGREEMENT

The parties agree as follows.

1. Services. The agent shall market the products.

IN WITNESS WHEREOF, the parties have signed this Agreement.

NORTHWIND TRADERS, INC.
By: ______________________
Name: Jane Roe

SOUTHERN SUPPLY LLC
By: ______________________
Name: John Doe
"""


def _doc(text: str) -> Document:
    return Document(
        path="x",
        name="x",
        sha256="0" * 64,
        text=text,
        pages=[Page(number=1, start=0, end=len(text))],
    )


def _read(text: str) -> tuple[Document, KeyTerms]:
    doc = _doc(text)
    return doc, read_key_terms(doc, segment(doc), [])


def _quotes_exact(doc: Document, kt: KeyTerms) -> None:
    cites = [c for p in kt.parties for c in p.citations]
    for name in KeyTerms.model_fields:
        v = getattr(kt, name)
        for item in v if isinstance(v, list) else [v]:
            if item is not None and hasattr(item, "citations"):
                cites += item.citations
            for sub in ("amount", "multiple", "lookback"):
                if (t := getattr(item, sub, None)) is not None:
                    cites += t.citations
    assert cites
    for c in cites:
        assert doc.text[c.start : c.end] == c.quote and c.quote.strip() == c.quote


def test_declares_an_offline_key_terms_agent():
    assert AGENT.capability == "key_terms" and AGENT.cost_tier == 0
    assert AGENT.implementation.startswith("offline:")


def test_preamble_parties_with_short_names_and_roles():
    doc, kt = _read(LICENCE)
    assert [(p.name, p.short_names, p.role) for p in kt.parties] == [
        ("The University of Texas", ["University"], "university"),
        ("Acme Pharma, Inc.", ["Licensee"], "licensee"),
    ]
    _quotes_exact(doc, kt)


def test_role_from_title_and_verbs_when_no_defined_term_says_it():
    text = (
        "EXCLUSIVE DISTRIBUTION AGREEMENT\n\nThis Agreement is made by and between Zeta GmbH, a "
        'German company ("Zeta"), and Eta Trading Ltd. ("Eta").\n\n1. Appointment. Zeta hereby '
        "appoints Eta as its exclusive distributor of the Products in the Territory.\n"
    )
    _, kt = _read(text)
    assert [(p.short_names[0], p.role) for p in kt.parties] == [
        ("Zeta", "supplier"),
        ("Eta", "distributor"),
    ]


def test_signature_blocks_name_the_parties_when_no_preamble_does():
    _, kt = _read(SIGNED_ONLY)
    assert [p.name for p in kt.parties] == ["NORTHWIND TRADERS, INC.", "SOUTHERN SUPPLY LLC"]
    assert all(p.role == "party" for p in kt.parties)


def test_dates_term_expiry_and_renewal_deadline_are_computed():
    doc, kt = _read(LICENCE)
    assert kt.agreement_date.normalized == "2019-03-01"  # NBSPs inside the date
    assert kt.effective_date.normalized == "2019-03-01"
    assert (kt.initial_term.value, kt.initial_term.normalized) == ("3 years", 1095)
    exp = kt.expiration_date
    assert (exp.normalized, exp.status) == ("2022-03-01", "computed")
    assert "effective date" in exp.detail
    assert kt.renewal.normalized is True
    assert (kt.renewal_term.value, kt.renewal_term.normalized) == ("1 year", 365)
    assert kt.nonrenewal_notice.normalized == 90
    deadline = kt.nonrenewal_deadline
    assert (deadline.normalized, deadline.status) == ("2021-12-01", "computed")
    assert "90 days before" in deadline.detail
    _quotes_exact(doc, kt)


def test_law_forum_payment_and_termination_for_convenience():
    _, kt = _read(LICENCE)
    assert kt.governing_law.normalized == "New York"  # written New\u00a0York
    assert kt.governing_law.citations[0].quote == "New\u00a0York"
    assert kt.forum.normalized == "New York" and kt.forum.detail == "exclusive"
    assert kt.payment_terms.normalized == 45
    [tc] = kt.termination_for_convenience
    assert (tc.party, tc.notice_days) == ("Licensee", 30)


def test_cap_as_a_multiple_of_fees_with_lookback_whose_and_carve_outs():
    _, kt = _read(LICENCE)
    cap = kt.liability_cap
    assert cap.amount is None
    assert (cap.multiple.normalized, cap.multiple.unit) == (1.0, "x fees")
    assert cap.lookback.normalized == 365 and cap.lookback.value.startswith("12 months")
    assert cap.whose == "University"
    assert cap.carve_outs == ["gross negligence", "wilful misconduct"]


def test_cap_as_an_amount_and_an_exclusion_of_damages_is_no_cap():
    _, kt = _read(NO_CAP)
    cap = kt.liability_cap
    assert (cap.amount.normalized, cap.amount.unit) == (2_000_000.0, "USD")
    assert cap.whose == "Provider" and cap.multiple is None
    assert "consequential" not in cap.citations[0].quote
    assert kt.expiration_date.normalized == "2022-12-31"
    assert kt.expiration_date.status == "stated"
    assert kt.renewal is None and kt.nonrenewal_deadline is None
    assert [(p.short_names[0], p.role) for p in kt.parties] == [
        ("Customer", "customer"),
        ("Provider", "service_provider"),
    ]


def test_redacted_values_are_marked_redacted_with_no_value():
    doc, kt = _read(REDACTED_SUPPLY)
    assert kt.agreement_date.status == "redacted" and kt.agreement_date.normalized is None
    assert kt.effective_date is None  # a hidden date is not carried over as the effective date
    assert kt.initial_term.status == "redacted" and kt.initial_term.normalized is None
    assert kt.expiration_date is None
    assert kt.liability_cap.amount.status == "redacted"
    assert kt.liability_cap.amount.normalized is None
    assert kt.liability_cap.whose == "Gamma"
    assert [(p.name, p.short_names) for p in kt.parties] == [
        ("Beta Foods LLC", ["Beta"]),
        ("Gamma Corp.", ["Gamma"]),
    ]
    assert kt.governing_law.normalized == "Ohio"
    _quotes_exact(doc, kt)


def test_term_from_an_event_is_not_turned_into_a_date():
    text = (
        "PROMOTION AGREEMENT\n\nThis Agreement is made as of May 1, 2020 between Kappa Inc. "
        '("Kappa") and Lambda LLC ("Lambda").\n\n2. Term. This Agreement shall continue in force '
        'for three years from the Launch Date (the "Initial Term").\n'
    )
    _, kt = _read(text)
    assert kt.initial_term.value == "3 years"
    exp = kt.expiration_date
    assert exp.normalized is None and exp.value == "3 years after the Launch Date"


def test_until_terminated_reads_as_perpetual_and_a_for_cause_right_is_not_convenience():
    text = (
        "SERVICES AGREEMENT\n\nThis Agreement is made on 2 March 2015 between Mu Ltd. "
        '("Mu") and Nu Corp. ("Nu").\n\n1. Term. This Agreement shall commence on the date '
        "hereof and continue in force unless terminated in accordance with Section 2.\n\n"
        "2. Termination. Either party may terminate this Agreement at any time if the other party "
        "fails materially to comply with it, on thirty (30) days' notice. Mu may terminate this "
        "Agreement for convenience on sixty (60) days' written notice to Nu.\n"
    )
    _, kt = _read(text)
    assert kt.agreement_date.normalized == "2015-03-02"
    assert (kt.expiration_date.normalized, kt.expiration_date.status) == ("perpetual", "stated")
    assert [(t.party, t.notice_days) for t in kt.termination_for_convenience] == [("Mu", 60)]


def test_the_first_grant_decides_the_licensor_and_the_notice_giver_is_named():
    text = (
        "LICENSE AND RESELLER AGREEMENT\n\nThis Agreement is made as of June 1, 2018 between "
        'Xi Corp. ("Xi") and Omicron Inc. ("Omicron").\n\n1. Grant. Xi hereby grants to Omicron '
        "a non-exclusive licence to resell the Platform.\n\n2. Feedback. Omicron hereby grants to "
        "Xi a licence to use feedback.\n\n3. Term. The term of this Agreement shall be two (2) "
        "years from the Effective Date and shall automatically renew for successive one (1) year "
        "periods unless terminated by Omicron within thirty (30) days prior to the expiration.\n"
    )
    _, kt = _read(text)
    assert [(p.short_names[0], p.role) for p in kt.parties] == [
        ("Xi", "licensor"),
        ("Omicron", "licensee"),
    ]
    assert kt.effective_date.status == "computed"  # no separate effective date: the agreement's
    assert kt.expiration_date.normalized == "2020-06-01"
    # "within 30 days prior to the expiration" opens a window; it sets no last day
    assert kt.nonrenewal_notice.detail == (
        "to be given by Omicron, within the 30 days before expiry, from 2020-05-02"
    )
    assert kt.nonrenewal_deadline is None


def test_nothing_stated_reads_as_nothing():
    _, kt = _read("NOTE\n\nThis page intentionally holds no agreement.\n")
    assert kt.parties == [] and kt.agreement_date is None and kt.liability_cap is None
    assert kt.governing_law is None and kt.termination_for_convenience == []


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("governed by the laws of the State of New\u00a0York", "New York"),
        ("laws of the People’s Republic of China", "People's Republic of China"),
        ("construed in accordance with English law", "England"),
        ("governed by the legislation of the Republic of Kazakhstan", "Kazakhstan"),
    ],
)
def test_parse_place_reads_nbsp_and_other_spellings(text, want):
    assert parse_place(text) == want


def test_normalisers():
    assert parse_date("the 20th\u00a0day of March,\u00a02018") == "2018-03-20"
    assert parse_duration("ten (10) Contract Years") == "10 years"
    assert duration_parts("one hundred twenty (120) days") == (120, "day")
    assert parse_money("US$ 1,500,000") == (1_500_000.0, "USD")
    assert parse_money("$2.5 million") == (2_500_000.0, "USD")
    assert parse_money("EUR 300,000") == (300_000.0, "EUR")
    assert add_duration("2020-02-29", 1, "year") == "2021-02-28"
    assert add_duration("2022-03-01", -3, "month") == "2021-12-01"
    assert is_redacted("$[***]") and not is_redacted("$2,000")


def test_bundled_sample_reads_as_a_lawyer_expects(sample_doc, sample_seg):
    kt = read_key_terms(sample_doc, sample_seg, extract(sample_doc, sample_seg))
    names = [(p.name, p.short_names, p.role) for p in kt.parties]
    assert names == [
        ("Diversinet Corp.", ["Diversinet"], "supplier"),
        ("2205925 Ontario Limited", ["Reseller"], "reseller"),
    ]
    assert kt.agreement_date.normalized == "2011-01-11"
    assert kt.effective_date.normalized == "2011-01-11"
    assert kt.governing_law.normalized == "Ontario"
    _quotes_exact(sample_doc, kt)


def test_cuad_fixtures_parties_match_cuad_answers():
    cases = {
        NETGEAR: 'Ingram Micro ("Distributor"); NETGEAR, Inc. ("NETGEAR")',
        ENTRUST: 'NORTHERN TELECOM LIMITED ("NTL"); ENTRUST TECHNOLOGIES INC. ("ETI")',
    }
    read = {}
    for pdf, gold in cases.items():
        doc = parse_pdf(pdf)
        seg = segment(doc)
        read[pdf] = read_key_terms(doc, seg, extract(doc, seg))
        kt = read[pdf]
        for g in gold_parties(gold):
            assert party_found(g, kt.parties), (pdf.name, g, kt.parties)
        _quotes_exact(doc, kt)
    # a title page names the parties before the preamble; underlining runs through a date
    assert [(p.name, p.short_names, p.role) for p in read[NETGEAR].parties] == [
        ("Ingram Micro", ["Distributor"], "distributor"),
        ("NETGEAR, Inc.", ["NETGEAR"], "supplier"),
    ]
    assert [p.name for p in read[ENTRUST].parties] == [
        "NORTHERN TELECOM LIMITED",
        "ENTRUST TECHNOLOGIES INC.",
    ]
    assert read[ENTRUST].agreement_date.normalized == "1996-12-31"


def test_devcheck_runs_the_review_path_on_dev_contracts(shared_data, tmp_path):
    from legal_orch_agents.key_terms.devcheck import main

    args = ["--split", "dev", "--limit", "12", "--data", str(shared_data / "cuad")]
    assert main([*args, "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "devcheck-dev.json").read_text())["summary"]
    assert (tmp_path / "devcheck-dev.md").read_text().startswith("# Key terms against CUAD")
    assert summary["party_names_found"] >= 0.9
    assert summary["seconds_per_contract_max"] < 0.5


def test_a_deadline_to_dispute_an_invoice_is_not_the_payment_term():
    text = (
        'This Agreement is made between NETGEAR, Inc. ("NETGEAR") and Ingram Micro '
        '("Distributor").\n'
        "Distributor shall notify NETGEAR of any dispute regarding an invoice within 10 days of "
        "receipt of the invoice, and shall pay the undisputed amount within [*] of the invoice "
        "date.\n"
    )
    _, kt = _read(text)
    assert kt.payment_terms is None or kt.payment_terms.normalized != 10


def test_ending_a_licence_is_not_termination_of_the_contract_for_convenience():
    text = (
        'This Agreement is made between Xencor, Inc. ("Xencor") and Aimmune Therapeutics, Inc. '
        '("Aimmune").\n'
        "Aimmune may terminate this Agreement in its entirety at any time for its convenience "
        "upon sixty (60) days' prior written notice to Xencor.\n"
        "Xencor shall have the right to terminate such license and forgo paying such royalties "
        "at its sole discretion upon written notice to Aimmune.\n"
    )
    _, kt = _read(text)
    assert [(t.party, t.notice_days) for t in kt.termination_for_convenience] == [("Aimmune", 60)]


def test_parties_named_then_lettered_in_the_preamble():
    text = (
        "Outsourcing Contract on Development of Miaoli Royal Resort Hotel\n\n"
        "The Covenanter: The HUANG JIA Country CLUB and Recreation Inc. (hereinafter referred to "
        "as Party A) and the Covenanter: Chang Chen-Bin Architects Office (hereinafter referred "
        "to as Party B) hereby agree to establish the following terms and conditions:\n"
    )
    _, kt = _read(text)
    assert [(p.name, p.short_names) for p in kt.parties] == [
        ("The HUANG JIA Country CLUB and Recreation Inc.", ["Party A"]),
        ("Chang Chen-Bin Architects Office", ["Party B"]),
    ]


def test_law_named_by_pursuant_to_but_not_the_state_of_incorporation():
    text = (
        "This Agreement is made between Acme, Inc., a corporation organized pursuant to the laws "
        'of Delaware ("Acme"), and Beta Ltd. ("Beta").\n'
        "Disputes go to the Miaoli District Court of Taiwan as the competent court pursuant to "
        "the laws of the R.O.C..\n"
    )
    _, kt = _read(text)
    assert kt.governing_law is not None and kt.governing_law.normalized == "Taiwan"


def test_a_domain_name_is_not_a_payment_term():
    body = (
        "THIS AGREEMENT is made between Acme Corp. (\u201cAcme\u201d) and Beta LLC (\u201cBeta\u201d).\n"
        "1. Licence. The licences granted here are royalty-free.\n"
        "Schedule 3 Domain names: myrobbins.net 25-Jul-2019 AFI; acme.net 12/03/2020\n"
    )
    assert _read(body)[1].payment_terms is None
    doc, kt = _read(body + "2. Payment. Beta shall pay each invoice net 30 days.\n")
    assert kt.payment_terms is not None and "net 30" in kt.payment_terms.citations[0].quote
