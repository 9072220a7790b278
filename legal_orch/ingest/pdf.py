"""Parse a PDF with pypdf into one document text with each page's character range."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError

from legal_orch.domain import Document, HiddenText, Page
from legal_orch.errors import (
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    InputError,
    NotAPdfError,
    NoTextLayerError,
    TooLargeError,
)
from legal_orch.ingest.hidden import scan_page

PAGE_BREAK = "\n\n"
# A page with fewer word characters than this is treated as having no text layer.
MIN_TEXT_CHARS = 20
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A font's ToUnicode map may name half a UTF-16 pair: no character, and no UTF-8 encodes it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NAME_CTRL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# pypdf logs every recoverable oddity of real-world PDFs; the review reports what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def display_name(path: Path) -> str:
    """Return a file name safe to show on one line (control characters replaced)."""
    return _NAME_CTRL.sub("?", path.name)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_size(path: Path, shown: str, max_file_mb: float) -> None:
    """Refuse a path that is missing, not a file, empty or over the size limit."""
    if not path.exists():
        raise InputError(shown, "no such file")
    if not path.is_file():
        raise InputError(shown, "not a file")
    size = path.stat().st_size
    if size == 0:
        raise EmptyPdfError(shown, "empty file (0 bytes)")
    if size > max_file_mb * 1024 * 1024:
        raise TooLargeError(
            shown, f"file is {size / 1048576:.1f} MB, over the {max_file_mb:g} MB limit"
        )


def _check_file(path: Path, shown: str, max_file_mb: float) -> None:
    check_size(path, shown, max_file_mb)
    with path.open("rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        raise NotAPdfError(shown, "not a PDF (no %PDF- header)")


# pypdf decrypts AES only with the `cryptography` package (a declared dependency); without it
# an AES-encrypted PDF must still read as encrypted, never as corrupt or as a traceback.
_NEEDS_AES = "encrypted PDF (AES): reading it needs the 'cryptography' package"
_TOO_DEEP = "corrupt PDF (its page tree is nested deeper than any real document's)"


def _open(path: Path, shown: str) -> PdfReader:
    try:
        reader = PdfReader(str(path), strict=False)
    except FileNotDecryptedError as e:
        raise EncryptedPdfError(shown, "encrypted PDF (password required)") from e
    except DependencyError as e:
        raise EncryptedPdfError(shown, _NEEDS_AES) from e
    except LimitReachedError as e:
        raise CorruptPdfError(shown, _TOO_DEEP) from e
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as e:
        raise CorruptPdfError(shown, f"corrupt PDF ({type(e).__name__}: {str(e)[:80]})") from e
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise EncryptedPdfError(shown, "encrypted PDF (password required)")
        except DependencyError as e:
            raise EncryptedPdfError(shown, _NEEDS_AES) from e
        except (FileNotDecryptedError, NotImplementedError, PdfReadError) as e:
            raise EncryptedPdfError(shown, "encrypted PDF (password required)") from e
    return reader


def clean_text(text: str) -> str:
    """Drop control characters and normalise line ends."""
    # NUL and other control characters break downstream tools and are never contract text.
    text = _SURROGATE.sub("\ufffd", text)
    return _CTRL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_pdf(path: str | Path, *, max_pages: int = 500, max_file_mb: float = 100.0) -> Document:
    """Parse `path` into a Document, or raise an InputError subclass with a one-line reason."""
    path = Path(path)
    shown = display_name(path)
    _check_file(path, shown, max_file_mb)
    reader = _open(path, shown)
    try:
        n_pages = len(reader.pages)
    except LimitReachedError as e:
        raise CorruptPdfError(shown, _TOO_DEEP) from e
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError) as e:
        raise CorruptPdfError(shown, f"corrupt PDF ({type(e).__name__})") from e
    if n_pages == 0:
        raise EmptyPdfError(shown, "PDF has no pages")
    if n_pages > max_pages:
        raise TooLargeError(shown, f"{n_pages} pages, over the {max_pages}-page limit")
    parts: list[str] = []
    pages: list[Page] = []
    hidden: list[HiddenText] = []
    pos = 0
    for i, page in enumerate(reader.pages, start=1):
        try:
            raw, runs = scan_page(page)
            text = clean_text(raw)
            hidden += _hidden(i, runs)
        except DependencyError as e:
            raise EncryptedPdfError(shown, _NEEDS_AES) from e
        except LimitReachedError as e:
            raise TooLargeError(
                shown, f"page {i} expands past the reading limits (a crafted PDF?)"
            ) from e
        except MemoryError:
            raise  # over the memory limit (legal_orch.ingest.limits), not a corrupt file
        except Exception as e:  # noqa: BLE001 - pypdf raises many types on broken streams
            raise CorruptPdfError(shown, f"corrupt page {i} ({type(e).__name__})") from e
        if parts:
            parts.append(PAGE_BREAK)
            pos += len(PAGE_BREAK)
        parts.append(text)
        pages.append(Page(number=i, start=pos, end=pos + len(text)))
        pos += len(text)
    text = "".join(parts)
    if sum(ch.isalnum() for ch in text) < MIN_TEXT_CHARS:
        raise NoTextLayerError(shown, f"no text layer ({n_pages} page(s), scanned or image-only?)")
    return Document(
        path=str(path), name=shown, sha256=sha256_file(path), text=text, pages=pages, hidden=hidden
    )


def _hidden(page: int, runs: list[tuple[str, str]]) -> list[HiddenText]:
    """One record per page and reason, with the first words of what was hidden."""
    by_why: dict[str, list[str]] = {}
    for text, why in runs:
        by_why.setdefault(why, []).append(text)
    out = []
    for why, texts in by_why.items():
        joined = " ".join(" ".join(texts).split())
        preview = joined if len(joined) <= 120 else joined[:119] + "…"
        out.append(HiddenText(page=page, why=why, chars=len(joined), preview=clean_text(preview)))
    return out
