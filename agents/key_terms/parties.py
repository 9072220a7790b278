"""The parties: names and defined short names from the preamble, roles from what the contract says.

The preamble ("... by and between X, a Delaware corporation ("X"), and Y ("Y")") names the
parties; each name runs from the start of its stretch of the preamble to the first descriptor (",
a Delaware corporation", ", with offices at", "(") and each short name is the quoted term in the
parenthesis that closes its stretch. Signature blocks stand in where no preamble names two parties.
A role comes from the defined term ("Licensee"), a role word by the name, the contract's title (a
Distribution Agreement has a distributor and a supplier) with the verbs that say who is which ("X
hereby appoints Y"), or else stays "party".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from legal_orch_agents.common.roles import ROLE_OF
from legal_orch_agents.key_terms.reading import Contract

from legal_orch.domain import Party
from legal_orch.values import clean_space, is_redacted

_ANCHOR = re.compile(  # where a preamble starts naming the parties
    r"\bby\s+and\s+(?:between|among)\b|\b(?:between|among)\b\s*:?"
    r"|\b(?:made|entered\s+into|executed)\b[^.;\n]{0,120}?\bby\s+(?!and\b|(?:the\s+)?parties\b)"
    r"|\bB\s?E\s?T\s?W\s?E\s?E\s?N\s*:|^\s*PREAMBLE\b|^[ \t]*PARTIES[ \t]*:?[ \t]*$",
    re.I | re.M,
)
_STOP = re.compile(
    r"\bW\s?I\s?T\s?N\s?E\s?S\s?S\s?E\s?T\s?H\b|\bWHEREAS\b|\bRECITALS?\b|\bBACKGROUND\b"
    r"|\bNOW,?\s+THEREFORE\b|\bIN\s+CONSIDERATION\b|\bThe\s+parties\s+(?:hereto\s+)?agree|\n\s*1\.\s"
    r"|\bterms\s+and\s+conditions\b",
    re.I,
)
_QUOTED = re.compile(r"[\"“”']{1,2}\s*([^\"“”()]{1,60}?)\s*[,.]?\s*[\"“”']{1,2}")
_HEREINAFTER = re.compile(
    r"\b(?:hereinafter|herein)\b(?:\s+(?:to\s+be\s+)?(?:referred\s+to|called|known)(?:\s+as)?)?"
    r"\s*(?:the\s+)?[\"“]?(?P<t>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3})",
)
# Defined terms in a preamble that name no party.
# Defined terms in a preamble that name no party: by their last word, or a pronoun.
_NOT_PARTY = re.compile(
    r"(?:^|\s)(?:part(?:y|ies)|agreement|amendment|effective|execution|commencement|date|contract|"
    r"schedule|exhibit|term|services?|products?|territory|affiliates?|event|transaction|act|"
    r"marks|premises|property|program|note|notes|application|plan|policy|statement|report|"
    r"certificate|letter|consolidate|merger)$"
    r"|^(?:this|each|both|collectively|individually|we|us|our|you|your)\b",
    re.I,
)
_LETTERED_TERM = re.compile(r"Party\s+[A-D]")
_DATE_LIKE = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d|\d{1,2}(?:st|nd|rd|th)?\s+(?:day|of)\b",
    re.I,
)
_ENUMERATOR = re.compile(r"\s*(?:\(\w{1,3}\)|(?:\d{1,2}|[A-Za-z])[.)]|-\s*and\s*-)\s+")
_APPOSITIVE = re.compile(
    r"[\s,;:\-–—]*(?:[a-z][a-z-]*\s+){1,4}?[a-z-]+,\s*|[\s,;:\-–—]*(?:the\s+(?=[A-Z]))?"
)
_UNQUOTED = re.compile(r"\(\s*the\s+(?P<t>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2})\s*\)")
_SUFFIX = (
    r"(?i:Inc|Ltd|LLC|L\.L\.C|LLP|L\.P|LP|N\.A|Corp|Co|S\.A|AG|GmbH|B\.V|N\.V|plc|PLC|Limited|"
    r"Incorporated|Corporation|S\.A\.S|S\.p\.A|S\.r\.l|SA|Pty|Pte|Ltda|A/S|AB|Oy|KK|SE|SAS)\b"
)
_SEPARATOR = re.compile(
    r"(?:^|[,;]?\s+)(?:and|AND|And|&)\s*:?\s+(?=[A-Z0-9\"“(]|e-\w|[a-z][A-Z]|[a-z][\w-]*\.com)|;\s+(?=[A-Z0-9(])|^\s*AND\s*:"
    r"|-\s*and\s*-"
)
# "..., hereinafter referred to as "Customer"" outside any parenthesis
_HEREINAFTER_QUOTED = re.compile(
    r"[,.]?\s*\b(?:hereinafter|herein)\b[^\"“”()]{0,40}?[\"“][^\"“”]{1,40}[\"”]", re.I
)
_DESCRIPTOR = re.compile(
    rf",(?!\s*(?:{_SUFFIX}|d/b/a))|\s+\(|\s+(?:a|an)\s+(?:[A-Z][a-z]+\s+)*(?:corporation|company|limited|"
    r"partnership|individual|body|national|banking|societe|public|private)\b"
    r"|\s+(?:organi[sz]ed|incorporated\s+under|existing|located|having|whose|with\s+(?:its|a|an|offices)|"
    r"acting|doing\s+business|on\s+behalf|together\s+with|as\s+of\b|dated\b|effective\b|at\s+\d)"
    r"|\s+of\s+(?=\d|\[|[A-Z]\w*\s+(?:House|Street|Road|Avenue|Building|Floor|Park)\b)"
    r"|\s+is\s+a\s"
    r"|\s+\[|\n\s*\n|\s*\n\s*(?=\d|Suite\b|Attn|Attention|Tel\b|Fax\b|Address)",
)
_NAME_START = re.compile(r"[A-Z0-9]|[a-z](?=[A-Z])|[a-z][\w-]*\.(?:com|net)\b|e-\w")
_ADDRESS_LINE = re.compile(r"^[ \t\u00a0]*(?:To|From)[ \t\u00a0]*:[ \t\u00a0]*", re.M)
_HEADER = re.compile(
    r"^[ \t\u00a0]*(?:To|From|Attention|Attn|Subject|Re|Date|Cc|Fax|Tel)[ \t\u00a0]*:", re.M | re.I
)
_BLANK_LEAD = re.compile(r"[\s,;:)]*(?:(?:and|AND|&)\s*:?\s*)?")
_BLANK = re.compile(r"\s*(?:_{3,}|<<|«|\[\s*\]|\[\s*●\s*\]|\[\s*\*\s*\])")
_TITLE_LINE = re.compile(r"^[^\n]{0,60}\bAGREEMENT\b[^\n]{0,40}\n", re.M)
_PARTY_LETTER = re.compile(
    r"^[ \t\u00a0]*(?P<t>Party[ \t\u00a0]+[A-D])[ \t\u00a0]*[:：][ \t\u00a0]*(?P<n>[^\n]{3,150})",
    re.M,
)
# "The Covenanter: <name> (hereinafter referred to as Party A)": the name, then its letter.
_NAME_THEN_LETTER = re.compile(
    r"(?:Covenanter|Party|between|and)\s*:?\s*(?:the\s+)?(?P<n>[A-Z][^():]{2,120}?)\s*\(\s*"
    r"(?:hereinafter|herein)\s+(?:referred\s+to\s+as|called)\s+[\"“]?(?P<t>Party\s+[A-D])[\"”]?\s*\)"
)
_ROLE_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, ROLE_OF), key=len, reverse=True)) + r")\b", re.I
)
# The contract's kind (from its title) and the two roles it has: the one who gives (grants,
# appoints, supplies) first.
_KINDS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"franchis", re.I), "franchisor", "franchisee"),
    (re.compile(r"licen[cs]", re.I), "licensor", "licensee"),
    (re.compile(r"distribut", re.I), "supplier", "distributor"),
    (re.compile(r"resell|resale|\bVAR\b", re.I), "supplier", "reseller"),
    (re.compile(r"manufactur", re.I), "manufacturer", "customer"),
    (re.compile(r"supply|purchase", re.I), "supplier", "customer"),
    (re.compile(r"hosting", re.I), "host", "customer"),
    (re.compile(r"consult", re.I), "consultant", "client"),
    (re.compile(r"endorse", re.I), "endorser", "company"),
    (re.compile(r"agency|sales\s+agent|\bagent\b", re.I), "principal", "agent"),
    (
        re.compile(r"outsourc|services?\s+agreement|maintenance|support", re.I),
        "service_provider",
        "customer",
    ),
    (re.compile(r"sponsor", re.I), "host", "sponsor"),
    (re.compile(r"loan|credit", re.I), "lender", "borrower"),
    (re.compile(r"lease", re.I), "landlord", "tenant"),
    (re.compile(r"employ", re.I), "employer", "employee"),
    (
        re.compile(r"collaborat|alliance|joint\s+development|co-?promot|co-?brand", re.I),
        "collaborator",
        "collaborator",
    ),
    (re.compile(r"joint\s+venture|partnership", re.I), "partner", "partner"),
)
# The verbs by which the giving side of each kind of contract acts towards the other, most
# telling first.
_GRANT = r"grants?|licen[cs]es\s+to"
_APPOINT = r"appoints?"
_SUPPLY = r"supply|supplies|sell|sells"
_GIVER_VERBS: dict[str, tuple[str, ...]] = {
    "licensor": (_GRANT,),
    "franchisor": (_GRANT,),
    "supplier": (_APPOINT, _GRANT, _SUPPLY),
    "manufacturer": (r"manufacture|produce",),
    "host": (r"host",),
    "service_provider": (r"provide|perform|render",),
    "consultant": (r"provide|perform|render",),
    "principal": (_APPOINT, r"engages?|retains?"),
    "lender": (r"lend|loan|advance",),
    "landlord": (r"leases?|lets?",),
    "employer": (r"employs?|hires?",),
}
_COMPLEMENT = {
    "licensor": "licensee",
    "licensee": "licensor",
    "distributor": "supplier",
    "reseller": "supplier",
    "franchisor": "franchisee",
    "franchisee": "franchisor",
    "buyer": "seller",
    "seller": "buyer",
    "lender": "borrower",
    "borrower": "lender",
    "landlord": "tenant",
    "tenant": "landlord",
    "employer": "employee",
    "employee": "employer",
    "principal": "agent",
    "agent": "principal",
}
_SIGNATURE = re.compile(r"IN\s+WITNESS\s+WHEREOF|SIGNATURES?\b|AGREED\s+AND\s+ACCEPTED", re.I)
_SIGN_NAME = re.compile(
    rf"^[ \t]*(?:For\s+and\s+on\s+behalf\s+of\s+|For\s+)?(?P<n>(?:[A-Z][\w&.,'’-]*[ \t]+){{0,6}}{_SUFFIX}\.?)[ \t]*:?[ \t]*$",
    re.M,
)


@dataclass
class _Found:
    start: int  # offsets of the name in the text
    end: int
    short: list[tuple[str, int, int]] = field(default_factory=list)
    descriptor: str = ""


def read_parties(c: Contract) -> list[Party]:
    """The contract's parties with short names and roles, each citing where it is named."""
    found = _preamble(c)
    if len(found) < 2:
        known = [_key(c.text[f.start : f.end]) for f in found]
        for f in _signatures(c):
            for g in list(found):  # "THE JOHNS HOPKINS UNIVERSITY VIRTUOSO SURGICAL, INC."
                words = r"[\s\u00a0]+".join(
                    map(re.escape, clean_space(c.text[g.start : g.end]).split())
                )
                if (m := re.compile(words, re.I).match(c.text, f.start, f.end)) and m.end() < f.end:
                    f.start = (
                        m.end()
                        + len(c.text[m.end() : f.end])
                        - len(c.text[m.end() : f.end].lstrip())
                    )
            k = _key(c.text[f.start : f.end])
            if k and not any(k in x or x in k for x in known if x):
                found.append(f)
                known.append(k)
    parties = [_party(c, f) for f in found[:4]]
    _assign_roles(c, parties, found[:4])
    return parties


