"""Whose side a clause is on: which party it binds and which it favours, seen from the client.

The parties come from the deal (names, defined short names, roles). When the key-terms agent
found none, the review falls back on the roles the clause itself names ("Distributor shall not
...") and the names the preamble defines, and takes the client to be the party with the role the
user asked for, else one of the playbook's `perspective` roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from legal_orch_agents.common.roles import ROLE_WORDS

from legal_orch.domain import Deal, Party
from legal_orch.playbook import Direction

Side = Literal["client", "counterparty", "mutual"]

_PREAMBLE_CHARS = 8000
_PARTIES_SPAN = 1500  # the parties are defined within this many characters after "between"
_BETWEEN = re.compile(r"\b(?:by\s+and\s+)?between\b", re.I)
_RECITALS = re.compile(
    r"\b(?:WHEREAS|RECITALS|BACKGROUND|NOW,?\s+THEREFORE|W\s*I\s*T\s*N\s*E\s*S\s*S\s*E\s*T\s*H)\b"
)
_DEFINED = re.compile(
    r"\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+)?(?:the\s+)?)?[\"“]"
    r"([A-Z][^\"”()]{1,40})[\"”]"
)
# Defined terms of a preamble that are not parties: "Agreement", "Effective Date", ...
_GENERIC_WORDS = {
    "agreement",
    "contract",
    "amendment",
    "date",
    "effective",
    "act",
    "party",
    "parties",
    "schedule",
    "exhibit",
    "term",
    "territory",
    "products",
    "services",
    "period",
}
# How a finding names the parties of a mutual clause, both as bound and as favoured.
MUTUAL_LABEL = "both parties (mutual)"
_MUTUAL = r"(?i:(?:either|each|neither|both)\s+(?:of\s+the\s+)?part(?:y|ies)|the\s+parties)"


@dataclass(frozen=True)
class PartyRef:
    """A party as the review names it, with every alias the text may use for it."""

    label: str  # "the Reseller", "Diversinet"
    aliases: tuple[str, ...]
    is_client: bool


@dataclass(frozen=True)
class Sides:
    """The parties of the deal split into the client and the others."""

    parties: tuple[PartyRef, ...]
    client_known: bool
    other: str | None = None  # the deal's other side, where there is exactly one

    @property
    def client(self) -> PartyRef | None:
        return next((p for p in self.parties if p.is_client), None)

    def others(self) -> list[PartyRef]:
        return [p for p in self.parties if not p.is_client]


@dataclass
class Reading:
    """What the clause says about the parties: who is bound, who is favoured, and the text."""

    bound: dict[str, list[str]] = field(default_factory=dict)  # strength -> labels
    favoured: dict[str, list[str]] = field(default_factory=dict)
    mentioned: list[str] = field(default_factory=list)  # labels, in order of first mention


@dataclass(frozen=True)
class Orientation:
    """Whom the clause burdens and whom it benefits, from the client's side."""

    burdens: Side | None  # None: the text does not say, or the client is not known
    burdened: str | None  # a label: "the Reseller", "both parties (mutual)"
    benefited: str | None
    client: str | None  # the client's label


def _article(name: str) -> str:
    bare = name.strip()
    if bare.lower() in {r.lower() for r in ROLE_WORDS}:
        return f"the {bare}"
    return bare


def _party_ref(p: Party, is_client: bool) -> PartyRef:
    aliases = {p.name, *p.short_names}
    if p.role and p.role != "party":
        aliases.add(p.role.replace("_", " ").title())
    label = p.short_names[0] if p.short_names else p.name
    return PartyRef(_article(label), tuple(sorted(a for a in aliases if a)), is_client)


def sides(deal: Deal | None, perspective: list[str], text: str | None = None) -> Sides:
    """Split the deal's parties into the client and the others; fall back on roles and names."""
    deal = deal or Deal()
    parties = deal.key_terms.parties
    client = deal.client
    if parties:
        chosen = _client_party(parties, client.party, client.role, perspective)
        refs = tuple(_party_ref(p, p is chosen) for p in parties)
        others = [r.label for r in refs if not r.is_client]
        return Sides(refs, chosen is not None, others[0] if len(others) == 1 else None)
    return _sides_from_roles(client.role, perspective, text)


def client_party(deal: Deal, perspective: list[str]) -> Party | None:
    """The deal's party the review acts for, where the key terms name it."""
    c = deal.client
    return _client_party(deal.key_terms.parties, c.party, c.role, perspective)


def _client_party(
    parties: list[Party], name: str | None, role: str | None, perspective: list[str]
) -> Party | None:
    if name:
        for p in parties:
            if p.name == name:
                return p
    for wanted in ([role] if role else []) + ([] if name or role else perspective):
        for p in parties:
            if p.role == wanted:
                return p
    return None


