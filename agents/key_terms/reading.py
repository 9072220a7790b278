"""What every key-term reader shares: the contract's text, its sentences and the extracted clauses."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from legal_orch.domain import Citation, Clause, Document, KeyTerm, Segmentation

# Offsets of the opening notices SEC filings carry ("[***] indicates material omitted ...").
_NOTICE = re.compile(
    r"confidential\s+treatment|securities\s+and\s+exchange|omitted|redacted|rule\s+24b-2", re.I
)


_UNDERLINE = re.compile(r"-{3,}")
_SENTENCE_END = re.compile(r"\.(?=[\s\u00a0]+[A-Z0-9(“\"])|\.\s*$|\n[\s\u00a0]*\n", re.M)


@dataclass
class Contract:
    """One contract as the readers see it: text, sentence spans and clauses by category."""

    doc: Document
    seg: Segmentation
    clauses: list[Clause]
    by_category: dict[str, list[Clause]] = field(default_factory=dict)
    preamble: tuple[int, int] | None = None  # where the parties are named, once found
    _starts: list[int] = field(default_factory=list)
    _low: str = ""
    _plain: str = ""

    def __post_init__(self) -> None:
        for c in sorted(self.clauses, key=lambda c: -c.confidence):
            self.by_category.setdefault(c.category, []).append(c)
        self._starts = [s.start for s in self.seg.sentences]
        # lower-cased once, non-breaking spaces as spaces and offsets kept: literal cues are
        # found with str.find, far faster than a regex pass
        self._plain = _UNDERLINE.sub(lambda m: " " * len(m.group(0)), self.doc.text)
        low = self._plain.lower()
        if len(low) != len(self._plain):  # a few letters lower-case to two characters
            low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in self._plain)
        self._low = low.replace("\u00a0", " ")

    @property
    def text(self) -> str:
        """The document's text with underlining ("-----" under a line) read as spaces."""
        return self._plain

    def sentence(self, offset: int) -> tuple[int, int]:
        """The sentence holding `offset` as [start, end); a 400-character window without one."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.seg.sentences[i].end > offset:
            s = self.seg.sentences[i]
            return s.start, s.end
        return max(0, offset - 200), min(len(self.text), offset + 200)

    def passage(self, offset: int) -> tuple[int, int]:
        """The full sentence around `offset`, read across the line breaks a PDF puts inside one.

        Starts after the last full stop, semicolon-free blank line or clause number before it and
        ends at the next full stop that a capital, a number or a blank line follows.
        """
        lo = max(0, offset - 400)
        head = self.text[lo:offset]
        cuts = [m.end() for m in _SENTENCE_END.finditer(head)]
        start = lo + cuts[-1] if cuts else lo
        while start < offset and self.text[start].isspace():
            start += 1
        m = _SENTENCE_END.search(self.text, offset, min(len(self.text), offset + 700))
        end = m.start() + 1 if m else min(len(self.text), offset + 700)
        return start, end

    def anchors(self, *categories: str) -> list[Clause]:
        """The extracted clauses of `categories`, the most confident first."""
        out = [c for cat in categories for c in self.by_category.get(cat, [])]
        return sorted(out, key=lambda c: -c.confidence)

    def cite(self, start: int, end: int) -> Citation:
        return self.doc.cite(start, end)

    def search(
        self, pattern: re.Pattern[str], start: int = 0, end: int | None = None
    ) -> Iterator[re.Match]:
        """Matches of `pattern` in the text between `start` and `end`, offsets into the text."""
        yield from pattern.finditer(self.text, start, len(self.text) if end is None else end)

    def near(
        self, cues: tuple[str, ...], pattern: re.Pattern[str], before: int = 300, after: int = 400
    ) -> Iterator[re.Match]:
        """Matches of `pattern` around the (lower-case) `cues`, in text order, each once.

        A long contract is read only where a cue word occurs: the same matches as a pass over
        the whole text wherever every match lies within `before`/`after` of a cue.
        """
        hits = sorted(i for cue in cues for i in _finds(self._low, cue))
        windows: list[list[int]] = []
        for i in hits:
            a, b = max(0, i - before), min(len(self.text), i + after)
            if windows and a <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], b)
            else:
                windows.append([a, b])
        seen: set[int] = set()
        for a, b in windows:
            for m in pattern.finditer(self.text, a, b):
                if m.start() not in seen:
                    seen.add(m.start())
                    yield m

    def is_notice(self, start: int, end: int) -> bool:
        """Whether [start, end) is part of a filing's redaction notice, not of the contract."""
        return bool(_NOTICE.search(self.text[start:end]))


def _finds(text: str, cue: str) -> Iterator[int]:
    i = text.find(cue)
    while i >= 0:
        yield i
        i = text.find(cue, i + 1)


def term(
    c: Contract,
    value: str | None,
    normalized: str | float | int | bool | None,
    span: tuple[int, int],
    *,
    unit: str | None = None,
    status: str = "stated",
    detail: str | None = None,
    more: tuple[tuple[int, int], ...] = (),
) -> KeyTerm:
    """A key term citing `span` (and `more` spans) of the contract's text."""
    cites = [c.cite(*span), *(c.cite(*s) for s in more)]
    return KeyTerm(
        value=value,
        normalized=normalized,
        unit=unit,
        status=status,  # type: ignore[arg-type]
        detail=detail,
        citations=[x for x in cites if x.quote],
    )
