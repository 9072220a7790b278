"""`legal-orch eval review`: review CUAD PDFs the way a user does and score the reviews.

Each contract goes through the product path (`Reviewer`: PDF in, `ReviewReport` out, agents
from the registry). The report is then scored against CUAD's lawyers:

- key terms: parties, agreement / effective / expiration date, governing law, renewal term and
  notice period, against the `-Answer` columns of `master_clauses.csv` (see `key_term_checks`);
- per playbook rule: whether the finding's evidence (a clause found, or none) agrees with the
  lawyers (a rule's categories highlighted in CUAD = present), and how many of its cited quotes
  overlap the lawyers' highlights once projected onto CUAD's text;
- over the whole review: contradictions, checks passed on an absent or redacted value, and
  confidences that never change across findings.

Writes `reviews/<contract>.json`, `scores.jsonl` (one line per contract), `metrics.json` and
`report.md`.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from legal_orch_evals.cuad import iso_gold, select_contracts
from rich.console import Console
from rich.progress import Progress

from legal_orch.datasets.cuad import CuadContract
from legal_orch.datasets.cuad_align import Stream, locate
from legal_orch.domain import Citation, Document, Finding, KeyTerm, KeyTerms, Party
from legal_orch.errors import LegalOrchError
from legal_orch.ingest.pdf import parse_pdf
from legal_orch.playbook import Playbook, Rule
from legal_orch.reports.report import ReviewReport
from legal_orch.values import is_redacted, parse_date, parse_duration, parse_place

# CUAD answer column -> the KeyTerms field that answers it.
KEY_TERM_FIELDS: dict[str, str] = {
    "Agreement Date": "agreement_date",
    "Effective Date": "effective_date",
    "Expiration Date": "expiration_date",
    "Governing Law": "governing_law",
    "Renewal Term": "renewal_term",
    "Notice Period to Terminate Renewal": "nonrenewal_notice",
}
FIELDS: tuple[str, ...] = ("parties", *KEY_TERM_FIELDS.values())
ABSENT = ("missing", "not_found")  # statuses that say the rule's clause is not in the contract
DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
# Durations are the same when they differ by calendar rounding only (12 months = 360 days vs
# 1 year = 365; 3 months = 90 vs 92).
DURATION_TOLERANCE = 0.03
EXTRA_PARTIES = 1  # a review may name one party more than CUAD's lawyers did
CONSTANT_MIN = 3  # findings of one rule and status needed to call a confidence constant
_SUFFIXES = re.compile(
    r"\b(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l l c|lp|llp|plc|sa|s a|"
    r"ag|gmbh|bv|b v|nv|n v|pte|pty|srl|spa|sas|ab|oy|as|kk)\b"
)
_GENERIC = {"party", "parties", "we", "us", "our", "you", "your", "they", "them"}
_DESCRIBES = {"the", "each", "collectively", "individually", "together", "and", "or", "both"}
_SHORT = re.compile(r"[\"“”']([^\"“”']{1,60})[\"“”']")
_MONEY = re.compile(r"[$€£¥]\s?\d|\b(?:usd|eur|gbp|dollars?)\b|\d\s?(?:million|billion)\b", re.I)
_MULTIPLE = re.compile(r"\b(?:\d+(?:\.\d+)?|one|two|three|four|five)\s*(?:x|times)\b", re.I)
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|percent|per cent)", re.I)
# How the evaluator re-reads a value of each kind a check can read from the cited text.
VALUE_READERS: dict[str, Callable[[str], bool]] = {
    "duration": lambda t: parse_duration(t) is not None,
    "notice_days": lambda t: parse_duration(t) is not None,
    "date": lambda t: parse_date(t) is not None,
    "jurisdiction": lambda t: parse_place(t) is not None,
    "money": lambda t: _MONEY.search(t) is not None,
    "multiple": lambda t: _MULTIPLE.search(t) is not None,
    "percent": lambda t: _PERCENT.search(t) is not None,
}


# --- key terms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldParty:
    name: str
    short_names: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {k for k in (_party_key(self.name), *map(_party_key, self.short_names)) if k}


def _party_key(name: str) -> str:
    low = re.sub(r"[^a-z0-9]+", " ", name.casefold())
    return " ".join(_SUFFIXES.sub(" ", low).split())


def gold_parties(answer: str) -> list[GoldParty]:
    """CUAD's `Parties-Answer` as parties: `Name ("Short"); ...`, descriptions and groups left out.

    A party's name is what precedes its first parenthesis or quote; a piece with no name of its
    own ("(the "Parties" ...)", "Each of the foregoing ...") is a description; a piece naming
    two parties already listed ("A and B (each a "Recipient")") is a group, not a party.
    Generic short names ("Party", "we", "you") name no one.
    """
    parties: dict[str, GoldParty] = {}
    for piece in (p.strip().lstrip("(").strip() for p in answer.split(";")):
        shorts = tuple(
            t
            for s in _SHORT.findall(piece)
            if (t := s.strip(" ,.")) and t.casefold() not in _GENERIC
        )
        name = re.split(r"[(\"“”]", piece, maxsplit=1)[0].strip(" ,")
        if is_redacted(name) or not _party_key(name) or _describes(name):
            name = ""
        known = {k for q in parties.values() for k in q.names()}
        if not name and all(_party_key(t) in known for t in shorts):
            continue
        key = _party_key(name) or _party_key(shorts[0])
        seen = parties.get(key)
        parties[key] = GoldParty(
            name, tuple(dict.fromkeys((*(seen.short_names if seen else ()), *shorts)))
        )
    found = list(parties.values())
    return [p for p in found if not _is_group(p, found)]


def _describes(name: str) -> bool:
    first = name.split()[0].strip(",.;:")
    return first in _DESCRIBES or first.casefold() in ("each", "hereinafter", "collectively")


def _plain(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.casefold()).split())


def _is_group(p: GoldParty, parties: list[GoldParty]) -> bool:
    key = _plain(p.name)
    inside = [
        q
        for q in parties
        if q is not p and any(_word_in(_plain(k), key, 2) for k in (q.name, *q.short_names) if k)
    ]
    return len(inside) >= 2


def _same_party(gold: GoldParty, ours: Party) -> bool:
    mine = {k for k in (_party_key(ours.name), *map(_party_key, ours.short_names)) if k}
    return any(g == m or _word_in(g, m) or _word_in(m, g) for g in gold.names() for m in mine)


def _word_in(short: str, long: str, least: int = 4) -> bool:
    return len(short) >= least and f" {short} " in f" {long} "


def parties_match(answer: str, ours: list[Party]) -> bool | None:
    """Every gold party found among ours, with no more than one extra; None without gold."""
    gold = gold_parties(answer)
    if not gold:
        return None
    found = all(any(_same_party(g, p) for p in ours) for g in gold)
    extra = sum(not any(_same_party(g, p) for g in gold) for p in ours)
    return found and extra <= EXTRA_PARTIES


def days(duration: str | None) -> int | None:
    """A duration ("3 months", "90 days") in days, or None."""
    if not duration:
        return None
    n, unit = duration.split()
    return int(n) * DAYS[unit.rstrip("s")]


def _same_days(a: int, b: int) -> bool:
    return abs(a - b) <= DURATION_TOLERANCE * max(a, b)


def _stated(term: KeyTerm | None) -> KeyTerm | None:
    return term if term is not None and term.status in ("stated", "computed") else None


def _same_place(gold: str, term: KeyTerm) -> bool:
    """Whether the term names the place CUAD's answer names (read by the same place parser)."""
    want = (parse_place(gold) or gold).casefold()
    said = [str(v) for v in (term.normalized, term.value) if v]
    places = [p.casefold() for v in said if (p := parse_place(v))]
    return want in places if places else any(v.casefold() == want for v in said)


