"""The Word export carries the summary, findings, advice, fallback language and cited pages."""

from __future__ import annotations

from docx import Document as open_docx

from legal_orch.domain import AgentFailure
from legal_orch.reports.docx import to_docx
from tests.sample_report import sample_report


def _text(path) -> str:
    doc = open_docx(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_docx_has_findings_recommendations_fallback_and_citations(sample_doc, tmp_path):
    report = sample_report(sample_doc)
    out = to_docx(report, tmp_path / "sub" / "review.docx")
    assert out.is_file()
    text = _text(out)
    assert f"Contract review: {sample_doc.name}" in text
    assert "Validation: passed" in text
    assert "[HIGH] Termination rights — deviation" in text
    law = report.findings[0].citations[0]
    assert f"Page {law.page}: " in text and law.quote in text
    # engineering detail only under its own heading, after everything a lawyer reads
    tech = text.index("Technical details")
    assert text.index("Validation confidence: 0.74") > tech and text.index(law.quote) < tech
    assert "Negotiate. Prefer a home jurisdiction." in text
    # fallback language is written as text, markup and all, not interpreted
    assert "This Agreement is governed by the laws of <b>New York</b>." in text
    assert "CUAD: ACME_Supply" in text
    # highest severity first
    assert (
        text.index("Termination rights") < text.index("Governing law") < text.index("Audit rights")
    )


def test_docx_marks_incomplete_review_and_survives_control_characters(sample_doc, tmp_path):
    report = sample_report(sample_doc)
    report.findings = []
    report.failures = [AgentFailure(agent="risk\x00bot", stage="risk", error="boom\x07")]
    report.decisions = {"x": "not a dict"}
    text = _text(to_docx(report, tmp_path / "r.docx"))
    assert "Review incomplete: part of the review did not finish (boom )" in text
    assert "Failure: risk bot at risk (-): boom " in text  # under Technical details
    assert "No findings: the review is incomplete." in text


def test_docx_leaves_out_rejected_findings_and_shows_edits(sample_doc, tmp_path):
    report = sample_report(sample_doc)
    report.decisions = {
        "termination": {"decision": "reject", "reviewer": "Ann", "at": "2026-01-05T10:00:00"},
        "governing-law": {"decision": "edit", "reviewer": "Ann", "severity": "low"},
    }
    doc = open_docx(str(to_docx(report, tmp_path / "r.docx")))
    counts = {
        c.text: r.text for c, r in zip(*(row.cells for row in doc.tables[0].rows), strict=True)
    }
    assert counts == {"critical": "0", "high": "0", "medium": "0", "low": "2", "info": "0"}
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["[LOW] Governing law — deviation", "[LOW] Audit rights — missing"]
    text = _text(tmp_path / "r.docx")
    assert "Lawyer's decision: Edited by Ann (changed: severity)." in text
    assert "Termination rights: Rejected by Ann on 2026-01-05." in text


def test_docx_clause_table_leaves_out_the_raw_parties_spans(sample_doc, tmp_path):
    report = sample_report(sample_doc)
    first = report.clauses[0]
    report.clauses = [*report.clauses, first.model_copy(update={"category": "Parties"})]
    doc = open_docx(str(to_docx(report, tmp_path / "r.docx")))
    categories = [row.cells[0].text for t in doc.tables for row in t.rows]
    assert first.category in categories and "Parties" not in categories
