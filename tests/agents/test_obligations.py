"""The obligations register: party, what, by when, cited; duties without a deadline left out."""

from __future__ import annotations

from legal_orch_agents.key_terms.obligations import find_obligations

from legal_orch.domain import Document, Page, Party
from legal_orch.ingest.segment import segment

TEXT = (
    'This Agreement is between Acme Corp. ("Customer") and Widget LLC ("Supplier").\n'
    "1. Fees. Customer shall pay each invoice within thirty (30) days after receipt.\n"
    "2. Reports. Supplier will deliver a usage report no later than 10 days after the end of "
    "each quarter.\n"
    "3. Notices. Each party shall notify the other within five (5) business days of a breach.\n"
    "4. Conduct. Supplier shall comply with all applicable laws.\n"
    "5. Payment. Royalties shall be paid by Customer within 45 days of each quarter end.\n"
)
PARTIES = [
    Party(name="Acme Corp.", short_names=["Customer"], role="customer"),
    Party(name="Widget LLC", short_names=["Supplier"], role="supplier"),
]


def _doc(text):
    return Document(
        path="x",
        name="x",
        sha256="0" * 64,
        text=text,
        pages=[Page(number=1, start=0, end=len(text))],
    )


def test_register_reads_who_what_when_and_cites_it():
    doc = _doc(TEXT)
    got = find_obligations(doc, segment(doc), PARTIES)
    rows = [(o.party, o.kind, o.due_days) for o in got]
    assert rows == [
        ("Customer", "payment", 30),
        ("Supplier", "report", 10),
        ("each party", "notice", 5),
        ("Customer", "payment", 45),
    ]
    assert all(doc.text[o.citation.start : o.citation.end] == o.citation.quote for o in got)
    assert got[0].due.startswith("within thirty (30) days")
    assert "comply with all applicable laws" not in " ".join(o.action for o in got)


def test_no_party_named_means_no_entry():
    doc = _doc("The Products shall be delivered within 10 days of each order.\n")
    assert find_obligations(doc, segment(doc), PARTIES) == []


def test_rights_possessives_and_unattributed_passives_stay_out():
    text = (
        'This Agreement is between Acme Corp. ("Customer") and Widget LLC ("Supplier").\n'
        "Supplier shall have the right to terminate within 30 days of a breach.\n"
        "Interest on Supplier's invoices shall increase within 10 days to the prime rate.\n"
        "Royalties shall be calculated, reported and paid within 60 days, as due by Customer.\n"
        "Reports shall be delivered within 10 days.\n"
        "Customer shall replace the goods by the end user's deadline.\n"
    )
    doc = _doc(text)
    got = [(o.party, o.due_days) for o in find_obligations(doc, segment(doc), PARTIES)]
    assert got == [("Customer", 60)]
