"""Review page: upload contracts, follow the review, read and decide the cited findings.

Deciding keeps the lawyer's place: each finding's panel and its tabs are named by a key, so the
browser keeps them open on the tab the lawyer chose through the rerun a decision makes; the
counts, the table and the downloads follow the decision while the page stays where it was.
"""

from __future__ import annotations

import streamlit as st
from legal_orch_ui import services
from legal_orch_ui.views import (
    DECISION_WORDS,
    SORTS,
    StageTracker,
    categories_of,
    finding_rows,
    md_text,
    page_html,
    select_findings,
    summary_line,
)

from legal_orch.decisions import (
    STATUSES,
    DecisionError,
    decided_findings,
    finding_snapshot,
    with_decisions,
)
from legal_orch.domain import SEVERITIES, Citation, Finding
from legal_orch.errors import LegalOrchError
from legal_orch.reports.key_terms import key_term_rows, side_line
from legal_orch.reports.report import (
    ReviewReport,
    by_page,
    check_word,
    cost_line,
    cost_words,
    decision_line,
    failure_words,
    render,
)
from legal_orch.review import Paused

ACTIONS = ("accept", "negotiate", "add", "delete", "escalate")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

settings = services.settings()
entries: dict[str, services.Entry] = st.session_state.setdefault("entries", {})

st.title("Contract review")

# --- sidebar: playbook, reviewer -------------------------------------------------------------
with st.sidebar:
    names = services.playbooks()
    default = names.index(settings.playbook) if settings.playbook in names else 0
    pb_name = st.selectbox("Playbook", names, index=default, key="playbook") if names else None
    pb_file = st.file_uploader(
        "…or upload a playbook (YAML)", type=["yaml", "yml"], key="playbook_file"
    )
    who = st.text_input(
        "Reviewer",
        value=st.session_state.get("who", ""),
        key="who",
        placeholder="your name (saved with decisions)",
    )
    pause = st.checkbox(
        "Pause for my decision on uncertain high risks", value=True, key="interrupts"
    )
    use_ocr = st.checkbox(
        "Read scanned PDFs with OCR",
        value=False,
        key="ocr",
        help="Slower; citations then point at the text OCR read from the page images.",
    )
    acting_for = st.text_input(
        "We act for",
        key="acting_for",
        placeholder="a party's name, short name or role",
        help="Leave empty and the review says which side it assumed and why.",
    )

try:
    pb_key, playbook = services.choose_playbook(
        pb_name, (pb_file.name, pb_file.getvalue()) if pb_file is not None else None
    )
except LegalOrchError as e:
    st.error(str(e))
    st.stop()
st.sidebar.caption(f"Playbook **{playbook.name}**: {len(playbook.rules)} rules")


def status_word(entry: services.Entry) -> str:
    """Where a document's review stands, in one line."""
    if entry.error:
        return f"{entry.name}: could not be reviewed"
    if isinstance(entry.result, Paused):
        return f"{entry.name}: paused for your decision"
    return f"{entry.name}: reviewed"


# --- upload and review -------------------------------------------------------------------------
files = st.file_uploader(
    "Contracts (PDF or Word .docx)",
    accept_multiple_files=True,
    key="contracts",
    help=f"Up to {settings.max_file_mb:g} MB and {settings.max_pages} pages each.",
)
if st.button("Review", type="primary", disabled=not files, key="run_review"):
    batch = [
        services.prepare_upload(
            settings, up.name, up.getvalue(), services.upload_dir(), ocr=use_ocr
        )
        for up in files
    ]
    for entry in batch:
        entries[entry.name] = entry
    good = [e for e in batch if not e.error]
    try:
        rev = (
            services.reviewer(settings, pb_key, playbook, interrupts=pause, ocr=use_ocr)
            if good
            else None
        )
    except LegalOrchError as e:
        st.error(str(e))
        good = []
    for entry in good:
        with st.status(f"Reviewing {entry.name}…", expanded=True) as box:
            bar, tracker = st.progress(0.0), StageTracker()

            def show(event, bar=bar, tracker=tracker):
                if tracker.add(event):
                    bar.progress(tracker.fraction(), text=tracker.step)

            services.review_entry(rev, entry, show, acting_for.strip() or None)
            entry.steps = tracker.table()
            state = "error" if entry.error else "complete"
            box.update(label=entry.error or status_word(entry), state=state, expanded=False)
    if good:
        # Draw the page as every later run draws it, so deciding never shifts it.
        st.rerun()

for e in entries.values():
    if e.error:
        st.error(e.error)
done = {n: e for n, e in entries.items() if e.result is not None}
if not done:
    st.info("Upload one or more contracts (PDF or Word) and press **Review**.")
    st.stop()

