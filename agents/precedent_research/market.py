"""Compare a clause's normalised answer with the precedent distribution of its category.

Answers are CUAD's normalised forms ("30 days", "successive 1 year", "New York", "Yes"): a
duration is compared by length, anything else as a category ("how many precedents agree").
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence

_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\b", re.I)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^[\d\[\]]{1,4}/[\d\[\]]{1,4}/[\d\[\]]{2,4}$")
MIN_PRECEDENTS = 5  # below this a distribution says nothing worth printing


def duration_days(answer: str) -> float | None:
    """Return the first duration in `answer` in days ("successive 1 year" -> 365), or None."""
    m = _DURATION.search(answer)
    return float(m.group(1)) * _UNIT_DAYS[m.group(2).lower()] if m else None


def format_days(days: float) -> str:
    """Write days as contracts do: whole years, whole months from six on, else days."""
    if days >= 365 and days % 365 == 0:
        n = int(days // 365)
        return f"{n} year{'s' if n != 1 else ''}"
    if days >= 180 and days % 30 == 0:
        return f"{int(days // 30)} months"
    n = round(days)
    return f"{n} day{'s' if n != 1 else ''}"


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def compare_duration(category: str, ours: str, days: float, theirs: Sequence[float]) -> str:
    """Describe where a duration sits among the precedent durations."""
    n = len(theirs)
    more = sum(d > days for d in theirs)
    less = sum(d < days for d in theirs)
    return (
        f"{category}: {ours} here; {_pct(more, n)}% of {n} precedent contracts give more and "
        f"{_pct(less, n)}% less (median {format_days(statistics.median_low(theirs))})."
    )


def compare_value(category: str, ours: str, theirs: Sequence[str]) -> str:
    """Describe how many precedents share a categorical answer, and the most common ones."""
    counts = Counter(t.strip().lower() for t in theirs)
    labels: dict[str, str] = {}
    for t in theirs:
        labels.setdefault(t.strip().lower(), t.strip())  # the first spelling seen names it
    n = len(theirs)
    top = ", ".join(f"{labels[v]} {_pct(c, n)}%" for v, c in counts.most_common(3))
    same = counts.get(ours.strip().lower(), 0)
    return (
        f"{category}: {ours} here; {_pct(same, n)}% of {n} precedent contracts give the same "
        f"(most common: {top})."
    )


def compare(category: str, ours: str | None, theirs: Sequence[str]) -> str | None:
    """Return one sentence comparing our answer with the precedents' answers, or None."""
    if not ours or _DATE.match(ours.strip()):
        return None  # dates are facts of one deal: no market standard to compare with
    days = duration_days(ours)
    if days is not None:
        durations = [d for d in map(duration_days, theirs) if d is not None]
        if len(durations) < MIN_PRECEDENTS:
            return None
        return compare_duration(category, ours, days, durations)
    values = [t for t in theirs if t and not _DATE.match(t.strip())]
    if len(values) < MIN_PRECEDENTS:
        return None
    return compare_value(category, ours, values)
