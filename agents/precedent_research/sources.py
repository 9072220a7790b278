"""How a precedent contract is named to a lawyer: its type and its parties, never its file name.

CUAD gives each contract's name (`Document Name-Answer`) and parties (`Parties-Answer`, e.g.
`PivX Corporation ("PivX"); Detto Technologies ("Detto")`); its type is the folder of its PDF.
"""

from __future__ import annotations

import re

# CUAD's PDF folders, as a lawyer names the kind of contract.
CONTRACT_TYPES = {
    "affiliate_agreements": "affiliate agreement",
    "agency agreements": "agency agreement",
    "co_branding": "co-branding agreement",
    "collaboration": "collaboration agreement",
    "consulting agreements": "consulting agreement",
    "development": "development agreement",
    "distributor": "distributor agreement",
    "endorsement": "endorsement agreement",
    "endorsement agreement": "endorsement agreement",
    "franchise": "franchise agreement",
    "hosting": "hosting agreement",
    "ip": "IP agreement",
    "joint venture": "joint venture agreement",
    "joint venture _ filing": "joint venture agreement",
    "license_agreements": "licence agreement",
    "maintenance": "maintenance agreement",
    "manufacturing": "manufacturing agreement",
    "marketing": "marketing agreement",
    "non_compete_non_solicit": "non-compete agreement",
    "outsourcing": "outsourcing agreement",
    "promotion": "promotion agreement",
    "reseller": "reseller agreement",
    "service": "services agreement",
    "sponsorship": "sponsorship agreement",
    "strategic alliance": "strategic alliance agreement",
    "supply": "supply agreement",
    "transportation": "transportation agreement",
}
# Company suffixes that stay in capitals when an all-capitals name is written normally.
_KEEP_UPPER = frozenset({"LLC", "LP", "LLP", "PLC", "AG", "SA", "NV", "BV", "USA", "US", "UK"})
_NOT_A_NAME = re.compile(r"referred|collectively|individually|\bparty\b|\bparties\b", re.I)
# A role standing where a name should be ("Franchisee", "Agent"): a blank in a form contract.
_ROLE_ONLY = re.compile(
    r"^(?:the\s+)?(?:agent|client|company|consultant|contractor|customer|distributor|developer"
    r"|franchisee|franchisor|licensee|licensor|manufacturer|provider|purchaser|reseller|seller"
    r"|supplier|vendor|buyer|executive|employee|member|sponsor)$",
    re.I,
)
MAX_NAMED = 2


def contract_type(folder: str | None) -> str | None:
    """Return the contract type of a CUAD PDF folder ("License_Agreements" -> "licence agreement")."""
    if not folder:
        return None
    return CONTRACT_TYPES.get(folder.strip().lower(), folder.replace("_", " ").strip().lower())


def _written(name: str) -> str:
    if not name.isupper():
        return name
    words = [
        w
        if w.strip(".,") in _KEEP_UPPER or "." in w.rstrip(".,") or any(ch.isdigit() for ch in w)
        else w.capitalize()
        for w in name.split()
    ]
    return " ".join(words)


def parties(answer: str | None) -> list[str]:
    """Return the party names of a CUAD `Parties-Answer`, without their defined short names."""
    names: list[str] = []
    for piece in (answer or "").split(";"):
        name = re.split(r"[(\"“”]", piece, maxsplit=1)[0].strip(" ,\t\n")
        if len(name) < 2 or not name[0].isupper() or _NOT_A_NAME.search(name):
            continue
        if _ROLE_ONLY.match(name):
            continue
        name = _written(" ".join(name.split()))
        if name not in names:
            names.append(name)
    return names


def title(answer: str | None) -> str | None:
    """Return a contract's name as written, in normal capitals ("RESELLER AGREEMENT" -> "Reseller Agreement")."""
    text = " ".join((answer or "").split())
    if not text:
        return None
    return text.title() if text.isupper() else text


def label(kind: str | None, names: list[str], name: str | None) -> str:
    """Name a contract for a lawyer: "Reseller agreement between PivX Corporation and Detto Technologies"."""
    what = kind or (name.lower() if name else "contract")
    what = what[0].upper() + what[1:]
    if not names:
        return f"{what} ({name})" if name and kind else what
    shown = names[:MAX_NAMED]
    more = len(names) - len(shown)
    if len(names) == 1:
        return f"{what} of {names[0]}"
    if more:
        who = f"{', '.join(shown)} and {more} other{'s' if more > 1 else ''}"
    else:
        who = " and ".join(shown)
    return f"{what} between {who}"
