"""The cap on liability (an amount or a multiple of fees, whose, with carve-outs) and payment terms."""

from __future__ import annotations

import re

from legal_orch_agents.key_terms.reading import Contract, term

from legal_orch.domain import KeyTerm, LiabilityCap, Party
from legal_orch.values import (
    MONEY,
    REDACTED,
    duration_days,
    duration_words,
    find_durations,
    money_of,
)

_LIABILITY = re.compile(r"\bliabilit(?:y|ies)\b|\bliable\b", re.I)
_SINGULAR = re.compile(r"\bliability\b|\bliable\b", re.I)
_LIMIT = re.compile(
    r"\b(?:shall\s+not|will\s+not|not\s+to|in\s+no\s+event|never)\b[^.;]{0,80}?\bexceed\b|\bexceed\b|\blimited\s+to\b|\bin\s+excess\s+of\b"
    r"|\bgreater\s+than\b|\bmore\s+than\b|\bcapped\b|\bmaximum\b",
    re.I,
)
_FEES = re.compile(
    r"\b(?:amounts?|fees|sums|charges|consideration|price|payments?|royalties|compensation)\s+"
    r"(?:\w+\s+){0,3}(?:paid|payable|received|due)",
    re.I,
)
_TIMES = re.compile(
    r"\b(?P<n>one|two|three|four|five|ten|\d+(?:\.\d+)?)\s*(?:\(\s*\d+(?:\.\d+)?\s*\)\s*)?(?:times|x)\b",
    re.I,
)
# "$4.41 per kilogram": a rate, not a cap on what one party owes the other
_PER_UNIT = re.compile(
    r"\s*\)?\s*(?:per|a|each)\s+(?:kilogram|kg|pound|lb|unit|item|package|piece|shipment|mile|hour|day|"
    r"week|month|year|share|dose|vial|tablet|minute)\b",
    re.I,
)
_PERCENT_OF = re.compile(r"\(?\s*(?P<p>\d{1,3}(?:\.\d+)?)\s*%\s*\)?\s+of\b", re.I)
_WORD_N = {"one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "ten": 10.0}
_LOOKBACK = re.compile(
    r"(?:during|in|within|for|over)\s+the\s+(?:previous|preceding|prior|last)\s+(?P<d2>[\w\s()-]{1,30}?(?:months?|years?))\b"
    r"|(?:during|in|within|for|over)\s+the\s+(?:\w+\s+){0,2}?(?P<d>[\w\s()-]{1,30}?(?:months?|years?))\s+"
    r"(?:period\s+)?(?:immediately\s+)?(?:preceding|prior|before)",
    re.I,
)
_WHOSE = re.compile(
    r"(?P<w>(?i:each\s+party|either\s+party|neither\s+party|any\s+party|a\s+party)|(?:[A-Z][\w.&-]*\s*){1,4})"
    r"(?i:['’]s?)?(?i:\s+(?:or|and)\s+(?:its|their)\s+[\w-]+['’]?s?)?\s+(?i:(?:total|aggregate|cumulative|entire|maximum|collective|overall)\s+(?:and\s+\w+\s+)?)*"
    r"(?i:liabilit)",
)
_CARVE_OUTS = (
    ("indemnification obligations", r"indemnif"),
    ("breach of confidentiality", r"confidential"),
    ("gross negligence", r"gross\s+negligence"),
    ("wilful misconduct", r"will?ful\s+misconduct"),
    ("fraud", r"\bfraud"),
    ("death or personal injury", r"death|bodily\s+injury|personal\s+injury"),
    ("infringement of intellectual property", r"infring|intellectual\s+property"),
    ("payment obligations", r"payment\s+obligations|amounts?\s+(?:owed|due)"),
)
_SECTIONS = re.compile(r"\bsections?\s+\d[\d.()a-z]*(?:\s*(?:,|and|or)\s*\d[\d.()a-z]*)*", re.I)
_EXCEPT = re.compile(
    r"\bexcept\b|\bother\s+than\b|\bexclud\w+\b|\bshall\s+not\s+apply\b|\bexception\b|\bnotwithstanding\b",
    re.I,
)
_PAYMENT = re.compile(
    r"\b(?:within|no\s+later\s+than|not\s+later\s+than)\s+(?P<d>[\w()\s-]{1,30}?days?)\s+"
    r"(?:after|of|from|following)\s+(?:the\s+)?(?:\w+['’]s?\s+)?(?:receipt|date|invoice|issuance|delivery)"
    # "net 30", but not ".net 25-Jul-2019" (a domain name) nor a date after "net"
    r"|(?<![.\w])net\s+(?P<net>\d{1,3})\b(?![-/.]\w)(?:\s+days)?",
    re.I,
)


def _cap_spans(c: Contract) -> list[tuple[int, int]]:
    spans = [c.passage(cl.start) for cl in c.anchors("Cap on Liability") if cl.confidence >= 0.3]
    for m in c.near(("liabilit", "liable"), _LIABILITY, 5, 20):
        s = c.passage(m.start())
        if s not in spans:
            spans.append(s)
    return spans


def liability_cap(c: Contract, parties: list[Party]) -> LiabilityCap | None:
    """The monetary cap on liability; a clause that only excludes kinds of damages is no cap."""
    for s, e in _cap_spans(c):
        text = c.text[s:e]
        first = _LIABILITY.search(text)
        lim = _LIMIT.search(text, first.start()) if first else None
        liab = list(_LIABILITY.finditer(text, 0, lim.end())) if lim else []
        # the limit must bear on a liability just before it, and not describe insurance cover
        if not liab or lim.end() - liab[-1].end() > 300 or not _SINGULAR.search(text):
            continue
        if re.search(r"insur|coverage", text[liab[-1].start() : lim.end() + 120], re.I):
            continue
        tail = (s + lim.end(), min(e, s + lim.end() + 300))
        cap = _amount_cap(c, *tail) or _fee_cap(c, *tail)
        if cap is None:
            continue
        cap.whose = _whose(c, s, s + lim.start(), parties)
        cap.carve_outs = _carve_outs(c, s, e)
        cap.citations = [c.cite(s, e)]
        return cap
    return None


def _amount_cap(c: Contract, a: int, b: int) -> LiabilityCap | None:
    m = MONEY.search(c.text, a, b)
    red = REDACTED.search(c.text, a, min(b, a + 60))
    if (
        red
        and (m is None or red.start() < m.start())
        and re.search(r"\$|dollars|USD|€|£", c.text[max(a, red.start() - 6) : red.end() + 12])
    ):
        return LiabilityCap(amount=term(c, None, None, (red.start(), red.end()), status="redacted"))
    if m is None or m.start() - a > 120 or _PER_UNIT.match(c.text, m.end()):
        return None
    amount, code = money_of(m)
    value = f"{code} {amount:,.2f}".replace(".00", "")
    return LiabilityCap(amount=term(c, value, amount, (m.start(), m.end()), unit=code))


def _fee_cap(c: Contract, a: int, b: int) -> LiabilityCap | None:
    fees = _FEES.search(c.text, a, b)
    if fees is None or fees.start() - a > 150:
        return None
    times = _TIMES.search(c.text, a, fees.start()) or _PERCENT_OF.search(c.text, a, fees.start())
    n = 1.0
    if times and "p" in times.groupdict():
        n = float(times.group("p")) / 100
    elif times:
        raw = times.group("n").lower()
        n = _WORD_N.get(raw) or float(raw)
    span = (times.start() if times else fees.start(), fees.end())
    words = " ".join(c.text[times.end() if times else fees.start() : fees.end()].split())
    words = re.sub(r"^(?:of\s+)?(?:the\s+)?", "", words, flags=re.I)
    percent = times is not None and "p" in times.groupdict()
    value = f"{n * 100:g}% of fees paid" if percent else f"{n:g} x fees paid"
    cap = LiabilityCap(
        multiple=term(
            c, value, n, span, unit="x fees", detail=words.lower() if words.isupper() else words
        )
    )
    if (lb := _LOOKBACK.search(c.text, fees.end(), min(b, fees.end() + 200))) and (
        d := find_durations(lb.group("d") or lb.group("d2"))
    ):
        _, _, k, unit = d[0]
        cap.lookback = term(
            c,
            f"{duration_words(k, unit)} look-back",
            duration_days(k, unit),
            (lb.start(), lb.end()),
            unit="days",
        )
    return cap


def _whose(c: Contract, a: int, b: int, parties: list[Party]) -> str | None:
    for m in c.search(_WHOSE, a, min(len(c.text), b + 60)):
        if who := _party_named(" ".join(m.group("w").split()).lower(), parties):
            return who
    return None


def _party_named(low: str, parties: list[Party]) -> str | None:
    if low.endswith(("each party", "either party", "neither party", "any party", "a party")):
        return "each party"
    for p in parties:
        for n in (*p.short_names, p.name):
            if n.lower() in low or low.endswith(n.lower()):
                return p.short_names[0] if p.short_names else p.name
    for p in parties:
        if p.role != "party" and low.endswith(p.role.replace("_", " ")):
            return p.short_names[0] if p.short_names else p.name
    return None


def _carve_outs(c: Contract, s: int, e: int) -> list[str]:
    """The liabilities the cap does not reach, as named after "except" in the cap's sentence."""
    ex = _EXCEPT.search(c.text, s, e)
    if ex is None:
        return []
    text = c.text[ex.start() : e]
    found = [label for label, pattern in _CARVE_OUTS if re.search(pattern, text, re.I)]
    if m := _SECTIONS.search(text, 0, 200):
        found.append(
            "liability under " + " ".join(m.group(0).split()).lower().replace("section", "Section")
        )
    return found


def payment_terms(c: Contract) -> KeyTerm | None:
    """Days to pay an invoice ("within thirty (30) days after receipt of invoice", "net 30")."""
    for m in c.near(("invoice", "net "), _PAYMENT, 150, 20):
        if m.group("net"):
            n = int(m.group("net"))
            return term(c, f"net {n} days", n, (m.start(), m.end()), unit="days")
        s, e = c.passage(m.start())
        d = find_durations(m.group("d"))
        # "dispute an invoice within 10 days of receipt" is a deadline to object, not to pay
        before = c.text[max(s, m.start() - 120) : m.start()]
        if re.search(r"disput|contest|object|question|error|discrepanc", before, re.I):
            continue
        if (
            d
            and re.search(r"invoice", c.text[s:e], re.I)
            and re.search(r"pa(?:y|id)", c.text[s:e], re.I)
        ):
            _, _, k, unit = d[0]
            days = duration_days(k, unit)
            stop = re.search(r"[.;,(]", c.text[m.end() : m.end() + 80])
            words = " ".join(c.text[m.start() : m.end() + (stop.start() if stop else 0)].split())
            return term(
                c,
                f"{duration_words(k, unit)} from invoice",
                days,
                (m.start(), m.end()),
                unit="days",
                detail=words,
            )
    return None
