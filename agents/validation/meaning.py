"""Checks that read what the findings mean, not only whether their quotes are exact.

Each check returns `Problem`s; a finding with a problem is sent to a lawyer (`needs_review`,
the reason in plain words in its notes, the advice turned into "check this"). Whether the graph
should also re-route it is decided per check, by whether another risk tier could mend it:
- clause type: no. The quote is the clause finder's span; every risk tier is handed the same
  extracted clauses, so only a lawyer can say which clause is meant.
- absent clauses: no. The fault is in the advice written from the findings, not in a subtask.
- facts agree: yes. Two readings of one fact disagree; a stronger reader may settle it.
- not already said: yes for a deviation (the judgement of the quoted clause may be wrong and a
  stronger tier re-reads it); no for a missing clause (the clause finder missed the text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from legal_orch_agents.common.evidence import (
    already_says,
    called_absent,
    content_words,
    coverage,
    figures,
)
from pydantic import BaseModel, Field

from legal_orch.domain import Citation, Clause, Deal, Document, Finding, Recommendation
from legal_orch.playbook import Rule

# A quote is of the rule's clause type when the clause finder rates it more likely than not to
# be (its confidences are calibrated probabilities, fitted on CUAD's dev split).
TYPE_CUTOFF = 0.5
MIN_OVERLAP = 0.5  # of the shorter span, for a quote to be "the same text" as a clause
_BREAK = r"[.;:]\s+|\n\s*\n"  # where a sentence or a clause's limb ends


class ClauseType(BaseModel):
    mention: str = ""
    cue: str = ""
    contrary: str = ""


class Vocabulary(BaseModel):
    absent_words: str
    types: dict[str, ClauseType] = Field(default_factory=dict)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped words for clause types (clause_types.yaml)."""
    text = (resources.files("legal_orch_agents.validation") / "clause_types.yaml").read_text(
        encoding="utf-8"
    )
    return Vocabulary.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class Problem:
    rule_id: str
    note: str  # plain words for the lawyer
    reroute: bool = False
    confidence: float | None = None  # what the finding's confidence can be at most
    # The quoted text is probably not a clause of the rule's type: the finding's verdict and
    # severity rest on the wrong clause, so neither is reported until a lawyer confirms it.
    wrong_clause: bool = False


def _overlap(c: Citation, cl: Clause) -> bool:
    shared = min(c.end, cl.end) - max(c.start, cl.start)
    return shared > 0 and shared >= MIN_OVERLAP * min(c.end - c.start, cl.end - cl.start)


def type_score(cite: Citation, categories: list[str], clauses: list[Clause]) -> float:
    """The clause finder's best score that the cited text is of one of `categories`."""
    scores = [cl.confidence for cl in clauses if cl.category in categories and _overlap(cite, cl)]
    return max(scores, default=0.0)


def contrary(quote: str, category: str) -> str | None:
    """The words by which `quote` says the opposite of `category` ("non-exclusive"), if any."""
    t = vocabulary().types.get(category)
    if not t or not t.contrary or not t.cue:
        return None
    hits = re.findall(t.contrary, quote, flags=re.I)
    if not hits:
        return None
    rest = re.sub(t.contrary, " ", quote, flags=re.I)
    if re.search(t.cue, rest, flags=re.I):
        return None
    m = re.search(rf"(?:{t.contrary})\w*", quote, flags=re.I)
    return m.group(0) if m else None


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def check_clause_type(
    findings: list[Finding], clauses: list[Clause], rules: dict[str, Rule]
) -> list[Problem]:
    """Every finding that quotes a clause must quote one of its rule's clause type."""
    out = []
    for f in findings:
        cats = f.categories or (rules[f.rule_id].categories if f.rule_id in rules else [])
        if not f.citations or not cats:
            continue  # nothing quoted, or a rule decided on evidence sentences (NDA)
        cat = " / ".join(cats)
        against = [(c, w) for c in f.citations for k in cats if (w := contrary(c.quote, k))]
        if against:
            c, words = against[0]
            out.append(
                Problem(
                    f.rule_id,
                    f"The quoted text says “{words}” (p.{c.page} “{_short(c.quote)}”): it is not "
                    f"{_a(cat)} clause, so this finding does not rest on one. A lawyer should "
                    f"check whether the contract has {_a(cat)} clause elsewhere.",
                    confidence=0.0,
                    wrong_clause=True,
                )
            )
            continue
        score = max(type_score(c, cats, clauses) for c in f.citations)
        if score < TYPE_CUTOFF:
            c = f.citations[0]
            out.append(
                Problem(
                    f.rule_id,
                    f"The quoted text may not be {_a(cat)} clause: the review puts the chance "
                    f"that it is one at {score:.0%} (p.{c.page} “{_short(c.quote)}”). A lawyer "
                    f"should confirm the clause before relying on this finding.",
                    confidence=score,
                    wrong_clause=True,
                )
            )
    return out


