"""Turn findings into recommendations and reconcile the findings that bear on each other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from legal_orch_agents.common.evidence import (
    MORE_LIKELY_THAN_NOT,
    already_says,
    clause_found,
)
from legal_orch_agents.common.roles import home_law
from legal_orch_agents.recommendation.wording import (
    Voice,
    Wording,
    a_or_an,
    fill,
    is_public_body,
    kinds,
    law_phrase,
    voice,
)
from pydantic import BaseModel, Field

from legal_orch.domain import (
    SEVERITIES,
    Action,
    Deal,
    Finding,
    FindingStatus,
    Recommendation,
    Severity,
)
from legal_orch.jurisdictions import US_STATES
from legal_orch.playbook import Playbook, Rule

# Places outside the United States that CUAD's governing-law clauses name most often.
_OTHER_PLACES = (
    "England and Wales",
    "England",
    "Scotland",
    "Ireland",
    "Ontario",
    "Quebec",
    "British Columbia",
    "Alberta",
    "Canada",
    "Israel",
    "Germany",
    "France",
    "Japan",
    "China",
    "Hong Kong",
    "Singapore",
    "India",
    "Switzerland",
    "Netherlands",
    "Australia",
    "Bermuda",
    "Cayman Islands",
    "Korea",
    "Sweden",
    "Italy",
    "Spain",
)
UNCERTAIN: tuple[FindingStatus, ...] = ("not_found", "redacted", "needs_review")


class Unfit(BaseModel):
    rules: list[str]
    when: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    client_roles: list[str] = Field(default_factory=list)  # only for a client with one of these
    rationale: str


class Variant(BaseModel):
    term: str
    rationale: str
    fallback: str | None = None
    action: Action = "add"


class ClientRight(BaseModel):
    """A right the quoted clause gives the client by name, which the playbook's wording would
    hand the counterparty too: `pattern` has `{client}` for the client's names."""

    pattern: str
    rationale: str


class SideAdvice(BaseModel):
    """A rule's advice for a missing clause on one side of the deal: `rationale` and
    `fallback` when the clause is missing, `if_absent` when it was not found."""

    action: Action
    rationale: str
    if_absent: str
    fallback: str | None = None


class Templates(BaseModel):
    actions: dict[FindingStatus, Action]
    delete_at_severity: Severity
    escalate_at_severity: Severity
    escalate_below_confidence: float
    accept_missing_at_or_below: Severity
    rationale: dict[Action, str]
    check: dict[FindingStatus, str]
    if_absent: dict[str, str]
    reconciled: str
    defined_hint: str
    favours_client: str
    already_said: str
    law: dict[str, str]
    unfit: list[Unfit] = Field(default_factory=list)
    variants: dict[str, list[Variant]] = Field(default_factory=dict)
    client_rights: dict[str, ClientRight] = Field(default_factory=dict)
    by_side: dict[str, dict[str, SideAdvice]] = Field(default_factory=dict)
    wording: Wording


class Case(BaseModel):
    """One reconciliation case: the rules (and statuses) that must co-occur, and the answer."""

    id: str
    name: str
    when: dict[str, list[FindingStatus]]
    action: Action
    rationale: str
    fallback: str | None = None
    favouring: list[str] = Field(default_factory=list)  # members that benefit the client


class Cases(BaseModel):
    cases: list[Case] = Field(default_factory=list)


@dataclass
class Advice:
    """What every recommendation of one review draws on: the playbook and the deal."""

    playbook: Playbook
    deal: Deal
    voice: Voice
    kinds: list[str]
    t: Templates


