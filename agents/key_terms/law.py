"""The governing law and the forum for disputes."""

from __future__ import annotations

import re

from legal_orch_agents.key_terms.reading import Contract, term

from legal_orch.domain import KeyTerm
from legal_orch.values import clean_space, is_redacted, parse_place

_INCORPORATED = re.compile(r"organi[sz]ed|incorporated|existing|formed|registered", re.I)
_GOVERNED = re.compile(
    r"\b(?:govern\w*|constru\w+|interpret\w*|enforc\w+|subject\s+to)\b[^.;]{0,120}?"
    r"(?:\b(?:laws?|legislation)\b|\bPRC\b)"
    r"|\b(?:pursuant\s+to|in\s+accordance\s+with)\s+the\s+laws?\s+of\b"
    r"|\blaws?\s+of\s+(?:the\s+)?(?:state\s+of\s+|province\s+of\s+|commonwealth\s+of\s+)?[A-Z][^.;]{0,120}?"
    r"\s+(?:shall\s+)?govern",
    re.I,
)
_FORUM = re.compile(
    r"\b(?:exclusive|non-exclusive|submit\w*\s+to\s+the)\s+jurisdiction\b|\bvenue\b|\bcourts?\s+(?:of|in|located|sitting)\b"
    r"|\barbitrat\w+\b[^.;]{0,200}?\b(?:held|conducted|take\s+place|seated|located|venue|seat)\b",
    re.I,
)


def _place_span(c: Contract, start: int, end: int, place: str) -> tuple[int, int] | None:
    words = r"\s+".join(re.escape(w).replace("'", "['’]") for w in place.split())
    m = re.compile(words, re.I).search(c.text, start, end)
    return (m.start(), m.end()) if m else None


def governing_law(c: Contract) -> KeyTerm | None:
    """The state or country whose law governs, citing where the contract names it."""
    starts = sorted(
        {
            m.start()
            for m in c.near(
                ("govern", "constru", "interpret", "legislation", "pursuant to the laws"),
                _GOVERNED,
                10,
                260,
            )
        }
        | {cl.start for cl in c.anchors("Governing Law") if cl.confidence >= 0.5}
    )
    for start in starts:
        m = _GOVERNED.search(c.text, start, min(len(c.text), start + 400))
        if not m or _INCORPORATED.search(c.text, max(0, m.start() - 60), m.start() + 12):
            continue  # "organized pursuant to the laws of Delaware" is where a party was formed
        end = min(len(c.text), m.end() + 120)
        lo = max(c.passage(m.start())[0], m.start() - 200)
        place = parse_place(c.text[m.start() : end]) or parse_place(c.text[lo:end])
        if place and (span := _place_span(c, lo, end, place)):
            return term(c, place, place, span, more=(c.passage(m.start()),))
        if place:  # named another way ("the laws of the PRC", "English law"): cite the phrase
            stop = re.search(r"[.;,(]", c.text[m.end() : end])
            span = (m.start(), m.end() + (stop.start() if stop else end - m.end()))
            return term(c, place, place, span, more=(c.passage(m.start()),))
        if is_redacted(c.text[m.end() : m.end() + 30]):
            return term(c, None, None, (m.start(), m.end() + 30), status="redacted")
    return None


def forum(c: Contract) -> KeyTerm | None:
    """Where disputes are heard: the courts or the seat of arbitration the contract names."""
    for m in c.near(("jurisdiction", "venue", "court", "arbitrat"), _FORUM, 220, 60):
        s, e = c.passage(m.start())
        text = c.text[s:e]
        if (
            "waive" in text.lower()
            and "jury" in text.lower()
            and "jurisdiction" not in text.lower()
        ):
            continue
        place = parse_place(c.text[m.start() : e]) or parse_place(text)
        if not place:
            continue
        kind = "arbitration" if re.search(r"arbitrat", text, re.I) else "courts"
        city = re.search(
            r"\b(?:in|of)\s+(?:the\s+)?(?:City\s+of\s+|County\s+of\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}(?:\s+County)?),\s+"
            + re.escape(place.split()[0]),
            clean_space(text),
        )
        where = f"{city.group(1)}, {place}" if city else place
        value = f"arbitration in {where}" if kind == "arbitration" else f"courts of {where}"
        exclusive = re.search(r"non-exclusive", text, re.I) is None and re.search(
            r"exclusive", text, re.I
        )
        detail = "exclusive" if exclusive and kind == "courts" else None
        span = _place_span(c, s, e, place) or (s, e)
        return term(c, value, place, span, detail=detail, more=((s, e),))
    return None
