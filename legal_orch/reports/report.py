"""The review as a contract other tools read (JSON), and as Markdown and HTML for people."""

from __future__ import annotations

import html
import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from legal_orch.costs import CostEntry, summarize
from legal_orch.decisions import decided_findings
from legal_orch.domain import (
    SEVERITIES,
    AgentFailure,
    Citation,
    Clause,
    ClientSide,
    Finding,
    HiddenText,
    KeyTerms,
    Validation,
    ValidationCheck,
)
from legal_orch.reports.key_terms import key_term_rows, side_line


class DocumentInfo(BaseModel):
    path: str
    name: str
    sha256: str
    pages: int  # pages of a PDF; paragraphs of a Word file
    kind: Literal["pdf", "docx"] = "pdf"
    source: Literal["text", "ocr"] = "text"
    hidden: list[HiddenText] = Field(default_factory=list)  # left out: a reader cannot see it

    @property
    def unit(self) -> str:
        """How citations are located: "p." (page) or "¶" (Word paragraph)."""
        return "¶" if self.kind == "docx" else "p."


class ReviewReport(BaseModel):
    """The JSON contract of a review; offsets index the document's parsed text."""

    document: DocumentInfo
    playbook: str
    key_terms: KeyTerms = Field(default_factory=KeyTerms)
    client: ClientSide = Field(default_factory=ClientSide)
    clauses: list[Clause]
    findings: list[Finding]
    validation: Validation
    failures: list[AgentFailure] = Field(default_factory=list)
    decisions: dict[str, Any] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    costs: list[CostEntry] = Field(default_factory=list)  # per stage and agent: tokens, money, CPU

    def severity_counts(self) -> dict[str, int]:
        """Count findings that need attention (not compliant) by severity, as the lawyers decided:
        rejected findings left out, edited ones at their edited severity."""
        counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for f in decided_findings(self.findings, self.decisions)[0]:
            if f.status != "compliant":
                counts[f.severity] += 1
        return counts

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def from_state(output: dict[str, Any], playbook_name: str, rule_order: list[str]) -> ReviewReport:
    """Build the report from the graph's output, findings in playbook order."""
    doc = output["document"]
    findings = output.get("findings", {})
    ordered = [findings[r] for r in rule_order if r in findings]
    deal = output.get("deal")
    return ReviewReport(
        document=DocumentInfo(
            path=doc.path,
            name=doc.name,
            sha256=doc.sha256,
            pages=len(doc.pages),
            kind=doc.kind,
            source=doc.source,
            hidden=doc.hidden,
        ),
        playbook=playbook_name,
        key_terms=deal.key_terms if deal else KeyTerms(),
        client=deal.client if deal else ClientSide(),
        clauses=sorted(output.get("clauses", []), key=lambda c: (c.start, c.category)),
        findings=ordered,
        validation=output["validation"],
        failures=list(output.get("failures", {}).values()),
        decisions=output.get("decisions", {}),
        timings={k: round(v, 3) for k, v in output.get("timings", {}).items()},
        costs=summarize(output.get("costs", [])),
    )


_MD_ACTIVE = str.maketrans({"[": "\\[", "]": "\\]", "`": "\\`", "*": "\\*"})


def hidden_lines(d: DocumentInfo) -> list[str]:
    """Say what text the file holds that a reader cannot see (left out of the review)."""
    return [
        f"Text a reader cannot see, left out of this review: {d.unit}{h.page}, {h.why} "
        f"({h.chars} characters): “{h.preview}”"
        for h in d.hidden
    ]


def _md(text: str) -> str:
    """Contract or model text made inert in Markdown: no HTML (a <script>), no link or image
    (`[x](javascript:...)`, `![](https://tracker)`), no code or emphasis of its own."""
    return html.escape(text, quote=False).translate(_MD_ACTIVE)


def _mdq(text: str, limit: int = 400) -> str:
    return _md(_md_quote(text, limit))


def _md_quote(text: str, limit: int = 400) -> str:
    t = " ".join(text.split())
    return (t[:limit] + " …") if len(t) > limit else t


_ORDER = {s: i for i, s in enumerate(reversed(SEVERITIES))}


