"""Scanned PDFs: refused with a way forward by default, read by OCR when the user allows it."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from legal_orch.errors import NoTextLayerError
from legal_orch.ingest import parse
from legal_orch.ingest.ocr import ocr_available

LINES = [
    "SUPPLY AGREEMENT",
    "This Agreement shall be governed by the laws of the State of New York.",
    "Either party may terminate this Agreement on ninety days written notice.",
]


def scanned_pdf(path):
    """A one-page PDF that is only an image of text (as a scanner makes)."""
    img = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 36)
    except OSError:
        font = ImageFont.load_default(size=36)
    for i, line in enumerate(LINES):
        draw.text((120, 200 + i * 90), line, fill=0, font=font)
    img.save(path, "PDF", resolution=200.0)
    return path


def test_a_scan_without_ocr_says_how_to_read_it(tmp_path):
    p = scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(NoTextLayerError, match=r"scan.pdf: no text layer.*--ocr"):
        parse(p)


@pytest.mark.skipif(not ocr_available(), reason="needs ocrmypdf and tesseract (apt-get install)")
def test_ocr_reads_the_scan_and_keeps_the_original_identity(tmp_path):
    from legal_orch.ingest.pdf import sha256_file

    p = scanned_pdf(tmp_path / "scan.pdf")
    doc = parse(p, ocr=True, ocr_timeout=120)
    assert doc.source == "ocr" and doc.sha256 == sha256_file(p) and doc.path == str(p)
    flat = " ".join(doc.text.split()).lower()
    assert "governed by the laws of the state of new york" in flat
    i = doc.text.lower().index("governed")
    assert doc.cite(i, i + 8).quote.lower() == "governed"