def _preamble(c: Contract) -> list[_Found]:
    """The parties of the first preamble that names two, preferring one with short names."""
    best: list[_Found] = []
    limit = min(len(c.text), 20000)
    titles = [m.end() for m in c.search(_TITLE_LINE, 0, min(len(c.text), 4000))]
    starts = [(m.start(), m.end()) for m in c.search(_ANCHOR, 0, limit)] + [(t, t) for t in titles]
    lettered = _lettered(c)
    if len(lettered) >= 2:
        return lettered
    addressed = _addressed(c)
    if len(addressed) >= 2:
        return addressed
    for a, b in starts:
        if c.is_notice(*c.sentence(a)) and "between" not in c.text[a:b].lower():
            continue
        window_end = min(len(c.text), b + 1500)
        stop = _STOP.search(c.text, b + 1, window_end)
        found = _split(c, b, stop.start() if stop else window_end)
        span = (_sentence_start(c, a), stop.start() if stop else window_end)
        if len(found) >= 2 and any(f.short for f in found):
            c.preamble = span
            return found
        if len(found) > len(best) and a != b:  # a title line counts only with short names
            best, c.preamble = found, span
    return best


def _addressed(c: Contract) -> list[_Found]:
    """The parties of a letter agreement or confirmation: its "To:" and "From:" lines."""
    out = []
    head = min(len(c.text), 3000)
    for m in c.search(_ADDRESS_LINE, 0, head):
        nxt = _HEADER.search(c.text, m.end(), head)
        end = nxt.start() if nxt else min(head, m.end() + 300)
        f = _name_in(c, m.end(), end, first=False, at=True)
        if f is None:
            continue
        for a, b in _parens(c.text[f.end : end], f.end):
            f.short += _short_names(c, a, b) or []
        out.append(f)
    return out[:2]


