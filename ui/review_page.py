"""Review page: upload contracts, watch the agents, read and decide the cited findings."""

from __future__ import annotations

import streamlit as st
from legal_orch_ui import services
from legal_orch_ui.views import (
    SORTS,
    StageTracker,
    categories_of,
    finding_rows,
    page_html,
    select_findings,
    summary_line,
)

from legal_orch.decisions import STATUSES, DecisionError, finding_snapshot, with_decisions
from legal_orch.domain import SEVERITIES, Finding
from legal_orch.errors import LegalOrchError
from legal_orch.reports.key_terms import key_term_rows, side_line
from legal_orch.reports.report import ReviewReport, cost_words, render
from legal_orch.review import Paused

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
            bar, table, tracker = st.progress(0.0), st.empty(), StageTracker()

            def show(event, bar=bar, table=table, tracker=tracker):
                if tracker.add(event):
                    bar.progress(tracker.fraction(), text=tracker.last)
                    table.dataframe(tracker.table(), hide_index=True)

            services.review_entry(rev, entry, show, acting_for.strip() or None)
            state = "error" if entry.error else "complete"
            box.update(label=entry.error or f"{entry.name}: reviewed", state=state, expanded=False)

for e in entries.values():
    if e.error:
        st.error(e.error)
done = {n: e for n, e in entries.items() if e.result is not None}
if not done:
    st.info("Upload one or more contract PDFs and press **Review**.")
    st.stop()

# --- one document's review ---------------------------------------------------------------------
name = st.selectbox("Document", list(done), key="doc") if len(done) > 1 else next(iter(done))
entry = done[name]
store = services.decisions(settings)


def answer_pause(entry: services.Entry, paused: Paused) -> None:
    q = paused.question
    st.warning(f"**{entry.name}: the review is paused for your decision.** {q.get('question', '')}")
    with st.form(key=f"pause-{paused.thread_id}"):
        answers = {}
        for f in q.get("findings", []):
            st.markdown(
                f"**[{f['severity'].upper()}] {f['title']}** (confidence {f['confidence']:.2f}): "
                f"{f['explanation']}"
            )
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
    """Record the form's decision; runs before the page is drawn again, so the table is current."""
    ss = st.session_state
    old_fb = (f.recommendation.fallback_language or "") if f.recommendation else ""
    choice, reviewer = ss[f"choice-{key}"], ss.get("who", "")
    changes = {
        "severity": (ss[f"sev-{key}"], f.severity),
        "status": (ss[f"status-{key}"], f.status),
        "fallback_language": (ss[f"fb-{key}"], old_fb),
    }
    edited = (
        {k: new for k, (new, old) in changes.items() if new != old} if choice == "edit" else None
    )
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
    ss["flash"] = (key, "success", f"Saved: {choice} by {reviewer.strip()}.")


def decision_form(report: ReviewReport, f: Finding) -> None:
    key = f"{report.document.sha256[:12]}-{f.rule_id}"
    with st.form(key=f"decide-{key}"):
        st.radio("Decision", ["accept", "reject", "edit"], horizontal=True, key=f"choice-{key}")
        c1, c2 = st.columns(2)
        c1.selectbox(
            "Severity (edit)", SEVERITIES, index=SEVERITIES.index(f.severity), key=f"sev-{key}"
        )
        c2.selectbox("Status (edit)", STATUSES, index=STATUSES.index(f.status), key=f"status-{key}")
        old_fb = (f.recommendation.fallback_language or "") if f.recommendation else ""
        st.text_area("Fallback language (edit)", value=old_fb, key=f"fb-{key}")
        st.text_input("Note", key=f"note-{key}")
        st.form_submit_button(
            "Save decision", key=f"save-{key}", on_click=save_decision, args=(report, f, key)
        )
    flash = st.session_state.get("flash")
    if flash and flash[0] == key:
        (st.success if flash[1] == "success" else st.error)(flash[2])
        del st.session_state["flash"]


