"""The contract itself with the review's recommendations as Word tracked changes and comments.

For a .docx the redline is a copy of the file: the cited text is struck (`w:del`), the fallback
language inserted (`w:ins`), both with author and date, and a Word comment carries the
rationale. For a PDF it is a Word document of the contract's text (one paragraph per line) with
the same changes. Findings a lawyer rejected are left out; edited ones use the lawyer's text.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from legal_orch.decisions import decided_findings
from legal_orch.domain import Finding
from legal_orch.ingest import parse
from legal_orch.ingest.docx import paragraphs as word_paragraphs
from legal_orch.ingest.pdf import clean_text
from legal_orch.reports.report import ReviewReport

AUTHOR = "legal_orch"
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What each action does to the cited text.
REPLACES = {"negotiate"}
DELETES = {"delete"}
ADDS = {"add"}


@dataclass
class Span:
    """One paragraph of the Word document and where its text sits in the parsed text."""

    paragraph: Paragraph
    start: int
    end: int


@dataclass
class Edit:
    finding: Finding
    start: int | None  # offsets into the parsed text; None: a new clause at the end
    end: int | None
    insert: str | None
    delete: bool
    comment: str


def _x(text: str) -> str:
    return _XML_BAD.sub(" ", text)


def edits_of(report: ReviewReport) -> list[Edit]:
    """The tracked changes and comments the review's recommendations ask for, in text order.

    Findings a lawyer rejected are left out; edited ones carry the lawyer's wording."""
    out = []
    for f in decided_findings(report.findings, report.decisions)[0]:
        r = f.recommendation
        if r is None or r.action == "accept":
            continue
        fallback = r.fallback_language
        comment = f"{f.title} ({f.severity}): {r.action}. {r.rationale}"
        cite = f.citations[0] if f.citations else None
        insert = fallback if r.action in REPLACES | ADDS else None
        if cite is None and insert is None:
            comment = f"{comment} (nothing in the contract to mark: see the review)"
        out.append(
            Edit(
                finding=f,
                start=cite.start if cite else None,
                end=cite.end if cite else None,
                insert=insert,
                delete=cite is not None
                and (r.action in DELETES or (r.action in REPLACES and bool(fallback))),
                comment=comment,
            )
        )
    return sorted(out, key=lambda e: (e.start is None, e.start or 0))


def _docx_spans(path: Path, doc: Any) -> tuple[DocxDocument, list[Span]]:
    """Open the .docx and align its non-empty paragraphs with the parsed text's paragraphs."""
    word = docx.Document(str(path))
    paragraphs = word_paragraphs(word)
    texts = [clean_text(p.text).strip("\n") for p in paragraphs]
    kept = [(p, t) for p, t in zip(paragraphs, texts, strict=True) if t.strip()]
    spans = [Span(p, page.start, page.end) for (p, _), page in zip(kept, doc.pages, strict=False)]
    return word, spans


def _pdf_spans(doc: Any) -> tuple[DocxDocument, list[Span]]:
    """A Word document of the contract's text, one paragraph per line of the parsed text."""
    word = docx.Document()
    word.add_heading(_x(doc.name), level=1)
    spans, pos = [], 0
    for line in doc.text.split("\n"):
        if line.strip():
            spans.append(Span(word.add_paragraph(_x(line)), pos, pos + len(line)))
        pos += len(line) + 1
    return word, spans


def _split_runs(p: Paragraph, cuts: list[int]) -> list[Run]:
    """Split the paragraph's runs at character offsets `cuts` (relative to its text)."""
    pos, out = 0, []
    for run in list(p.runs):
        text = run.text
        inner = sorted({c - pos for c in cuts if pos < c < pos + len(text)})
        if not inner:
            out.append(run)
            pos += len(text)
            continue
        pieces = [text[a:b] for a, b in zip([0, *inner], [*inner, len(text)], strict=True)]
        run.text = pieces[0]
        out.append(run)
        prev = run._r
        for piece in pieces[1:]:
            el = copy.deepcopy(run._r)
            prev.addnext(el)
            new = Run(el, p)
            new.text = piece
            out.append(new)
            prev = el
        pos += len(text)
    return out


def _tracked(tag: str, ids: list[int], date: str) -> Any:
    el = OxmlElement(tag)
    ids[0] += 1
    el.set(qn("w:id"), str(ids[0]))
    el.set(qn("w:author"), AUTHOR)
    el.set(qn("w:date"), date)
    return el


def _delete_runs(runs: list[Run], ids: list[int], date: str) -> None:
    """Wrap `runs` in one w:del, their text becoming deleted text."""
    if not runs:
        return
    wrapper = _tracked("w:del", ids, date)
    runs[0]._r.addprevious(wrapper)
    for run in runs:
        for t in run._r.findall(qn("w:t")):
            t.tag = qn("w:delText")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        wrapper.append(run._r)


def _insert_after(anchor: Any, text: str, ids: list[int], date: str, p: Paragraph) -> Run:
    """Put a w:ins holding `text` right after element `anchor`; return its run."""
    ins = _tracked("w:ins", ids, date)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = _x(text)
    r.append(t)
    ins.append(r)
    anchor.addnext(ins)
    return Run(r, p)


def _apply(word: DocxDocument, spans: list[Span], edits: list[Edit]) -> int:
    ids = [1000]
    date = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    applied = 0
    for e in edits:
        span = next(
            (s for s in spans if e.start is not None and s.start <= e.start < s.end + 1), None
        )
        if span is None:
            p = word.add_paragraph()
            anchor = p.add_run("")
            run = _insert_after(anchor._r, e.insert or "", ids, date, p) if e.insert else anchor
            if not e.insert:
                run.text = f"[{e.finding.title}]"
            word.add_comment(run, text=_x(e.comment), author=AUTHOR, initials="LO")
            applied += 1
            continue
        a = max(0, (e.start or 0) - span.start)
        b = min(span.end, e.end or span.end) - span.start
        runs = _split_runs(span.paragraph, [a, b])
        pos, target = 0, []
        for run in runs:
            if a <= pos < b:
                target.append(run)
            pos += len(run.text)
        if not target:
            continue
        word.add_comment(target, text=_x(e.comment), author=AUTHOR, initials="LO")
        last = target[-1]._r
        if e.delete:
            _delete_runs(target, ids, date)
            last = span.paragraph._p.findall(qn("w:del"))[-1]
        if e.insert:
            _insert_after(last, " " + e.insert, ids, date, span.paragraph)
        applied += 1
    return applied


def to_redline(report: ReviewReport, source: Path, out: Path) -> Path:
    """Write the contract at `source` with the review's changes tracked, to `out`."""
    doc = parse(source)
    if doc.sha256 != report.document.sha256:
        raise ValueError(f"{source.name}: not the file this review was made of")
    word, spans = _docx_spans(source, doc) if doc.kind == "docx" else _pdf_spans(doc)
    _apply(word, spans, edits_of(report))
    out.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(out))
    return out
