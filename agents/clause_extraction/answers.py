"""Normalise an extracted span into CUAD's answer form: ISO date, duration, state or country."""

from __future__ import annotations

from legal_orch.datasets.cuad_categories import (
    DATE_CATEGORIES,
    DURATION_CATEGORIES,
    TEXT_ANSWER,
)
from legal_orch.values import parse_date, parse_duration, parse_place


def answer(category: str, text: str) -> str:
    """CUAD's normalised answer for one extracted span of `category`."""
    if category in DATE_CATEGORIES:
        return parse_date(text) or ("perpetual" if "perpetu" in text.lower() else text.strip())
    if category == "Governing Law":
        return parse_place(text) or text.strip()
    if category in DURATION_CATEGORIES and category in TEXT_ANSWER:
        return parse_duration(text, category) or text.strip()
    if category in TEXT_ANSWER:
        return " ".join(text.split())
    return "Yes"
