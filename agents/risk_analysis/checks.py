"""Evaluate a playbook rule's attribute checks against the clauses found for it.

A check passes only on a value it read. A value it could not read is `unknown` (a lawyer must
look), or `redacted` when the clause hides it behind a redaction mark; a check marked
`if_present` is `skipped` when the clause does not state its value, and is never reported as met.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from legal_orch.domain import Attribute, Clause
from legal_orch.playbook import AttributeCheck
from legal_orch.values import is_redacted

Outcome = Literal["pass", "fail", "unknown", "redacted", "skipped"]
_COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}

# How a lawyer names each value a check reads.
VALUE_NAMES = {
    "money": "the amount",
    "duration": "the period",
    "notice_days": "the notice period",
    "date": "the date",
    "jurisdiction": "the governing law",
    "party": "the party",
    "multiple": "the multiple of the fees",
    "percent": "the percentage",
    "answer": "the answer",
    "text": "the wording",
}
_OPS = {
    ">=": "at least",
    "<=": "at most",
    ">": "more than",
    "<": "less than",
    "==": "",
    "!=": "not",
    "in": "one of",
    "not_in": "none of",
}


@dataclass(frozen=True)
class CheckResult:
    check: AttributeCheck
    outcome: Outcome
    values: list[Any] = field(default_factory=list)
    evidence: list[Attribute] = field(default_factory=list)  # the attributes that decided it


def evaluate(check: AttributeCheck, clauses: list[Clause]) -> CheckResult:
    """Decide one check over every clause of the rule's categories."""
    if check.attribute == "text":
        return _on_values(check, [c.text for c in clauses], [], clauses)
    if check.attribute == "answer":
        return _on_values(check, [c.answer for c in clauses if c.answer], [], clauses)
    attrs = [a for c in clauses for a in c.attributes if a.kind == check.attribute]
    values = [a.normalized if a.normalized is not None else a.value for a in attrs]
    result = _on_values(check, values, attrs, clauses)
    if result.outcome == "pass" and check.attribute == "money" and _hidden_amounts(clauses):
        # "$2,000,000 per occurrence and $[***] in the aggregate": one amount cannot be read,
        # so the check cannot be said to hold for every amount.
        return CheckResult(check, "redacted", values, attrs)
    return result


_HIDDEN_AMOUNT = re.compile(r"(?:US\s?\$|\$|USD|€|EUR|£|GBP)\s?\[[^\]]{0,40}\]", re.I)


def _hidden_amounts(clauses: list[Clause]) -> bool:
    return any(_HIDDEN_AMOUNT.search(c.text) for c in clauses)


def unread(clauses: list[Clause], if_present: bool = False) -> Outcome:
    """The outcome of a check whose value the clauses do not state."""
    if any(is_redacted(c.text) for c in clauses):
        return "redacted"
    return "skipped" if if_present else "unknown"


def _on_values(
    check: AttributeCheck, values: list[Any], attrs: list[Attribute], clauses: list[Clause]
) -> CheckResult:
    op = check.op
    if op in ("present", "absent"):
        ok = bool(values) == (op == "present")
        return CheckResult(check, "pass" if ok else "fail", values, attrs)
    if not values:
        return CheckResult(check, unread(clauses, check.if_present), values, attrs)
    hits = [_holds(op, v, check.value) for v in values]
    if op in ("in", "matches"):
        ok = any(hits)
        decisive = [a for a, h in zip(attrs, hits, strict=False) if h] if ok else attrs
    else:
        ok = all(hits)
        decisive = attrs if ok else [a for a, h in zip(attrs, hits, strict=False) if not h]
    return CheckResult(check, "pass" if ok else "fail", values, decisive)


def _holds(op: str, value: Any, target: Any) -> bool:
    if op in _COMPARE:
        return _COMPARE[op](float(value), float(target))
    if op in ("==", "!="):
        same = _norm(value) == _norm(target)
        return same if op == "==" else not same
    if op in ("in", "not_in"):
        inside = _norm(value) in {_norm(t) for t in (target or [])}
        return inside if op == "in" else not inside
    # PDFs set words apart with no-break spaces or line ends: a playbook's "business hours"
    # must match "business\xa0hours" and "business\nhours".
    text = " ".join(str(value).split())
    pattern = re.sub(r"(?<!\\) +", r"\\s+", str(target))
    found = re.search(pattern, text, flags=re.I) is not None
    return found if op == "matches" else not found


def _norm(v: Any) -> Any:
    return v.strip().casefold() if isinstance(v, str) else v


def met(check: AttributeCheck) -> str:
    """What a passed check establishes, in words ("the notice period is at least 30 days")."""
    if check.met:
        return check.met
    name = VALUE_NAMES[check.attribute]
    if check.op == "present":
        return f"{name} is stated"
    if check.op == "absent":
        return f"{name} is not stated"
    value = check.value
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    phrase = _OPS.get(check.op, "")
    return f"{name} is {phrase + ' ' if phrase else ''}{_amount(check.attribute, value)}"


def _amount(attribute: str, value: Any) -> str:
    if attribute in ("duration", "notice_days") and isinstance(value, int | float):
        return _period(int(value))
    if attribute == "money" and isinstance(value, int | float):
        return f"USD {value:,.0f}"
    if attribute == "multiple" and isinstance(value, int | float):
        return f"{value:g} times the fees"
    if attribute == "percent" and isinstance(value, int | float):
        return f"{value:g}%"
    return str(value)


# Periods as a playbook states them: 360 or 365 days are "twelve months", not "360 days".
_MONTHS = {180: "six months", 182: "six months", 360: "twelve months", 365: "twelve months"}
_YEARS = {2: "two years", 3: "three years", 4: "four years", 5: "five years"}


def _period(days: int) -> str:
    if days in _MONTHS:
        return _MONTHS[days]
    for per_year in (360, 365):
        if days % per_year == 0 and days // per_year in _YEARS:
            return _YEARS[days // per_year]
    return f"{days} days"


def found_values(r: CheckResult) -> str:
    """The values a check read, as the contract writes them (at most three)."""
    if r.check.attribute == "text":
        return ""
    shown = [a.value for a in r.evidence] or r.values
    return ", ".join(dict.fromkeys(str(v) for v in shown[:3]))
