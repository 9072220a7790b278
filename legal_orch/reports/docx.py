"""The review as a Word document a lawyer can edit and send: findings, advice, cited text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.shared import Pt, RGBColor

from legal_orch.domain import SEVERITIES, Finding
from legal_orch.reports.report import (
    ReviewReport,
    _decision_counts,
    _sorted_findings,
    _unit_name,
    by_page,
    decision_line,
    failure_words,
    hidden_lines,
    rejected_findings,
    shown_clauses,
    technical_lines,
)

# XML 1.0 forbids these characters; python-docx raises on them rather than dropping them.
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_COLOURS = {
    "critical": "7B0000",
    "high": "C0392B",
    "medium": "D68910",
    "low": "2E86C1",
    "info": "7F8C8D",
}
QUOTE_LIMIT = 1200


def _t(text: str | None, limit: int | None = None) -> str:
    t = _XML_BAD.sub(" ", text or "")
    if limit and len(t) > limit:
        t = t[:limit].rstrip() + " …"
    return t


def _summary(doc: DocxDocument, report: ReviewReport) -> None:
    d, v = report.document, report.validation
    doc.add_paragraph(f"Document: {_t(d.name)} · {d.pages} {_unit_name(d).lower()}")
    doc.add_paragraph(f"Playbook: {_t(report.playbook)}")
    doc.add_paragraph(f"Validation: {v.status}")
    for line in hidden_lines(d):
        doc.add_paragraph().add_run(_t(line)).bold = True
    counts = report.severity_counts()
    table = doc.add_table(rows=2, cols=len(SEVERITIES))
    table.style = "Table Grid"
    for i, sev in enumerate(reversed(SEVERITIES)):
        table.cell(0, i).text = sev
        table.cell(1, i).text = str(counts[sev])
    decided = _decision_counts(report)
    if decided:
        doc.add_paragraph(f"Lawyers' decisions: {decided}")
    if report.failures:
        p = doc.add_paragraph()
        p.add_run("Review incomplete: ").bold = True
        p.add_run(_t("; ".join(failure_words(report.failures))))


def _finding(
    doc: DocxDocument, f: Finding, decision: dict[str, Any] | None, unit: str = "p."
) -> None:
    h = doc.add_heading(level=2)
    sev = h.add_run(f"[{f.severity.upper()}] ")
    sev.font.color.rgb = RGBColor.from_string(_COLOURS[f.severity])
    h.add_run(f"{_t(f.title)} — {f.status.replace('_', ' ')}")
    doc.add_paragraph(_t(f.explanation))
    if decision:
        p = doc.add_paragraph()
        p.add_run("Lawyer's decision: ").bold = True
        p.add_run(_t(decision_line(decision)))
    if f.citations:
        doc.add_paragraph("Citations", style="Heading 3")
        for page, cites in by_page(f.citations):
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{'Paragraph' if unit == '¶' else 'Page'} {page}: ").bold = True
            p.add_run(" … ".join(f"“{_t(c.quote, QUOTE_LIMIT)}”" for c in cites)).italic = True
    if f.comparison or f.precedents:
        doc.add_paragraph("Precedents", style="Heading 3")
        if f.comparison:
            doc.add_paragraph(_t(f.comparison))
        for pr in f.precedents:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{_t(pr.category or '-')} ({_t(pr.source)}): ").bold = True
            p.add_run(f"“{_t(pr.text, 400)}”")
    if f.recommendation:
        r = f.recommendation
        doc.add_paragraph("Recommendation", style="Heading 3")
        p = doc.add_paragraph()
        p.add_run(f"{r.action.capitalize()}. ").bold = True
        p.add_run(_t(r.rationale))
        if r.fallback_language:
            p = doc.add_paragraph()
            p.add_run("Fallback language: ").bold = True
            q = doc.add_paragraph(style="Intense Quote")
            q.add_run(_t(r.fallback_language))


def _clauses(doc: DocxDocument, report: ReviewReport) -> None:
    doc.add_heading("Clauses found", level=1)
    shown = shown_clauses(report)
    if not shown:
        doc.add_paragraph("None.")
        return
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    where = "Paragraph" if report.document.kind == "docx" else "Page"
    for cell, name in zip(table.rows[0].cells, ("Category", where, "Answer", "Text"), strict=True):
        cell.text = name
    for c in shown:
        row = table.add_row().cells
        row[0].text, row[1].text = _t(c.category), str(c.page)
        row[2].text, row[3].text = _t(c.answer or ""), _t(c.text, 300)


def to_docx(report: ReviewReport, path: Path) -> Path:
    """Write `report` as a Word document at `path`; return the path."""
    doc = new_docx()
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(f"Contract review: {_t(report.document.name)}", level=0)
    _summary(doc, report)
    doc.add_heading("Findings", level=1)
    standing = _sorted_findings(report)
    if report.failures and not standing:
        doc.add_paragraph("No findings: the review is incomplete.")
    elif not standing:
        doc.add_paragraph(
            "No findings stand after the lawyers' decisions." if report.findings else "No findings."
        )
    for f in standing:
        d = report.decisions.get(f.rule_id)
        _finding(doc, f, d if isinstance(d, dict) else None, report.document.unit)
    rejected = rejected_findings(report)
    if rejected:
        doc.add_heading("Findings the lawyers rejected (not counted above)", level=1)
        for f, d in rejected:
            doc.add_paragraph(_t(f"{f.title}: {decision_line(d)}"), style="List Bullet")
    _clauses(doc, report)
    doc.add_heading("Technical details", level=1)
    for line in technical_lines(report):
        doc.add_paragraph(_t(line), style="List Bullet")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