def _lettered(c: Contract) -> list[_Found]:
    """Parties listed as "Party A: <name>" lines (common in contracts made in China)."""
    out = []
    head = min(len(c.text), 8000)
    matches = list(c.search(_PARTY_LETTER, 0, head))
    if len(matches) < 2:
        matches = [m for m in c.search(_NAME_THEN_LETTER, 0, head)]
    for m in matches:
        d = _DESCRIPTOR.search(c.text, m.start("n"), m.end("n"))
        e = d.start() if d else m.end("n")
        while e > m.start("n") and c.text[e - 1] in " \t\u00a0,;:":
            e -= 1
        if all(
            clean_space(c.text[f.start : f.end]) != clean_space(c.text[m.start("n") : e])
            for f in out
        ):
            out.append(
                _Found(
                    m.start("n"), e, short=[(clean_space(m.group("t")), m.start("t"), m.end("t"))]
                )
            )
    return out[:4]


def _sentence_start(c: Contract, offset: int) -> int:
    """Where the preamble's sentence begins: after the last blank line or full stop before it."""
    lo = max(0, offset - 600)
    head = c.text[lo:offset]
    cut = max(head.rfind("\n\n"), head.rfind(".\n"), head.rfind("\n \n"))
    return lo + cut + 1 if cut >= 0 else lo


