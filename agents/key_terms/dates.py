"""The agreement date and the effective date, read from the preamble and the definitions."""

from __future__ import annotations

import re

from legal_orch_agents.key_terms.reading import Contract, term

from legal_orch.domain import KeyTerm
from legal_orch.values import find_dates

# A filing's own dates ("Source: ACME INC, 10-Q, 11/8/2018") are not the contract's.
_FILING_LINE = re.compile(r"^[^\n]*(?:Source:|Filed|EDGAR|Exhibit)[^\n]*$", re.M | re.I)
_BLANK_DATE = re.compile(
    r"_{3,}\s*(?:day\s+of|,\s*\d{4}|\d{2,4})|day\s+of\s+_{3,}|\[\s*\]\s*,?\s*\d{4}"
)
_REDACTED_DATE = re.compile(
    r"\[[^\]\n]{0,12}\*[^\]\n]{0,12}\]\s*,?\s*\d{4}|day\s+of\s+\[[^\]\n]{0,12}\*[^\]\n]{0,12}\]"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\[[^\]\n]{0,12}\*[^\]\n]{0,12}\]"
)
_EFFECTIVE = re.compile(r"[\"“]\s*Effective\s+Date\s*[\"”]", re.I)
_MEANS = re.compile(r"\s*(?:shall\s+)?(?:mean|means|is|refers\s+to)\b", re.I)
_ABOVE = re.compile(
    r"date\s+(?:first\s+)?(?:(?:set\s+forth|written|stated|mentioned)\s+)?(?:herein)?above"
    r"|date\s+(?:of\s+this\s+(?:agreement|contract)|hereof)",
    re.I,
)
_SIGNING = re.compile(
    r"\b(?:sign|execut)\w*|date\s+of\s+this\s+(?:agreement|contract)|date\s+hereof", re.I
)
_EFFECTIVE_AS_OF = re.compile(r"\beffective\s+(?:as\s+of|on|from)\s+(?:the\s+)?", re.I)
_COMMENCING = re.compile(
    r"\b(?:commenc\w*|begin\w*|start\w*)\s+(?:on\s+|as\s+of\s+|from\s+)?(?:the\s+)?"
    r"|^[ \t\u00a0]*Effective\s+Date\s*:?[ \t\u00a0]*",
    re.I | re.M,
)


def _dates(c: Contract, start: int, end: int) -> list[tuple[int, int, str]]:
    """Full dates in [start, end) as text offsets, leaving out the filing's own dates."""
    filing = [(m.start(), m.end()) for m in c.search(_FILING_LINE, start, end)]
    return [
        (start + a, start + b, iso)
        for a, b, iso in find_dates(c.text[start:end])
        if not any(x <= start + a < y for x, y in filing)
    ]


def agreement_date(c: Contract) -> KeyTerm | None:
    """The date the contract is made: the first date of its preamble, else the extractor's."""
    if c.preamble:
        a, b = c.preamble
        found = _dates(c, a, b)
        if found:
            s, e, iso = found[0]
            return term(c, iso, iso, (s, e))
        if hidden := _REDACTED_DATE.search(c.text, a, b):
            return term(c, None, None, (hidden.start(), hidden.end()), status="redacted")
        if blank := _BLANK_DATE.search(c.text, a, b):
            return term(
                c,
                None,
                None,
                (blank.start(), blank.end()),
                status="not_stated",
                detail="the date is left blank in this copy",
            )
    for cl in c.anchors("Agreement Date"):
        found = _dates(c, cl.start, cl.end)
        if found and cl.confidence >= 0.3:
            s, e, iso = found[0]
            return term(c, iso, iso, (s, e))
    return None


def effective_date(c: Contract, agreed: KeyTerm | None) -> KeyTerm | None:
    """The effective date: as defined, as stated ("effective as of"), or else the agreement date."""
    for m in c.near(("effective date",), _EFFECTIVE, 5, 30):
        found = _defined_effective(c, m, agreed)
        if found is not None:
            return found
    head = min(len(c.text), 15000)
    for pattern in (_EFFECTIVE_AS_OF, _COMMENCING):
        for m in c.search(pattern, 0, head):
            found = _dates(c, m.end(), min(len(c.text), m.end() + 60))
            if found and len(c.text[m.end() : found[0][0]].strip()) < 5:
                s, e, iso = found[0]
                return term(c, iso, iso, (m.start(), e))
    if agreed is not None and agreed.normalized:
        return agreed.model_copy(
            update={
                "status": "computed",
                "detail": "no separate effective date is stated; the agreement date",
            }
        )
    return None


def _defined_effective(c: Contract, m: re.Match, agreed: KeyTerm | None) -> KeyTerm | None:
    """The date a definition of "Effective Date" gives, from the text around `m`."""
    s0, e0 = c.passage(m.start())
    before = _dates(c, max(s0, m.start() - 250), m.start())
    if before:
        s, e, iso = before[-1]
        return term(c, iso, iso, (s, e), more=((m.start(), m.end()),))
    if not (means := _MEANS.match(c.text, m.end())):
        return None
    stop = min(e0, means.end() + 250)
    after = _dates(c, means.end(), stop)
    if after and after[0][0] - means.end() < 60:
        s, e, iso = after[0]
        return term(c, iso, iso, (m.start(), e))
    if _ABOVE.search(c.text, means.end(), stop) and agreed is not None and agreed.normalized:
        return agreed.model_copy(
            update={
                "detail": "defined as the date of the agreement",
                "citations": [*agreed.citations, c.cite(m.start(), stop)],
            }
        )
    words = c.text[means.end() : stop].split(";")[0].split(".")[0]
    if not words.strip():
        return None
    if _SIGNING.search(words) and agreed is not None and agreed.normalized:
        return agreed.model_copy(
            update={
                "status": "computed",
                "detail": "defined as the date the agreement is signed; taken as its date",
                "citations": [*agreed.citations, c.cite(m.start(), means.end() + len(words))],
            }
        )
    return term(
        c,
        " ".join(words.split())[:160],
        None,
        (m.start(), means.end() + len(words)),
        detail="defined by an event, not a date",
    )
