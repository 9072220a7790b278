from pathlib import Path

import pytest
from pypdf import PdfWriter

from legal_orch.errors import (
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    InputError,
    NotAPdfError,
    NoTextLayerError,
    TooLargeError,
)
from legal_orch.ingest.pdf import parse_pdf


def test_sample_pages_and_offsets(sample_doc):
    doc = sample_doc
    assert len(doc.pages) == 15
    assert len(doc.sha256) == 64
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.text)
    for a, b in zip(doc.pages, doc.pages[1:], strict=False):
        assert a.end < b.start
    mid = doc.pages[3]
    assert doc.page_of(mid.start) == 4 and doc.page_of(mid.end - 1) == 4
    assert "RESELLER" in doc.text.upper()


def test_cite_is_exact(sample_doc):
    c = sample_doc.cite(100, 180)
    assert sample_doc.text[c.start : c.end] == c.quote and c.quote == c.quote.strip()


def _blank_pdf(path: Path, pages: int = 1) -> Path:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(612, 792)
    with path.open("wb") as f:
        w.write(f)
    return path


def test_not_a_pdf(tmp_path):
    p = tmp_path / "notes.pdf"
    p.write_text("just some words, not a PDF at all")
    with pytest.raises(NotAPdfError, match=r"notes\.pdf: not a PDF"):
        parse_pdf(p)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    with pytest.raises(EmptyPdfError, match="empty.pdf: empty file"):
        parse_pdf(p)


def test_corrupt(tmp_path, sample_pdf):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    with pytest.raises((CorruptPdfError, NoTextLayerError, EmptyPdfError)) as e:
        parse_pdf(p)
    assert str(e.value).startswith("broken.pdf: ")
    assert "\n" not in str(e.value)


def test_truncated_real_pdf(tmp_path, sample_pdf):
    p = tmp_path / "truncated.pdf"
    p.write_bytes(sample_pdf.read_bytes()[:4000])
    with pytest.raises(InputError) as e:
        parse_pdf(p)
    assert str(e.value).startswith("truncated.pdf: ") and "\n" not in str(e.value)


def test_scanned_without_text(tmp_path):
    p = _blank_pdf(tmp_path / "scan.pdf", pages=2)
    with pytest.raises(NoTextLayerError, match="scan.pdf: no text layer"):
        parse_pdf(p)


def test_encrypted(tmp_path, sample_pdf):
    w = PdfWriter(clone_from=str(sample_pdf))
    w.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    p = tmp_path / "locked.pdf"
    with p.open("wb") as f:
        w.write(f)
    with pytest.raises(EncryptedPdfError, match="locked.pdf: encrypted"):
        parse_pdf(p)


def test_too_many_pages(tmp_path):
    p = _blank_pdf(tmp_path / "huge.pdf", pages=6)
    with pytest.raises(TooLargeError, match="huge.pdf: 6 pages, over the 5-page limit"):
        parse_pdf(p, max_pages=5)


def test_too_many_bytes(tmp_path, sample_pdf):
    with pytest.raises(TooLargeError, match="over the 0.01 MB limit"):
        parse_pdf(sample_pdf, max_file_mb=0.01)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="nothere.pdf: no such file"):
        parse_pdf(tmp_path / "nothere.pdf")


def test_malicious_name_is_shown_on_one_line(tmp_path, sample_pdf):
    p = tmp_path / "evil\nname\x1b[31m.pdf"
    p.write_text("not a pdf")
    with pytest.raises(NotAPdfError) as e:
        parse_pdf(p)
    msg = str(e.value)
    assert "\n" not in msg and "\x1b" not in msg and msg.startswith("evil?name?[31m.pdf")


# --- hostile files, built here byte by byte (no binaries committed) ---

TEXT_PAGE = b"BT /F1 12 Tf 72 720 Td (This Agreement is governed by the laws of Ontario.) Tj ET"


