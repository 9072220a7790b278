"""The term: how long the contract runs, when it expires, whether and how it renews, and the notice
that stops a renewal (with the last day to give it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from legal_orch_agents.key_terms.reading import Contract, term

from legal_orch.domain import KeyTerm
from legal_orch.values import (
    add_duration,
    duration_days,
    duration_words,
    find_dates,
    find_durations,
    is_redacted,
)

_TERM_STRONG = re.compile(
    r"\(\s*(?:the\s+|this\s+)?[\"“](?:Initial\s+|Original\s+)?Term[\"”]|[\"“](?:Initial\s+)?Term[\"”]\s+(?:shall\s+)?means?"
    r"|(?<!during\s)(?<!throughout\s)(?<!of\s)(?:the\s+)?(?:initial\s+)?term\s+of\s+this\s+(?:agreement|contract)\s+"
    r"(?:shall|will|is)\b|(?<!provisions\sof\s)\bthis\s+(?:agreement|contract)\s+(?:shall|will)\s+(?:commence|begin|become|be\s+effective|"
    r"take\s+effect|continue|remain|expire|terminate|run|extend|be\s+in)"
    r"|\b(?:the\s+)?(?:appointment|employment)\s+(?:will|shall)\s+(?:begin|commence|continue)",
    re.I,
)
_TERM_CUES = (
    "term of this",
    "term”",
    'term"',
    "agreement shall",
    "agreement will",
    "contract shall",
    "contract will",
    "appointment will",
    "appointment shall",
    "employment will",
    "employment shall",
)
_TERM_SENTENCE = re.compile(r"\binitial\s+term\b|\bshall\s+expire\b|\bexpir\w+\s+date\b", re.I)
_NOT_TERM = re.compile(
    r"\bremaining\s+provisions\b|unenforceable|\binvalid\b|\bmeaning\s+(?:set\s+forth|given)"
    r"|\bwaiver\b",
    re.I,
)
_PERPETUAL = re.compile(
    r"perpetu|indefinite|until\s+(?:it\s+is\s+)?(?:terminated|such\s+time\s+as)"
    r"|(?:continue|remain|govern)[^.;]{0,120}?\bunless\s+(?:and\s+until\s+)?(?:sooner\s+|earlier\s+)?terminated"
    r"|\bend\w*\s+(?:only\s+)?(?:when|upon)\s+(?:it\s+is\s+)?terminated"
    r"|(?:until|upon)\s+(?:the\s+)?(?:expiration|termination|expiry)\s+(?:or\s+(?:earlier\s+)?"
    r"(?:termination|expiration)\s+)?of\s+(?:the|such|that)\s+(?!term\b|initial)",
    re.I,
)
_UNTIL_DATE = re.compile(
    r"\b(?:until|through|thru|expire[sd]?\s+on|expir\w*\s+(?:on\s+)?|terminat\w+\s+on|end(?:ing|s)?\s+on|"
    r"to\s+and\s+including|ending)\s+(?:and\s+including\s+)?(?:the\s+)?"
    r"(?:(?:later|earlier)\s+of\s+(?:\(\w\)\s+)?)?",
    re.I,
)
_EVENT_START = re.compile(
    r"first\s+commercial|launch|regulatory\s+approval|acceptance|delivery|installation|"
    r"first\s+(?:sale|shipment)|opening|closing\s+date|completion",
    re.I,
)
_NOTICE_NEAR = re.compile(
    r"\W{0,3}(?:s\b)?\W{0,3}\s*(?:\w+\s+){0,2}(?:notice|prior|in\s+advance|before|written)", re.I
)
_NOTICE_BEFORE = re.compile(
    r"(?:at\s+least|not\s+less\s+than|no\s+less\s+than|minimum\s+of|upon|with|giving)\s*$", re.I
)
_AUTO = re.compile(
    r"automatic\w*\s+(?:be\s+)?(?:renew|extend|continue)|(?:renew|extend|continu)\w*\s+automatically"
    r"|shall\s+(?:thereafter\s+)?(?:be\s+)?(?:renew|extend)\w*\s+(?:\w+\s+){0,3}(?:for\s+)?(?:successive|additional|consecutive|further|subsequent)"
    r"|(?:successive|consecutive)\s+(?:\w+\s+){0,4}(?:renewal\s+)?(?:periods?|terms?)[^.]{0,120}unless"
    r"|evergreen|year\s+to\s+year|from\s+year\s+to\s+year|month[- ]to[- ]month",
    re.I,
)
_OPTIONAL = re.compile(
    r"may\s+(?:be\s+)?(?:renew|extend)|may\s+agree[^.;]{0,30}?to\s+(?:renew|extend)|option\s+to\s+(?:renew|extend)|at\s+its\s+option,?\s+(?:renew|extend)|mutual(?:ly)?\s+(?:written\s+)?agree"
    r"|upon\s+(?:the\s+)?mutual|if\s+the\s+parties\s+(?:so\s+)?agree|right\s+to\s+(?:renew|extend)"
    r"|by\s+(?:written\s+)?agreement\s+of",
    re.I,
)
_FROM_EVENT = re.compile(
    r"[\s,]*(?:thereafter\s+)?(?:after|from|following|commencing\s+(?:on|with))\s+(?:the\s+)?(?P<ev>[^,.;()\n]{3,60}?)"
    r"(?=\s*(?:[,.;()]|\bunless\b|\band\b|\bor\b|$))",
    re.I,
)
_FROM_DATE = re.compile(
    r"(?:effective|execution|commencement|signing|agreement)\s+date|date\s+(?:of\s+)?(?:this|hereof|first|above)"
    r"|date\s+hereof|execution|signature|date\s+set\s+forth|including",
    re.I,
)
# A named event a term may run from: a defined term ("Launch Date") or a first sale or launch.
_EVENT_NAME = re.compile(
    r"(?:[A-Z][\w’'-]*)(?:\s+[A-Za-z][\w’'-]*){0,5}$|first\s+commercial\s+sale|launch"
)
_ORDINALS = {
    w: i
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
        ],
        start=1,
    )
}
_ANNIVERSARY = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"
    r"\s*(?:\(\s*\d{1,2}(?:st|nd|rd|th)?\s*\)\s*)?\s+anniversary\s+of\s+the\s+"
    r"(?:Effective\s+Date|date\s+(?:of\s+this\s+Agreement|hereof))",
    re.I,
)
_PERIODIC = re.compile(
    r"\b(?:each|every)\s+(?:year|month)\b|\bannual(?:ly)?\b|\byear[- ]to[- ]year\b|\byearly\b"
    r"|\bmonth[- ]to[- ]month\b|\bmonthly\b",
    re.I,
)
_RENEWAL_CUES = (
    "renew",
    "extend",
    "extension",
    "automatic",
    "successive",
    "evergreen",
    "year to year",
    "year-to-year",
    "month to month",
    "month-to-month",
    "continu",
    "mutual",
)
_RENEWAL = re.compile(r"renew|extend|extension|successive|evergreen|year\s+to\s+year", re.I)


@dataclass
class Duration:
    start: int
    end: int
    n: int
    unit: str

    @property
    def words(self) -> str:
        return duration_words(self.n, self.unit)

    @property
    def days(self) -> int:
        return duration_days(self.n, self.unit)


def _durations(c: Contract, start: int, end: int) -> list[Duration]:
    return [
        Duration(start + a, start + b, n, u) for a, b, n, u in find_durations(c.text[start:end])
    ]


def _is_notice(c: Contract, d: Duration) -> bool:
    return bool(
        _NOTICE_NEAR.match(c.text, d.end, d.end + 40)
        or _NOTICE_BEFORE.search(c.text, max(0, d.start - 25), d.start)
    )


@dataclass
class TermTerms:
    initial_term: KeyTerm | None = None
    expiration_date: KeyTerm | None = None
    renewal: KeyTerm | None = None
    renewal_term: KeyTerm | None = None
    nonrenewal_notice: KeyTerm | None = None
    nonrenewal_deadline: KeyTerm | None = None


def _term_spans(c: Contract) -> list[tuple[int, int]]:
    """The passages that set the term: definitions and "this Agreement shall continue ..." first,
    then the extractor's expiration clauses, then any passage naming an initial term or expiry."""
    ranked: list[tuple[int, int, int]] = []
    seen: set[tuple[int, int]] = set()

    def add(rank: int, offset: int) -> None:
        span = c.passage(offset)
        if span not in seen and not c.is_notice(*span) and not _NOT_TERM.search(c.text, *span):
            seen.add(span)
            ranked.append((rank, *span))

    for m in c.near(_TERM_CUES, _TERM_STRONG, 80, 120):
        add(0, m.start())
    for cl in c.anchors("Expiration Date"):
        if cl.confidence >= 0.4:
            add(1, cl.start)
    for m in c.near(("initial term", "expir"), _TERM_SENTENCE, 40, 60):
        add(2, m.start())
    return [(s, e) for _, s, e in sorted(ranked)]