# --- one document's review ---------------------------------------------------------------------
name = st.selectbox("Document", list(done), key="doc") if len(done) > 1 else next(iter(done))
entry = done[name]
store = services.decisions(settings)
st.caption(status_word(entry))


def show_pages(cites: list[Citation], unit_name: str, pages: int) -> None:
    """Each cited page once, every cited part of it highlighted."""
    for page, on_page in by_page(cites):
        st.caption(f"{unit_name} {page} of {pages}")
        st.html(page_html(entry.doc, on_page))


def answer_pause(entry: services.Entry, paused: Paused) -> None:
    q = paused.question
    st.warning(
        f"**{md_text(entry.name)}: the review is paused for your decision.** "
        f"{md_text(q.get('question', ''))}"
    )
    unit_name = "Paragraph" if entry.doc.kind == "docx" else "Page"
    with st.form(key=f"pause-{paused.thread_id}"):
        answers = {}
        for f in q.get("findings", []):
            st.markdown(
                f"**\\[{f['severity'].upper()}\\] {md_text(f['title'])}**: "
                f"{md_text(f['explanation'])}"
            )
            cites = [Citation.model_validate(c) for c in f.get("citations", [])]
            if cites:
                show_pages(cites, unit_name, len(entry.doc.pages))
            else:
                st.caption("No text cited: the clause was not found in the contract.")
            answers[f["rule_id"]] = st.radio(
                "Decision", ["accept", "reject"], horizontal=True, key=f"pause-{f['rule_id']}"
            )
        if st.form_submit_button("Submit decisions and resume", key="resume"):
            if not who.strip():
                st.error("Enter your name as reviewer (sidebar) before deciding.")
                return
            for f in q.get("findings", []):
                store.record(
                    entry.doc.sha256,
                    f["rule_id"],
                    answers[f["rule_id"]],
                    who,
                    doc_name=entry.name,
                    playbook=playbook.name,
                    finding={k: f[k] for k in ("title", "severity", "confidence")},
                )
            rev = services.reviewer(settings, pb_key, playbook, interrupts=True)
            with st.spinner("Resuming the review…"):
                services.resume(
                    rev, entry, {r: {"decision": d, "reviewer": who} for r, d in answers.items()}
                )
            st.rerun()


def save_decision(report: ReviewReport, f: Finding, key: str) -> None:
    """Record the form's decision; runs before the page is drawn again, so the table is current.

    `f` is the finding as the review made it: an edit is what differs from it."""
    ss = st.session_state
    rec = f.recommendation
    choice, reviewer = ss[f"choice-{key}"], ss.get("who", "")
    changes = {
        "severity": (ss[f"sev-{key}"], f.severity),
        "status": (ss[f"status-{key}"], f.status),
        "action": (ss[f"action-{key}"], rec.action if rec else None),
        "fallback_language": (ss[f"fb-{key}"], (rec.fallback_language or "") if rec else ""),
    }
    edited = (
        {k: new for k, (new, old) in changes.items() if new != old} if choice == "edit" else None
    )
    if edited and rec is None and "fallback_language" in edited:
        edited["action"] = ss[f"action-{key}"]  # new advice needs its action
    if not reviewer.strip():
        ss["flash"] = (key, "error", "Enter your name as reviewer (sidebar) before deciding.")
        return
    try:
        services.decisions(settings).record(
            report.document.sha256,
            f.rule_id,
            choice,
            reviewer,
            ss[f"note-{key}"],
            edited,
            doc_name=report.document.name,
            playbook=report.playbook,
            finding=finding_snapshot(f),
        )
    except DecisionError as e:
        ss["flash"] = (key, "error", str(e))
        return
    ss["flash"] = (key, "success", f"Saved: {DECISION_WORDS[choice]} by {reviewer.strip()}.")


def decision_form(report: ReviewReport, f: Finding, decision: dict | None) -> None:
    key = f"{report.document.sha256[:12]}-{f.rule_id}"
    if decision:
        st.caption(f"Latest decision: {md_text(decision_line(decision))}")
    with st.form(key=f"decide-{key}"):
        st.radio(
            "Decision",
            ["accept", "reject", "edit"],
            format_func=lambda d: {"accept": "Accept", "reject": "Reject", "edit": "Edit"}[d],
            horizontal=True,
            key=f"choice-{key}",
        )
        c1, c2, c3 = st.columns(3)
        c1.selectbox(
            "Severity (edit)", SEVERITIES, index=SEVERITIES.index(f.severity), key=f"sev-{key}"
        )
        c2.selectbox("Status (edit)", STATUSES, index=STATUSES.index(f.status), key=f"status-{key}")
        rec = f.recommendation
        c3.selectbox(
            "Recommended action (edit)",
            ACTIONS,
            index=ACTIONS.index(rec.action) if rec else 0,
            key=f"action-{key}",
        )
        old_fb = (rec.fallback_language or "") if rec else ""
        st.text_area("Fallback language (edit)", value=old_fb, key=f"fb-{key}")
        st.text_input("Note", key=f"note-{key}")
        st.form_submit_button(
            "Save decision", key=f"save-{key}", on_click=save_decision, args=(report, f, key)
        )
    flash = st.session_state.get("flash")
    if flash and flash[0] == key:
        (st.success if flash[1] == "success" else st.error)(flash[2])
        del st.session_state["flash"]