def _parens(text: str, base: int) -> list[tuple[int, int]]:
    """Top-level parenthesised spans of `text` as offsets (base-shifted)."""
    out, depth, open_at = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
            if depth == 1:
                open_at = i
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append((base + open_at, base + i + 1))
    return out


def _short_names(c: Contract, a: int, b: int) -> list[tuple[str, int, int]] | None:
    """The party short names a parenthesis [a, b) defines; None where it defines none."""
    inner = c.text[a:b]
    names = [(m.group(1), a + m.start(1), a + m.end(1)) for m in _QUOTED.finditer(inner)]
    if not names and (h := _HEREINAFTER.search(inner) or _UNQUOTED.fullmatch(inner)):
        names = [(h.group("t"), a + h.start("t"), a + h.end("t"))]
    out = []
    for n, s, e in names:
        n = clean_space(n).strip(" ,.")
        if n.lower().startswith("the "):
            n, s = n[4:], s + 4
        if n and (_LETTERED_TERM.fullmatch(n) or not _NOT_PARTY.search(n)) and not is_redacted(n):
            out.append((n, s, e))
    return out or None


def _split(c: Contract, start: int, end: int) -> list[_Found]:
    """The parties named in the preamble stretch [start, end)."""
    found: list[_Found] = []
    prev = start
    spans = _parens(c.text[start:end], start)
    spans += [
        (m.start(), m.end())
        for m in c.search(_HEREINAFTER_QUOTED, start, end)
        if not any(a <= m.start() < b for a, b in spans)
    ]
    for a, b in sorted(spans):
        shorts = _short_names(c, a, b)
        if shorts is None:
            continue
        f = _name_in(c, prev, a, first=not found)
        if f is None and shorts and _blank_name(c, prev, a, first=not found):
            # "_______ ("Broker Dealer")": the name is left blank; the defined term names it
            n, s0, e0 = shorts[0]
            f = _Found(s0, e0)
        if f is not None:
            f.short = shorts
            found.append(f)
        prev = b
    if len(found) < 4:
        for piece in _pieces(c, prev, end, bool(found)):
            if len(found) < 4:
                found.append(piece)
    return [f for f in found if f is not None]