def _data(name: str) -> Any:
    text = (resources.files("legal_orch_agents.recommendation") / name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def templates() -> Templates:
    """The shipped action and rationale templates (templates.yaml)."""
    return Templates.model_validate(_data("templates.yaml"))


@lru_cache(maxsize=1)
def cases() -> list[Case]:
    """The shipped reconciliation cases (reconciliation.yaml)."""
    return Cases.model_validate(_data("reconciliation.yaml")).cases


def advice_for(playbook: Playbook, deal: Deal | None, t: Templates) -> Advice:
    """Read the deal once: how to name its parties and what kind of contract it is."""
    deal = deal or Deal()
    v = voice(deal, playbook, t.wording)
    return Advice(playbook=playbook, deal=deal, voice=v, kinds=kinds(deal, v, t.wording), t=t)


def _at_least(sev: Severity, bar: Severity) -> bool:
    return SEVERITIES.index(sev) >= SEVERITIES.index(bar)


def _text(template: str, **kw: str) -> str:
    return " ".join(template.format(**kw).split())


def choose_action(f: Finding, rule: Rule | None, t: Templates) -> Action:
    """Pick the action for one finding from its status, severity, confidence and rule."""
    if f.status in UNCERTAIN:
        return "escalate"
    if _at_least(f.severity, t.escalate_at_severity) and f.confidence < t.escalate_below_confidence:
        return "escalate"
    if f.status == "missing":
        if rule and rule.action_missing:
            return rule.action_missing
        return "accept" if not _at_least(f.severity, "low") else t.actions["missing"]
    if f.status == "deviation":
        if rule and rule.action_deviation:
            return rule.action_deviation
        if rule and rule.kind == "avoid" and _at_least(f.severity, t.delete_at_severity):
            return "delete"
    return t.actions[f.status]


def _words(f: Finding, rule: Rule | None, a: Advice) -> dict[str, str]:
    preferred = (rule.preferred if rule else "").strip()
    clause = " / ".join(f.categories or (rule.categories if rule else [])) or f.title
    return {
        "explanation": f.explanation.strip(),
        "why": (rule.rationale if rule else "").strip(),
        "preferred": preferred,
        "preferred_lc": preferred[:1].lower() + preferred[1:],
        "title": f.title,
        "client": a.voice.client,
        "counterparty": a.voice.counterparty,
        "clause": clause,
        "a_clause": a_or_an(clause),
    }


def _uncertain(f: Finding, rule: Rule | None, a: Advice) -> Recommendation:
    """What the lawyer must check when the review cannot say: never wording as if certain."""
    w = _words(f, rule, a)
    kind = rule.kind if rule else "require"
    unfit = _unfit_kind(rule, a)
    side = _by_side(rule, a)
    if unfit and kind == "require":
        w["if_absent"] = _text(a.t.if_absent["unfit"], kind=unfit)
    elif side is not None:
        w["if_absent"] = _text(side.if_absent, **w)
    else:
        w["if_absent"] = _text(a.t.if_absent[kind], **w)
    text = _text(a.t.check[f.status], **w)
    terms = [
        t for v in a.t.variants.get(rule.id if rule else "", []) if (t := a.voice.term(v.term))
    ]
    if terms:
        text += " " + _text(a.t.defined_hint, term=terms[0])
    notes = " ".join(n.strip() for n in f.notes if n.strip() and n.strip() not in text)
    return Recommendation(action="escalate", rationale=f"{text} {notes}".strip())


def _favours_client(f: Finding, rule: Rule | None, a: Advice) -> bool:
    """An avoided clause that binds only the counterparty and benefits the client."""
    if rule is None or rule.kind != "avoid" or f.status not in ("deviation", "compliant"):
        return False
    if not f.citations:
        return False
    if f.burdens or f.benefits:
        return a.voice.is_counterparty(f.burdens) and a.voice.is_client(f.benefits)
    return _granted_to_client(f, a)


def _client_names(a: Advice) -> list[str]:
    """The names the contract gives the client; none when only a role word is known."""
    names = [a.voice.client] if a.voice.client[:4].lower() != "the " else []
    if a.voice.client_party:
        names += [a.voice.client_party.name, *a.voice.client_party.short_names]
    return [n for n in names if n]


def _client_right(f: Finding, rule: Rule | None, a: Advice) -> str | None:
    """Accept a deviation that is a right of the client's own ("LICENSEE may terminate")."""
    right = a.t.client_rights.get(rule.id) if rule and f.status == "deviation" else None
    if right is None:
        return None
    for name in _client_names(a):
        pattern = right.pattern.replace("{client}", re.escape(name))
        if any(re.search(pattern, c.quote, flags=re.I) for c in f.citations):
            return _text(right.rationale, **_words(f, rule, a))
    return None


def _granted_to_client(f: Finding, a: Advice) -> bool:
    """Where the risk agent did not say whom a clause benefits: an exclusive right the quoted
    text grants to the client by its name ("Diversinet hereby grants to Reseller an exclusive
    ... right")."""
    for name in _client_names(a):
        grant = (
            rf"\b(grants?|appoints?)\s+(to\s+)?(the\s+)?{re.escape(name)}\b[^.;]{{0,60}}"
            r"(?<!non-)(?<!non)\bexclusive"
        )
        if any(re.search(grant, c.quote, flags=re.I) for c in f.citations):
            return True
    return False


def _client_role(a: Advice) -> str | None:
    party = a.voice.client_party
    return (party.role if party and party.role != "party" else None) or a.deal.client.role


def client_side(a: Advice) -> str:
    """ "customer" where the client has one of the roles the playbook is written for (its
    `perspective`), or no known role (the playbook is then read as written); else "supplier"."""
    role = _client_role(a)
    return "customer" if not role or role in a.playbook.perspective else "supplier"


def _by_side(rule: Rule | None, a: Advice) -> SideAdvice | None:
    """The rule's advice for a missing clause on the client's side of the deal, if it has one."""
    entries = a.t.by_side.get(rule.id, {}) if rule else {}
    return entries.get(client_side(a)) or entries.get("any")


def _unfit(f: Finding, rule: Rule | None, a: Advice) -> str | None:
    """The rationale for not proposing a rule's wording the contract type does not fit."""
    if rule is None or f.status not in ("missing", "deviation"):
        return None
    found = _unfit_rule(rule, a)
    return _text(found[0].rationale, kind=found[1], **_words(f, rule, a)) if found else None


def _unfit_kind(rule: Rule | None, a: Advice) -> str | None:
    found = _unfit_rule(rule, a) if rule else None
    return found[1] if found else None


def _unfit_rule(rule: Rule, a: Advice) -> tuple[Unfit, str] | None:
    """The unfit entry that applies to `rule` in this deal, and the kind of contract it names."""
    known = bool(a.kinds or a.deal.title)
    for u in a.t.unfit:
        if rule.id not in u.rules or set(u.unless) & set(a.kinds):
            continue
        if u.client_roles and _client_role(a) not in u.client_roles:
            continue
        hits = [k for k in u.when if k in a.kinds]
        lacking = bool(u.requires) and known and not set(u.requires) & set(a.kinds)
        if hits or lacking:
            if "research" in hits:
                kind = "research licence"
            elif hits:
                kind = f"{hits[0]} agreement"
            else:
                kind = _title_words(a.deal.title)
            return u, kind
    return None


def _title_words(title: str | None) -> str:
    """The contract's name as it writes it ("Outsourcing Contract on Development of ..."); a
    title in capitals is a heading, written in lower case ("reseller agreement")."""
    words = " ".join((title or "contract").split())
    if words.isupper():
        return words.lower()
    return words


def _law(f: Finding, rule: Rule, a: Advice) -> tuple[Action, str, str | None] | None:
    """Governing law: keep an acceptable law; a public body's own law goes to a lawyer."""
    if "Governing Law" not in rule.categories or f.status not in ("deviation", "missing"):
        return None
    w = _words(f, rule, a)
    preferred = a.playbook.preferred_jurisdictions
    quoted = " ".join(c.quote for c in f.citations)
    found = next((j for j in [*preferred, *_places()] if j in quoted), "")
    if f.status == "deviation" and found in preferred:
        return "accept", _text(a.t.law["preferred"], found=found, **w), None
    public = next((p for p in a.voice.parties if is_public_body(p, a.t.wording)), None)
    if public is not None:
        own = home_law(public, _places())
        text = _text(
            a.t.law["public_body"],
            party=public.short_names[0] if public.short_names else public.name,
            own=f" ({own} law)" if own else "",
            found=found or "the governing",
            **w,
        )
        return "escalate", text, None
    if found and a.voice.client_party and home_law(a.voice.client_party, _places()) == found:
        return "accept", _text(a.t.law["home"], found=found, **w), None
    law = law_phrase(preferred[0]) if preferred else ""
    fallback = fill(rule.fallback, a.voice, law=law) or None
    if f.status == "missing":
        return "add", _text(a.t.rationale["add"], **w), fallback
    text = _text(a.t.law["negotiate"], **w)
    if found and not a.voice.parties:
        text += " " + _text(a.t.law["parties_unknown"], found=found)
    return "negotiate", text, fallback


@lru_cache(maxsize=1)
def _places() -> list[str]:
    """Jurisdictions a governing-law clause or a party's description may name, longest first."""
    return sorted(set(US_STATES) | set(_OTHER_PLACES), key=len, reverse=True)


def recommend(f: Finding, rule: Rule | None, a: Advice) -> Recommendation:
    """Build the recommendation for one finding on its own."""
    t = a.t
    w = _words(f, rule, a)
    if f.status in UNCERTAIN:
        return _uncertain(f, rule, a)
    if _favours_client(f, rule, a):
        return Recommendation(action="accept", rationale=_text(t.favours_client, **w))
    right = _client_right(f, rule, a)
    if right:
        return Recommendation(action="accept", rationale=right)
    unfit = _unfit(f, rule, a)
    if unfit:
        return Recommendation(action="accept", rationale=unfit)
    action = choose_action(f, rule, t)
    side = _by_side(rule, a) if f.status == "missing" and action != "escalate" else None
    if side is not None:
        fallback = fill(side.fallback, a.voice) if side.fallback else None
        return Recommendation(
            action=side.action, rationale=_text(side.rationale, **w), fallback_language=fallback
        )
    law = _law(f, rule, a) if rule and action != "escalate" else None
    variant = _variant(rule, a) if rule and action in ("add", "negotiate") else None
    if law:
        action, text, fallback = law
    elif variant:
        action, text, fallback = variant
    else:
        text = _text(t.rationale[action], **w)
        fallback = fill(rule.fallback, a.voice) if rule and rule.fallback.strip() else None
    if action == "accept":
        fallback = None
    quoted = " ".join(c.quote for c in f.citations)
    if fallback and action in ("add", "negotiate") and already_says(fallback, quoted):
        text = _text(t.already_said, fallback=fallback, **w)
        return Recommendation(action="escalate", rationale=text)
    return Recommendation(action=action, rationale=text, fallback_language=fallback)


def _variant(rule: Rule, a: Advice) -> tuple[Action, str, str | None] | None:
    """The action, rationale and wording for a rule whose subject the contract names in a term
    of its own."""
    for v in a.t.variants.get(rule.id, []):
        term = a.voice.term(v.term)
        if term:
            w = {**_words_of(rule, a), "term": term}
            fallback = fill(v.fallback.replace("{term}", term), a.voice) if v.fallback else None
            return v.action, _text(v.rationale, **w), fallback
    return None


def _words_of(rule: Rule, a: Advice) -> dict[str, str]:
    return {
        "why": rule.rationale.strip(),
        "preferred": rule.preferred.strip(),
        "client": a.voice.client,
        "counterparty": a.voice.counterparty,
    }


def rule_for(playbook: Playbook, rule_id: str) -> Rule | None:
    return next((r for r in playbook.rules if r.id == rule_id), None)


def matching(case: Case, by_rule: dict[str, Finding], a: Advice | None = None) -> list[Finding]:
    """The findings a case reconciles, or [] when it does not apply.

    A case reasons about what its clauses say, so each must have been found and quoted, and be
    more likely right than wrong (a missing clause counts only where the case lists
    `missing`); a clause that binds only the counterparty for the client's benefit counts only
    where the case says so (`favouring`).
    """
    hits = [by_rule.get(rid) for rid in case.when]
    group = [f for f in hits if f is not None]
    if len(group) != len(hits):
        return []
    for f in group:
        if f.status not in case.when[f.rule_id]:
            return []
        if f.status != "missing" and not clause_found(f):
            return []
        if f.confidence < MORE_LIKELY_THAN_NOT:
            return []
        favours = a is not None and _favours_client(f, rule_for(a.playbook, f.rule_id), a)
        if favours != (f.rule_id in case.favouring):
            return []
    return group


def _action_for(shared: Action, f: Finding) -> Action:
    """Apply a group's shared action to one finding: what is missing is added, not negotiated;
    what the review could not read stays with a lawyer."""
    if f.status in UNCERTAIN:
        return "escalate"
    return "add" if f.status == "missing" and shared == "negotiate" else shared


def reconcile(findings: list[Finding], a: Advice, known: list[Case]) -> list[Finding]:
    """Give the findings of every applicable case one shared recommendation."""
    by_rule = {f.rule_id: f for f in findings}
    applied: dict[str, list[tuple[Case, list[Finding]]]] = {}
    for case in known:
        group = matching(case, by_rule, a)
        for f in group:
            applied.setdefault(f.rule_id, []).append((case, group))
    out = []
    for f in findings:
        joined = applied.get(f.rule_id)
        if not joined:
            out.append(f)
            continue
        texts = []
        for case, group in joined:
            others = " and ".join(f"“{g.title}”" for g in group if g.rule_id != f.rule_id)
            rationale = fill(case.rationale, a.voice)
            texts.append(a.t.reconciled.format(others=others, name=case.name, text=rationale))
        first = joined[0][0]
        prior = f.recommendation.rationale if f.recommendation else ""
        action = _action_for(first.action, f)
        fallback = fill(first.fallback, a.voice) if first.fallback else None
        rec = Recommendation(
            action=action,
            rationale=" ".join(texts) + (f" On its own: {prior}" if prior else ""),
            fallback_language=None if action == "escalate" and f.status in UNCERTAIN else fallback,
        )
        out.append(f.model_copy(update={"recommendation": rec}))
    return out


def weigh_absence(f: Finding, rule: Rule | None, a: Advice) -> Finding:
    """A clause the client is better off without is no high risk when the review finds none.

    Where the advice for the client's side is to accept the absence (no cap on the paying side's
    recovery, a clause that does not fit this kind of contract), a `missing` clause is `info`;
    a `not_found` one, which may still be there, is at most `low`: the lawyer checks it by hand,
    and its absence would suit the client.
    """
    if f.status not in ("missing", "not_found") or f.recommendation is None:
        return f
    side = _by_side(rule, a)
    if f.recommendation.action != "accept" and (side is None or side.action != "accept"):
        return f
    most: Severity = "info" if f.status == "missing" else "low"
    if SEVERITIES.index(f.severity) <= SEVERITIES.index(most):
        return f
    return f.model_copy(update={"severity": most})
