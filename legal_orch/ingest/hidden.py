"""Find the text of a PDF page a reader cannot see: white fill, invisible rendering, a size too
small to read, or placed off the page. Such text is left out of the review (it is never
evidence) and reported, because a contract that hides text is a contract to read with care.

pypdf calls `operand` before every content-stream operator (with the matrices in force) and
`text` each time it emits a run of text; the runs, joined, are exactly the page's text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

WHITE = 0.95  # a fill this light on a white page is not seen
MIN_SIZE = 1.0  # points: smaller text is not read by anyone
_SHOW = (b"Tj", b"TJ", b"'", b'"')


IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


@dataclass
class _State:
    white: bool = False
    invisible: bool = False  # text rendering mode 3 (neither fill nor stroke) or 7 (clip only)
    ctm: list[float] = field(default_factory=lambda: list(IDENTITY))


@dataclass
class PageScan:
    """Collects one page's runs of text and why each is hidden (None: visible)."""

    box: tuple[float, float, float, float]
    # A scanned page's text layer (OCR, a copier's "searchable PDF") is drawn invisibly over
    # the page image: that invisible text is what the reader sees, in the image.
    over_image: bool = False
    state: _State = field(default_factory=_State)
    stack: list[_State] = field(default_factory=list)
    pending: list[str | None] = field(default_factory=list)
    runs: list[tuple[str, str | None]] = field(default_factory=list)

    def operand(self, op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        s = self.state
        if op == b"q":
            self.stack.append(_State(s.white, s.invisible, list(s.ctm)))
        elif op == b"Q" and self.stack:
            self.state = self.stack.pop()
        elif op == b"cm" and len(args) == 6:
            s.ctm = _mult([_num(a) for a in args], s.ctm)
        elif op in (b"rg", b"g", b"k", b"sc", b"scn"):
            s.white = _is_white(op, args)
        elif op == b"Tr" and args:
            s.invisible = _num(args[0]) in (3, 7)
        elif op in _SHOW:
            self.pending.append(self._why(cm, tm))

    def _why(self, cm: list[float], tm: list[float]) -> str | None:
        if self.state.invisible and not self.over_image:
            return "set to be invisible"
        if self.state.white:
            return "white on white"
        # pypdf's own matrix misses some `cm` operators, ours misses forms' matrices: only
        # text that both place off the page is off it.
        if self._off(_mult(tm, cm)) and self._off(_mult(tm, self.state.ctm)):
            return "placed off the page"
        return None

    def _off(self, m: list[float]) -> bool:
        x, y = m[4], m[5]
        x0, y0, x1, y1 = self.box
        return not (x0 - 5 <= x <= x1 and y0 - 5 <= y <= y1)

    def text(self, text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        reasons, self.pending = self.pending, []
        why = reasons[0] if reasons and all(r == reasons[0] for r in reasons) else None
        if why is None and text.strip():
            scale = math.hypot(*_mult(tm, cm)[2:4])
            if (size or 0) * scale < MIN_SIZE:
                why = "too small to read"
        self.runs.append((text, why))


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _is_white(op: bytes, args: list[Any]) -> bool:
    vals = [_num(a) for a in args if not hasattr(a, "startswith")]  # scn may end with a name
    if op == b"k":
        return len(vals) == 4 and all(v <= 1 - WHITE for v in vals)
    return bool(vals) and len(vals) in (1, 3) and all(v >= WHITE for v in vals)


def _mult(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _has_image(page: Any) -> bool:
    """Whether the page's resources hold an image (a scan under an OCR text layer)."""
    try:
        xobjects: Any = page["/Resources"].get_object().get("/XObject")
        if xobjects is None:
            return False
        return any(
            x.get_object().get("/Subtype") == "/Image" for x in xobjects.get_object().values()
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return False


def scan_page(page: Any) -> tuple[str, list[tuple[str, str]]]:
    """Return the page's text with hidden runs blanked (same length), and the hidden runs."""
    box = tuple(float(v) for v in page.mediabox)
    scan = PageScan(
        over_image=_has_image(page),
        box=(min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])),
    )
    raw = page.extract_text(visitor_operand_before=scan.operand, visitor_text=scan.text) or ""
    if "".join(t for t, _ in scan.runs) != raw:
        return raw, []  # runs that do not add up to the text: nothing to place, nothing blanked
    parts, hidden = [], []
    for text, why in scan.runs:
        if why and text.strip():
            hidden.append((text, why))
            parts.append("".join(c if c in "\n\r" else " " for c in text))
        else:
            parts.append(text)
    return "".join(parts), hidden