def raw_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """Serialise numbered objects (1..n, object 1 the catalog) with a correct xref table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def nested_pages_pdf(depth: int) -> bytes:
    """One page of text under `depth` nested /Pages nodes (objects 2..depth+1)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        me, parent = 2 + level, (b" /Parent %d 0 R" % (1 + level) if level else b"")
        objs.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (me + 1, parent))
    page, font, content = depth + 2, depth + 3, depth + 4
    objs.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R"
        b" >> >> /Contents %d 0 R >>" % (page - 1, font, content)
    )
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objs.append(b"<< /Length %d >>\nstream\n" % len(TEXT_PAGE) + TEXT_PAGE + b"\nendstream")
    return raw_pdf(objs)


def test_shallow_page_tree_reads(tmp_path):
    p = tmp_path / "nested.pdf"
    p.write_bytes(nested_pages_pdf(20))
    assert "governed by the laws of Ontario" in parse_pdf(p).text


def test_page_tree_deeper_than_100_levels_is_one_line(tmp_path):
    p = tmp_path / "deep.pdf"
    p.write_bytes(nested_pages_pdf(150))
    with pytest.raises(CorruptPdfError, match="deep.pdf: corrupt PDF .*page tree") as e:
        parse_pdf(p)
    assert "\n" not in str(e.value)


def test_aes256_encryption_reads_as_encrypted_with_or_without_cryptography(tmp_path):
    # An AES-256 (V5 R6) encryption dictionary whose keys match no password: with `cryptography`
    # pypdf finds no password; without it pypdf cannot even try. Both must say "encrypted".
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 /O <%s> /U <%s> /OE <%s> /UE <%s>"
        b" /Perms <%s> /CF << /StdCF << /CFM /AESV3 /Length 32 /AuthEvent /DocOpen >> >>"
        b" /StmF /StdCF /StrF /StdCF >>"
        % (b"11" * 48, b"22" * 48, b"33" * 32, b"44" * 32, b"55" * 16),
    ]
    p = tmp_path / "aes256.pdf"
    file_id = b"ab" * 16
    p.write_bytes(raw_pdf(objs, trailer=b"/Encrypt 4 0 R /ID [<%s> <%s>]" % (file_id, file_id)))
    with pytest.raises(EncryptedPdfError, match=r"aes256\.pdf: encrypted PDF") as e:
        parse_pdf(p)
    assert "\n" not in str(e.value)


def _aes_pdf(sample_pdf, path: Path, algorithm: str, user_password: str) -> Path:
    pytest.importorskip("cryptography", reason="pypdf writes AES only with `cryptography`")
    w = PdfWriter(clone_from=str(sample_pdf))
    w.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    with path.open("wb") as f:
        w.write(f)
    return path


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_with_a_password_is_encrypted(tmp_path, sample_pdf, algorithm):
    p = _aes_pdf(sample_pdf, tmp_path / "locked.pdf", algorithm, "secret")
    with pytest.raises(EncryptedPdfError, match="locked.pdf: encrypted PDF .password required"):
        parse_pdf(p)


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_with_owner_password_only_is_reviewed(tmp_path, sample_pdf, sample_doc, algorithm):
    p = _aes_pdf(sample_pdf, tmp_path / "restricted.pdf", algorithm, "")
    assert parse_pdf(p).text == sample_doc.text


NO_CRYPTOGRAPHY = """
import sys
sys.modules["cryptography"] = None  # as on a machine without the package
from legal_orch.ingest.pdf import parse_pdf
try:
    parse_pdf(sys.argv[1])
except Exception as e:
    print(type(e).__name__, e)
"""


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_without_cryptography_says_encrypted_not_corrupt(tmp_path, sample_pdf, algorithm):
    import subprocess
    import sys

    p = _aes_pdf(sample_pdf, tmp_path / "restricted.pdf", algorithm, "")
    run = subprocess.run(
        [sys.executable, "-c", NO_CRYPTOGRAPHY, str(p)], capture_output=True, text=True, timeout=120
    )
    assert run.stdout.strip() == (
        "EncryptedPdfError restricted.pdf: encrypted PDF (AES): "
        "reading it needs the 'cryptography' package"
    ), run.stderr
