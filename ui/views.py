"""Pure view helpers for the pages: HTML for a cited page, table rows, metric tables.

No Streamlit here, so each is tested directly; the pages only lay out what these return.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legal_orch.domain import SEVERITIES, Citation, Document, Finding
from legal_orch.reports.report import ReviewReport

# Stages of the review graph in the order they run, for the progress bar.
STAGES = (
    "ingest",
    "segment",
    "index",
    "extract",
    "key_terms",
    "plan",
    "research_precedents",
    "analyze_risk",
    "synthesize",
    "validate",
)
# What each stage does, in the words a lawyer watching the progress bar reads.
STEP_WORDS = {
    "ingest": "Reading the contract",
    "segment": "Finding its sections and clauses",
    "index": "Preparing the text for search",
    "extract": "Finding the clauses the playbook covers",
    "key_terms": "Reading the key terms",
    "plan": "Planning the checks",
    "research_precedents": "Comparing with precedent clauses",
    "analyze_risk": "Weighing each clause against the playbook",
    "synthesize": "Writing the recommendations",
    "validate": "Checking every citation against the text",
    "reroute": "Taking a second look at unsure findings",
    "ask_lawyer": "Waiting for your decision",
}
SORTS = {
    "severity": lambda f: (f.status == "compliant", -SEVERITIES.index(f.severity), f.rule_id),
    "least certain first": lambda f: (f.confidence, f.rule_id),
    "place in the contract": lambda f: (
        f.citations[0].page if f.citations else 10**9,
        f.citations[0].start if f.citations else 0,
        f.rule_id,
    ),
    "title": lambda f: (f.title.lower(), f.rule_id),
}
_PAGE_STYLE = (
    "white-space:pre-wrap;font-family:Georgia,serif;font-size:.85em;line-height:1.45;"
    "max-height:40em;overflow-y:auto;border:1px solid #ddd;border-radius:4px;padding:.75em"
)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>!|~:$])")


def md_text(text: str) -> str:
    """Contract or model text shown through st.markdown as written: its own links, images,
    emphasis, colour directives (:red[...]) and formulas ($...$) are not acted on."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def page_html(doc: Document, cites: Citation | list[Citation], *, before: int = 600) -> str:
    """Return the cited page's text, escaped, with each cited part of it in `<mark>`.

    `cites` are citations on one page (a finding citing a page twice shows it once, marked
    twice). Text more than `before` characters ahead of the first quote is folded into a note,
    so the highlight shows without scrolling.
    """
    cites = [cites] if isinstance(cites, Citation) else list(cites)
    number = cites[0].page if cites else 0
    page = next((p for p in doc.pages if p.number == number), None)
    bad = [c for c in cites if c.page != number or doc.text[c.start : c.end] != c.quote]
    if page is None or bad or not cites:
        # The validator should have caught this; never highlight text the quote does not match.
        quotes = " … ".join(html.escape(c.quote) for c in bad or cites)
        return f"<div style='{_PAGE_STYLE}'><b>Cited text not found on page {number}:</b> {quotes}</div>"
    text = doc.text[page.start : page.end]
    spans: list[list[int]] = []
    for c in sorted(cites, key=lambda c: c.start):
        s = min(max(c.start, page.start), page.end) - page.start
        e = min(max(c.end, page.start), page.end) - page.start
        if spans and s <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], e)  # overlapping quotes: one mark
        else:
            spans.append([s, e])
    first = spans[0][0]
    cut = 0
    if first > before:
        nl = text.rfind("\n", 0, first - before)
        cut = nl + 1 if nl >= 0 and first - nl < 2 * before else first - before
    where = "in paragraph" if doc.kind == "docx" else "on page"
    head = f"<i>[… {cut} characters earlier {where} {number} …]</i>\n" if cut else ""
    body, pos = [], cut
    for s, e in spans:
        body.append(f"{html.escape(text[pos:s])}<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    body.append(html.escape(text[pos:]))
    return f"<div class='lo-page' style='{_PAGE_STYLE}'>{head}{''.join(body)}</div>"


def categories_of(findings: Iterable[Finding]) -> list[str]:
    return sorted({c for f in findings for c in f.categories})


def select_findings(
    findings: Iterable[Finding],
    *,
    severities: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    sort: str = "severity",
) -> list[Finding]:
    """Filter findings by severity, category and status (None or empty: any), then sort them."""
    sev, cat, st = (set(x) if x else None for x in (severities, categories, statuses))
    out = [
        f
        for f in findings
        if (sev is None or f.severity in sev)
        and (st is None or f.status in st)
        and (cat is None or bool(set(f.categories) & cat))
    ]
    return sorted(out, key=SORTS[sort])


DECISION_WORDS = {"accept": "accepted", "reject": "rejected", "edit": "edited"}


def finding_rows(
    findings: Iterable[Finding], decisions: dict[str, str] | None = None, unit: str = "p."
) -> list[dict[str, Any]]:
    """One table row per finding, in lawyer's words, with the latest decision when there is one."""
    decisions = decisions or {}
    return [
        {
            "severity": f.severity,
            "finding": f.title,
            "status": f.status.replace("_", " "),
            "where": ", ".join(f"{unit}{p}" for p in sorted({c.page for c in f.citations})),
            "action": f.recommendation.action if f.recommendation else "",
            "decision": DECISION_WORDS.get(decisions.get(f.rule_id, ""), ""),
        }
        for f in findings
    ]


def summary_line(report: ReviewReport) -> str:
    counts = report.severity_counts()
    risks = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s])
    return f"{report.document.name}: validation {report.validation.status}; {risks or 'no risks flagged'}"


