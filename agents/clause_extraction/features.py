"""Turn a segmented contract into the texts the linear models read: sentences and mentions.

A sentence is read with its section heading and its neighbours, since a clause's category is
often named only by its heading ("Assignment") or by the sentence before it. A mention (a date,
a title line) is read through the words around it and where it sits in the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from legal_orch.domain import Document, Segmentation

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
DATE = re.compile(
    rf"""(?:
        (?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?(?:{_MONTHS})\.?,?\s+(?:\d{{4}}|\[[^\]]{{0,12}}\])
      | (?:{_MONTHS})\.?\s+(?:\d{{1,2}}|\[[^\]]{{0,12}}\]|_+)(?:st|nd|rd|th)?\s*,?\s*(?:\d{{4}}|\[[^\]]{{0,12}}\])
      | \d{{1,2}}/\d{{1,2}}/\d{{2,4}}
      | (?:{_MONTHS})\s*,?\s+\d{{4}}
    )""",
    re.VERBOSE,
)
_TITLE_WORDS = re.compile(
    r"agreement|contract|amendment|license|licence|lease|plan|addendum|memorandum|terms|"
    r"arrangement|deed|charter|statement of work|order|understanding",
    re.I,
)
TITLE_ZONE = 3000  # the title of an EDGAR exhibit sits in its first page


@dataclass(frozen=True)
class Unit:
    """A candidate span with the texts its model reads."""

    start: int
    end: int
    text: str
    context: str
    parent: int | None = None


def _bin(x: float, n: int = 10) -> int:
    return min(int(x * n), n - 1)


def sentence_units(doc: Document, seg: Segmentation) -> list[Unit]:
    """One unit per sentence, its context the heading, the neighbours and its place."""
    sents = seg.sentences
    size = max(len(doc.text), 1)
    units = []
    for i, s in enumerate(sents):
        prev = sents[i - 1].text if i else ""
        nxt = sents[i + 1].text if i + 1 < len(sents) else ""
        head = " ".join(f"h_{w.lower()}" for w in _WORD.findall(s.heading or ""))
        near = " ".join(f"n_{w.lower()}" for w in _WORD.findall(f"{prev[-300:]} {nxt[:300]}"))
        words = len(s.text.split())
        place = f"pos_{_bin(s.start / size)} len_{min(words // 10, 12)} first_{int(i < 8)}"
        units.append(Unit(s.start, s.end, s.text, f"{head} {near} {place}", s.parent))
    return units


def _window(text: str, start: int, end: int, n: int = 8) -> str:
    left = _WORD.findall(text[max(0, start - 200) : start])[-n:]
    right = _WORD.findall(text[end : end + 200])[:n]
    near_l = " ".join(f"l_{w.lower()}" for w in left)
    near_r = " ".join(f"r_{w.lower()}" for w in right)
    return f"{near_l} {near_r}"


def date_units(doc: Document, limit: int = 60) -> list[Unit]:
    """Each date mention (up to `limit`), read through its neighbouring words and its rank."""
    text, size = doc.text, max(len(doc.text), 1)
    units = []
    for k, m in enumerate(DATE.finditer(text)):
        if k >= limit:
            break
        ctx = f"{_window(text, m.start(), m.end())} rank_{min(k, 9)} pos_{_bin(m.start() / size)}"
        units.append(Unit(m.start(), m.end(), m.group(0), ctx))
    return units


def title_units(doc: Document) -> list[Unit]:
    """Each short line of the first page that could be the contract's title."""
    text = doc.text[:TITLE_ZONE]
    units, pos, k = [], 0, 0
    for raw in text.split("\n"):
        line = raw.strip()
        start = pos + len(raw) - len(raw.lstrip())
        pos += len(raw) + 1
        n = len(line.split())
        if not line or n > 14 or not _TITLE_WORDS.search(line):
            continue
        upper = sum(c.isupper() for c in line) / max(sum(c.isalpha() for c in line), 1)
        toks = " ".join(f"t_{w.lower()}" for w in _WORD.findall(line))
        ctx = (
            f"{toks} rank_{min(k, 9)} caps_{int(upper > 0.8)} words_{min(n, 10)} at_{start // 300}"
        )
        units.append(Unit(start, start + len(line), line, ctx))
        k += 1
    return units
