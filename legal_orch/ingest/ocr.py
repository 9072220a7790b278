"""Read a scanned PDF (no text layer) with OCR: ocrmypdf and Tesseract, installed from Debian.

The OCR'd copy lives in a temporary folder; the Document keeps the original file's path and
sha256, marks `source="ocr"`, and its citations point at the OCR text, which the report says.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from legal_orch.domain import Document
from legal_orch.errors import InputError, NoTextLayerError
from legal_orch.ingest.pdf import display_name, parse_pdf, sha256_file

INSTALL_HINT = "install OCR with `apt-get install ocrmypdf tesseract-ocr` (Debian/Ubuntu)"


class OcrError(InputError):
    kind = "ocr"


def ocr_available() -> bool:
    """Whether the ocrmypdf command and Tesseract are on this machine."""
    return bool(shutil.which("ocrmypdf") and shutil.which("tesseract"))


def parse_scanned(
    path: str | Path, *, max_pages: int = 500, max_file_mb: float = 100.0, timeout: float = 300
) -> Document:
    """OCR `path` (a PDF without a text layer) and parse the result; one-line errors."""
    path = Path(path)
    shown = display_name(path)
    if not ocr_available():
        raise NoTextLayerError(shown, f"no text layer (scanned?); to read it, {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="legal-orch-ocr-") as tmp:
        out = Path(tmp) / "ocr.pdf"
        cmd = [
            "ocrmypdf",
            "--quiet",
            "--skip-text",  # pages that have text keep it; only images are read
            "--output-type",
            "pdf",
            "--jobs",
            "1",
            str(path),
            str(out),
        ]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise OcrError(shown, f"OCR ran past its {timeout:g} s limit") from e
        if run.returncode != 0 or not out.is_file():
            last = (run.stderr.strip().splitlines() or ["no output"])[-1][:160]
            raise OcrError(shown, f"OCR failed ({last})")
        doc = parse_pdf(out, max_pages=max_pages, max_file_mb=max_file_mb * 4)
    return doc.model_copy(
        update={"path": str(path), "name": shown, "sha256": sha256_file(path), "source": "ocr"}
    )
