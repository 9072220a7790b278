"""Advice in the contract's own words: the parties' short names, its defined terms, its law.

Fallback language in a playbook may hold placeholders, filled from what the review knows of
the deal (`Deal`):
- `{client}`, `{counterparty}`: the parties' defined short names ("Reseller", "Diversinet");
  without parties, the role words the playbook uses ("the customer", "the counterparty").
- `{law}`: the governing law to propose ("the laws of the State of New York").
- `{Products/Goods|the products}`: the first of the listed terms the contract defines, else the
  words after `|`; a `*` matches any words ("*Warranty" finds "Operation Warranty").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from pydantic import BaseModel, Field

from legal_orch.domain import Deal, Party
from legal_orch.jurisdictions import US_STATES
from legal_orch.playbook import Playbook


class Kind(BaseModel):
    """What marks a deal as one kind of contract: party roles, names, defined terms, title."""

    roles: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list)
    title: list[str] = Field(default_factory=list)


class Wording(BaseModel):
    """The vocabulary of templates.yaml that reads a deal."""

    public_body_words: list[str]
    public_body_roles: list[str]
    counterparty: str
    kinds: dict[str, Kind] = Field(default_factory=dict)


_PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|([^{}]*))?\}")


def _norm(s: str) -> str:
    return " ".join(s.casefold().replace("’", "'").split())


_BOTH = {
    "each party",
    "either party",
    "both parties",
    "both parties (mutual)",
    "the parties",
    "parties",
    "neither party",
}


def _bare(who: str | None) -> str:
    """A party as named in a finding, without its article ("the Reseller" -> "reseller")."""
    w = _norm(who or "")
    return w[4:] if w.startswith("the ") and w not in _BOTH else w


@dataclass
class Voice:
    """How the advice names the parties of one deal, and what it knows of them."""

    client: str
    counterparty: str
    client_party: Party | None = None
    counter_party: Party | None = None
    parties: list[Party] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    client_known: bool = False

    def names(self, party: Party | None) -> set[str]:
        if party is None:
            return set()
        return {_norm(n) for n in [party.name, *party.short_names, party.role] if n}

    def is_client(self, who: str | None) -> bool:
        """Whether `who` (as a finding names a party: "the Reseller", "the client") is ours."""
        w = _bare(who)
        return bool(w) and w in {
            _bare(n) for n in [*self.names(self.client_party), self.client, "client"]
        }

    def is_counterparty(self, who: str | None) -> bool:
        """Whether `who` is the other side; without the parties, any one named party that is
        not the client."""
        w = _bare(who)
        if not w or self.is_client(who) or w in _BOTH:
            return False
        if self.counter_party is not None:
            return w in {_bare(n) for n in self.names(self.counter_party)}
        return True

    def term(self, options: str) -> str | None:
        """The first of `options` ("A/B/*C") that the contract defines."""
        for pattern in (o.strip().casefold() for o in options.split("/")):
            for t in self.defined:
                if fnmatchcase(t.casefold(), pattern):
                    return t
        return None


def label(party: Party) -> str:
    """The name the contract uses for `party`: its first defined short name, else its name."""
    return party.short_names[0] if party.short_names else party.name


def _the(role: str) -> str:
    return f"the {role.replace('_', ' ')}"


def voice(deal: Deal, playbook: Playbook, w: Wording) -> Voice:
    """Name the client and the counterparty as the contract does, or by role when unknown."""
    parties = list(deal.key_terms.parties)
    wanted = _norm(deal.client.party or "")
    client = next(
        (p for p in parties if wanted and wanted in {_norm(n) for n in [p.name, *p.short_names]}),
        None,
    )
    if client is None and deal.client.role:
        client = next((p for p in parties if p.role == deal.client.role), None)
    others = [p for p in parties if p is not client]
    counter = others[0] if client is not None and others else None
    defined = list(deal.defined_terms)
    v = Voice(
        client=label(client) if client else "",
        counterparty=label(counter) if counter else "",
        client_party=client,
        counter_party=counter,
        parties=parties,
        defined=defined,
        client_known=client is not None,
    )
    if not v.client:
        role = deal.client.role or next(iter(playbook.perspective), "client")
        # The contract's own word for the role when it defines one ("Reseller").
        roles = [deal.client.role] if deal.client.role else list(playbook.perspective)
        title = _norm(deal.title or "")
        roles.sort(key=lambda r: r.replace("_", " ") not in title)  # the title's role first
        v.client = next((t for r in roles if r and (t := v.term(r.capitalize()))), _the(role))
    if not v.counterparty:
        # Guessing the other side from a role word the contract defines ("Contractor") names a
        # third party too often: without the parties, say "the counterparty".
        v.counterparty = w.counterparty
    return v


def fill(text: str, v: Voice, law: str = "") -> str:
    """Fill a fallback's placeholders for this deal; sentences start with a capital."""

    def one(m: re.Match) -> str:
        key, default = m.group(1).strip(), m.group(2)
        if key == "client":
            return v.client
        if key == "counterparty":
            return v.counterparty
        if key == "law":
            return law or "the laws of [jurisdiction]"
        found = v.term(key)
        return found if found else (default if default is not None else key)

    out, prior = text, None
    while out != prior:  # the innermost first: "{Deliverables|work under this {Agreement|...}}"
        prior, out = out, _PLACEHOLDER.sub(one, out)
    out = " ".join(out.split())
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), out)


def a_or_an(noun: str) -> str:
    """`noun` with its indefinite article ("an Uncapped Liability")."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def is_public_body(party: Party, w: Wording) -> bool:
    """Whether `party` is a university, a public body or a government."""
    if party.role in w.public_body_roles:
        return True
    name = party.name
    return any(re.search(rf"\b{re.escape(word)}\b", name) for word in w.public_body_words)


def law_phrase(jurisdiction: str) -> str:
    """How a governing-law clause names `jurisdiction` ("the laws of the State of New York")."""
    if jurisdiction in US_STATES and jurisdiction != "District of Columbia":
        return f"the laws of the State of {jurisdiction}"
    return f"the laws of {jurisdiction}"


def kinds(deal: Deal, v: Voice, w: Wording) -> list[str]:
    """The kinds of contract the deal shows (research, licence, goods ...), from its roles,
    party names, defined terms and title."""
    title = _norm(deal.title or "")
    roles = {p.role for p in v.parties} | ({deal.client.role} if deal.client.role else set())
    out = []
    for name, k in w.kinds.items():
        if (
            roles & set(k.roles)
            or any(re.search(rf"\b{re.escape(n)}\b", p.name) for p in v.parties for n in k.names)
            or any(v.term(t) for t in k.terms)
            or any(t in title for t in k.title)
        ):
            out.append(name)
    return out