def _pieces(c: Contract, start: int, end: int, after_party: bool) -> list[_Found]:
    """Parties named without short names: the stretch split at "and" between names."""
    out: list[_Found] = []
    cut = c.text.find(".\n", start, end)
    end = cut if cut > 0 else end
    seps = list(_SEPARATOR.finditer(c.text, start, end))
    bounds = [start] + [m.end() for m in seps] if not after_party else [m.end() for m in seps]
    for i, s in enumerate(bounds):
        e = seps[i].start() if not after_party and i < len(seps) else end
        f = _name_in(c, s, e, first=not after_party and i == 0, at=after_party)
        if f is not None and _looks_like_name(c.text[f.start : f.end]):
            out.append(f)
            if after_party:
                break
    return out[:2]


def _blank_name(c: Contract, a: int, b: int, *, first: bool) -> bool:
    """Whether the stretch names a party by a blank ("____", "<<enter name>>") before its term."""
    lead = _BLANK_LEAD.match(c.text, a, b)
    return bool(_BLANK.match(c.text, lead.end() if lead else a, b))


def _looks_like_name(name: str) -> bool:
    if re.search(r"\b(?:AGREES?|IS|ARE|HAS|HAVE|SHALL|WILL|BY|TO|THE PARTIES)\b", name):
        return False  # words of a sentence in capitals, not a name
    return bool(re.search(_SUFFIX, name)) or (name.isupper() and len(name) > 3)


