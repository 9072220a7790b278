"""The 41 CUAD categories, as the columns of `master_clauses.csv`, and how each is answered."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date",
    "Renewal Term", "Notice Period to Terminate Renewal", "Governing Law", "Most Favored Nation",
    "Competitive Restriction Exception", "Non-Compete", "Exclusivity", "No-Solicit of Customers",
    "No-Solicit of Employees", "Non-Disparagement", "Termination for Convenience",
    "Rofr/Rofo/Rofn", "Change of Control", "Anti-Assignment", "Revenue/Profit Sharing",
    "Price Restrictions", "Minimum Commitment", "Volume Restriction", "IP Ownership Assignment",
    "Joint IP Ownership", "License Grant", "Non-Transferable License",
    "Affiliate License-Licensor", "Affiliate License-Licensee",
    "Unlimited/All-You-Can-Eat-License", "Irrevocable or Perpetual License", "Source Code Escrow",
    "Post-Termination Services", "Audit Rights", "Uncapped Liability", "Cap on Liability",
    "Liquidated Damages", "Warranty Duration", "Insurance", "Covenant Not to Sue",
    "Third Party Beneficiary",
)  # fmt: skip

# Short answers found by the mention models rather than by whole sentences.
MENTION_CATEGORIES: tuple[str, ...] = ("Document Name", "Agreement Date", "Effective Date")
DATE_CATEGORIES = frozenset({"Agreement Date", "Effective Date", "Expiration Date"})
DURATION_CATEGORIES = frozenset(
    {"Renewal Term", "Notice Period to Terminate Renewal", "Warranty Duration"}
)
# Categories whose CUAD answer is the text itself, not Yes/No.
TEXT_ANSWER = (
    frozenset({"Document Name", "Parties", "Governing Law"})
    | DATE_CATEGORIES
    | {"Renewal Term", "Notice Period to Terminate Renewal"}
)