def _sorted_findings(report: ReviewReport) -> list[Finding]:
    """The findings that stand after the lawyers' decisions, the most severe first."""
    kept = decided_findings(report.findings, report.decisions)[0]
    return sorted(kept, key=lambda f: (f.status == "compliant", _ORDER[f.severity]))


def rejected_findings(report: ReviewReport) -> list[tuple[Finding, dict[str, Any]]]:
    """The findings a lawyer rejected, with the decision: reports list them apart, uncounted."""
    return decided_findings(report.findings, report.decisions)[1]


def by_page(citations: list[Citation]) -> list[tuple[int, list[Citation]]]:
    """Group citations by page (in order of first mention), each span once."""
    pages: dict[int, list[Citation]] = {}
    for c in citations:
        same = pages.setdefault(c.page, [])
        if all((x.start, x.end) != (c.start, c.end) for x in same):
            same.append(c)
    return list(pages.items())


_FIELD_WORDS = {
    "severity": "severity",
    "status": "status",
    "title": "title",
    "explanation": "explanation",
    "action": "recommended action",
    "rationale": "reasons",
    "fallback_language": "fallback language",
}
_DECIDED = {"accept": "Accepted", "reject": "Rejected", "edit": "Edited"}


def decision_line(d: dict[str, Any]) -> str:
    """A lawyer's decision in words: who, when, what they changed, and their note."""
    kind = d.get("decision", "")
    line = f"{_DECIDED.get(kind, str(kind).capitalize())} by {d.get('reviewer') or 'a lawyer'}"
    if d.get("at"):
        line += f" on {str(d['at'])[:10]}"
    changed = [w for k, w in _FIELD_WORDS.items() if d.get(k) not in (None, "")]
    if kind == "edit" and changed:
        line += f" (changed: {', '.join(changed)})"
    if d.get("note"):
        line += f". Note: {d['note']}"
    return line + "."


def _decision_counts(report: ReviewReport) -> str:
    """How many findings the lawyers accepted, edited and rejected, in one line ('' if none)."""
    found = {f.rule_id for f in report.findings}
    kinds = [
        d.get("decision") for r, d in report.decisions.items() if r in found and isinstance(d, dict)
    ]
    words = {"accept": "accepted", "edit": "edited", "reject": "rejected"}
    parts = [f"{kinds.count(k)} {w}" for k, w in words.items() if kinds.count(k)]
    return ", ".join(parts)


def _unit_name(d: DocumentInfo) -> str:
    return "Paragraphs" if d.kind == "docx" else "Pages"


def to_markdown(report: ReviewReport) -> str:
    """Render the review as Markdown: summary, key terms, findings with citations, clauses, and
    the engineering detail last, under "Technical details"."""
    d, v = report.document, report.validation
    counts = report.severity_counts()
    decided = _decision_counts(report)
    lines = [
        f"# Contract review: {_md(d.name)}",
        "",
        f"- {_unit_name(d)}: {d.pages} · Playbook: {_md(report.playbook)}"
        + (" · text read by OCR from page images" if d.source == "ocr" else ""),
        f"- Validation: **{v.status}**{_sent_line(v)}",
        "- Risks: " + ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES)),
        f"- {side_line(report.client)}",
        *[f"- **{_md(line)}**" for line in hidden_lines(d)],
    ]
    if decided:
        lines.append(f"- Lawyers' decisions: {decided}")
    if report.failures:
        lines.append("- **Review incomplete**: " + _md("; ".join(failure_words(report.failures))))
    lines += ["", "## Key terms", ""]
    rows = key_term_rows(report.key_terms)
    if rows:
        lines += ["| Term | Value | Where |", "|---|---|---|"]
        for r in rows:
            where = (
                f"{d.unit}{r.citations[0].page} “{_mdq(r.citations[0].quote, 120)}”"
                if r.citations
                else ""
            )
            lines.append(f"| {r.label} | {_cell(_md(r.value))} | {_cell(where)} |")
    else:
        lines.append("No key terms were read.")
    if report.key_terms.obligations:
        lines += ["", "## Obligations with deadlines", ""]
        lines += ["| Who | Must | By when | Where |", "|---|---|---|---|"]
        for o in report.key_terms.obligations:
            where = f"{d.unit}{o.citation.page}"
            lines.append(
                f"| {_cell(_md(o.party))} | {_cell(_md(o.action))} | {_cell(_md(o.due))} | {where} |"
            )
    lines += ["", "## Findings", ""]
    for f in _sorted_findings(report):
        lines += _md_finding(f, d.unit, report.decisions.get(f.rule_id))
    rejected = rejected_findings(report)
    if rejected:
        lines += ["## Findings the lawyers rejected (not counted above)", ""]
        lines += [f"- {_md(f.title)}: {_md(decision_line(x))}" for f, x in rejected]
        lines.append("")
    lines += [
        "## Clauses found",
        "",
        f"| Category | Answer | {d.unit} | Text |",
        "|---|---|---|---|",
    ]
    for c in shown_clauses(report):
        text = _cell(_mdq(c.text, 160))
        lines.append(f"| {c.category} | {_cell(_md(c.answer or ''))} | {c.page} | {text} |")
    lines += ["", "## Technical details", ""]
    lines += [f"- {_md(t)}" for t in technical_lines(report)]
    return "\n".join(lines) + "\n"


