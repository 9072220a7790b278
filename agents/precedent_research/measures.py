"""The market measures of a clause: its law, its periods in days and the basis of its cap.

The same functions read the precedent contracts (at build time, from CUAD's answers and
highlights) and the contract under review (from its extracted clauses), so the two are compared
on one scale. Each returns None when the text does not state the measure: a raw sentence never
stands in for a value.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from legal_orch_agents.common.attributes import extract_attributes

from legal_orch.domain import Attribute, Document, Page
from legal_orch.jurisdictions import US_STATES

_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\)?\s*(day|week|month|year)s?\b", re.I)
# A normalised answer is short ("successive 1 year", "30 days"); a longer one is a sentence.
MAX_ANSWER_CHARS = 40
# A jurisdiction inside another one names the law; the country adds nothing ("Ontario, Canada").
_PARENT = {
    **{s: "United States" for s in US_STATES},
    "Ontario": "Canada",
    "British Columbia": "Canada",
    "Quebec": "Canada",
    "New South Wales": "Australia",
    "England and Wales": "United Kingdom",
    "Scotland": "United Kingdom",
}


def attributes(text: str) -> list[Attribute]:
    """Return the typed attributes the shared rules read in `text`."""
    doc = Document(
        path="", name="", sha256="", text=text, pages=[Page(number=1, start=0, end=len(text))]
    )
    return extract_attributes(doc, 0, len(text))


def jurisdictions(text: str) -> list[str]:
    """Return the jurisdictions named in `text`, normalised, without a country of a named state."""
    found: list[str] = []
    for a in attributes(text):
        name = str(a.normalized or a.value)
        if a.kind == "jurisdiction" and name not in found:
            found.append(name)
    return [j for j in found if j not in {_PARENT.get(other) for other in found}]


def answer_days(answer: str | None) -> float | None:
    """Return the period of a normalised answer in days ("successive 1 year" -> 365), or None."""
    if not answer or len(answer) > MAX_ANSWER_CHARS:
        return None
    m = _DURATION.search(answer)
    return float(m.group(1)) * _UNIT_DAYS[m.group(2).lower()] if m else None


def notice_days(text: str) -> float | None:
    """Return the shortest notice period stated in `text`, in days, or None."""
    days = [
        float(a.normalized) for a in attributes(text) if a.kind == "notice_days" and a.normalized
    ]
    return min(days) if days else None


def first_duration(text: str) -> float | None:
    """Return the first period (not a notice period) stated in `text`, in days, or None."""
    days = [float(a.normalized) for a in attributes(text) if a.kind == "duration" and a.normalized]
    return days[0] if days else None


@dataclass(frozen=True)
class Cap:
    """How a liability cap is set: a multiple of the fees (over `months`, or all) or a sum."""

    basis: str  # "fees" or "amount"
    multiple: float | None = None  # of the fees; 1.0 where the fees themselves are the cap
    months: int | None = None  # the fees of this many months; None: all fees paid
    amount: float | None = None  # the fixed sum

    def describe(self) -> str:
        """Say the cap as a lawyer would ("1× the fees of the prior 12 months")."""
        if self.basis == "amount":
            return f"a fixed sum of {self.amount:,.0f}"
        months = f"the fees of the prior {self.months} months" if self.months else "the fees paid"
        return f"{format_multiple(self.multiple or 1.0)} {months}"

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def format_multiple(m: float) -> str:
    """Write a multiple as 1×, 1.5×, 0.5×."""
    return f"{m:g}×"


_CAP_ANCHOR = re.compile(
    r"\b(?:exceed(?:s|ing)?|limited\s+to|in\s+excess\s+of|greater\s+than|more\s+than|capped\s+at"
    r"|maximum\s+(?:aggregate\s+)?(?:liability|amount)[^.;]{0,60}?\b(?:is|be|equal|of))\b",
    re.I,
)
_FEES = re.compile(
    r"\b(?:fees?|amounts?\s+(?:paid|payable|received|actually)|payments?|price|remuneration"
    r"|compensation|charges|consideration|royalt(?:y|ies)|sums?\s+paid|purchase\s+price)\b",
    re.I,
)
_TWICE = re.compile(r"\b(?:twice|double)\b", re.I)
_YEAR_BACK = re.compile(
    r"\b(?:prior|preceding|previous|last)\s+(?:twelve\s+)?(?:\(12\)\s+)?(?:calendar\s+|contract\s+)?"
    r"year\b|\bannual\b|\bper\s+(?:contract\s+|calendar\s+)?year\b",
    re.I,
)
_WINDOW = 260


def cap(text: str) -> Cap | None:
    """Read how `text` caps liability (a multiple of fees or a fixed sum), or None."""
    for anchor in _CAP_ANCHOR.finditer(text):
        window = re.split(r"(?<=[a-z)\]])\.\s|;", text[anchor.end() : anchor.end() + _WINDOW])[0]
        found = _cap_in(window)
        if found:
            return found
    return None


def _cap_in(window: str) -> Cap | None:
    attrs = attributes(window)
    money = next((a for a in attrs if a.kind == "money"), None)
    fees = _FEES.search(window)
    if money and (not fees or money.citation.start < fees.start()):
        return Cap(basis="amount", amount=float(money.normalized or 0))
    if not fees:
        return None
    multiple = next(
        (float(a.normalized) for a in attrs if a.kind == "multiple" and a.normalized), None
    )
    if multiple is None:
        percent = next(
            (a for a in attrs if a.kind == "percent" and a.citation.start < fees.start()), None
        )
        multiple = float(percent.normalized) / 100 if percent and percent.normalized else None
    if multiple is None and _TWICE.search(window[: fees.start()]):
        multiple = 2.0
    periods = [float(a.normalized) for a in attrs if a.kind == "duration" and a.normalized]
    months = round(periods[0] / 30) if periods else (12 if _YEAR_BACK.search(window) else None)
    months = 12 if months in (12, 13) else months  # "one year" is 365 days, not 12.2 months
    return Cap(basis="fees", multiple=multiple or 1.0, months=months or None)