def key_term_match(category: str, gold: str, term: KeyTerm | None) -> bool | None:
    """Whether `term` gives CUAD's answer for `category`; None where CUAD's is not comparable."""
    gold = gold.strip()
    if not gold or gold.casefold() in {"no", "[]"} or is_redacted(gold):
        return None
    term = _stated(term)
    if category == "Governing Law":
        return term is not None and _same_place(gold, term)
    if category in ("Renewal Term", "Notice Period to Terminate Renewal"):
        want_days = days(parse_duration(gold, category))
        if want_days is None:
            return None
        got = term.normalized if term is not None else None
        return isinstance(got, int) and not isinstance(got, bool) and _same_days(got, want_days)
    iso = iso_gold(gold)
    if iso is None:
        if gold.casefold() != "perpetual":
            return None
        return term is not None and "perpetual" in str(term.normalized or term.value).casefold()
    return term is not None and term.normalized == iso


def key_term_checks(c: CuadContract, terms: KeyTerms) -> dict[str, bool | None]:
    """Each key-term field right (True), wrong (False) or not comparable with CUAD (None)."""
    out: dict[str, bool | None] = {"parties": parties_match(c.answers["Parties"], terms.parties)}
    for cat, name in KEY_TERM_FIELDS.items():
        out[name] = key_term_match(cat, c.answers.get(cat, ""), getattr(terms, name))
    return out


