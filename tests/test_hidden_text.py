"""Text a reader cannot see is not evidence; contract and model text in Markdown is inert."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from legal_orch.ingest.pdf import parse_pdf
from legal_orch.reports.report import render
from tests import hostile
from tests.sample_report import sample_report

WHY = {
    "hidden_white.pdf": "white on white",
    "hidden_offpage.pdf": "placed off the page",
    "hidden_zerosize.pdf": "too small to read",
    "hidden_tiny.pdf": "too small to read",
    "hidden_render3.pdf": "set to be invisible",
}


@pytest.mark.parametrize("name", sorted(WHY))
def test_invisible_text_is_left_out_and_flagged(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(hostile.invisible_text_pdfs()[name])
    doc = parse_pdf(p)
    assert "unlimited" not in doc.text and "Supplier's total liability" not in doc.text
    assert "governed by the laws of the State of New York" in doc.text  # the rest is read
    [h] = doc.hidden
    assert (h.page, h.why) == (1, WHY[name])
    assert h.preview.startswith("The Supplier's total liability is unlimited")


def test_a_plain_contract_has_nothing_hidden(tmp_path, sample_pdf):
    p = tmp_path / "contract.pdf"
    p.write_bytes(hostile.contract_pdf())
    assert parse_pdf(p).hidden == [] and parse_pdf(sample_pdf).hidden == []


@pytest.mark.slow  # one whole review (about 15 s warm)
def test_a_review_never_cites_invisible_text_and_says_it_was_there(tmp_path, embedder):
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings

    p = tmp_path / "hidden.pdf"
    p.write_bytes(hostile.invisible_text_pdfs()["hidden_white.pdf"])
    report = Reviewer(Settings(), embedder=embedder).review(p)
    quotes = [c.quote for f in report.findings for c in f.citations]
    quotes += [c.text for c in report.clauses]
    assert quotes and not any("unlimited" in q for q in quotes)
    said = "Text a reader cannot see, left out of this review: p.1, white on white"
    assert said in render(report, "md") and said in render(report, "html")
    from docx import Document as Word

    from legal_orch.reports.docx import to_docx

    word = Word(str(to_docx(report, tmp_path / "review.docx")))
    assert any(said in p.text for p in word.paragraphs)


HOSTILE = (
    "<script>alert(1)</script> [click here](javascript:alert(1)) "
    "![](https://tracker.example/p.png) <img src=x onerror=alert(1)> `code` *loud*"
)


def test_markdown_reports_make_contract_and_model_text_inert(sample_doc):
    report = sample_report(sample_doc)
    f = report.findings[0]
    cite = f.citations[0].model_copy(update={"quote": HOSTILE})
    rec = f.recommendation.model_copy(update={"rationale": HOSTILE}) if f.recommendation else None
    f = f.model_copy(
        update={
            "explanation": HOSTILE,
            "title": HOSTILE,
            "citations": [cite],
            "recommendation": rec,
        }
    )
    report = report.model_copy(update={"findings": [f, *report.findings[1:]]})
    md = render(report, "md")
    html = MarkdownIt("commonmark").render(md)
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html.replace("(javascript:alert(1))", "")  # shown, never a link
    assert 'href="javascript' not in html and 'tracker.example/p.png"' not in html
    assert "&lt;script&gt;" in html  # the lawyer still sees what the contract says


def test_a_searchable_scans_invisible_text_layer_is_read(tmp_path):
    # Copiers and OCR draw the text of a scanned page invisibly over its image: that is the
    # text a reader sees (in the image), so it is read, not left out.
    p = tmp_path / "scan.pdf"
    p.write_bytes(hostile.searchable_scan_pdf())
    doc = parse_pdf(p)
    assert doc.hidden == [] and "governed by the laws of the State of New York" in doc.text
