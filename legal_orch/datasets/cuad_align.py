"""Map a span of one rendering of a contract onto another (pypdf text <-> publisher's text).

The two renderings differ in white space, hyphenation and page furniture, so spans are found on
the stream of lower-cased letters and digits: exactly when possible, else by a prefix and a
suffix anchor, choosing the occurrence nearest the span's relative position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from legal_orch.datasets.cuad_metric import Prediction

if TYPE_CHECKING:
    from legal_orch.datasets.cuad import CuadContract
    from legal_orch.domain import Clause

_ALNUM = re.compile(r"[0-9a-z]")
ANCHOR = 32  # letters and digits on each side used when the whole span is not found
MAX_STRETCH = 1.6  # an anchored match may be this much longer than the span


@dataclass(frozen=True)
class Stream:
    """The letters and digits of a text, lower-cased, with each one's offset in the text."""

    text: str
    chars: str
    offsets: list[int]

    @classmethod
    def of(cls, text: str) -> Stream:
        offsets = [i for i, ch in enumerate(text.lower()) if _ALNUM.match(ch)]
        low = text.lower()
        return cls(text, "".join(low[i] for i in offsets), offsets)

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Text offsets of stream range [a, b)."""
        return self.offsets[a], self.offsets[b - 1] + 1


def squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if _ALNUM.match(ch))


def _nearest(stream: str, needle: str, target: int, start: int = 0) -> int:
    best, i = -1, stream.find(needle, start)
    while i >= 0:
        if best < 0 or abs(i - target) < abs(best - target):
            best = i
        i = stream.find(needle, i + 1)
    return best


def locate(hay: Stream, needle: str, where: float = 0.0) -> tuple[int, int] | None:
    """Find `needle` in `hay` near relative position `where`; text offsets or None."""
    sq = squash(needle)
    if not sq or not hay.chars:
        return None
    target = int(where * len(hay.chars))
    i = _nearest(hay.chars, sq, target)
    if i >= 0:
        return hay.span(i, i + len(sq))
    if len(sq) < 2 * ANCHOR:
        return None
    a = _nearest(hay.chars, sq[:ANCHOR], target)
    if a < 0:
        return None
    b = hay.chars.find(sq[-ANCHOR:], a + ANCHOR)
    if b < 0 or (b + ANCHOR - a) > MAX_STRETCH * len(sq):
        return None
    return hay.span(a, b + ANCHOR)


def project(src: Stream, start: int, end: int, dst: Stream) -> str:
    """The text of `dst` that renders `src.text[start:end]`, or that text itself if not found."""
    piece = src.text[start:end]
    where = start / max(len(src.text), 1)
    hit = locate(dst, piece, where)
    return dst.text[hit[0] : hit[1]] if hit else piece


def question_predictions(
    contract: CuadContract, best: Mapping[str, Sequence[Clause]], pdf: Stream, txt: Stream
) -> dict[str, list[Prediction]]:
    """The n-best predictions of each of the contract's questions, as publisher's text."""
    out: dict[str, list[Prediction]] = {}
    for cat, clauses in best.items():
        out[contract.question_id(cat)] = [
            Prediction(project(pdf, c.start, c.end, txt), c.confidence) for c in clauses
        ]
    return out