# --- rules: evidence, quotes -------------------------------------------------------------


@dataclass
class RuleScore:
    """One finding scored against CUAD's lawyers."""

    status: str | None  # None: the review has no finding for the rule
    confidence: float | None
    found: bool  # the finding rests on a clause it cites
    gold_present: bool | None  # None: the rule reads no CUAD category
    quotes: int = 0
    overlapping: int = 0
    unplaced: int = 0  # quotes that could not be found in CUAD's text
    agent: str = ""


def found(f: Finding) -> bool:
    """Whether the finding says its clause is there and cites it."""
    return f.status not in ABSENT and bool(f.citations)


def gold_ranges(c: CuadContract, categories: Iterable[str], txt: Stream) -> list[tuple[int, int]]:
    """Where the lawyers' highlights of `categories` sit in CUAD's text."""
    out = []
    for cat in categories:
        for piece in c.gold.get(cat, []):
            i = txt.text.find(piece)
            hit = (i, i + len(piece)) if i >= 0 else locate(txt, piece)
            if hit:
                out.append(hit)
    return out


def quote_overlaps(
    cite: Citation, doc_len: int, txt: Stream, gold: list[tuple[int, int]]
) -> bool | None:
    """Whether a cited quote, projected onto CUAD's text, overlaps a highlight; None if unplaced."""
    hit = locate(txt, cite.quote, cite.start / max(doc_len, 1))
    if hit is None:
        return None
    return any(a < hit[1] and hit[0] < b for a, b in gold)


def score_rule(
    rule: Rule, f: Finding | None, c: CuadContract, doc_len: int, txt: Stream
) -> RuleScore:
    """Score one rule's finding: evidence agreement and quote overlap."""
    cats = [cat for cat in rule.categories if cat in c.gold]
    gold_present = any(c.gold[cat] for cat in cats) if cats else None
    if f is None:
        return RuleScore(None, None, False, gold_present)
    s = RuleScore(f.status, f.confidence, found(f), gold_present, agent=f.agent)
    if not cats:
        return s
    gold = gold_ranges(c, cats, txt)
    for cite in f.citations:
        hit = quote_overlaps(cite, doc_len, txt, gold)
        s.quotes += 1
        s.overlapping += bool(hit)
        s.unplaced += hit is None
    return s


# --- whole-review checks -----------------------------------------------------------------

# The key term that states the answer of a rule's category: a review that shows the term at
# the top and calls its clause absent below contradicts itself.
CATEGORY_TERMS = {
    "Governing Law": "governing_law",
    "Renewal Term": "renewal_term",
    "Notice Period to Terminate Renewal": "nonrenewal_notice",
    "Expiration Date": "expiration_date",
    "Cap on Liability": "liability_cap",
    "Termination for Convenience": "termination_for_convenience",
}


def contradictions(report: ReviewReport) -> list[str]:
    """Conflicts inside one review: validation's consistency failures, and a clause called
    absent by one finding but relied on by another finding, the clause list or the key terms."""
    out = []
    for chk in report.validation.checks:
        if chk.name == "consistency" and chk.status == "failed":
            ids = chk.subtask_ids or ["?"]
            out += [f"consistency: {i} ({chk.detail})" for i in ids]
    present = {cl.category for cl in report.clauses if (cl.answer or "").strip().casefold() != "no"}
    for a in report.findings:
        if a.status not in ABSENT:
            continue
        if a.citations and a.burdens and a.burdens != a.benefits:
            # "the clause found binds only the client; none binds the other side": the finding
            # cites the clause it reads and says what is absent (the validator's reading too)
            continue
        for b in report.findings:
            shared = set(a.categories) & set(b.categories)
            if b is not a and shared and found(b):
                out.append(f"finding: {a.rule_id} calls absent what {b.rule_id} cites")
        for cat in sorted(set(a.categories) & present):
            out.append(f"clauses: {a.rule_id} calls absent a {cat} clause the review lists")
        for cat in a.categories:
            term = getattr(report.key_terms, CATEGORY_TERMS.get(cat, ""), None)
            if _term_stated(term):
                out.append(f"key terms: {a.rule_id} calls absent the {cat} the key terms state")
    return out