def _sides_from_roles(role: str | None, perspective: list[str], text: str | None) -> Sides:
    client_roles = {r.lower() for r in ([role] if role else perspective)}
    refs: list[PartyRef] = []
    for word in ROLE_WORDS:
        refs.append(PartyRef(_article(word), (word,), word.lower() in client_roles))
    names = [n for n in _preamble_names(text) if n.lower() not in {w.lower() for w in ROLE_WORDS}]
    refs += [PartyRef(n, (n,), False) for n in names]
    return Sides(tuple(refs), bool(client_roles), names[0] if len(names) == 1 else None)


def _preamble_names(text: str | None) -> list[str]:
    """Names the preamble defines after "between": `PivX Corporation ... ("PivX")`."""
    if not text:
        return []
    head = text[:_PREAMBLE_CHARS]
    at = _BETWEEN.search(head)
    if not at:
        return []
    names = []
    stop = _RECITALS.search(head, at.end())
    end = min(stop.start() if stop else len(head), at.end() + _PARTIES_SPAN)
    for m in _DEFINED.finditer(head, at.end(), end):
        name = " ".join(m.group(1).split())
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", name)}
        if not words & _GENERIC_WORDS and name not in names:
            names.append(name)
    return names


def _alias_pattern(sides_: Sides) -> tuple[re.Pattern, dict[str, PartyRef]]:
    """Party names as written or in capitals ("Reseller", "RESELLER"), never in lower case."""
    by_alias: dict[str, PartyRef] = {}
    for p in sides_.parties:
        for a in p.aliases:
            by_alias.setdefault(a.casefold(), p)
    forms = {f for p in sides_.parties for a in p.aliases for f in (a, a.upper())}
    alt = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") for n in sorted(forms, key=len, reverse=True)
    )
    # "this Reseller Agreement" names the contract, not the Reseller.
    return re.compile(
        rf"\b(?:(?i:the)\s+)?(?P<p>{alt}|{_MUTUAL})\b(?!\s+(?i:agreement|contract)\b)"
    ), by_alias


_POSS = r"(?:['’][sS]?)"
_LIABLE_AFTER = re.compile(rf"\s*{_POSS}\s+(?:[\w'’]+\s+){{0,4}}liabilit", re.I)
_CAP_WORDS = re.compile(
    r"\bexceed|\blimited\s+to\b|\bin\s+excess\s+of\b|\bmore\s+than\b|\bmaximum\b", re.I
)
_NEITHER_BEFORE = re.compile(r"\b(?:neither|nor)\s+(?:the\s+)?$", re.I)
_NEG = re.compile(
    r"\s+(?:(?:shall|will|must|may|can|agrees?|covenants?|undertakes?)\s+(?:not|never)\b"
    r"|agrees?\s+that\s+it\s+(?:shall|will)\s+not\b|(?:shall|will)\s+refrain\b)",
    re.I,
)
_RIGHT = re.compile(
    r"\s+(?:may(?!\s+not)|can(?!not|\s+not)|(?:shall|will)\s+be\s+entitled|is\s+entitled"
    r"|(?:shall|will)\s+have\s+(?:the|a|an)\s+(?:right|option|first)|has\s+the\s+right"
    r"|reserves\s+the\s+right|gives?\s+(?:(?:prior\s+)?written\s+)?notice|elects?)\b",
    re.I,
)
_OBLIGE = re.compile(
    r"\s+(?:hereby\s+)?(?:shall|will|must|agrees?|covenants?|undertakes?|warrants?|is\s+required)\b",
    re.I,
)
# "X hereby grants", "X shall assign", "X agrees to assign and hereby assigns": X gives, the
# party named next receives.
_GRANT = re.compile(
    r"\s+(?:(?:shall|will|agrees?\s+to|hereby)\s+)?(?:(?:hereby|promptly)\s+)?"
    r"(?:grants?|appoints?|assigns?|conveys?|transfers?)\b",
    re.I,
)
# "assign to Xencor", "all rights shall be assigned to XENCOR": the assignee benefits.
_ASSIGNEE_BEFORE = re.compile(
    r"\b(?:assign|transfer|convey)(?:s|ed|red)?\b[^.;]{0,150}?\bto\s+(?:the\s+)?$", re.I
)
# "Distributor shall be the only distributor appointed by NETGEAR", "Reseller is appointed as
# Diversinet's exclusive reseller": an exclusive appointment favours the appointee and binds
# the party that appoints (it may not appoint others).
_EXCLUSIVE_APPOINTEE = re.compile(
    r"\s+(?:is|are|shall\s+be|will\s+be)\s+(?:hereby\s+)?(?:appointed\s+)?(?:as\s+)?"
    r"(?:(?:the|its|an?|[\w'’]+['’]s?)\s+)?(?:exclusive|sole|only)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:distributors?|resellers?|licensees?|dealers?|agents?|representatives?|franchisees?"
    r"|suppliers?|providers?|manufacturers?|sellers?)\b",
    re.I,
)
_ASIDE = re.compile(r"\s*,[^,;.]{1,80},\s*(?=(?:hereby\s+)?\w+)")
_CONSENT_BEFORE = re.compile(r"(?:consent|approval)\s+of\s+(?:the\s+)?$", re.I)
_CONSENT_AFTER = re.compile(rf"\s*{_POSS}\s+(?:prior\s+)?(?:written\s+)?(?:consent|approval)", re.I)
_BY_BEFORE = re.compile(r"\b(?:terminated|audited|exercised|elected)\s+by\s+(?:the\s+)?$", re.I)
_APPLY_BEFORE = re.compile(r"\bapply\s+(?:to|in\s+respect\s+of)\s+(?:the\s+)?$", re.I)
_LIMITS_BEFORE = re.compile(
    r"\b(?:limits?|limit\s+or\s+exclude|restricts?|excludes?)\s+(?:the\s+)?$", re.I
)
_SHALL_BEFORE = re.compile(r"\b(?:shall|will)\s+(?:the\s+)?$", re.I)


