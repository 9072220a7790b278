"""The review as a contract other tools read (JSON), and as Markdown and HTML for people."""

from __future__ import annotations

import html
import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from legal_orch.costs import CostEntry, summarize
from legal_orch.domain import (
    SEVERITIES,
    AgentFailure,
    Clause,
    ClientSide,
    Finding,
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
        """Count findings that need attention (not compliant) by severity."""
        counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
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


def _md_quote(text: str, limit: int = 400) -> str:
    t = " ".join(text.split())
    return (t[:limit] + " …") if len(t) > limit else t


_ORDER = {s: i for i, s in enumerate(reversed(SEVERITIES))}


def _sorted_findings(report: ReviewReport) -> list[Finding]:
    return sorted(report.findings, key=lambda f: (f.status == "compliant", _ORDER[f.severity]))


def to_markdown(report: ReviewReport) -> str:
    """Render the review as Markdown: summary, findings with citations, then clauses."""
    d, v = report.document, report.validation
    counts = report.severity_counts()
    lines = [
        f"# Contract review: {d.name}",
        "",
        f"- {'Paragraphs' if d.kind == 'docx' else 'Pages'}: {d.pages} · SHA-256: "
        f"`{d.sha256[:16]}…` · Playbook: {report.playbook}"
        + (" · text read by OCR from page images" if d.source == "ocr" else ""),
        f"- Validation: **{v.status}** (confidence {v.confidence:.2f}){_sent_line(v)}",
        "- Risks: " + ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES)),
        f"- {side_line(report.client)}",
        f"- Cost: {cost_line(report.costs)}",
        "",
        "## Key terms",
        "",
    ]
    rows = key_term_rows(report.key_terms)
    if rows:
        lines += ["| Term | Value | Where |", "|---|---|---|"]
        for r in rows:
            where = (
                f"{d.unit}{r.citations[0].page} “{_md_quote(r.citations[0].quote, 120)}”"
                if r.citations
                else ""
            )
            lines.append(f"| {r.label} | {_cell(r.value)} | {_cell(where)} |")
    else:
        lines.append("No key terms were read.")
    if report.key_terms.obligations:
        lines += ["", "## Obligations with deadlines", ""]
        lines += ["| Who | Must | By when | Where |", "|---|---|---|---|"]
        for o in report.key_terms.obligations:
            where = f"{d.unit}{o.citation.page}"
            lines.append(f"| {o.party} | {_cell(o.action)} | {_cell(o.due)} | {where} |")
    lines += ["", "## Findings", ""]
    for f in _sorted_findings(report):
        lines += _md_finding(f, d.unit)
    lines += [
        "## Clauses found",
        "",
        "| Category | Answer | Page | Confidence | Text |",
        "|---|---|---|---|---|",
    ]
    for c in _shown_clauses(report):
        text = _cell(_md_quote(c.text, 160))
        lines.append(
            f"| {c.category} | {_cell(c.answer or '')} | {c.page} | {c.confidence:.2f} | {text} |"
        )
    lines += ["", "## Validation", ""]
    lines += [f"- {c.name}: {check_word(v, c)} — {c.detail}" for c in v.checks]
    if report.failures:
        lines += ["", "## Agent failures (review incomplete)", ""]
        lines += [
            f"- {f.agent} at {f.stage} ({f.subtask_id or '-'}): {f.error}" for f in report.failures
        ]
    return "\n".join(lines) + "\n"


def _shown_clauses(report: ReviewReport) -> list[Clause]:
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


