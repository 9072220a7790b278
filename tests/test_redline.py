"""The Word redline: tracked changes and comments at the cited places, read back independently.

The file is written with python-docx and read with docx2python (another library) and with the
raw OOXML, so a writer bug cannot hide itself.
"""

from __future__ import annotations

import zipfile

import pytest
from docx2python import docx2python
from lxml import etree

from legal_orch.domain import Finding, Recommendation, Validation
from legal_orch.ingest import parse
from legal_orch.reports.redline import to_redline
from legal_orch.reports.report import DocumentInfo, ReviewReport
from tests.test_docx import LAW, PREAMBLE, TERMINATION, write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _report(doc, findings, decisions=None):
    return ReviewReport(
        document=DocumentInfo(
            path=doc.path, name=doc.name, sha256=doc.sha256, pages=len(doc.pages), kind=doc.kind
        ),
        playbook="commercial",
        clauses=[],
        findings=findings,
        validation=Validation(status="passed"),
        decisions=decisions or {},
    )


def _finding(doc, rule_id, quote, action, fallback=None):
    cites = []
    if quote:
        i = doc.text.index(quote)
        cites = [doc.cite(i, i + len(quote))]
    return Finding(
        rule_id=rule_id,
        title=rule_id.replace("-", " ").capitalize(),
        severity="medium",
        status="deviation" if quote else "missing",
        explanation="x",
        citations=cites,
        recommendation=Recommendation(
            action=action, rationale=f"why {rule_id}", fallback_language=fallback
        ),
    )


@pytest.fixture
def contract(tmp_path):
    path = write_docx(tmp_path / "msa.docx", [PREAMBLE, LAW, TERMINATION])
    return path, parse(path)


def _xml(path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def test_docx_redline_has_tracked_changes_and_comments(contract, tmp_path):
    path, doc = contract
    findings = [
        _finding(doc, "governing-law", "the State of New York", "negotiate", "England and Wales"),
        _finding(doc, "termination", "for convenience", "delete"),
        _finding(doc, "liability-cap", None, "add", "Each party's liability is capped at fees."),
        _finding(doc, "audit", "Master Services Agreement", "accept"),
    ]
    out = to_redline(_report(doc, findings), path, tmp_path / "redline.docx")
    root = _xml(out)
    dels = ["".join(d.itertext()) for d in root.iter(f"{W}del")]
    ins = ["".join(i.itertext()) for i in root.iter(f"{W}ins")]
    assert dels == ["the State of New York", "for convenience"]
    assert ins == [" England and Wales", "Each party's liability is capped at fees."]
    for el in [*root.iter(f"{W}del"), *root.iter(f"{W}ins")]:
        assert el.get(f"{W}author") == "legal_orch" and el.get(f"{W}date")
    with docx2python(out) as d:
        comments = {c[3].split(" (")[0]: c for c in d.comments}
    assert set(comments) == {"Governing law", "Termination", "Liability cap"}  # not "accept"
    assert "why termination" in comments["Termination"][3]
    assert comments["Governing law"][1] == "legal_orch"


def test_rejected_recommendations_are_left_out(contract, tmp_path):
    path, doc = contract
    findings = [_finding(doc, "termination", "for convenience", "delete")]
    rejected = {"termination": {"decision": "reject", "reviewer": "ann"}}
    out = to_redline(_report(doc, findings, rejected), path, tmp_path / "r.docx")
    root = _xml(out)
    assert not list(root.iter(f"{W}del")) and not list(root.iter(f"{W}ins"))


def test_pdf_redline_is_the_contract_text_with_changes(tmp_path, sample_pdf, sample_doc):
    quote = "Diversinet Corp."
    findings = [_finding(sample_doc, "parties", quote, "negotiate", "Diversinet Corporation")]
    out = to_redline(_report(sample_doc, findings), sample_pdf, tmp_path / "r.docx")
    with docx2python(out) as d:
        assert "RESELLER AGREEMENT" in d.text
        assert len(d.comments) == 1
    root = _xml(out)
    assert ["".join(x.itertext()) for x in root.iter(f"{W}del")] == [quote]


def test_a_redline_of_another_file_is_refused(contract, tmp_path, sample_pdf, sample_doc):
    path, _ = contract
    with pytest.raises(ValueError, match="not the file this review was made of"):
        to_redline(_report(sample_doc, []), path, tmp_path / "r.docx")


def test_edited_recommendations_use_the_lawyers_words(contract, tmp_path):
    path, doc = contract
    findings = [
        _finding(doc, "governing-law", "the State of New York", "negotiate", "England and Wales"),
        _finding(doc, "termination", "for convenience", "delete"),
    ]
    decisions = {
        "governing-law": {"decision": "edit", "reviewer": "ann", "fallback_language": "Ontario"},
        "termination": {"decision": "edit", "reviewer": "ann", "action": "escalate"},
    }
    out = to_redline(_report(doc, findings, decisions), path, tmp_path / "r.docx")
    root = _xml(out)
    assert ["".join(i.itertext()) for i in root.iter(f"{W}ins")] == [" Ontario"]
    # an escalation marks nothing: the termination clause is no longer struck, only commented
    assert ["".join(x.itertext()) for x in root.iter(f"{W}del")] == ["the State of New York"]
    with docx2python(out) as d:
        assert sorted(c[3].split(":")[0] for c in d.comments) == [
            "Governing law (medium)",
            "Termination (medium)",
        ]