def read_term(c: Contract, effective: KeyTerm | None) -> TermTerms:
    """The initial term, expiry, renewal and non-renewal notice, with what can be computed."""
    out = TermTerms()
    spans = _term_spans(c)
    for s, e in spans[:8]:
        if out.expiration_date is None:
            out.expiration_date = _explicit_expiry(c, s, e)
        if out.initial_term is None:
            out.initial_term = _initial_term(c, s, e, effective)
            if out.initial_term is not None and out.expiration_date is None:
                out.expiration_date = _computed_expiry(c, out.initial_term, effective, s, e)
        if out.initial_term or out.expiration_date:
            break
    if out.expiration_date is None:
        out.expiration_date = _labelled_expiry(c)
    if out.expiration_date is None:
        for s, e in spans:
            if (m := _PERPETUAL.search(c.text, s, e)) and not _durations(c, s, e):
                # normalized "perpetual" (CUAD's word) means: no fixed expiry date
                phrase = re.split(r"[.;(]", c.text[m.start() : min(e, m.start() + 140)])[0]
                out.expiration_date = term(
                    c,
                    "no fixed expiry date",
                    "perpetual",
                    (s, e),
                    detail=" ".join(phrase.split()),
                )
                break
    _read_renewal(c, out, spans)
    return out


