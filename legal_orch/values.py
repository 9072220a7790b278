"""Normalise the values legal text states: dates (ISO), durations ("N units") and governing places."""

from __future__ import annotations

import re
from datetime import date

from legal_orch.jurisdictions import US_STATES

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}
_NUMBERS.update(
    {
        "thirty": 30,
        "sixty": 60,
        "ninety": 90,
        "fifteen": 15,
        "twenty": 20,
        "forty-five": 45,
        "forty five": 45,
        "one hundred twenty": 120,
        "eighteen": 18,
        "twenty-four": 24,
        "thirty-six": 36,
        "one hundred eighty": 180,
    }
)
_MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DMY = re.compile(
    rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?{_MONTH_NAME},?\s+(\d{{4}})", re.I
)
_MDY = re.compile(rf"{_MONTH_NAME}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})", re.I)
_NUM = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_DURATION = re.compile(
    r"\b(\d+|" + "|".join(sorted(map(re.escape, _NUMBERS), key=len, reverse=True)) + r")"
    r"(?:\s*\(\d+\))?[\s-]+(calendar\s+|business\s+)?(day|week|month|year)s?\b",
    re.I,
)
_COUNTRIES = [
    "England",
    "England and Wales",
    "Israel",
    "Germany",
    "Hong Kong",
    "Singapore",
    "Ontario",
    "British Columbia",
    "Canada",
    "China",
    "People's Republic of China",
    "Switzerland",
    "Ireland",
    "France",
    "Japan",
    "India",
    "Netherlands",
    "Sweden",
    "Scotland",
    "Bermuda",
    "Cayman Islands",
    "Korea",
    "Australia",
    "Italy",
    "Spain",
    "Taiwan",
    "Luxembourg",
    "Belgium",
    "Denmark",
    "Finland",
    "Norway",
    "Mexico",
    "Quebec",
]
_PLACES = sorted([*US_STATES, *_COUNTRIES], key=len, reverse=True)
_LAW = re.compile(r"laws?\s+(?:of|in)\s+(?:the\s+)?(?:state\s+of\s+|commonwealth\s+of\s+)?", re.I)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first full date in `text` as `YYYY-MM-DD`, or None."""
    found = []
    if m := _DMY.search(text):
        found.append(
            (m.start(), _iso(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1))))
        )
    if m := _MDY.search(text):
        found.append(
            (m.start(), _iso(int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2))))
        )
    if m := _NUM.search(text):
        y = int(m.group(3))
        found.append(
            (
                m.start(),
                _iso(
                    y + 2000 if y < 50 else y + 1900 if y < 100 else y,
                    int(m.group(1)),
                    int(m.group(2)),
                ),
            )
        )
    found = [f for f in found if f[1]]
    return min(found)[1] if found else None


# The words a duration of each category sits near ("at least 90 days' prior notice").
_CUES = {
    "Notice Period to Terminate Renewal": re.compile(r"notice|prior|before|advance", re.I),
    "Renewal Term": re.compile(r"renew|successive|additional|extend", re.I),
}


def parse_duration(text: str, category: str | None = None) -> str | None:
    """The duration in `text` as "N unit(s)" (e.g. "1 year", "30 days"), or None.

    With a category that has cue words, the duration nearest a cue wins over the first one.
    """
    found = list(_DURATION.finditer(text))
    if not found:
        return None
    m = found[0]
    cue = _CUES.get(category or "")
    if cue and (hits := [c.start() for c in cue.finditer(text)]):
        m = min(found, key=lambda d: min(abs(d.start() - h) for h in hits))
    raw = m.group(1).lower()
    n = int(raw) if raw.isdigit() else _NUMBERS[raw]
    unit = m.group(3).lower()
    return f"{n} {unit}{'s' if n != 1 else ''}"


def parse_place(text: str) -> str | None:
    """The state or country whose law governs, as named in `text`, or None."""
    for m in _LAW.finditer(text):
        tail = text[m.end() : m.end() + 60].lower()
        for place in _PLACES:
            if tail.startswith(place.lower()):
                return place
    low = text.lower()
    hits = [(low.find(p.lower()), p) for p in _PLACES if p.lower() in low]
    return min(hits)[1] if hits else None


# SEC filings hide confidential terms: "[*****]", "[***]", "[…***…]", "[REDACTED]", "[ ]",
# "[Confidential Treatment Requested]", "$[ ]" and "XX,XXX". A value so hidden is `redacted`:
# never a value, never a pass.
REDACTED = re.compile(
    r"\[\s*(?:[*•.…\s]*\*[*•.…\s]*|redacted|omitted|confidential[^\]]{0,60}|\s{1,8}|x+)\s*\]"
    r"|\*{3,}|(?<![A-Za-z])X{2,}(?:[,.]X{2,})*(?![A-Za-z])",
    re.I,
)


def is_redacted(text: str) -> bool:
    """Whether `text` carries a redaction mark where a value would be."""
    return bool(REDACTED.search(text))


def clean_space(text: str) -> str:
    """Collapse white space, non-breaking spaces included, to single spaces."""
    return " ".join(text.replace("\u00a0", " ").split())
