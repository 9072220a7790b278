"""Termination for convenience: which party may end the contract without cause, on what notice."""

from __future__ import annotations

import re

from legal_orch_agents.key_terms.reading import Contract

from legal_orch.domain import Party, Termination
from legal_orch.values import duration_days, find_durations

_MAY_TERMINATE = re.compile(
    r"\b(?:may|shall\s+have\s+the\s+right\s+to|is\s+entitled\s+to|can)\s+(?:at\s+any\s+time\s+)?terminate\b",
    re.I,
)
_CONVENIENCE = re.compile(
    r"for\s+(?:any\s+reason|convenience|no\s+reason|any\s+or\s+no\s+reason)|without\s+(?:cause|reason)"
    r"|at\s+(?:any\s+time|its\s+(?:sole\s+)?(?:discretion|option|convenience))|in\s+its\s+sole\s+discretion"
    r"|with\s+or\s+without\s+cause",
    re.I,
)
_FOR_CAUSE = re.compile(
    r"breach|default|insolv|bankrupt|\bfail(?:s|ed|ure)?\b|to\s+comply|change\s+of\s+control"
    r"|force\s+majeure|cease[sd]?\s+to|receivership|liquidat",
    re.I,
)
_EITHER = re.compile(
    r"\b(?:either|each|any)\s+party\b|\bthe\s+parties\b|\beither\s+of\s+the\s+parties\b", re.I
)


def terminations(c: Contract, parties: list[Party]) -> list[Termination]:
    """Each party's right to terminate without cause, with the notice it must give."""
    out: list[Termination] = []
    spans = [
        c.passage(cl.start)
        for cl in c.anchors("Termination for Convenience")
        if cl.confidence >= 0.3
    ]
    spans += [c.passage(m.start()) for m in c.near(("terminate",), _MAY_TERMINATE, 60, 20)]
    seen: set[tuple[int, int]] = set()
    for s, e in spans:
        if (s, e) in seen:
            continue
        seen.add((s, e))
        may = _MAY_TERMINATE.search(c.text, s, e)
        if may is None:
            continue
        clause = c.text[may.start() : e]
        conv = _CONVENIENCE.search(clause)
        if conv is None or _FOR_CAUSE.search(clause[:400]):
            continue
        who = _who(c.text[max(s, may.start() - 120) : may.start()], parties)
        if who is None or any(t.party == who for t in out):
            continue
        cited = c.passage(may.start())
        out.append(Termination(party=who, notice_days=_notice(clause), citations=[c.cite(*cited)]))
    return out


def _who(before: str, parties: list[Party]) -> str | None:
    tail = before.split(",")[-1] if before.count(",") > 2 else before
    if _EITHER.search(tail):
        return "either party"
    best: tuple[int, str] | None = None
    for p in parties:
        for n in (*p.short_names, p.name):
            i = tail.rfind(n)
            if n and i >= 0 and (best is None or i > best[0]):
                best = (i, p.short_names[0] if p.short_names else p.name)
    return best[1] if best else None


def _notice(clause: str) -> int | None:
    for a, b, n, unit in find_durations(clause):
        if re.search(r"notice|prior|advance", clause[max(0, a - 40) : b + 40], re.I):
            return duration_days(n, unit)
    return None