_EXPIRY_LABEL = re.compile(
    r"^[ \t\u00a0]*(?:Termination|Expiration|Expiry|End)\s+Date\s*:?[ \t\u00a0]*", re.I | re.M
)


def _labelled_expiry(c: Contract) -> KeyTerm | None:
    """A term sheet's "Termination Date: 1 April 2009"."""
    for m in c.near(
        ("termination date", "expiration date", "expiry date", "end date"), _EXPIRY_LABEL, 40, 30
    ):
        found = find_dates(c.text[m.end() : m.end() + 60])
        if found and not c.text[m.end() : m.end() + found[0][0]].strip():
            _, b, iso = found[0]
            return term(c, iso, iso, (m.start(), m.end() + b))
    return None


def _explicit_expiry(c: Contract, s: int, e: int) -> KeyTerm | None:
    for m in c.search(_UNTIL_DATE, s, e):
        found = find_dates(c.text[m.end() : min(e, m.end() + 40)])
        if found and found[0][0] < 4:
            a, b, iso = found[0]
            either = re.search(r"(later|earlier)\s+of", m.group(0), re.I)
            detail = f"or a later event, whichever is {either.group(1).lower()}" if either else None
            return term(c, iso, iso, (m.start(), m.end() + b), detail=detail)
        if is_redacted(c.text[m.end() : min(e, m.end() + 25)]) and re.search(
            r"\d{4}|day|\[", c.text[m.end() : m.end() + 40]
        ):
            return term(c, None, None, (m.start(), min(e, m.end() + 25)), status="redacted")
    return None