def failure_words(failures: list[AgentFailure]) -> list[str]:
    """What did not finish, for a lawyer: the error, not the component that raised it."""
    return [f"part of the review did not finish ({f.error})" for f in failures]


def technical_lines(report: ReviewReport) -> list[str]:
    """The engineering detail of a review, kept apart from what a lawyer reads."""
    d, v = report.document, report.validation
    out = [
        f"SHA-256 of the file: {d.sha256}",
        f"Validation confidence: {v.confidence:.2f}",
        f"Cost: {cost_line(report.costs)}",
    ]
    out += [f"Check {c.name}: {check_word(v, c)} — {c.detail}" for c in v.checks]
    out += [
        f"Failure: {f.agent} at {f.stage} ({f.subtask_id or '-'}): {f.error}"
        for f in report.failures
    ]
    out += [
        f"Finding {f.title}: rule {f.rule_id}, agent {f.agent or '-'}, confidence {f.confidence:.2f}"
        + "".join(f", {d.unit}{c.page} characters {c.start}-{c.end}" for c in f.citations)
        for f in report.findings
    ]
    return out


def shown_clauses(report: ReviewReport) -> list[Clause]:
    """The clause table people read: the parties are named in the key terms, so CUAD's raw
    "Parties" spans (kept in the JSON for the CUAD eval) are left out of it."""
    return [c for c in report.clauses if c.category != "Parties"]


def check_word(v: Validation, c: ValidationCheck) -> str:
    """A check's outcome in words: in a review that passed, a failed meaning check has sent
    findings to a lawyer (they read "needs review") rather than failed the review."""
    if c.status == "failed" and v.status == "passed":
        return "findings sent to a lawyer"
    return c.status


def _sent_line(v: Validation) -> str:
    sent = [c.name for c in v.checks if c.status == "failed"]
    if v.status != "passed" or not sent:
        return ""
    return f"; findings sent to a lawyer by the {', '.join(sent)} check(s)"


def cost_line(costs: list[CostEntry]) -> str:
    """One line of what the review spent: money and tokens of model calls, CPU of the agents."""
    money = sum(c.money for c in costs)
    tin, tout = sum(c.tokens_in for c in costs), sum(c.tokens_out for c in costs)
    calls = sum(c.calls for c in costs)
    cpu = sum(c.cpu_seconds for c in costs)
    llm = f"{calls} model calls, {tin} tokens in / {tout} out, ${money:.4f}; " if calls else ""
    return f"{llm}{cpu:.1f} CPU-seconds of offline agents"