def read(text: str, sides_: Sides) -> Reading:
    """Find who the text binds and who it favours, sentence by sentence."""
    pat, by_alias = _alias_pattern(sides_)
    out = Reading()
    for sentence in re.split(r"(?<=[.;:])\s+", " ".join(text.split())):
        _read_sentence(sentence, pat, by_alias, out)
    return out


def _label(m: re.Match, by_alias: dict[str, PartyRef], after: str) -> str | None:
    """The party a mention names; "each party" for either / each / neither party."""
    said = " ".join(m.group("p").split())
    ref = by_alias.get(said.casefold())
    if ref and _NEITHER_BEFORE.search(m.string[max(0, m.start() - 12) : m.start()]):
        return "each party"  # "neither ADAMS GOLF nor CONSULTANT shall"
    if ref:
        return ref.label
    # "the parties" names both only where it governs a verb ("the parties agree").
    if said.lower().startswith("the") and not _verb_follows(after):
        return None
    return "each party"


def _add(bucket: dict[str, list[str]], strength: str, label: str) -> None:
    bucket.setdefault(strength, [])
    if label not in bucket[strength]:
        bucket[strength].append(label)


def _read_sentence(s: str, pat: re.Pattern, by_alias: dict[str, PartyRef], out: Reading) -> None:
    for m in pat.finditer(s):
        after, before = s[m.end() : m.end() + 160], s[max(0, m.start() - 60) : m.start()]
        label = _label(m, by_alias, after)
        if label is not None and _ASSIGNEE_BEFORE.search(s[max(0, m.start() - 200) : m.start()]):
            _add(out.favoured, "strong", label)
        if label is None:
            continue
        if label not in out.mentioned:
            out.mentioned.append(label)
        # "Aucta, for itself and its Affiliates, hereby grants": read past an aside.
        if aside := _ASIDE.match(after):
            after = " " + after[aside.end() :]
        _read_mention(label, after, before, pat, by_alias, out)


def _verb_follows(after: str) -> bool:
    return any(p.match(after) for p in (_NEG, _RIGHT, _OBLIGE, _LIABLE_AFTER))


def _liability(after: str, before: str) -> str | None:
    """ "limited" when the mention's liability is limited, "exposed" when it is left open."""
    if _APPLY_BEFORE.search(before) or _LIMITS_BEFORE.search(before):
        return "exposed"
    if _SHALL_BEFORE.search(before) and re.match(r"\s+be\s+liable", after, re.I):
        return "limited"  # "in no event shall X be liable"
    if re.match(r"\s+(?:shall|will)\s+(?:not|in\s+no\s+event)\s+be\s+liable", after, re.I):
        return "limited"
    if re.match(r"\s+(?:shall|will)\s+be\s+(?:fully\s+|solely\s+)?liable", after, re.I):
        return "exposed"
    if _LIABLE_AFTER.match(after) or re.search(r"liability\s+of\s+(?:the\s+)?$", before, re.I):
        return "limited"
    return None