def _initial_term(c: Contract, s: int, e: int, effective: KeyTerm | None) -> KeyTerm | None:
    """The first duration in the term sentence that is not a notice or renewal period."""
    for d in _durations(c, s, e):
        before = c.text[max(s, d.start - 60) : d.start].lower()
        if _is_notice(c, d) or re.search(r"renew|successive|additional|further", before):
            continue
        if d.unit == "day" and d.n < 60:
            continue
        if is_redacted(c.text[max(s, d.start - 12) : d.end]):
            return term(c, None, None, (d.start, d.end), status="redacted")
        return term(c, d.words, d.days, (d.start, d.end), unit="days")
    if m := re.search(
        r"(?:for\s+a\s+(?:period|term)\s+of\s+)?\[\s*\*[\s*]*\]\s*(?:\(\s*\[?[\s*]*\]?\s*\)\s*)?(?:years?|months?)",
        c.text[s:e],
    ):
        return term(c, None, None, (s + m.start(), s + m.end()), status="redacted")
    return None


def _computed_expiry(
    c: Contract, initial: KeyTerm, effective: KeyTerm | None, s: int, e: int
) -> KeyTerm | None:
    """The expiry date the effective date and the initial term give, where the term runs from it."""
    if initial.status != "stated" or not initial.value:
        return None
    start_iso, how = None, ""
    own = find_dates(c.text[s:e])
    commencing = re.search(r"commenc\w*|effective|beginning|starting|from", c.text[s:e], re.I)
    if own and commencing and own[0][0] >= commencing.start():
        start_iso, how = own[0][2], f"from {own[0][2]}, the start this clause gives"
    elif ev := _FROM_EVENT.match(c.text, initial.citations[0].end, e):
        if _FROM_DATE.search(ev.group("ev")) is None and _EVENT_NAME.match(ev.group("ev")):
            # "three years from the Launch Date": the expiry is as certain as the event
            words = " ".join(ev.group("ev").split())
            return term(
                c,
                f"{initial.value} after the {words}",
                None,
                (initial.citations[0].start, ev.end()),
                detail="runs from an event, not from a date",
            )
        if effective is not None and isinstance(effective.normalized, str):
            start_iso = effective.normalized if re.match(r"\d{4}-", effective.normalized) else None
            how = f"from the effective date, {start_iso}"
    elif _EVENT_START.search(
        c.text, initial.citations[0].end, min(e, initial.citations[0].end + 80)
    ):
        return None
    elif (
        effective is not None
        and isinstance(effective.normalized, str)
        and re.match(r"\d{4}-", effective.normalized)
    ):
        start_iso, how = effective.normalized, f"from the effective date, {effective.normalized}"
    if start_iso is None:
        return None
    n, unit = initial.value.split()[0], initial.value.split()[1].rstrip("s")
    iso = add_duration(start_iso, int(n), unit)
    return term(
        c,
        iso,
        iso,
        (initial.citations[0].start, initial.citations[0].end),
        status="computed",
        detail=f"{initial.value} {how}",
    )