def _name_in(c: Contract, a: int, b: int, *, first: bool, at: bool = False) -> _Found | None:
    """The party name at the start of stretch [a, b): after the "and" that ends the last party
    (or, with `at`, right at `a`)."""
    if at:
        pass
    elif first:
        # a stretch that runs over another opening ("... BETWEEN X AND Y\nThis Agreement ...
        # by and between") starts at the last one
        for m in c.search(_ANCHOR, a, b):
            a = m.end()
    else:
        sep = _SEPARATOR.search(c.text, a, b)
        if sep is not None:
            a = sep.end()
    if m := _ENUMERATOR.match(c.text, a, b):
        a = m.end()
    # "professional golfer, TOM WATSON": skip a lowercase description before the name
    if (
        (m := _APPOSITIVE.match(c.text, a, b))
        and m.end() < b
        and _NAME_START.match(c.text, m.end())
    ):
        a = m.end()
    elif not (a < b and _NAME_START.match(c.text, a)):
        return None
    d = _DESCRIPTOR.search(c.text, a, b)
    e = d.start() if d else b
    while e > a and (c.text[e - 1].isspace() or c.text[e - 1] in ",;:"):
        e -= 1
    name = clean_space(c.text[a:e])
    if ":" in name or re.search(r"\bAGREEMENT\b|\bBETWEEN\b|\sAND\s", name):
        # a title page or a header block runs into the preamble: the name starts on a later line
        nl = c.text.find("\n", a, b)
        return _name_in(c, nl + 1, b, first=False, at=True) if nl >= 0 else None
    if not (2 <= len(name) <= 120) or not re.search(r"[A-Z]", name) or is_redacted(name):
        return None
    if _DATE_LIKE.match(name) or (name[0].isdigit() and not re.search(_SUFFIX, name)):
        return None  # a date ("May 14") or an address ("53702 Generations Drive"), not a name
    if name.lower().startswith(("this ", "the parties", "each ", "its ")) or name.count(" ") > 12:
        return None
    if re.search(
        r"\band\s+the\b|\bhave\b|\bhas\b|\bshall\b|\bwill\b", name
    ):  # a clause, not a name
        return None
    return _Found(a, e, descriptor=c.text[e:b])


def _signatures(c: Contract) -> list[_Found]:
    """Organisations named above the signature lines ("ACME, INC.  By: ____")."""
    hits = [
        m
        for m in c.near(("witness", "signature", "agreed and accepted"), _SIGNATURE, 5, 30)
        if m.start() > len(c.text) // 3
    ]
    if not hits:
        return []
    start = hits[-1].start()
    out: list[_Found] = []
    for m in c.search(_SIGN_NAME, start, min(len(c.text), start + 3000)):
        # side-by-side signature blocks put two names on one line, far apart
        for piece in re.finditer(r"\S+(?:[ \t\u00a0]{1,2}\S+)*", c.text[m.start("n") : m.end("n")]):
            s, e = m.start("n") + piece.start(), m.start("n") + piece.end()
            name = clean_space(c.text[s:e]).rstrip(":,")
            if not re.search(_SUFFIX, name) or re.search(
                r"\b(?:WITNESS|WHEREOF|BY|NAME|TITLE|DATE|SIGNATURE|AGREEMENT|EXHIBIT|SCHEDULE)\b",
                name.upper(),
            ):
                continue
            if not any(clean_space(c.text[f.start : f.end]) == name for f in out):
                out.append(_Found(s, e))
    return out[:2]


def _key(name: str) -> str:
    """A name reduced for comparing: lower case, no punctuation, no company-form words."""
    low = re.sub(r"[^a-z0-9 ]", " ", clean_space(name).lower())
    return " ".join(w for w in low.split() if w not in _FORMS)


_FORMS = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "l",
        "c",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "the",
    ]
)


def _party(c: Contract, f: _Found) -> Party:
    name = clean_space(c.text[f.start : f.end]).rstrip(",;:")
    shorts = [s for s, _, _ in f.short if s.lower() != name.lower()]
    cites = [c.cite(f.start, f.end)] + [c.cite(s, e) for _, s, e in f.short]
    return Party(name=name, short_names=list(dict.fromkeys(shorts)), citations=cites)


def _role_of(words: list[str]) -> str | None:
    for w in words:
        if m := _ROLE_RE.fullmatch(w.strip()):
            return ROLE_OF[m.group(1).lower()]
    for w in words:
        if m := _ROLE_RE.search(w):
            return ROLE_OF[m.group(1).lower()]
    return None