def _md_finding(f: Finding, unit: str = "p.") -> list[str]:
    status = f.status.replace("_", " ")
    out = [f"### [{f.severity.upper()}] {f.title} — {status}", "", f.explanation, ""]
    if f.burdens or f.benefits:
        if f.burdens and f.burdens == f.benefits:
            out += [f"*Binds and favours:* {f.burdens}", ""]
        else:
            out += [f"*Binds:* {f.burdens or '-'} · *favours:* {f.benefits or '-'}", ""]
    out += [f"*For the lawyer:* {n}" for n in f.notes] + ([""] if f.notes else [])
    for c in f.citations:
        out.append(f"> {unit}{c.page} [{c.start}:{c.end}] “{_md_quote(c.quote)}”")
    if f.citations:
        out.append("")
    if f.comparison:
        out += [f"*Precedents:* {f.comparison}", ""]
    for p in f.precedents:
        stars = f", rated {p.rating} of 5" if p.rating else ""
        out.append(
            f"- precedent ({p.category or '-'}, {p.source}{stars}): “{_md_quote(p.text, 200)}”"
        )
    if f.precedents:
        out.append("")
    if f.recommendation:
        r = f.recommendation
        out += [f"**Recommendation: {r.action}.** {r.rationale}", ""]
        if r.fallback_language:
            out += [f"*Fallback language:* {r.fallback_language}", ""]
    return out


_CSS = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;line-height:1.45}
.sev{display:inline-block;padding:0 .5em;border-radius:4px;color:#fff;font-size:.85em}
.critical{background:#7b0000}.high{background:#c0392b}.medium{background:#d68910}.low{background:#2e86c1}
.info{background:#7f8c8d}blockquote{border-left:3px solid #ccc;margin:.5em 0;padding-left:1em;color:#333}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px;vertical-align:top;font-size:.9em}"""


def to_html(report: ReviewReport) -> str:
    """Render the review as one self-contained HTML page."""
    e = html.escape
    body = [f"<h1>Contract review: {e(report.document.name)}</h1>"]
    v = report.validation
    body.append(
        f"<p>Pages {report.document.pages} · playbook {e(report.playbook)} · validation "
        f"<b>{e(v.status)}</b> (confidence {v.confidence:.2f})</p>"
    )
    counts = report.severity_counts()
    body.append(
        "<p>Risks: "
        + ", ".join(f"<span class='sev {s}'>{counts[s]} {s}</span>" for s in reversed(SEVERITIES))
        + "</p>"
    )
    body.append(f"<p>{e(side_line(report.client))}</p><p>Cost: {e(cost_line(report.costs))}</p>")
    body.append("<h2>Key terms</h2>")
    rows = key_term_rows(report.key_terms)
    if rows:
        body.append("<table><tr><th>Term</th><th>Value</th><th>Where</th></tr>")
        body += [
            f"<tr><td>{e(r.label)}</td><td>{e(r.value)}</td><td>"
            + (
                f"{report.document.unit}{r.citations[0].page}: “{e(_md_quote(r.citations[0].quote, 120))}”"
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
            f"<td>{report.document.unit}{o.citation.page}</td></tr>"
            for o in report.key_terms.obligations
        ]
        body.append("</table>")
    body.append("<h2>Findings</h2>")
    for f in _sorted_findings(report):
        body.append(
            f"<h3><span class='sev {f.severity}'>{f.severity}</span> {e(f.title)} — {e(f.status.replace('_', ' '))}</h3>"
        )
        body.append(f"<p>{e(f.explanation)}</p>")
        body += [f"<p><i>For the lawyer:</i> {e(n)}</p>" for n in f.notes]
        body += [
            f"<blockquote>{report.document.unit}{c.page}: “{e(_md_quote(c.quote))}”</blockquote>"
            for c in f.citations
        ]
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
    body.append(
        "<h2>Clauses found</h2><table><tr><th>Category</th><th>Answer</th><th>Page</th><th>Text</th></tr>"
    )
    body += [
        f"<tr><td>{e(c.category)}</td><td>{e(c.answer or '')}</td><td>{c.page}</td><td>{e(_md_quote(c.text, 200))}</td></tr>"
        for c in _shown_clauses(report)
    ]
    body.append("</table><h2>Validation</h2><ul>")
    body += [f"<li>{e(c.name)}: {e(check_word(v, c))} — {e(c.detail)}</li>" for c in v.checks]
    body.append("</ul>")
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{e(report.document.name)}</title><style>{_CSS}</style></head><body>{''.join(body)}</body></html>"


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
