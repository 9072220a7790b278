"""Word (.docx) input: paragraphs with offsets, citations by paragraph, typed one-line errors."""

from __future__ import annotations

import zipfile

import docx
import pytest

from legal_orch.errors import CorruptPdfError, EmptyPdfError, EncryptedPdfError, NotAPdfError
from legal_orch.ingest import check_input, parse

PREAMBLE = (
    "This Master Services Agreement is made on March 1, 2021 between Acme Corp., a Delaware "
    'corporation ("Customer"), and Widget Services LLC ("Supplier").'
)
LAW = "1. Governing Law. This Agreement shall be governed by the laws of the State of New York."
TERMINATION = (
    "2. Termination. Customer may terminate this Agreement for convenience upon thirty (30) "
    "days' written notice."
)


def write_docx(path, paragraphs, table=None):
    d = docx.Document()
    d.add_heading("MASTER SERVICES AGREEMENT", 0)
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    d.save(path)
    return path


def test_paragraphs_tables_and_exact_offsets(tmp_path):
    path = write_docx(tmp_path / "msa.docx", [PREAMBLE, LAW], table=[["Fees", "$10,000"]])
    doc = parse(path)
    assert doc.kind == "docx" and doc.unit == "¶"
    assert [doc.text[p.start : p.end] for p in doc.pages] == [
        "MASTER SERVICES AGREEMENT",
        PREAMBLE,
        LAW,
        "Fees",
        "$10,000",
    ]
    i = doc.text.index("governed")
    c = doc.cite(i, i + 8)
    assert c.page == 3 and c.quote == "governed"


def test_review_of_a_docx_cites_paragraphs(tmp_path):
    from legal_orch.reports.report import render
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings
    from tests import graph_agents as ga

    path = write_docx(tmp_path / "msa.docx", [PREAMBLE, LAW, TERMINATION])
    out = Reviewer(
        Settings(data_dir=tmp_path / "data"), playbook=ga.PLAYBOOK, registry=ga.registry()
    ).review(path)
    assert out.document.kind == "docx" and out.validation.status == "passed"
    law = next(f for f in out.findings if f.rule_id == "governing-law")
    assert law.citations[0].page == 3  # the third paragraph
    md = render(out, "md")
    assert "Paragraphs: 4" in md and "> ¶3: “" in md


def test_a_zip_that_is_not_word_is_refused(tmp_path):
    p = tmp_path / "x.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(CorruptPdfError, match="x.docx: not a Word document"):
        parse(p)


def test_a_truncated_docx_is_corrupt(tmp_path):
    good = write_docx(tmp_path / "good.docx", [PREAMBLE])
    bad = tmp_path / "bad.docx"
    bad.write_bytes(good.read_bytes()[:400])
    with pytest.raises(CorruptPdfError, match="bad.docx: corrupt Word file"):
        parse(bad)


def test_an_encrypted_or_legacy_word_file_says_so(tmp_path):
    p = tmp_path / "secret.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(EncryptedPdfError, match="secret.docx: encrypted Word file"):
        check_input(p, 10)


def test_an_empty_docx_and_other_files(tmp_path):
    empty = write_docx(tmp_path / "empty.docx", [])
    empty_doc = docx.Document()
    empty_doc.save(empty)
    with pytest.raises(EmptyPdfError, match="empty.docx: Word document has no text"):
        parse(empty)
    txt = tmp_path / "notes.txt"
    txt.write_text("just some notes, not a contract")
    with pytest.raises(NotAPdfError, match="notes.txt: not a PDF or Word"):
        parse(txt)
