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
    assert "Validation: passed (confidence 0.74)" in text
    assert "[HIGH] Termination rights — deviation" in text
    law = report.findings[0].citations[0]
    assert f"Page {law.page} [{law.start}:{law.end}]: " in text and law.quote in text
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
    assert "Review incomplete: risk bot at risk: boom " in text
    assert "No findings: the review is incomplete." in text