def cost_words(costs: list[CostEntry], currency: str = "USD") -> str:
    """What the review cost, in a short line of plain words (the app, the batch grid)."""
    cpu = sum(c.cpu_seconds for c in costs)
    calls = sum(c.calls for c in costs)
    here = f"{cpu:.1f} seconds of computing on this machine"
    if not calls:
        return f"{here}; no language model used"
    cached = sum(c.cached_calls for c in costs)
    unpriced = sum(c.unpriced_calls for c in costs)
    money = sum(c.money for c in costs)
    said = f"{money:.4f} {currency} for {calls} language-model question(s)"
    if cached:
        said += f" ({cached} answered from earlier reviews at no cost)"
    if unpriced:
        said += f", {unpriced} of them not priced (the model is missing from the price table)"
    return f"{said}; {here}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def cited_lines(f: Finding, unit: str, limit: int = 400) -> list[str]:
    """One line per cited page: the page once, then each quote on it."""
    return [
        f"{unit}{page}: " + " … ".join(f"“{_md_quote(c.quote, limit)}”" for c in cites)
        for page, cites in by_page(f.citations)
    ]


def _md_finding(f: Finding, unit: str = "p.", decision: Any = None) -> list[str]:
    status = f.status.replace("_", " ")
    out = [f"### [{f.severity.upper()}] {_md(f.title)} — {status}", "", _md(f.explanation), ""]
    if isinstance(decision, dict):
        out += [f"*Lawyer's decision:* {_md(decision_line(decision))}", ""]
    if f.burdens or f.benefits:
        if f.burdens and f.burdens == f.benefits:
            out += [f"*Binds and favours:* {_md(f.burdens)}", ""]
        else:
            out += [f"*Binds:* {_md(f.burdens or '-')} · *favours:* {_md(f.benefits or '-')}", ""]
    out += [f"*For the lawyer:* {_md(n)}" for n in f.notes] + ([""] if f.notes else [])
    out += [f"> {_md(line)}" for line in cited_lines(f, unit)]
    if f.citations:
        out.append("")
    if f.comparison:
        out += [f"*Precedents:* {_md(f.comparison)}", ""]
    for p in f.precedents:
        stars = f", rated {p.rating} of 5" if p.rating else ""
        out.append(
            f"- precedent ({_md(p.category or '-')}, {_md(p.source)}{stars}): “{_mdq(p.text, 200)}”"
        )
    if f.precedents:
        out.append("")
    if f.recommendation:
        r = f.recommendation
        out += [f"**Recommendation: {r.action}.** {_md(r.rationale)}", ""]
        if r.fallback_language:
            out += [f"*Fallback language:* {_md(r.fallback_language)}", ""]
    return out