def show_finding(
    report: ReviewReport, raw: Finding, f: Finding, decision: dict | None, unit_name: str
) -> None:
    """One finding's panel: `raw` as the review made it, `f` as the lawyers left it."""
    key = f"{report.document.sha256[:12]}-{raw.rule_id}"
    kind = decision.get("decision", "") if decision else ""
    label = f"\\[{f.severity.upper()}\\] {md_text(f.title)} — {f.status.replace('_', ' ')}" + (
        f" · {DECISION_WORDS.get(kind, kind)}" if kind else ""
    )
    # Keyed, not tracked: the browser keeps the panel (and its tab) as the lawyer left it, and
    # the key, not the label, names it, so a label that shows a new decision is the same panel.
    # (A tracked expander is named by its label too: a decision would fold it.)
    with st.expander(label, key=f"open-{key}"):
        st.markdown(md_text(f.explanation))
        if f.burdens or f.benefits:
            st.caption(md_text(f"Binds: {f.burdens or '-'} · favours: {f.benefits or '-'}"))
        for n in f.notes:
            st.caption(f"For the lawyer: {md_text(n)}")
        if f.categories:
            st.caption(f"Clause types: {', '.join(f.categories)}")
        cited, prec, rec, dec = st.tabs(
            ["Cited text", "Precedents", "Recommendation", "Decision"],
            key=f"tab-{key}",
        )
        with cited:
            if not f.citations:
                st.write("No text cited: the clause was not found in the contract.")
            show_pages(f.citations, unit_name, report.document.pages)
        with prec:
            if f.comparison:
                st.markdown(md_text(f.comparison))
            for p in f.precedents:
                stars = f" · rated {p.rating} of 5 by ACORD's lawyers" if p.rating else ""
                st.markdown(f"**{md_text(p.category or '-')}** · {md_text(p.source)}{stars}")
                st.text(p.text)
            if not (f.comparison or f.precedents):
                st.write("No precedents retrieved for this finding.")
        with rec:
            if f.recommendation:
                r = f.recommendation
                st.markdown(f"**{r.action.capitalize()}.** {md_text(r.rationale)}")
                if r.fallback_language:
                    st.caption("Fallback language")
                    st.text(r.fallback_language)
            else:
                st.write("No recommendation.")
        with dec:
            decision_form(report, raw, decision)


def show_key_terms(report: ReviewReport) -> None:
    """The deal's facts first, with the side the review took and a way to take the other."""
    st.markdown("#### Key terms")
    st.caption(md_text(side_line(report.client)))
    rows = key_term_rows(report.key_terms)
    if rows:
        unit = report.document.unit
        st.dataframe(
            [
                {
                    "Term": r.label,
                    "Value": r.value,
                    "Where": f"{unit}{r.citations[0].page}: {' '.join(r.citations[0].quote.split())[:140]}"
                    if r.citations
                    else "",
                }
                for r in rows
            ],
            hide_index=True,
            width="stretch",
            height="content",
        )
    else:
        st.write("No key terms were read from this contract.")
    parties = [p.name for p in report.key_terms.parties]
    if parties and entry.path is not None:
        c1, c2 = st.columns([3, 1])
        current = report.client.party if report.client.party in parties else parties[0]
        side = c1.selectbox(
            "Review again for", parties, index=parties.index(current), key="side_pick"
        )
        if c2.button("Re-review", key="side_go") and side:
            rev = services.reviewer(settings, pb_key, playbook, interrupts=pause)
            with st.spinner(f"Reviewing {entry.name} for {side}…"):
                services.review_entry(rev, entry, lambda _e: None, side)
            st.rerun()


def show_findings_table(rows: list[dict]) -> None:
    """The findings table, sized to the page: the long title wraps, the short columns stay narrow."""
    col = st.column_config.TextColumn
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height="content",  # every finding in view: no scrollbar to eat the width
        column_config={
            "severity": col("Severity", width="small"),
            "finding": col("Finding", width="large"),
            "status": col("Status", width="small"),
            "where": col("Where", width="small"),
            "action": col("Advice", width="small"),
            "decision": col("Decision", width="small"),
        },
    )