def _mentions(text: str, category: str) -> list[str]:
    """The sentences of `text` that refer to a clause of `category` as being there."""
    t = vocabulary().types.get(category)
    if not t or not t.mention:
        return []
    absent = vocabulary().absent_words
    sentences = re.split(r"(?<=[.;:!?])\s+", text)
    return [
        s
        for s in sentences
        if re.search(t.mention, s, flags=re.I) and not re.search(absent, s, flags=re.I)
    ]


def check_absent_reliance(
    findings: list[Finding], doubted: list[Problem] | None = None
) -> list[Problem]:
    """No advice may rest on a clause the review calls absent, or whose quote the clause-type
    check found is not of its type (`doubted`)."""
    out = []
    doubted_ids = {p.rule_id for p in doubted or []}
    absent = [f for f in findings if called_absent(f) or f.rule_id in doubted_ids]
    for f in absent:
        rec = f.recommendation
        if rec and rec.action in ("negotiate", "delete") and f.rule_id not in doubted_ids:
            out.append(
                Problem(
                    f.rule_id,
                    f"The advice is to {rec.action} a clause the review did not find "
                    f"({f.explanation.strip()}); there is nothing to {rec.action}.",
                )
            )
    for g in findings:
        if g.recommendation is None or called_absent(g) or g.rule_id in doubted_ids:
            continue
        for f in absent:
            for cat in f.categories:
                said = _mentions(g.recommendation.rationale, cat)
                if said:
                    why = (
                        "the review doubts the clause it quotes for it"
                        if f.rule_id in doubted_ids
                        else f"the review found none ({f.explanation.strip()})"
                    )
                    out.append(
                        Problem(
                            g.rule_id,
                            f"The advice relies on {_a(cat)} clause (“{_short(said[0])}”), but "
                            f"{why}.",
                        )
                    )
                    break
    return _first_per_finding(out)


