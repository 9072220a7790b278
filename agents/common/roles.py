"""The words contracts use to name a party by its role, shared by every agent that reads them.

`ROLE_OF` maps a role word as written (lower case) to the product's role (`domain.PartyRole`
spelling); `ROLE_WORDS` are the capitalised forms a contract uses as a party's name ("the
Reseller"), longest first so that a regex alternation prefers "Service Provider" to "Provider".
"""

from __future__ import annotations

import re

from legal_orch.domain import Party

ROLE_OF: dict[str, str] = {
    "licensor": "licensor",
    "licensee": "licensee",
    "sublicensee": "licensee",
    "sub-licensee": "licensee",
    "customer": "customer",
    "supplier": "supplier",
    "vendor": "supplier",
    "distributor": "distributor",
    "reseller": "reseller",
    "var": "reseller",
    "franchisor": "franchisor",
    "franchisee": "franchisee",
    "manufacturer": "manufacturer",
    "buyer": "buyer",
    "purchaser": "buyer",
    "seller": "seller",
    "service provider": "service_provider",
    "provider": "service_provider",
    "client": "client",
    "consultant": "consultant",
    "contractor": "contractor",
    "agent": "agent",
    "sales agent": "agent",
    "marketing agent": "agent",
    "principal": "principal",
    "sponsor": "sponsor",
    "endorser": "endorser",
    "host": "host",
    "developer": "developer",
    "publisher": "publisher",
    "lender": "lender",
    "borrower": "borrower",
    "landlord": "landlord",
    "lessor": "landlord",
    "tenant": "tenant",
    "lessee": "tenant",
    "employer": "employer",
    "employee": "employee",
    "executive": "employee",
    "partner": "partner",
    "member": "member",
    "collaborator": "collaborator",
    "investor": "investor",
    "company": "company",
    "university": "university",
    "institution": "university",
}

# Role names an NDA gives its parties; they name a party but carry no commercial role.
NDA_ROLE_WORDS = ("Disclosing Party", "Receiving Party", "Recipient")
# Abbreviations and generic words that are a role when a preamble defines them, but are not read
# as a party's name in running text ("the Company" is; "var" and "institution" are not).
_NOT_A_NAME = {"var", "sub-licensee", "sales agent", "marketing agent", "institution", "university"}

ROLE_WORDS: tuple[str, ...] = tuple(
    sorted(
        {w.title() for w in ROLE_OF if w not in _NOT_A_NAME} | set(NDA_ROLE_WORDS),
        key=lambda w: (-len(w), w),
    )
)


def home_law(party: Party, known: list[str]) -> str | None:
    """The jurisdiction a party's name or its definition names ("an Ontario corporation")."""
    texts = [party.name] + [c.quote for c in party.citations]
    for t in texts:
        for j in sorted(known, key=len, reverse=True):
            if re.search(rf"\b{re.escape(j)}\b", t):
                return j
    return None
