"""The kind of a commercial contract (CUAD's 25 types), read from its title.

How often a clause type occurs depends on the kind of contract: most distributor agreements have
an exclusivity clause, few service agreements do. The risk agent reads the kind from the title to
weigh "found" and "not found" by what is usual for contracts of that kind (see calibration).
"""

from __future__ import annotations

import re

# CUAD's folder names, normalised; the first pattern that matches the title wins, so specific
# kinds ("Sub-Distributor and Reseller") come before general ones ("License", "Service").
KINDS: tuple[tuple[str, str], ...] = (
    ("franchise", r"franchis"),
    ("non-compete", r"non-?compet|non-?solicit"),
    ("co-branding", r"co-?brand"),
    ("joint venture", r"joint\s+venture"),
    ("strategic alliance", r"alliance"),
    ("sponsorship", r"sponsor"),
    ("endorsement", r"endorse"),
    ("hosting", r"\bhosting|\bweb\s*site"),
    ("reseller", r"resell|\bvar\b|value[- ]added"),
    ("distributor", r"distribut"),
    ("agency", r"\bagen(?:cy|t)\b"),
    ("affiliate", r"\baffiliat"),
    ("manufacturing", r"manufactur"),
    ("supply", r"\bsuppl|\bpurchase|\bsales?\s+agreement"),
    ("transportation", r"transport|shipping|freight|carriage|logistic"),
    ("outsourcing", r"outsourc"),
    ("maintenance", r"maintenance|\bsupport\b"),
    ("promotion", r"promot"),
    ("marketing", r"marketing"),
    ("collaboration", r"collaborat|co-?operation|cooperation"),
    ("development", r"develop"),
    ("ip", r"intellectual\s+property|\bpatent|trademark|\bip\b|technology\s+transfer"),
    ("license", r"licen[cs]"),
    ("consulting", r"consult"),
    ("service", r"servic"),
)
_COMPILED = [(k, re.compile(p, re.I)) for k, p in KINDS]
# CUAD's folder names, to the kinds above.
_FOLDERS = {
    "affiliate_agreements": "affiliate",
    "agency agreements": "agency",
    "co_branding": "co-branding",
    "collaboration": "collaboration",
    "consulting agreements": "consulting",
    "development": "development",
    "distributor": "distributor",
    "endorsement": "endorsement",
    "endorsement agreement": "endorsement",
    "franchise": "franchise",
    "hosting": "hosting",
    "ip": "ip",
    "joint venture": "joint venture",
    "joint venture _ filing": "joint venture",
    "license_agreements": "license",
    "maintenance": "maintenance",
    "manufacturing": "manufacturing",
    "marketing": "marketing",
    "non_compete_non_solicit": "non-compete",
    "outsourcing": "outsourcing",
    "promotion": "promotion",
    "reseller": "reseller",
    "service": "service",
    "sponsorship": "sponsorship",
    "strategic alliance": "strategic alliance",
    "supply": "supply",
    "transportation": "transportation",
}


def contract_kind(title: str | None) -> str | None:
    """The kind the title names ("Exclusive Distributor Agreement" -> "distributor"), if any."""
    for kind, pattern in _COMPILED:
        if title and pattern.search(title):
            return kind
    return None


def folder_kind(folder: str) -> str | None:
    """The kind of a CUAD contract from the folder its PDF is filed in."""
    return _FOLDERS.get(folder.strip().lower())