def show_finding(report: ReviewReport, f: Finding, decision: str) -> None:
    label = f"[{f.severity.upper()}] {f.title} — {f.status}" + (
        f" · {decision}" if decision else ""
    )
    with st.expander(label):
        st.markdown(f.explanation)
        st.caption(
            f"Rule `{f.rule_id}` · categories: {', '.join(f.categories) or '-'} · "
            f"confidence {f.confidence:.2f} · agent {f.agent or '-'}"
        )
        cited, prec, rec, dec = st.tabs(["Cited text", "Precedents", "Recommendation", "Decision"])
        with cited:
            if not f.citations:
                st.write("No text cited: the clause was not found in the contract.")
            for c in f.citations:
                st.caption(
                    f"Page {c.page} of {report.document.pages} · characters {c.start}–{c.end}"
                )
                st.html(page_html(entry.doc, c))
        with prec:
            if f.comparison:
                st.markdown(f.comparison)
            for p in f.precedents:
                stars = f" · rated {p.rating} of 5 by ACORD's lawyers" if p.rating else ""
                st.markdown(f"**{p.category or '-'}** · {p.source}{stars}")
                st.text(p.text)
            if not (f.comparison or f.precedents):
                st.write("No precedents retrieved for this finding.")
        with rec:
            if f.recommendation:
                r = f.recommendation
                st.markdown(f"**{r.action.capitalize()}.** {r.rationale}")
                if r.fallback_language:
                    st.caption("Fallback language")
                    st.text(r.fallback_language)
            else:
                st.write("No recommendation.")
        with dec:
            decision_form(report, f)


def show_key_terms(report: ReviewReport) -> None:
    """The deal's facts first, with the side the review took and a way to take the other."""
    st.markdown("#### Key terms")
    st.caption(side_line(report.client))
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
            use_container_width=True,
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


def show_report(report: ReviewReport) -> None:
    v = report.validation
    st.subheader(summary_line(report))
    counts = report.severity_counts()
    cols = st.columns(len(SEVERITIES) + 1)
    for col, sev in zip(cols, reversed(SEVERITIES), strict=False):
        col.metric(sev.capitalize(), counts[sev])
    cols[-1].metric(
        "Validation",
        v.status,
        f"confidence {v.confidence:.2f}",
        delta_color="off",
        delta_arrow="off",
    )
    st.caption(f"Cost of this review: {cost_words(report.costs)}.")
    if report.failures:
        st.warning(
            "Review incomplete: "
            + "; ".join(f"{x.agent} at {x.stage}: {x.error}" for x in report.failures)
        )
    failed = [c for c in v.checks if c.status == "failed"]
    if failed:
        st.warning("Validation: " + "; ".join(f"{c.name}: {c.detail}" for c in failed))

    show_key_terms(report)
    latest = store.latest(report.document.sha256)
    decided = {rule: d.decision for (_, rule), d in latest.items()}
    st.markdown("#### Findings")
    c1, c2, c3, c4 = st.columns(4)
    sevs = c1.multiselect("Severity", list(reversed(SEVERITIES)), key="f_sev")
    cats = c2.multiselect("Category", categories_of(report.findings), key="f_cat")
    stats = c3.multiselect("Status", list(STATUSES), key="f_status")
    sort = c4.selectbox("Sort by", list(SORTS), key="f_sort")
    shown = select_findings(
        report.findings, severities=sevs, categories=cats, statuses=stats, sort=sort
    )
    st.dataframe(finding_rows(shown, decided), hide_index=True)
    for f in shown:
        show_finding(report, f, decided.get(f.rule_id, ""))

    st.markdown("#### Downloads")
    full = with_decisions(report, latest)
    stem = report.document.name.rsplit(".", 1)[0]
    r1, r2 = st.columns(2)
    if entry.path is not None:
        r1.download_button(
            "Redline (Word, tracked changes)",
            services.redline_bytes(full, entry.path),
            f"{stem}-redline.docx",
            key="dl_redline",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    r2.download_button(
        "Key dates (calendar .ics)",
        services.calendar_text(full),
        f"{stem}-dates.ics",
        "text/calendar",
        key="dl_ics",
        on_click="ignore",
    )
    d1, d2, d3, d4 = st.columns(4)
    d1.download_button(
        "Word report",
        services.docx_bytes(full),
        f"{stem}-review.docx",
        key="dl_docx",
        on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    d2.download_button(
        "HTML",
        render(full, "html"),
        f"{stem}-review.html",
        "text/html",
        key="dl_html",
        on_click="ignore",
    )
    d3.download_button(
        "Markdown",
        render(full, "md"),
        f"{stem}-review.md",
        "text/markdown",
        key="dl_md",
        on_click="ignore",
    )
    d4.download_button(
        "JSON",
        render(full, "json"),
        f"{stem}-review.json",
        "application/json",
        key="dl_json",
        on_click="ignore",
    )


if isinstance(entry.result, Paused):
    answer_pause(entry, entry.result)
else:
    show_report(entry.result)
