"""Parse a Word (.docx) contract into one document text with each paragraph's character range.

Citations of a DOCX point at paragraphs (numbered in reading order, tables included) instead of
pages: the `pages` of the Document are its paragraphs, and `Document.kind` says so.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from legal_orch.domain import Document, Page
from legal_orch.errors import CorruptPdfError, EmptyPdfError, EncryptedPdfError, TooLargeError
from legal_orch.ingest.pdf import MIN_TEXT_CHARS, clean_text, display_name, sha256_file

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML (and old .doc) is an OLE file
ZIP_MAGIC = b"PK\x03\x04"
# A .docx is a zip: refuse ones whose parts would expand past this (a zip bomb).
MAX_UNCOMPRESSED = 200 * 1024 * 1024


def is_docx(head: bytes) -> bool:
    """Whether the first bytes of a file are a zip (a .docx is one)."""
    return head.startswith(ZIP_MAGIC)


def is_ole(head: bytes) -> bool:
    return head.startswith(OLE_MAGIC)


def _check_zip(path: Path, shown: str) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CorruptPdfError(shown, f"corrupt Word file ({type(e).__name__})") from e
    if "word/document.xml" not in names:
        raise CorruptPdfError(shown, "not a Word document (a zip without word/document.xml)")
    if total > MAX_UNCOMPRESSED:
        raise TooLargeError(
            shown, f"Word file expands to {total / 1048576:.0f} MB, over the safe limit"
        )


def paragraphs(doc: Any) -> list[Any]:
    """Every paragraph in reading order, table cells included, row by row (merged cells once)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[Any] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, doc))
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats across the row
                        continue
                    seen.add(id(cell._tc))
                    out.extend(cell.paragraphs)
    return out


def _blocks(doc: Any) -> list[str]:
    """The text of every paragraph in reading order."""
    return [p.text for p in paragraphs(doc)]


def parse_docx(path: str | Path, *, max_pages: int = 500, max_file_mb: float = 100.0) -> Document:
    """Parse a .docx into a Document whose units are paragraphs, or raise a one-line InputError.

    `max_pages` bounds paragraphs at 60 per page, the density of a dense contract.
    """
    import docx

    path = Path(path)
    shown = display_name(path)
    _check_zip(path, shown)
    try:
        d = docx.Document(str(path))
        blocks = _blocks(d)
    except Exception as e:  # noqa: BLE001 - python-docx raises many types on broken parts
        raise CorruptPdfError(shown, f"corrupt Word file ({type(e).__name__})") from e
    if len(blocks) > max_pages * 60:
        raise TooLargeError(
            shown, f"{len(blocks)} paragraphs, over the limit for {max_pages} pages"
        )
    parts: list[str] = []
    pages: list[Page] = []
    pos, number = 0, 0
    for raw in blocks:
        text = clean_text(raw).strip("\n")
        if not text.strip():
            continue
        number += 1
        if parts:
            parts.append("\n")
            pos += 1
        parts.append(text)
        pages.append(Page(number=number, start=pos, end=pos + len(text)))
        pos += len(text)
    text = "".join(parts)
    if sum(ch.isalnum() for ch in text) < MIN_TEXT_CHARS:
        raise EmptyPdfError(shown, "Word document has no text")
    return Document(
        path=str(path),
        name=shown,
        sha256=sha256_file(path),
        text=text,
        pages=pages,
        kind="docx",
    )


def refuse_ole(shown: str) -> None:
    """An OLE file where a contract was expected: an encrypted .docx or a legacy .doc."""
    raise EncryptedPdfError(
        shown, "encrypted Word file or legacy .doc (save it as an unencrypted .docx)"
    )