def _term_stated(term: Any) -> bool:
    if isinstance(term, KeyTerm):
        return term.status in ("stated", "computed")
    if isinstance(term, list):
        return bool(term)
    return term is not None and bool(getattr(term, "citations", None))


def absent_passes(report: ReviewReport, playbook: Playbook) -> list[dict[str, str]]:
    """Checks a compliant finding passed although its cited text states no value of the kind
    the check reads ("absent"), or hides it behind a redaction mark ("redacted")."""
    out = []
    rules = {r.id: r for r in playbook.rules}
    for f in report.findings:
        rule = rules.get(f.rule_id)
        if f.status != "compliant" or rule is None or not f.citations:
            continue  # compliance by absence (an avoided clause not there) reads no value
        quotes = [c.quote for c in f.citations]
        for chk in rule.checks:
            reader = VALUE_READERS.get(chk.attribute)
            if reader is None or chk.op in ("present", "absent") or any(map(reader, quotes)):
                continue
            kind = "redacted" if any(map(is_redacted, quotes)) else "absent"
            out.append({"rule_id": f.rule_id, "attribute": chk.attribute, "value": kind})
    return out


# --- one contract ------------------------------------------------------------------------


@dataclass
class ContractScore:
    title: str
    seconds: float
    validation: str
    failures: int
    key_terms: dict[str, bool | None]
    rules: dict[str, RuleScore]
    contradictions: list[str] = field(default_factory=list)
    absent_passes: list[dict[str, str]] = field(default_factory=list)


def score_report(
    c: CuadContract, report: ReviewReport, doc: Document, playbook: Playbook, seconds: float
) -> ContractScore:
    """Score one review against the contract's CUAD annotations."""
    if doc.sha256 != report.document.sha256:
        raise LegalOrchError(f"{c.title}: the review is of another file than {c.pdf.name}")
    txt = Stream.of(c.txt.read_text(encoding="utf-8", errors="replace"))
    by_rule = {f.rule_id: f for f in report.findings}
    return ContractScore(
        title=c.title,
        seconds=seconds,
        validation=report.validation.status,
        failures=len(report.failures),
        key_terms=key_term_checks(c, report.key_terms),
        rules={
            r.id: score_rule(r, by_rule.get(r.id), c, len(doc.text), txt) for r in playbook.rules
        },
        contradictions=contradictions(report),
        absent_passes=absent_passes(report, playbook),
    )


# --- aggregation -------------------------------------------------------------------------


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def key_term_metrics(scores: list[ContractScore]) -> dict[str, Any]:
    """Accuracy per field over contracts where CUAD has a comparable answer, and overall."""
    table = {}
    right = total = 0
    for name in FIELDS:
        checks = [s.key_terms[name] for s in scores if s.key_terms[name] is not None]
        table[name] = {"accuracy": _share(sum(checks), len(checks)), "correct": sum(checks)}
        table[name]["n"] = len(checks)
        right, total = right + sum(checks), total + len(checks)
    return {"key_terms_accuracy": _share(right, total), "key_terms_n": total, "key_terms": table}


def rule_metrics(scores: list[ContractScore], playbook: Playbook) -> dict[str, dict[str, Any]]:
    """Per rule: evidence agreement with CUAD, its confusion counts, and quote overlap."""
    out = {}
    for rule in playbook.rules:
        rs = [s.rules[rule.id] for s in scores]
        judged = [r for r in rs if r.gold_present is not None]
        quotes = sum(r.quotes for r in rs)
        confs = [r.confidence for r in rs if r.confidence is not None]
        agree = sum(r.status is not None and r.found == r.gold_present for r in judged)
        present = sum(bool(r.gold_present) for r in judged)
        out[rule.id] = {
            "n": len(judged),
            "agree": agree,
            "evidence_agreement": _share(agree, len(judged)),
            # always answering the commoner of found / not found
            "majority_baseline": _share(max(present, len(judged) - present), len(judged)),
            "found_and_present": sum(r.found and bool(r.gold_present) for r in judged),
            "found_not_present": sum(r.found and r.gold_present is False for r in judged),
            "absent_but_present": sum(not r.found and bool(r.gold_present) for r in judged),
            "absent_and_not_present": sum(
                r.status is not None and not r.found and r.gold_present is False for r in judged
            ),
            "unanswered": sum(r.status is None for r in rs),
            "quotes": quotes,
            "quotes_overlapping": sum(r.overlapping for r in rs),
            "quotes_unplaced": sum(r.unplaced for r in rs),
            "quote_overlap": _share(sum(r.overlapping for r in rs), quotes),
            "statuses": dict(Counter(r.status or "unanswered" for r in rs)),
            "confidence_values": len(set(confs)),
        }
    return out


