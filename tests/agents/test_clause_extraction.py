"""The clause-extraction agent: declaration, answers, and real extraction on CUAD test PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from legal_orch_agents.clause_extraction import CATEGORIES, TIER0, extract, extract_candidates
from legal_orch_agents.clause_extraction.answers import answer
from legal_orch_agents.clause_extraction.model import shipped_model

from legal_orch.ingest.pdf import parse_pdf
from legal_orch.ingest.segment import segment
from legal_orch.values import (
    parse_date,
    parse_duration,
    parse_place,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cuad"
NETGEAR = FIXTURES / "NETGEAR,INC_04_21_2003-EX-10.16-DISTRIBUTOR AGREEMENT.pdf"


def test_declares_an_offline_extract_agent_for_all_41_categories():
    assert TIER0.capability == "extract" and TIER0.cost_tier == 0 and TIER0.categories is None
    assert len(CATEGORIES) == 41 and CATEGORIES[0] == "Document Name"
    assert "extract" in TIER0.train and "candidates" in TIER0.hooks
    assert TIER0.implementation.startswith("offline:")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("made as of March 1, 2010 by", "2010-03-01"),
        ("this 1st day of June, 2020", "2020-06-01"),
        ("dated 10/1/2019", "2019-10-01"),
        ("Sept. 30 , 1998", "1998-09-30"),
        ("no date here", None),
    ],
)
def test_parse_date_gives_iso(text, iso):
    assert parse_date(text) == iso


def test_durations_places_and_yes_no_answers():
    assert parse_duration("renews for successive one (1) year terms") == "1 year"
    assert parse_duration("at least thirty (30) days prior") == "30 days"
    assert parse_place("governed by the laws of the State of New York, without") == "New York"
    assert parse_place("construed under the laws of England and Wales") == "England and Wales"
    renewal = "renews for successive one (1) year terms unless a party gives ninety (90) days prior notice"
    assert answer("Notice Period to Terminate Renewal", renewal) == "90 days"
    assert answer("Renewal Term", renewal) == "1 year"
    assert answer("Anti-Assignment", "may not assign") == "Yes"
    assert (
        answer("Governing Law", "the laws of the Commonwealth of Massachusetts") == "Massachusetts"
    )


@pytest.fixture(scope="module")
def netgear():
    doc = parse_pdf(NETGEAR)
    return doc, segment(doc)


def test_candidates_are_exact_slices_with_pages_and_confidences(netgear):
    doc, seg = netgear
    best = extract_candidates(doc, seg)
    assert set(best) == set(CATEGORIES)
    for cat, clauses in best.items():
        assert len(clauses) <= 20
        confs = [c.confidence for c in clauses]
        assert confs == sorted(confs, reverse=True)
        for c in clauses:
            assert c.category == cat and c.text == doc.text[c.start : c.end] and c.text.strip()
            assert 0.0 <= c.confidence <= 1.0 and c.page == doc.page_of(c.start)


def test_extract_finds_the_distributor_agreement_essentials(netgear):
    doc, seg = netgear
    clauses = extract(doc, seg)
    model = shipped_model()
    per_cat: dict[str, list] = {}
    for c in clauses:
        per_cat.setdefault(c.category, []).append(c)
    for cat, cs in per_cat.items():
        # spans above the span cut-off, or the category's single best span above the presence one
        assert all(c.confidence >= model.thresholds[cat] for c in cs) or (
            len(cs) == 1 and cs[0].confidence >= model.presence[cat]
        )
    found = {
        c.category: max(cs, key=lambda c: c.confidence)
        for c in clauses
        for cs in [per_cat[c.category]]
    }
    # Gold for this test-split contract (CUAD master_clauses.csv): governed by California law,
    # Document Name "DISTRIBUTOR AGREEMENT", and an anti-assignment clause.
    assert found["Governing Law"].answer == "California"
    assert "DISTRIBUTOR AGREEMENT" in " ".join(found["Document Name"].text.upper().split())
    assert "Anti-Assignment" in found
    assert all(c.text == doc.text[c.start : c.end] for c in clauses)
    for cs in per_cat.values():  # the review never shows one passage twice for a category
        spans = sorted((c.start, c.end) for c in cs)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_window_candidates_add_recall_below_the_heads_own_spans(netgear):
    import importlib

    x = importlib.import_module("legal_orch_agents.clause_extraction.extract")
    doc, seg = netgear
    model = shipped_model()
    assert model.meta.get("window_seeds", 0) >= 1  # the shipped artifact turns windows on
    raw = x.raw_candidates(doc, seg, model)
    windows = [c for c in raw if c.source.startswith("win_")]
    assert windows and all(c.start < c.end and doc.text[c.start : c.end].strip() for c in windows)
    best = x.candidates(doc, seg, model=model)
    slots = int(model.meta["base_slots"])
    for clauses in best.values():
        texts = [" ".join(c.text.split()) for c in clauses]
        assert len(texts) == len(set(texts))  # the n-best never repeats a span
    # With windows switched off the n-best is the heads' own spans only.
    plain = type(model)(**{**model.__dict__, "meta": {}})
    assert not any(c.source.startswith("win_") for c in x.raw_candidates(doc, seg, plain))
    assert slots <= 20
