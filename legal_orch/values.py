"""Normalise the values legal text states: dates (ISO), durations ("N units"), money (ISO currency)
and governing places.

Every parser reads text as a PDF gives it: non-breaking spaces and line breaks inside a value
("New\u00a0York", "thirty\n(30) days") are plain spaces to it.
"""

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
        "twenty-one": 21,
        "twenty-five": 25,
        "forty": 40,
        "fifty": 50,
        "seventy-five": 75,
        "one hundred": 100,
        "one hundred and twenty": 120,
        "one hundred and eighty": 180,
        "three hundred sixty-five": 365,
        "a": 1,
        "an": 1,
    }
)
_MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DMY = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:day\s+of\s+|of\s+)?{_MONTH_NAME},?\s+(\d{{4}})", re.I
)
_MDY = re.compile(rf"\b{_MONTH_NAME}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})\b", re.I)
_NUM = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_DURATION = re.compile(
    r"\b(\d+|" + "|".join(sorted(map(re.escape, _NUMBERS), key=len, reverse=True)) + r")"
    r"(?:\s*\((\d+)\)|\s*\([a-z]+(?:[- ][a-z]+)?\))?[\s-]+"
    r"((?:calendar|business|contract|full|consecutive|working)\s+)?"
    r"(day|week|month|year)s?\b",
    re.I,
)
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
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
    "Brazil",
    "Austria",
    "Kazakhstan",
    "New Zealand",
    "South Africa",
    "Thailand",
    "Philippines",
    "Malaysia",
    "United Kingdom",
    "Hong Kong SAR",
    "Nova Scotia",
    "Alberta",
    "New South Wales",
    "Victoria",
]
_PLACES = sorted([*US_STATES, *_COUNTRIES], key=len, reverse=True)
_LAW = re.compile(
    r"(?:laws?|legislation)\s+(?:of|in)\s+(?:the\s+)?"
    r"(?:state\s+of\s+|commonwealth\s+of\s+|province\s+of\s+|republic\s+of\s+)?",
    re.I,
)
# "English law", "the laws of the PRC": names of a place that are not the place's name.
_PLACE_ALIASES = {
    r"\bEnglish\s+law": "England",
    r"\bPRC\b": "People's Republic of China",
    r"\bR\.\s?O\.\s?C\.?(?![A-Za-z])|\bROC\b|Republic\s+of\s+China\s*\(Taiwan\)": "Taiwan",
    r"\bScots?\s+law|\bScottish\s+law": "Scotland",
    r"\bSwiss\s+law": "Switzerland",
    r"\bGerman\s+law": "Germany",
    r"\bIsraeli\s+law": "Israel",
    r"\bIrish\s+law": "Ireland",
}


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first full date in `text` as `YYYY-MM-DD`, or None."""
    text = clean_space(text)
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


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Every full date in `text` as (start, end, ISO date), offsets into `text` itself."""
    out = []
    for m in _DMY.finditer(text):
        if d := _iso(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1))):
            out.append((m.start(), m.end(), d))
    for m in _MDY.finditer(text):
        if d := _iso(int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2))):
            out.append((m.start(), m.end(), d))
    for m in _NUM.finditer(text):
        y = int(m.group(3))
        y = y + 2000 if y < 50 else y + 1900 if y < 100 else y
        if d := _iso(y, int(m.group(1)), int(m.group(2))):
            out.append((m.start(), m.end(), d))
    out.sort()
    return [d for i, d in enumerate(out) if i == 0 or d[0] >= out[i - 1][1]]


# The words a duration of each category sits near ("at least 90 days' prior notice").
_CUES = {
    "Notice Period to Terminate Renewal": re.compile(r"notice|prior|before|advance", re.I),
    "Renewal Term": re.compile(r"renew|successive|additional|extend", re.I),
}


def duration_parts(text: str, category: str | None = None) -> tuple[int, str] | None:
    """The duration in `text` as (number, unit): ("thirty (30) days") -> (30, "day").

    With a category that has cue words, the duration nearest a cue wins over the first one.
    """
    text = clean_space(text)
    found = [m for m in _DURATION.finditer(text) if m.group(1).lower() not in ("a", "an")]
    found = found or list(_DURATION.finditer(text))
    if not found:
        return None
    m = found[0]
    cue = _CUES.get(category or "")
    if cue and (hits := [c.start() for c in cue.finditer(text)]):
        m = min(found, key=lambda d: min(abs(d.start() - h) for h in hits))
    return _parts(m)


def _parts(m: re.Match[str]) -> tuple[int, str]:
    raw = m.group(1).lower()
    n = int(m.group(2)) if m.group(2) else int(raw) if raw.isdigit() else _NUMBERS[raw]
    return n, m.group(4).lower()