def _assign_roles(c: Contract, parties: list[Party], found: list[_Found]) -> None:
    """Give each party the role its defined term, its descriptor, the title or the verbs imply."""
    for p, f in zip(parties, found, strict=True):
        role = _role_of(p.short_names)
        if role is None and (
            m := re.search(r"\bas\s+(?:a\s+|the\s+)?([A-Za-z -]{3,30})", f.descriptor)
        ):
            role = _role_of([m.group(1)])
        p.role = role or "party"
    kind = _kind(c)
    if len(parties) != 2:
        return
    a, b = parties
    known = [p for p in parties if p.role != "party"]
    if len(known) == 1:
        other = b if known[0] is a else a
        k = known[0].role
        if k in _COMPLEMENT:
            other.role = _COMPLEMENT[k]
        elif kind and k in kind and kind[0] != kind[1]:
            other.role = kind[1] if k == kind[0] else kind[0]
        elif kind and k == "company" and kind[0] != kind[1]:
            givers = ("supplier", "licensor", "franchisor", "principal")
            other.role = kind[1] if kind[0] in givers else kind[0]
        return
    if known or not kind:
        return
    if kind[0] == kind[1]:
        a.role = b.role = kind[0]
        return
    giver = _giver(c, parties, kind[0])
    if giver is not None:
        giver.role = kind[0]
        (b if giver is a else a).role = kind[1]


def _kind(c: Contract) -> tuple[str, str] | None:
    """The role pair the contract's title implies (a Distribution Agreement: supplier, distributor)."""
    names = [x.text for x in c.anchors("Document Name")[:1]]
    head = c.text[:3000]
    titles = (
        names
        or [m.group(0) for m in re.finditer(r"[^\n]{0,80}\bAGREEMENT\b[^\n]{0,40}", head, re.I)][:2]
    )
    for t in titles:
        for pattern, giver, taker in _KINDS:
            if pattern.search(t):
                return giver, taker
    return None


def _giver(c: Contract, parties: list[Party], giver_role: str) -> Party | None:
    """The party the verbs of its kind make the giver ("X hereby grants to Y a licence", "Y shall
    purchase from X"); None where the verbs do not tell the two apart.

    Verb sets are tried in order of how plainly they say it; within one set the party that acts
    so more often wins, and a grant or appointment is decided by the first one (the main grant
    comes first; later cross-grants do not turn the parties round).
    """
    head = min(len(c.text), 80000)
    for verbs in _GIVER_VERBS.get(giver_role, ()):
        hits: list[tuple[int, int]] = []
        for i, p in enumerate(parties):
            mine = _alternatives(p)
            others = "|".join(_alternatives(q) for q in parties if q is not p)
            gives = re.compile(
                rf"\b(?:{mine})\s+(?:hereby\s+|shall\s+|will\s+|agrees\s+to\s+)?(?:{verbs})\b"
                rf"[^.;]{{0,120}}?\b(?:{others})\b",
                re.I,
            )
            hits += [(m.start(), i) for m in gives.finditer(c.text, 0, head)]
            if verbs == _SUPPLY:
                taken = re.compile(
                    rf"\b(?:{others})\s+(?:shall|will|agrees\s+to|desires\s+to|may)\s+"
                    rf"(?:purchase|buy|order)\b[^.;]{{0,120}}?\bfrom\s+(?:{mine})\b",
                    re.I,
                )
                hits += [(m.start(), i) for m in taken.finditer(c.text, 0, head)]
        if not hits:
            continue
        if verbs in (_GRANT, _APPOINT):
            return parties[min(hits)[1]]
        counts = [sum(1 for _, i in hits if i == k) for k in range(2)]
        if counts[0] != counts[1]:
            return parties[0] if counts[0] > counts[1] else parties[1]
    return None


def _alternatives(p: Party) -> str:
    return "|".join(
        re.escape(n) for n in sorted({p.name, *p.short_names}, key=len, reverse=True) if n
    )