def constant_confidences(
    scores: list[ContractScore], min_findings: int = CONSTANT_MIN
) -> list[dict[str, Any]]:
    """(rule, status) groups of at least `min_findings` findings that all carry one confidence."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for s in scores:
        for rid, r in s.rules.items():
            if r.status is not None and r.confidence is not None:
                groups[(rid, r.status)].append(r.confidence)
    return [
        {"rule_id": rid, "status": st, "confidence": vals[0], "findings": len(vals)}
        for (rid, st), vals in sorted(groups.items())
        if len(vals) >= min_findings and len(set(vals)) == 1
    ]


def aggregate(
    scores: list[ContractScore], playbook: Playbook, failed: list[dict[str, str]]
) -> dict[str, Any]:
    """All review-level metrics from the per-contract scores."""
    rules = rule_metrics(scores, playbook)
    judged = sum(v["n"] for v in rules.values())
    agree = sum(v["agree"] for v in rules.values())
    quotes = sum(v["quotes"] for v in rules.values())
    overlap = sum(v["quotes_overlapping"] for v in rules.values())
    passes = [p for s in scores for p in s.absent_passes]
    constant = constant_confidences(scores)
    secs = [s.seconds for s in scores]
    return {
        "documents": len(scores),
        "documents_failed": len(failed),
        "failed": failed,
        "playbook": playbook.name,
        **key_term_metrics(scores),
        "evidence_agreement": _share(agree, judged),
        "evidence_majority_baseline": _share(
            sum(round((v["majority_baseline"] or 0) * v["n"]) for v in rules.values()), judged
        ),
        "evidence_n": judged,
        "quote_overlap": _share(overlap, quotes),
        "quotes": quotes,
        "quotes_unplaced": sum(v["quotes_unplaced"] for v in rules.values()),
        "contradictions": sum(len(s.contradictions) for s in scores),
        "contradictions_by_kind": dict(
            Counter(x.split(":", 1)[0] for s in scores for x in s.contradictions)
        ),
        "absent_or_redacted_passes": len(passes),
        "absent_or_redacted_passes_by_kind": dict(Counter(p["value"] for p in passes)),
        "constant_confidence": bool(constant),
        "constant_confidence_groups": constant,
        "validation": dict(Counter(s.validation for s in scores)),
        "reviews_with_agent_failures": sum(s.failures > 0 for s in scores),
        "seconds_per_review_median": statistics.median(secs) if secs else None,
        "rules": rules,
    }


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def report_md(m: dict[str, Any]) -> str:
    """The metrics as Markdown for people."""
    lines = [
        f"# Review eval: CUAD {m['split']} split, playbook {m['playbook']}",
        "",
        f"- Documents scored: **{m['documents']}** (failed to review: {m['documents_failed']})",
        f"- Key terms right: **{_pct(m['key_terms_accuracy'])}** of {m['key_terms_n']} "
        "fields where CUAD has a comparable answer",
        f"- Evidence agrees with CUAD's lawyers (clause found / not found): "
        f"**{_pct(m['evidence_agreement'])}** of {m['evidence_n']} rule decisions (always "
        f"answering each rule's commoner case: {_pct(m['evidence_majority_baseline'])})",
        f"- Cited quotes overlapping the lawyers' highlights: **{_pct(m['quote_overlap'])}** of "
        f"{m['quotes']} ({m['quotes_unplaced']} could not be placed in CUAD's text)",
        f"- Contradictions: **{m['contradictions']}** {m['contradictions_by_kind'] or ''}",
        f"- Checks passed on an absent or redacted value: **{m['absent_or_redacted_passes']}** "
        f"{m['absent_or_redacted_passes_by_kind'] or ''}",
        f"- A confidence constant across a rule's findings: "
        f"**{'yes' if m['constant_confidence'] else 'no'}** "
        f"({len(m['constant_confidence_groups'])} rule/status groups)",
        f"- Validation: {m['validation']}; reviews with agent failures: "
        f"{m['reviews_with_agent_failures']}; median seconds per review: "
        f"{m['seconds_per_review_median'] or 0:.2f}",
        "",
        "| key term | accuracy | n |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {_pct(v['accuracy'])} | {v['n']} |" for k, v in m["key_terms"].items()]
    lines += [
        "",
        "| rule | evidence agreement | majority | n | found, present | found, not present | "
        "absent, present | quote overlap | quotes | confidences |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rid, v in m["rules"].items():
        lines.append(
            f"| {rid} | {_pct(v['evidence_agreement'])} | {_pct(v['majority_baseline'])} | "
            f"{v['n']} | {v['found_and_present']} | "
            f"{v['found_not_present']} | {v['absent_but_present']} | {_pct(v['quote_overlap'])} | "
            f"{v['quotes']} | {v['confidence_values']} |"
        )
    if m["constant_confidence_groups"]:
        lines += ["", "Constant confidences:", ""]
        lines += [
            f"- {g['rule_id']} ({g['status']}): {g['confidence']} in all {g['findings']}"
            for g in m["constant_confidence_groups"]
        ]
    return "\n".join(lines) + "\n"


# --- the run -----------------------------------------------------------------------------


def reviewed_document(reviewer: Any, pdf: Path, client: str | None) -> Document:
    """The parsed document the review just read (from its checkpoint), so no PDF is parsed twice."""
    config = {"configurable": {"thread_id": reviewer.thread_id(pdf, client)}}
    doc = reviewer.graph.get_state(config).values.get("document")
    return doc if isinstance(doc, Document) else parse_pdf(pdf)


def review_contracts(
    contracts: list[CuadContract],
    reviewer: Any,
    out: Path,
    for_role: str | None = None,
) -> tuple[list[ContractScore], list[dict[str, str]]]:
    """Review each contract, save its review JSON and score it; failures are listed, not hidden."""
    from legal_orch.review import Paused

    (out / "reviews").mkdir(parents=True, exist_ok=True)
    scores, failed = [], []
    with Progress(*Progress.get_default_columns(), console=Console(stderr=True)) as bar:
        task = bar.add_task("reviews", total=len(contracts))
        for c in contracts:
            t0 = time.perf_counter()
            try:
                result = reviewer.review(c.pdf, fresh=True, client=for_role)
                if isinstance(result, Paused):
                    raise LegalOrchError("paused for a lawyer's decision")
                secs = time.perf_counter() - t0
                (out / "reviews" / f"{c.title}.json").write_text(result.to_json(), "utf-8")
                doc = reviewed_document(reviewer, c.pdf, for_role)
                scores.append(score_report(c, result, doc, reviewer.playbook, secs))
            except Exception as e:  # noqa: BLE001 - listed in metrics.json as a failed review
                failed.append({"contract": c.title, "error": f"{type(e).__name__}: {e}"})
            bar.advance(task)
    return scores, failed


def run(
    data: Path,
    out: Path,
    *,
    split: str | None = None,
    limit: int | None = None,
    for_role: str | None = None,
    reviewer: Any = None,
    scorecard: bool = False,
    scorecard_path: Path | None = None,
) -> dict[str, Any]:
    """Review CUAD contracts of `split` end to end and score them; write the results to `out`."""
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings

    contracts, split = select_contracts(Path(data), split)
    contracts = contracts[:limit]
    if scorecard:
        from legal_orch_evals.scorecard import check_dev

        check_dev(split)
    # The shipped scorecard only: an eval neither learns from nor logs this machine's outcomes.
    reviewer = reviewer or Reviewer(Settings(learn=False), playbook="commercial")
    out = Path(out)
    scores, failed = review_contracts(contracts, reviewer, out, for_role)
    metrics = {"split": split, "for_role": for_role, **aggregate(scores, reviewer.playbook, failed)}
    (out / "scores.jsonl").write_text(
        "".join(json.dumps(asdict(s)) + "\n" for s in scores), encoding="utf-8"
    )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(report_md(metrics), encoding="utf-8")
    if scorecard:
        from legal_orch_evals.scorecard import review_entries, write

        for agent, qualities in review_entries(scores, metrics, reviewer.registry).items():
            write(agent, qualities, _source(metrics), scorecard_path)
    return metrics


def _source(m: dict[str, Any]) -> str:
    return (
        f"legal-orch eval review: CUAD {m['split']} split, {m['documents']} contracts, "
        f"playbook {m['playbook']}"
    )