def _renewal_spans(c: Contract, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = [sp for sp in spans[:6] if _RENEWAL.search(c.text, *sp)]
    for pattern in (_AUTO, _OPTIONAL):
        for m in c.near(_RENEWAL_CUES, pattern, 250, 250):
            sp = c.passage(m.start())
            if (
                sp not in out
                and re.search(r"\b(?:term|agreement|contract)\b", c.text[sp[0] : sp[1]], re.I)
                and _RENEWAL.search(c.text, *sp)
                and not _NOT_TERM.search(c.text, *sp)
            ):
                out.append(sp)
    for cl in c.anchors("Renewal Term", "Notice Period to Terminate Renewal"):
        sp = c.passage(cl.start)
        if sp not in out and cl.confidence >= 0.3:
            out.append(sp)
    return out


def _read_renewal(c: Contract, out: TermTerms, spans: list[tuple[int, int]]) -> None:
    for s, e in _renewal_spans(c, spans):
        auto, optional = _AUTO.search(c.text, s, e), _OPTIONAL.search(c.text, s, e)
        if not (auto or optional):
            continue
        is_auto = bool(auto) and not (optional and optional.start() < auto.start())
        # the notice may sit in the next sentence ("Either party may give notice of non-renewal ...")
        e2 = c.passage(e + 1)[1] if e + 1 < len(c.text) else e
        durations = _durations(c, s, e2)
        initial_at = (
            out.initial_term.citations[0].start
            if out.initial_term and out.initial_term.citations
            else -1
        )
        renew = [
            d
            for d in durations
            if d.start < e + 150 and not _is_notice(c, d) and d.start != initial_at
        ]
        notices = [d for d in durations if _is_notice(c, d)]
        cue = auto or optional
        detail = None if is_auto else "renews only if the parties agree or a party opts to"
        out.renewal = term(
            c,
            "automatic" if is_auto else "not automatic",
            is_auto,
            (cue.start(), cue.end()),
            detail=detail,
        )
        after = [d for d in renew if 0 <= d.start - cue.start() < 200]
        before = [d for d in renew if 0 < cue.start() - d.end < 60]
        if after or before:
            d = after[0] if after else before[-1]
            out.renewal_term = term(c, d.words, d.days, (d.start, d.end), unit="days")
        elif m := _PERIODIC.search(c.text, cue.start(), min(e2, cue.end() + 150)):
            n, unit = (1, "month") if "month" in m.group(0).lower() else (1, "year")
            out.renewal_term = term(
                c,
                duration_words(n, unit),
                duration_days(n, unit),
                (m.start(), m.end()),
                unit="days",
            )
        if notices and is_auto:
            d = notices[0]
            who = _giver_of_notice(c, s, e2)
            out.nonrenewal_notice = term(
                c,
                d.words,
                d.days,
                (d.start, d.end),
                unit="days",
                detail=f"to be given by {who}" if who else None,
            )
            if re.search(r"\bwithin\s*$", c.text[max(0, d.start - 12) : d.start], re.I):
                # "within sixty (60) days prior to the expiration" sets a window, not a last day
                window = _deadline(c, out, d)
                where = f", from {window.normalized}" if window else ""
                out.nonrenewal_notice.detail = ", ".join(
                    x
                    for x in (
                        out.nonrenewal_notice.detail,
                        f"within the {d.words} before expiry{where}",
                    )
                    if x
                )
            else:
                out.nonrenewal_deadline = _deadline(c, out, d)
        elif is_auto and is_redacted(c.text[s:e2]) and re.search(r"notice", c.text[s:e2], re.I):
            out.nonrenewal_notice = term(c, None, None, (s, e2), status="redacted")
        return


_BY_WHOM = re.compile(
    r"\b(?:by\s+)?(?P<w>either\s+party|each\s+party|any\s+party|[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})"
    r"\s+(?:gives?|provides?|deliver\w*|notif\w+|serves?|sends?|may\s+(?:give|provide|terminate|elect)|shall\s+(?:give|provide))\b"
    r"|\bterminated\s+by\s+(?P<w2>either\s+party|[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})",
)


def _giver_of_notice(c: Contract, s: int, e: int) -> str | None:
    """Who may give the notice that stops a renewal: "either party" or the party named."""
    for m in _BY_WHOM.finditer(c.text, s, e):
        w = " ".join((m.group("w") or m.group("w2")).split())
        if w.lower().endswith("party"):
            return "either party"
        if w not in ("This", "The", "Such", "Agreement", "Notice") and not w.startswith(
            ("This ", "The ")
        ):
            return w
    return None


def _deadline(c: Contract, out: TermTerms, notice: Duration) -> KeyTerm | None:
    exp = out.expiration_date
    if (
        exp is None
        or not isinstance(exp.normalized, str)
        or not re.match(r"\d{4}-", exp.normalized)
    ):
        return None
    iso = add_duration(exp.normalized, -notice.n, notice.unit)
    return term(
        c,
        iso,
        iso,
        (notice.start, notice.end),
        status="computed",
        detail=f"{notice.words} before the expiry on {exp.normalized}",
    )