@dataclass
class StageTracker:
    """Fold the review's stream events into per-agent progress rows."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    last: str = ""

    def add(self, event: dict[str, Any]) -> bool:
        """Take one event; return True when it changed what there is to show."""
        stage = event.get("stage")
        if not stage:
            return False
        row = self.rows.setdefault(
            stage, {"stage": stage, "runs": 0, "seconds": 0.0, "last subtask": ""}
        )
        row["runs"] += 1
        row["seconds"] = round(row["seconds"] + float(event.get("seconds") or 0.0), 2)
        row["last subtask"] = event.get("subtask") or ""
        self.last = stage
        return True

    @property
    def step(self) -> str:
        """The latest step in words, for the progress bar."""
        return STEP_WORDS.get(self.last, "Reviewing")

    def fraction(self) -> float:
        done = [STAGES.index(s) + 1 for s in self.rows if s in STAGES]
        return max(done, default=0) / len(STAGES)

    def table(self) -> list[dict[str, Any]]:
        order = {s: i for i, s in enumerate(STAGES)}
        return sorted(self.rows.values(), key=lambda r: order.get(r["stage"], len(order)))


def split_metrics(
    metrics: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Split an eval's metrics into headline numbers and tables (per category, per rule...)."""
    scalars: dict[str, Any] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    for key, value in metrics.items():
        if isinstance(value, bool | int | float | str) or value is None:
            scalars[key] = value
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            tables[key] = [
                {"name": k, **{c: _cell(x) for c, x in v.items()}} for k, v in value.items()
            ]
        elif isinstance(value, dict):
            tables[key] = [{"name": k, "value": _cell(v)} for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables[key] = [{c: _cell(x) for c, x in v.items()} for v in value]
    return scalars, tables


def _cell(v: Any) -> Any:
    return v if isinstance(v, bool | int | float | str) or v is None else str(v)


def find_results(roots: Iterable[Path]) -> list[Path]:
    """Folders under `roots` holding an eval's metrics.json, newest first."""
    found = {p.parent for root in roots if root.is_dir() for p in root.rglob("metrics.json")}
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def batch_line(p: Any) -> str:
    """One line of batch progress: done/total, failures, rate, time left, the current file."""
    eta = (
        "-"
        if p.eta_seconds is None
        else f"{int(p.eta_seconds) // 60}m{int(p.eta_seconds) % 60:02d}s"
    )
    rate = f"{p.rate_per_min:.1f}/min" if p.rate_per_min else "-/min"
    current = f" · {p.current}" if p.current else ""
    return f"{p.done}/{p.total} done · {p.failed} failed · {rate} · ETA {eta}{current}"
