"""Placeholders for who and how much, before text goes to a model outside this machine.

Party names and their short names, people, e-mail addresses, account numbers and money
amounts become stable placeholders (`PARTY_A`, `PERSON_A`, `EMAIL_A`, `ACCOUNT_A`, `AMOUNT_A`);
the model's answer is restored before anyone reads it. The same text always gets the same
placeholders, so a cached answer stays valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from legal_orch.domain import Party

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_IBAN = r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"
_LONG_NUMBER = r"\b\d(?:[ -]?\d){7,}\b"
_MONEY = (
    r"(?:[$€£¥]|\b(?:USD|EUR|GBP|CAD|AUD|CHF|JPY|US\$)\s?)\s?\d[\d,.]*(?:\s?(?:million|billion|thousand|[mk])\b)?"
    r"|\b\d[\d,.]*\s?(?:million|billion|thousand)?\s?(?:dollars|euros|pounds|USD|EUR|GBP)\b"
)
_TITLED = r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z'-]+){0,2}"
_ACCOUNT_RE = re.compile(
    r"\b(?i:account|acct|a/c|routing|sort code)(?i:\s*(?:no\.?|number|#|code))?\s*:?\s*"
    r"(?P<v>\d[\d -]{4,}\d)"
)
_SIGNED_RE = re.compile(
    r"\b(?:By|Name|Attn|Attention|Signed|Signature)\s*:\s*"
    r"(?P<v>[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'-]+){1,2})"
)
_COMPANY = (
    r"\b(?:[A-Z][\w&'-]*,?\s+){1,5}"
    r"(?:Inc|Ltd|LLC|L\.L\.C|GmbH|plc|PLC|Corp|Corporation|Limited|LLP|AG|S\.A|B\.V|N\.V)\b\.?"
)
_PLAIN = [
    ("EMAIL", re.compile(_EMAIL)),
    ("PARTY", re.compile(_COMPANY)),
    ("ACCOUNT", re.compile(_IBAN)),
    ("ACCOUNT", _ACCOUNT_RE),
    ("ACCOUNT", re.compile(_LONG_NUMBER)),
    ("AMOUNT", re.compile(_MONEY, re.IGNORECASE)),
    ("PERSON", re.compile(_TITLED)),
    ("PERSON", _SIGNED_RE),
]
_PLACEHOLDER = re.compile(r"\b(?:PARTY|PERSON|EMAIL|ACCOUNT|AMOUNT)_[A-Z]+\d*\b")


def _label(kind: str, n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{kind}_{letters}"


class Pseudonymizer:
    """Masks a review's names and amounts with placeholders and restores them in answers."""

    def __init__(self, parties: Iterable[Party] = (), people: Iterable[str] = ()):
        self.forward: dict[str, str] = {}  # original -> placeholder
        self.back: dict[str, str] = {}  # placeholder -> original
        for i, p in enumerate(parties):
            tag = _label("PARTY", i)
            # Each way of naming the party gets its own mark (PARTY_A, PARTY_A2...), so a
            # quote comes back exactly as the contract wrote it.
            forms = [p.name, *(n for n in p.short_names if n != p.name)]
            for k, name in enumerate(n.strip() for n in forms):
                if len(name) >= 2 and name not in self.forward:
                    self._add(name, tag if k == 0 else f"{tag}{k + 1}")
        for name in people:
            self._placeholder("PERSON", name)

    def _add(self, original: str, tag: str) -> None:
        self.forward[original] = tag
        self.back[tag] = original

    def _placeholder(self, kind: str, original: str) -> str:
        if original not in self.forward:
            n = sum(1 for t in self.back if t.startswith(kind + "_") and not t[-1].isdigit())
            self._add(original, _label(kind, n))
        return self.forward[original]

    def mask(self, text: str) -> str:
        """Replace every known and recognised name, address, account and amount."""
        for kind, rx in _PLAIN:
            for m in rx.finditer(text):
                value = m.group("v") if "v" in rx.groupindex else m.group(0)
                if not _PLACEHOLDER.fullmatch(value.strip()):
                    self._placeholder(kind, value.strip())
        names = sorted(self.forward, key=len, reverse=True)
        if not names:
            return text
        rx = re.compile("|".join(_bounded(n) for n in names))
        return rx.sub(lambda m: self.forward[m.group(0)], text)

    def unmask(self, text: str) -> str:
        """Put the originals back where the answer names a placeholder."""
        return _PLACEHOLDER.sub(lambda m: self.back.get(m.group(0), m.group(0)), text)


def _bounded(name: str) -> str:
    left = r"\b" if name[:1].isalnum() else ""
    right = r"\b" if name[-1:].isalnum() else ""
    return f"{left}{re.escape(name)}{right}"