def _read_mention(
    label: str, after: str, before: str, pat: re.Pattern, by_alias: dict, out: Reading
) -> None:
    if x := _EXCLUSIVE_APPOINTEE.match(after):
        _add(out.favoured, "strong", label)
        if other := _next_other(label, after[x.end() :], pat, by_alias):
            _add(out.bound, "strong", other)
    elif kind := _liability(after, before):
        if kind == "limited" and _CAP_WORDS.search(after[:160]):
            kind = "capped"  # limited to an amount, not merely freed of some kinds of loss
        _add(out.bound if kind == "exposed" else out.favoured, kind, label)
    elif g := _GRANT.match(after):
        _add(out.bound, "strong", label)
        if other := _next_other(label, after[g.end() :], pat, by_alias):
            _add(out.favoured, "strong", other)
    elif _NEG.match(after):
        _add(out.bound, "strong", label)
    elif _RIGHT.match(after):
        _add(out.favoured, "strong", label)
    elif _OBLIGE.match(after):
        _add(out.bound, "weak", label)
    elif _CONSENT_BEFORE.search(before) or _CONSENT_AFTER.match(after) or _BY_BEFORE.search(before):
        _add(out.favoured, "strong", label)


def _next_other(label: str, rest: str, pat: re.Pattern, by_alias: dict) -> str | None:
    """The first party other than `label` that `rest` names: the grantee, the appointer."""
    for o in pat.finditer(rest):
        other = _label(o, by_alias, rest[o.end() :])
        if other and other != label:
            return other
    return None


def orient(direction: Direction, reading: Reading, sides_: Sides) -> Orientation:
    """Whom the clause burdens, as the rule's `reads` defines it, seen from the client."""
    client = _client_label(reading, sides_)
    # A clause's first operative provision states its main effect ("PivX may terminate for
    # convenience. ... may be terminated by either party for breach"): it decides.
    if direction.reads == "liability_limit":
        limited = reading.favoured.get("capped") or reading.favoured.get("limited", [])
        burdened = _others(limited, reading, sides_)
    elif direction.reads == "liability_exposure":
        burdened = reading.bound.get("exposed", [])
    elif direction.reads == "right":
        fav = reading.favoured.get("strong", [])[:1]
        burdened = _others(fav, reading, sides_) if fav else reading.bound.get("strong", [])[:1]
        burdened = burdened or reading.bound.get("weak", [])[:1]
    else:
        burdened = reading.bound.get("strong", [])[:1]
        if not burdened and (fav := reading.favoured.get("strong", [])[:1]):
            burdened = _others(fav, reading, sides_)
        burdened = burdened or reading.bound.get("weak", [])[:1]
    return _orientation(burdened, reading, sides_, client)


def _client_label(reading: Reading, sides_: Sides) -> str | None:
    """The client's label: the client alias the clause uses, else the deal's client."""
    clients = [p for p in sides_.parties if p.is_client]
    named = [p.label for p in clients if p.label in reading.mentioned]
    if named:
        return named[0]
    # Only roles to go by, several of them the client's: the clause names none of them.
    return clients[0].label if len(clients) == 1 else "the client"


def _counterparty(reading: Reading, sides_: Sides) -> str:
    """The other side's label: one the clause names, else the deal's only other party."""
    named = [p.label for p in sides_.others() if p.label in reading.mentioned]
    return named[0] if named else sides_.other or "the other party"


def _others(labels: list[str], reading: Reading, sides_: Sides) -> list[str]:
    """The party other than `labels`: in a two-sided deal, the one who bears what they gain."""
    if not labels or "each party" in labels:
        return labels
    rest = [m for m in reading.mentioned if m not in labels and m != "each party"]
    if rest:
        return rest
    refs = {p.label: p for p in sides_.parties}
    mentioned = [refs[x] for x in labels if x in refs]
    if mentioned and all(p.is_client for p in mentioned):
        return [_counterparty(reading, sides_)]
    if mentioned and all(not p.is_client for p in mentioned) and sides_.client:
        return [_client_label(reading, sides_) or sides_.client.label]
    return ["each party"]


def _is_client(label: str, refs: dict[str, PartyRef]) -> bool:
    return label == "the client" or (label in refs and refs[label].is_client)


def _orientation(
    burdened: list[str], reading: Reading, sides_: Sides, client: str | None
) -> Orientation:
    if not burdened:
        return Orientation(None, None, None, client)
    if "each party" in burdened:
        return Orientation("mutual", MUTUAL_LABEL, MUTUAL_LABEL, client)
    refs = {p.label: p for p in sides_.parties}
    on_client = any(_is_client(b, refs) for b in burdened)
    on_other = any(not _is_client(b, refs) for b in burdened)
    if on_client and on_other:
        return Orientation("mutual", MUTUAL_LABEL, MUTUAL_LABEL, client)
    strangers = {m for m in reading.mentioned if m in refs and not refs[m].is_client}
    if not sides_.client_known or (client not in reading.mentioned and len(strangers) > 1):
        # Whose side is whose cannot be told: the clause names two parties, neither the client.
        return Orientation(None, burdened[0], None, client)
    if on_client:
        return Orientation("client", client, _counterparty(reading, sides_), client)
    return Orientation("counterparty", burdened[0], client, client)