def find_durations(text: str) -> list[tuple[int, int, int, str]]:
    """Every duration in `text` as (start, end, number, unit), offsets into `text` itself."""
    return [(m.start(), m.end(), *_parts(m)) for m in _DURATION.finditer(text)]


def duration_words(n: int, unit: str) -> str:
    """ "1 year", "30 days": the form CUAD and the reports write durations in."""
    return f"{n} {unit}{'s' if n != 1 else ''}"


def duration_days(n: int, unit: str) -> int:
    """Days in `n` units: a year is 365 days, whole years of months too ("12 months"), else 30."""
    if unit == "month" and n % 12 == 0:
        return n // 12 * 365
    return n * _UNIT_DAYS[unit]


def parse_duration(text: str, category: str | None = None) -> str | None:
    """The duration in `text` as "N unit(s)" (e.g. "1 year", "30 days"), or None."""
    parts = duration_parts(text, category)
    return duration_words(*parts) if parts else None


def add_duration(iso: str, n: int, unit: str) -> str:
    """The ISO date `n` units after `iso` (the same day of the month, or the month's last day)."""
    d = date.fromisoformat(iso)
    if unit == "day":
        return date.fromordinal(d.toordinal() + n).isoformat()
    if unit == "week":
        return date.fromordinal(d.toordinal() + 7 * n).isoformat()
    months = d.month - 1 + (n * 12 if unit == "year" else n)
    y, m = d.year + months // 12, months % 12 + 1
    last = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31]
    last += [30, 31, 30, 31]
    return date(y, m, min(d.day, last[m - 1])).isoformat()


def days_before(iso: str, days: int) -> str:
    """The ISO date `days` days before `iso`."""
    return date.fromordinal(date.fromisoformat(iso).toordinal() - days).isoformat()


def parse_place(text: str) -> str | None:
    """The state or country whose law governs, as named in `text`, or None."""
    text = clean_space(text).replace("’", "'")
    for m in _LAW.finditer(text):
        tail = text[m.end() : m.end() + 60].lower()
        for place in _PLACES:
            if tail.startswith(place.lower()):
                return place
    low = text.lower()
    hits = [(low.find(p.lower()), p) for p in _PLACES if p.lower() in low]
    hits += [(h.start(), p) for a, p in _PLACE_ALIASES.items() if (h := re.search(a, text))]
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


_CURRENCY = {
    "$": "USD",
    "us$": "USD",
    "u.s.$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "u.s. dollars": "USD",
    "us dollars": "USD",
    "united states dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pounds sterling": "GBP",
    "cdn$": "CAD",
    "c$": "CAD",
    "cad": "CAD",
    "canadian dollars": "CAD",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "chf": "CHF",
    "swiss francs": "CHF",
    "rmb": "CNY",
    "a$": "AUD",
    "aud": "AUD",
}
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "m": 1e6, "mm": 1e6, "k": 1e3}
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CUR_BEFORE = r"US\s?\$|U\.S\.\s?\$|CDN\s?\$|C\$|A\$|USD|EUR|GBP|CAD|CHF|JPY|RMB|AUD|\$|€|£|¥"
_CUR_AFTER = (
    r"(?:U\.S\.|US|United\s+States|Canadian)\s+dollars|dollars|euros?|pounds\s+sterling"
    r"|swiss\s+francs|yen|USD|EUR|GBP|CAD|CHF|JPY|RMB|AUD"
)
MONEY = re.compile(
    rf"(?P<cur>{_CUR_BEFORE})\s?(?P<amt>{_AMOUNT})(?:\s?(?P<scale>thousand|million|billion|mm|m|k)\b)?"
    rf"|(?P<amt2>{_AMOUNT})\s?(?P<scale2>thousand|million|billion)?\s?(?P<cur2>{_CUR_AFTER})\b",
    re.I,
)


def parse_money(text: str) -> tuple[float, str] | None:
    """The first amount of money in `text` as (amount, ISO 4217 code): "$1.5 million" -> 1.5e6 USD."""
    m = MONEY.search(clean_space(text))
    return money_of(m) if m else None


def money_of(m: re.Match[str]) -> tuple[float, str]:
    """The (amount, ISO code) of one `MONEY` match."""
    amt = m.group("amt") or m.group("amt2")
    scale = (m.group("scale") or m.group("scale2") or "").lower()
    cur = clean_space(m.group("cur") or m.group("cur2")).lower()
    code = _CURRENCY.get(cur) or _CURRENCY.get(cur.replace(" ", "")) or cur.upper()
    return float(amt.replace(",", "")) * _SCALE.get(scale, 1.0), code
