"""The obligations register: who must do what, by when, read from the contract's sentences.

An obligation is a sentence whose subject is a party (by its name, defined short name or role,
or "each party") bound by "shall", "must", "will", "agrees to" or "undertakes to", with a time
the contract gives for it ("within thirty (30) days", "no later than", "prior to", "monthly").
Sentences without a time are duties, not deadlines, and stay out of the register.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from legal_orch.domain import Document, Obligation, Party, Segmentation
from legal_orch.values import clean_space, duration_days, find_durations

MODAL = re.compile(
    r"\b(shall|must|will|agrees? to|undertakes? to|is required to|are required to)\b(?!\s+not\b)",
    re.I,
)
_NUM = r"(?:\d+|[a-z]+(?:[- ][a-z]+)?)(?:\s*\(\d+\))?"
TIME = re.compile(
    rf"\b(?:within|no later than|not later than|at least|prior to|before|by|after|upon)\s+"
    rf"(?:{_NUM}\s+(?:business\s+|calendar\s+|working\s+)?(?:days?|weeks?|months?|years?)"
    rf"|the\s+(?:(?:end|expiry|expiration|last day|first day)\s+of|date\b)[^,;.]{{0,60}}"
    rf"|[A-Z][a-z]+\s+\d{{1,2}},?\s+\d{{4}})"
    rf"|\b(?:monthly|quarterly|annually|each (?:calendar )?(?:month|quarter|year))\b",
    re.I,
)
KINDS = (
    ("payment", re.compile(r"\bpa(?:y|id|yment)|invoice|remit|fees?\b|royalt", re.I)),
    ("notice", re.compile(r"\bnotif|notice|inform\b", re.I)),
    ("report", re.compile(r"\breport|statement|accounting|forecast", re.I)),
    ("insurance", re.compile(r"\binsurance|certificate of insurance", re.I)),
    ("delivery", re.compile(r"\bdeliver|ship|provide|furnish|supply", re.I)),
)
MAX_ACTION = 220
RIGHT = re.compile(r"(have|has)\s+the\s+(right|option)|be\s+entitled|not\b|have\s+no\b", re.I)
PASSIVE = re.compile(
    r"be\s+(?:\w+(?:ed|en)|paid|made|given|sent|done|held|kept|sold|borne|met|set)\b", re.I
)


def _days(due: str) -> int | None:
    found = find_durations(due)
    return duration_days(found[0][2], found[0][3]) if found else None


def _names(parties: Iterable[Party]) -> list[tuple[str, str]]:
    """(text as written, the label the register uses) for every way a party is named."""
    out = []
    for p in parties:
        label = p.short_names[0] if p.short_names else p.name
        out += [(n, label) for n in [*p.short_names, p.name] if n]
        if p.role and p.role != "party":
            out.append((p.role.replace("_", " "), label))
    return sorted(out, key=lambda x: -len(x[0]))


_LEAD = re.compile(
    r"^(?:\(?[a-z0-9ivx]{1,4}[.)]\s*)?(?:then|thereafter|thereupon|and|or|also|the|each of)\s+",
    re.I,
)


def _subject(head: str, names: list[tuple[str, str]]) -> str | None:
    """The party that is the modal verb's subject: the clause before the verb (after its last
    comma) is the party's name and nothing more. A party named in passing ("interest due to
    Xencor shall increase") binds no one by name."""
    clause = re.split(r"[,;:]", head)[-1].strip()
    while (m := _LEAD.match(clause)) is not None:
        clause = clause[m.end() :]
    low = " ".join(clause.lower().split())
    if re.fullmatch(r"(each|either|both) (party|parties)|the parties", low):
        return "each party"
    for written, label in names:
        if low == written.lower() or low == f"the {written.lower()}":
            return label
    return None


def _first_party(text: str, names: list[tuple[str, str]]) -> str | None:
    """The party named first in `text` (the agent of a passive verb: "paid by X to Y")."""
    low = text.lower()
    hits = [
        (m.start(), label)
        for written, label in names
        for m in [re.search(rf"\b{re.escape(written.lower())}\b", low)]
        if m
    ]
    return min(hits)[1] if hits else None


def find_obligations(doc: Document, seg: Segmentation, parties: list[Party]) -> list[Obligation]:
    """Every obligation with a time the contract gives for it, in the order of the text."""
    names = _names(parties)
    out: list[Obligation] = []
    for s in seg.sentences:
        text = doc.text[s.start : s.end]
        m = MODAL.search(text)
        t = TIME.search(text, m.end()) if m else None
        if m is None or t is None:
            continue
        action = clean_space(text[m.end() :]).lstrip(" ,;:")
        if RIGHT.match(action):
            continue  # "shall have the right to terminate" is a right, not a duty
        # "Fees shall be paid by Reseller": the party after "by" carries a passive duty, and the
        # register shows the whole sentence rather than "be paid by ...". A passive with no
        # party after "by" names no one bound: it stays out rather than guess.
        if PASSIVE.match(action):
            by = re.search(r"\bby\s+(?:the\s+)?(.{2,60})", action, re.I)
            who = _first_party(by.group(1), names) if by else None
            action = clean_space(text).lstrip(" ,;:")
        else:
            who = _subject(text[: m.start()], names)
        if who is None:
            continue
        if len(action) > MAX_ACTION:
            action = action[:MAX_ACTION].rsplit(" ", 1)[0] + " …"
        due = clean_space(text[t.start() :])
        due = re.split(r",\s|;|\.\s|\s+and\s+|\s+shall\s+", due, maxsplit=1)[0].rstrip(".")[:120]
        kind = next((k for k, pat in KINDS if pat.search(action)), "other")
        out.append(
            Obligation(
                party=who,
                action=action,
                due=due,
                due_days=_days(due),
                kind=kind,  # type: ignore[arg-type]
                citation=doc.cite(s.start, s.end),
            )
        )
    return out
