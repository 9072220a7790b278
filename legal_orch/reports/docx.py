"""The review as a Word document a lawyer can edit and send: findings, advice, cited text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.shared import Pt, RGBColor

from legal_orch.domain import SEVERITIES, Finding
from legal_orch.reports.report import ReviewReport, _sorted_findings, hidden_lines

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
    doc.add_paragraph(f"Document: {_t(d.name)} · {d.pages} pages · SHA-256 {d.sha256[:16]}…")
    doc.add_paragraph(f"Playbook: {_t(report.playbook)}")
    doc.add_paragraph(f"Validation: {v.status} (confidence {v.confidence:.2f})")
    for line in hidden_lines(d):
        doc.add_paragraph().add_run(_t(line)).bold = True
    counts = report.severity_counts()
    table = doc.add_table(rows=2, cols=len(SEVERITIES))
    table.style = "Table Grid"
    for i, sev in enumerate(reversed(SEVERITIES)):
        table.cell(0, i).text = sev
        table.cell(1, i).text = str(counts[sev])
    if report.failures:
        p = doc.add_paragraph()
        p.add_run("Review incomplete: ").bold = True
        p.add_run("; ".join(_t(f"{f.agent} at {f.stage}: {f.error}") for f in report.failures))


def _finding(doc: DocxDocument, f: Finding, decision: dict[str, Any] | None) -> None:
    h = doc.add_heading(level=2)
    sev = h.add_run(f"[{f.severity.upper()}] ")
    sev.font.color.rgb = RGBColor.from_string(_COLOURS[f.severity])
    h.add_run(f"{_t(f.title)} — {f.status}")
    doc.add_paragraph(_t(f.explanation))
    if decision:
        p = doc.add_paragraph()
        p.add_run("Lawyer's decision: ").bold = True
        p.add_run(_t(", ".join(f"{k}: {v}" for k, v in decision.items() if v not in (None, ""))))
    if f.citations:
        doc.add_paragraph("Citations", style="Heading 3")
        for c in f.citations:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"Page {c.page} [{c.start}:{c.end}]: ").bold = True
            p.add_run(f"“{_t(c.quote, QUOTE_LIMIT)}”").italic = True
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
    if not report.clauses:
        doc.add_paragraph("None.")
        return
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, ("Category", "Page", "Answer", "Text"), strict=True):
        cell.text = name
    for c in report.clauses:
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
    if not report.findings:
        doc.add_paragraph(
            "No findings." if not report.failures else "No findings: the review is incomplete."
        )
    for f in _sorted_findings(report):
        d = report.decisions.get(f.rule_id)
        _finding(doc, f, d if isinstance(d, dict) else None)
    _clauses(doc, report)
    doc.add_heading("Validation", level=1)
    for c in report.validation.checks:
        doc.add_paragraph(_t(f"{c.name}: {c.status} — {c.detail}"), style="List Bullet")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