def _first_per_finding(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    return [p for p in problems if p.rule_id not in seen and not seen.add(p.rule_id)]


def _key_term_conflicts(f: Finding, deal: Deal) -> list[str]:
    kt = deal.key_terms
    quoted = " ".join(c.quote for c in f.citations)
    out = []
    law = kt.governing_law
    if (
        "Governing Law" in f.categories
        and law
        and law.status == "stated"
        and law.value
        and f.citations
        and law.value not in quoted
        and not any(c.start <= f.citations[0].start < c.end for c in law.citations)
    ):
        where = f" (p.{law.citations[0].page})" if law.citations else ""
        out.append(
            f"The key terms give the governing law as {law.value}{where}, but this finding "
            f"quotes “{_short(quoted)}”. A lawyer should confirm which law governs."
        )
    if "Termination for Convenience" in f.categories and called_absent(f):
        for t in kt.termination_for_convenience:
            where = f" (p.{t.citations[0].page} “{_short(t.citations[0].quote)}”)"
            out.append(
                f"The review says there is no right to terminate for convenience, but the key "
                f"terms list one for {t.party}{where if t.citations else ''}."
            )
            break
    return out


def check_facts(findings: list[Finding], clauses: list[Clause], deal: Deal | None) -> list[Problem]:
    """No two statements of the review may give one fact differently: a clause called absent
    while another finding or the key terms quote it, a law or a right read two ways."""
    out = []
    for f in findings:
        if called_absent(f):
            for cat in f.categories:
                seen = _quoted_elsewhere(f, cat, findings, clauses)
                if seen:
                    out.append(Problem(f.rule_id, seen, reroute=True))
                    break
        if deal is not None:
            out += [Problem(f.rule_id, n, reroute=True) for n in _key_term_conflicts(f, deal)]
    return _first_per_finding(out)


def _quoted_elsewhere(
    f: Finding, category: str, findings: list[Finding], clauses: list[Clause]
) -> str | None:
    for g in findings:
        if g.rule_id == f.rule_id:
            continue
        for c in g.citations:
            if type_score(c, [category], clauses) >= TYPE_CUTOFF and not contrary(
                c.quote, category
            ):
                return (
                    f"The review says there is no {category} clause ({f.explanation.strip()}), "
                    f"yet it quotes one under “{g.title}” (p.{c.page} “{_short(c.quote)}”)."
                )
    strong = [
        cl
        for cl in clauses
        if cl.category == category
        and cl.confidence >= TYPE_CUTOFF
        and (cl.answer or "").strip().casefold() != "no"
        and not contrary(cl.text, category)
    ]
    if strong:
        cl = strong[0]
        return (
            f"The review says there is no {category} clause ({f.explanation.strip()}), yet the "
            f"clause finder lists one (p.{cl.page} “{_short(cl.text)}”)."
        )
    return None


def _windows(doc: Document, k: int) -> list[tuple[int, int]]:
    """Every run of `k` consecutive sentences (or limbs of one) of the document."""
    starts = [0] + [m.end() for m in re.finditer(_BREAK, doc.text)]
    bounds = list(zip(starts, starts[1:] + [len(doc.text)], strict=True))
    return [(bounds[i][0], bounds[min(i + k, len(bounds)) - 1][1]) for i in range(len(bounds))]


def _sentences(text: str) -> int:
    return len([s for s in re.split(_BREAK, text.strip()) if s.strip()])


def check_already_said(doc: Document, findings: list[Finding]) -> list[Problem]:
    """No recommendation may ask for wording the contract already has."""
    asks = [
        f
        for f in findings
        if f.recommendation
        and f.recommendation.action in ("add", "negotiate")
        and f.recommendation.fallback_language
    ]
    if not asks:
        return []
    out = []
    by_size: dict[int, tuple[list[tuple[int, int]], list[set[str]]]] = {}
    for f in asks:
        proposal = f.recommendation.fallback_language or ""  # type: ignore[union-attr]
        # As many sentences as the proposal has: words scattered over unrelated clauses are
        # not the contract saying the same thing.
        k = max(1, _sentences(proposal))
        if k not in by_size:
            spans = _windows(doc, k)
            by_size[k] = (spans, [content_words(doc.text[a:b]) for a, b in spans])
        windows, words = by_size[k]
        wanted = content_words(proposal)
        if not wanted:
            continue
        best = max(range(len(windows)), key=lambda i: len(wanted & words[i]), default=None)
        if best is None:
            continue
        a, b = windows[best]
        if already_says(proposal, doc.text[a:b]):
            cite = doc.cite(a, b)
            out.append(
                Problem(
                    f.rule_id,
                    f"The contract already appears to say what the recommendation asks for "
                    f"(p.{cite.page} “{_short(cite.quote, 140)}”, "
                    f"{coverage(proposal, cite.quote):.0%} of its words and every figure). A "
                    f"lawyer should check the finding before raising it.",
                    reroute=f.status == "deviation",
                )
            )
    return out


_UNCONFIRMED = "No risk is reported here until a lawyer confirms the clause:"


def amend(findings: list[Finding], problems: list[Problem]) -> dict[str, Finding]:
    """Send each finding with a problem to a lawyer: needs_review, the reasons in its notes, the
    advice turned into what to check, and no more confidence than its evidence allows."""
    by_rule: dict[str, list[Problem]] = {}
    for p in problems:
        by_rule.setdefault(p.rule_id, []).append(p)
    out = {}
    for f in findings:
        ps = by_rule.get(f.rule_id)
        if not ps:
            continue
        notes = [p.note for p in ps if p.note not in f.notes]
        caps = [p.confidence for p in ps if p.confidence is not None]
        rec = Recommendation(
            action="escalate",
            rationale=" ".join(["A lawyer should decide this finding.", *notes]),
        )
        update: dict[str, object] = {}
        if any(p.wrong_clause for p in ps) and not f.explanation.startswith(_UNCONFIRMED):
            update = {
                "severity": "info",
                "explanation": f"{_UNCONFIRMED} the passage this finding rests on may not be the "
                f"clause it is about. What the review read: {f.explanation}",
            }
        out[f.rule_id] = f.model_copy(
            update={
                **update,
                "status": "needs_review",
                "notes": [*f.notes, *notes],
                "recommendation": rec,
                "confidence": round(min([f.confidence, *caps]), 3),
            }
        )
    return out


__all__ = [
    "Problem",
    "amend",
    "check_absent_reliance",
    "check_already_said",
    "check_clause_type",
    "check_facts",
    "contrary",
    "figures",
    "type_score",
]
