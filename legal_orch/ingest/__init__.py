"""Read a contract file (PDF or Word) into one Document with character offsets."""

from __future__ import annotations

from pathlib import Path

from legal_orch.domain import Document
from legal_orch.errors import NotAPdfError, NoTextLayerError
from legal_orch.ingest.docx import is_docx, is_ole, parse_docx, refuse_ole
from legal_orch.ingest.limits import ReadLimits, within_limits
from legal_orch.ingest.ocr import parse_scanned
from legal_orch.ingest.pdf import check_size, display_name, parse_pdf

SUFFIXES = (".pdf", ".docx")


def check_input(path: Path, max_file_mb: float, shown: str | None = None) -> str:
    """Refuse a file no reader takes, with one line; return its kind ("pdf" or "docx")."""
    shown = shown or display_name(path)
    check_size(path, shown, max_file_mb)
    with path.open("rb") as f:
        head = f.read(1024)
    if b"%PDF-" in head:
        return "pdf"
    if is_docx(head):
        return "docx"
    if is_ole(head):
        refuse_ole(shown)
    raise NotAPdfError(shown, "not a PDF or Word (.docx) file")


def parse(
    path: str | Path,
    *,
    max_pages: int = 500,
    max_file_mb: float = 100.0,
    ocr: bool = False,
    ocr_timeout: float = 300,
    limits: ReadLimits | None = None,
) -> Document:
    """Parse a PDF or a .docx, or raise an InputError subclass with a one-line reason.

    A PDF without a text layer is read by OCR when `ocr` allows it; otherwise the error says how.
    With `limits`, the file is read in a child process held to that time and memory.
    """
    path = Path(path)
    shown = display_name(path)
    opts = {"max_pages": max_pages, "max_file_mb": max_file_mb}
    if check_input(path, max_file_mb) == "docx":
        return within_limits(parse_docx, shown, limits, path, **opts)
    try:
        return within_limits(parse_pdf, shown, limits, path, **opts)
    except NoTextLayerError as e:
        if not ocr:
            raise NoTextLayerError(e.path, f"{e.problem}; allow OCR to read it (--ocr)") from e
    return parse_scanned(path, max_pages=max_pages, max_file_mb=max_file_mb, timeout=ocr_timeout)
