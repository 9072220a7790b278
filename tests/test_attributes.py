"""Attribute extraction: typed values with exact citations."""

from __future__ import annotations

import pytest
from legal_orch_agents.common.attributes import extract_attributes

from legal_orch.domain import Document, Page


def _doc(text: str) -> Document:
    return Document(
        path="t.pdf",
        name="t.pdf",
        sha256="0",
        text=text,
        pages=[Page(number=1, start=0, end=len(text))],
    )


def _kinds(text: str, categories=None) -> list[tuple[str, object]]:
    doc = _doc(text)
    attrs = extract_attributes(doc, 0, len(text), categories)
    for a in attrs:
        assert a.citation.quote == doc.text[a.citation.start : a.citation.end]
    return [(a.kind, a.normalized) for a in attrs]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Liability shall not exceed $1,000,000 in total.", ("money", 1_000_000.0)),
        ("a cap of USD 5 million", ("money", 5_000_000.0)),
        ("two million five hundred thousand dollars", None),
        ("fees of 250,000 US dollars", ("money", 250_000.0)),
        ("two (2) times the fees paid", ("multiple", 2.0)),
        ("1.5x the annual fees", ("multiple", 1.5)),
        ("interest at 1.5% per month", ("percent", 1.5)),
        ("for a period of two (2) years after termination", ("duration", 730)),
        ("for twelve months thereafter", ("duration", 360)),
        ("upon thirty (30) days' prior written notice", ("notice_days", 30)),
        ("by giving notice at least ninety (90) days before expiry", ("notice_days", 90)),
        ("dated as of January 5, 2021", ("date", "2021-01-05")),
        ("on the 1st day of March, 2019", ("date", "2019-03-01")),
        ("effective 12/31/2020", ("date", "2020-12-31")),
        ("governed by the laws of the State of New York", ("jurisdiction", "New York")),
        ("the courts of England shall have jurisdiction", ("jurisdiction", "England and Wales")),
        ('Acme (the "Licensor") grants', ("party", "licensor")),
        (
            "EXCEED ONE HUNDRED PERCENT (100%) OF THE AGGREGATE AMOUNT OF THE FEES",
            ("multiple", 1.0),
        ),
        ("shall not exceed the fees paid by Customer in the year", ("multiple", 1.0)),
        ("unless terminated within sixty (60) days prior to the expiration", ("notice_days", 60)),
    ],
)
def test_attribute_kinds(text, expected):
    found = _kinds(text)
    if expected is None:
        assert not [k for k in found if k[0] == "money"]
    else:
        assert expected in found, found


def test_a_covenant_for_the_term_only_runs_no_time_after_it():
    text = "During the Term, Reseller shall not solicit Supplier's employees."
    assert ("duration", 0) in _kinds(text, ["No-Solicit of Employees"])
    assert ("duration", 0) not in _kinds(text, ["Governing Law"])
    longer = "During the Term and for two (2) years thereafter, Reseller shall not compete."
    assert ("duration", 0) not in _kinds(longer, ["Non-Compete"])


def test_a_percentage_of_something_else_stays_a_percentage():
    assert ("percent", 15.0) in _kinds("a discount of 15% on list prices")


def test_west_virginia_is_not_virginia():
    assert _kinds("laws of West Virginia") == [("jurisdiction", "West Virginia")]


def test_invalid_date_is_skipped():
    assert not [k for k in _kinds("on 02/31/2020") if k[0] == "date"]


def test_offsets_are_document_offsets():
    text = "Preamble. Supplier shall give sixty (60) days' notice."
    doc = _doc(text)
    start = text.index("Supplier")
    (a,) = [a for a in extract_attributes(doc, start, len(text)) if a.kind == "notice_days"]
    assert a.citation.quote == "sixty (60) days" and a.citation.start == text.index("sixty")


def test_parties_use_ner_only_for_the_parties_category():
    text = "This Agreement is between Acme Corporation and Globex Inc."
    assert not [k for k in _kinds(text) if k[0] == "party"]
    parties = [v for k, v in _kinds(text, ["Parties"]) if k == "party"]
    assert any("Acme" in str(p) for p in parties)
