"""ACORD's query categories mapped to the CUAD categories a playbook rule names.

ACORD files its queries under its own headings ("Restrictive Covenants", "Limitation of
Liability"); a playbook rule and the bank speak CUAD ("Non-Compete", "Cap on Liability"). Most
ACORD queries name a CUAD category in their text; the liability queries split into caps and their
carve-outs (CUAD's Cap on Liability and Uncapped Liability: CUAD files exclusions of indirect
damages under Cap on Liability too), and product warranties (Warranty Duration). Warranty
disclaimers and indemnities have no CUAD category: they map to none, and a search for them runs
over the whole bank.
"""

from __future__ import annotations

import re

from legal_orch.datasets.cuad_categories import CATEGORIES  # the first two: name, parties

_LIABILITY = ("Cap on Liability", "Uncapped Liability")
_CARVE_OUTS = ("Uncapped Liability", "Cap on Liability")
_CARVE_OUT = re.compile(r"carve|exception|exclude|subject to|applies to|not apply", re.I)
_DAMAGES = re.compile(
    r"caps?\b|indirect|consequential|incidental|lost profits|punitive|strict liab", re.I
)
_EXCLUSIVE_REMEDY = re.compile(r"exclusiv\w* remedy", re.I)
_PRODUCT_WARRANTY = re.compile(r"product warranty|defective products|shelf life", re.I)
_ALIASES = {
    "ip ownership assignment": ("IP Ownership Assignment",),
    "license clause covering affiliates": (
        "Affiliate License-Licensor",
        "Affiliate License-Licensee",
    ),
    "notice to terminate auto-renew": ("Notice Period to Terminate Renewal", "Renewal Term"),
    "notice to renew": ("Renewal Term", "Notice Period to Terminate Renewal"),
    "governing laws": ("Governing Law",),
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9/]+", " ", text.lower()).strip()


def _named(text: str) -> tuple[str, ...]:
    low = _key(text)
    for alias, cats in _ALIASES.items():
        if _key(alias) in low:
            return cats
    return tuple(
        c for c in CATEGORIES[2:] if re.search(rf"(?<![a-z]){re.escape(_key(c))}(?![a-z])", low)
    )


def cuad_categories(query: str, acord_category: str | None) -> tuple[str, ...]:
    """Return the CUAD categories an ACORD query asks about, the most specific first."""
    heading = (acord_category or "").lower()
    if heading == "limitation of liability":
        if "insurance" in query.lower():
            return ("Cap on Liability", "Insurance")
        if _PRODUCT_WARRANTY.search(query):
            return ("Warranty Duration",)
        if _EXCLUSIVE_REMEDY.search(query):
            return ("Cap on Liability",)
        if _DAMAGES.search(query):
            return _CARVE_OUTS if _CARVE_OUT.search(query) else _LIABILITY
        return ()  # warranty disclaimers, "as is", non-reliance: no CUAD category
    return () if heading == "indemnification" else _named(query)