_CSS = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;line-height:1.45}
.sev{display:inline-block;padding:0 .5em;border-radius:4px;color:#fff;font-size:.85em}
.critical{background:#7b0000}.high{background:#c0392b}.medium{background:#d68910}.low{background:#2e86c1}
.info{background:#7f8c8d}blockquote{border-left:3px solid #ccc;margin:.5em 0;padding-left:1em;color:#333}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px;vertical-align:top;font-size:.9em}
table.counts td,table.counts th{text-align:center;min-width:5em}.decision{color:#1e6b35}"""


def _html_counts(report: ReviewReport) -> str:
    """The header's table of risks by severity (after the lawyers' decisions)."""
    counts = report.severity_counts()
    heads = "".join(f"<th><span class='sev {s}'>{s}</span></th>" for s in reversed(SEVERITIES))
    cells = "".join(f"<td>{counts[s]}</td>" for s in reversed(SEVERITIES))
    return (
        "<table class='counts' id='severity-counts'><caption>Risks by severity</caption>"
        f"<tr>{heads}</tr><tr>{cells}</tr></table>"
    )


def to_html(report: ReviewReport) -> str:
    """Render the review as one self-contained HTML page."""
    e = html.escape
    d, v = report.document, report.validation
    unit = d.unit
    body = [f"<header><h1>Contract review: {e(d.name)}</h1>"]
    body.append(
        f"<p>{_unit_name(d)} {d.pages} · playbook {e(report.playbook)}"
        + (" · text read by OCR from page images" if d.source == "ocr" else "")
        + f" · validation <b>{e(v.status)}</b>{e(_sent_line(v))}</p>"
    )
    body.append(_html_counts(report))
    body.append(f"<p>{e(side_line(report.client))}</p>")
    body += [f"<p><b>{e(line)}</b></p>" for line in hidden_lines(report.document)]
    decided = _decision_counts(report)
    if decided:
        body.append(f"<p>Lawyers' decisions: {e(decided)}</p>")
    if report.failures:
        body.append(
            f"<p><b>Review incomplete:</b> {e('; '.join(failure_words(report.failures)))}</p>"
        )
    body.append("</header><h2>Key terms</h2>")
    rows = key_term_rows(report.key_terms)
    if rows:
        body.append("<table><tr><th>Term</th><th>Value</th><th>Where</th></tr>")
        body += [
            f"<tr><td>{e(r.label)}</td><td>{e(r.value)}</td><td>"
            + (
                f"{unit}{r.citations[0].page}: “{e(_md_quote(r.citations[0].quote, 120))}”"
                if r.citations
                else ""
            )
            + "</td></tr>"
            for r in rows
        ]
        body.append("</table>")
    else:
        body.append("<p>No key terms were read.</p>")
    if report.key_terms.obligations:
        body.append("<h2>Obligations with deadlines</h2><table>")
        body.append("<tr><th>Who</th><th>Must</th><th>By when</th><th>Where</th></tr>")
        body += [
            f"<tr><td>{e(o.party)}</td><td>{e(o.action)}</td><td>{e(o.due)}</td>"
            f"<td>{unit}{o.citation.page}</td></tr>"
            for o in report.key_terms.obligations
        ]
        body.append("</table>")
    body.append("<h2>Findings</h2>")
    for f in _sorted_findings(report):
        body.append(
            f"<h3><span class='sev {f.severity}'>{f.severity}</span> {e(f.title)} — {e(f.status.replace('_', ' '))}</h3>"
        )
        body.append(f"<p>{e(f.explanation)}</p>")
        dec = report.decisions.get(f.rule_id)
        if isinstance(dec, dict):
            body.append(
                f"<p class='decision'><i>Lawyer's decision:</i> {e(decision_line(dec))}</p>"
            )
        body += [f"<p><i>For the lawyer:</i> {e(n)}</p>" for n in f.notes]
        body += [f"<blockquote>{e(line)}</blockquote>" for line in cited_lines(f, unit)]
        if f.comparison:
            body.append(f"<p><i>Precedents:</i> {e(f.comparison)}</p>")
        if f.precedents:
            body.append("<ul>")
            body += [
                f"<li>{e(p.category or '-')}, {e(p.source)}"
                + (f", rated {p.rating} of 5" if p.rating else "")
                + f": “{e(_md_quote(p.text, 200))}”</li>"
                for p in f.precedents
            ]
            body.append("</ul>")
        if f.recommendation:
            r = f.recommendation
            body.append(f"<p><b>Recommendation: {e(r.action)}.</b> {e(r.rationale)}</p>")
            if r.fallback_language:
                body.append(f"<p><i>Fallback language:</i> {e(r.fallback_language)}</p>")
    rejected = rejected_findings(report)
    if rejected:
        body.append("<h2>Findings the lawyers rejected (not counted above)</h2><ul>")
        body += [f"<li>{e(f.title)}: {e(decision_line(x))}</li>" for f, x in rejected]
        body.append("</ul>")
    body.append(
        f"<h2>Clauses found</h2><table><tr><th>Category</th><th>Answer</th><th>{unit}</th><th>Text</th></tr>"
    )
    body += [
        f"<tr><td>{e(c.category)}</td><td>{e(c.answer or '')}</td><td>{c.page}</td><td>{e(_md_quote(c.text, 200))}</td></tr>"
        for c in shown_clauses(report)
    ]
    body.append("</table><details><summary>Technical details</summary><ul>")
    body += [f"<li>{e(t)}</li>" for t in technical_lines(report)]
    body.append("</ul></details>")
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{e(d.name)}</title><style>{_CSS}</style></head><body>{''.join(body)}</body></html>"


def render(report: ReviewReport, fmt: str) -> str:
    """Render `report` as `md`, `json` or `html`."""
    if fmt == "json":
        return report.to_json()
    if fmt == "html":
        return to_html(report)
    if fmt == "md":
        return to_markdown(report)
    raise ValueError(f"unknown format {fmt!r} (md, json, html)")


def load_report(text: str) -> ReviewReport:
    return ReviewReport.model_validate(json.loads(text))