def show_downloads(report: ReviewReport) -> None:
    """Downloads made when clicked, from the decisions recorded by then."""
    sha, stem = report.document.sha256, report.document.name.rsplit(".", 1)[0]

    def current() -> ReviewReport:
        return with_decisions(report, services.decisions(settings).latest(sha))

    st.markdown("#### Downloads")
    r1, r2 = st.columns(2)
    path = entry.path
    if path is not None:
        r1.download_button(
            "Redline (Word, tracked changes)",
            lambda: services.redline_bytes(current(), path),
            f"{stem}-redline.docx",
            key="dl_redline",
            on_click="ignore",
            mime=DOCX_MIME,
        )
    r2.download_button(
        "Key dates (calendar .ics)",
        lambda: services.calendar_text(current()),
        f"{stem}-dates.ics",
        "text/calendar",
        key="dl_ics",
        on_click="ignore",
    )
    d1, d2, d3, d4 = st.columns(4)
    d1.download_button(
        "Word report",
        lambda: services.docx_bytes(current()),
        f"{stem}-review.docx",
        key="dl_docx",
        on_click="ignore",
        mime=DOCX_MIME,
    )
    for col, label, fmt, mime in (
        (d2, "HTML", "html", "text/html"),
        (d3, "Markdown", "md", "text/markdown"),
        (d4, "JSON", "json", "application/json"),
    ):
        col.download_button(
            label,
            lambda fmt=fmt: render(current(), fmt),
            f"{stem}-review.{fmt}",
            mime,
            key=f"dl_{fmt}",
            on_click="ignore",
        )


def show_technical(report: ReviewReport) -> None:
    """What engineers need and lawyers do not: rules, components, scores, timings, costs."""
    v = report.validation
    with st.expander("Technical details", key="technical"):
        st.caption(
            f"SHA-256 {report.document.sha256} · validation confidence {v.confidence:.2f} · "
            f"cost: {cost_line(report.costs)}"
        )
        st.dataframe(
            [
                {"title": f.title, "rule": f.rule_id, "agent": f.agent, "confidence": f.confidence}
                for f in report.findings
            ],
            hide_index=True,
            width="stretch",
        )
        if v.checks:
            st.dataframe(
                [
                    {"check": c.name, "outcome": check_word(v, c), "detail": c.detail}
                    for c in v.checks
                ],
                hide_index=True,
                width="stretch",
            )
        for x in report.failures:
            st.caption(
                md_text(f"Failure: {x.agent} at {x.stage} ({x.subtask_id or '-'}): {x.error}")
            )
        if entry.steps:
            st.dataframe(entry.steps, hide_index=True, width="stretch")


def show_report(report: ReviewReport) -> None:
    latest = store.latest(report.document.sha256)
    full = with_decisions(report, latest)
    v = full.validation
    st.subheader(summary_line(full))
    counts = full.severity_counts()  # after the lawyers' decisions
    cols = st.columns(len(SEVERITIES) + 1)
    for col, sev in zip(cols, reversed(SEVERITIES), strict=False):
        col.metric(sev.capitalize(), counts[sev])
    cols[-1].metric("Validation", v.status)
    st.caption(f"Cost of this review: {cost_words(report.costs)}.")
    if report.failures:
        st.warning("Review incomplete: " + md_text("; ".join(failure_words(report.failures))))
    if any(c.status == "failed" for c in v.checks):
        st.warning(
            "Some findings were sent to you by the review's own checks: they read "
            "“needs review” (see Technical details below)."
            if v.status == "passed"
            else "The review's own checks did not pass: read its findings with care "
            "(see Technical details below)."
        )

    show_key_terms(report)
    decided = {rule: d.decision for (_, rule), d in latest.items()}
    kept = {f.rule_id: f for f in decided_findings(full.findings, full.decisions)[0]}
    # rejected findings stay listed (a decision can be changed), uncounted, as the review made them
    findings = [kept.get(f.rule_id, f) for f in full.findings]
    raw = {f.rule_id: f for f in full.findings}
    st.markdown("#### Findings")
    c1, c2, c3, c4 = st.columns(4)
    sevs = c1.multiselect("Severity", list(reversed(SEVERITIES)), key="f_sev")
    cats = c2.multiselect("Clause type", categories_of(findings), key="f_cat")
    stats = c3.multiselect("Status", list(STATUSES), key="f_status")
    sort = c4.selectbox("Sort by", list(SORTS), key="f_sort")
    shown = select_findings(findings, severities=sevs, categories=cats, statuses=stats, sort=sort)
    unit = report.document.unit
    show_findings_table(finding_rows(shown, decided, unit))
    unit_name = "Paragraph" if report.document.kind == "docx" else "Page"
    for f in shown:
        d = full.decisions.get(f.rule_id)
        show_finding(full, raw[f.rule_id], f, d if isinstance(d, dict) else None, unit_name)

    show_downloads(report)
    show_technical(report)


if isinstance(entry.result, Paused):
    answer_pause(entry, entry.result)
else:
    show_report(entry.result)
