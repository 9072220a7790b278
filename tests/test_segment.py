from legal_orch.domain import Document, Page
from legal_orch.ingest.segment import segment

TEXT = """MASTER SERVICES AGREEMENT

This Master Services Agreement (the "Agreement") is made by Acme Corp. ("Supplier") and Beta LLC ("Customer").

1. Definitions.
"Territory" means the United States and Canada.
"Products" shall mean the goods listed in Exhibit A.

12. Term and Termination
12.1 This Agreement shall remain in force for two (2) years. It renews automatically for successive one-year terms.
12.2 Either party may terminate this Agreement for convenience on thirty (30) days' notice.
(a) Customer may terminate immediately upon a material breach;
(b) Supplier may terminate if Customer fails to pay.
"""


def _doc(text: str = TEXT) -> Document:
    return Document(
        path="x.pdf",
        name="x.pdf",
        sha256="0" * 64,
        text=text,
        pages=[Page(number=1, start=0, end=len(text))],
    )


def test_offsets_are_exact():
    doc = _doc()
    seg = segment(doc)
    for s in seg.all():
        assert doc.text[s.start : s.end] == s.text
    assert seg.sentences and seg.clauses and seg.headings


def test_headings_and_numbering():
    seg = segment(_doc())
    titles = [h.heading for h in seg.headings]
    assert "MASTER SERVICES AGREEMENT" in titles
    assert "Term and Termination" in titles
    numbers = [c.number for c in seg.clauses]
    for n in ("12.1", "12.2", "(a)", "(b)"):
        assert n in numbers
    c121 = next(c for c in seg.clauses if c.number == "12.1")
    assert c121.heading == "Term and Termination"
    sents = [s for s in seg.sentences if s.parent == c121.id]
    assert len(sents) == 2 and sents[1].text.startswith("It renews automatically")


def test_defined_terms():
    seg = segment(_doc())
    terms = {t.term: t for t in seg.terms}
    assert {"Agreement", "Supplier", "Customer", "Territory", "Products"} <= set(terms)
    assert "United States" in terms["Territory"].definition.quote


def test_sample_contract(sample_doc, sample_seg):
    seg = sample_seg
    assert len(seg.sentences) > 100 and len(seg.clauses) > 30
    for s in seg.sentences:
        assert sample_doc.text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and len(s.text) <= 1200
    assert any(t.term for t in seg.terms)
