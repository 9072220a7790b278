"""The pages' pure helpers: the highlighted page, finding selection, progress rows, metric tables."""

from __future__ import annotations

from types import SimpleNamespace

from legal_orch_ui.uploads import safe_name, save_upload
from legal_orch_ui.views import (
    STAGES,
    STEP_WORDS,
    StageTracker,
    batch_line,
    finding_rows,
    page_html,
    select_findings,
    split_metrics,
)

from legal_orch.domain import Citation, Document, Page
from tests.sample_report import sample_report

TEXT = "Page one <b>bold</b>.\n\nSecond page: fees & costs <script>x</script> end."
DOC = Document(
    path="x.pdf",
    name="x.pdf",
    sha256="0" * 64,
    text=TEXT,
    pages=[Page(number=1, start=0, end=21), Page(number=2, start=23, end=len(TEXT))],
)


def _cite(quote: str) -> Citation:
    start = DOC.text.index(quote)
    return Citation(page=DOC.page_of(start), start=start, end=start + len(quote), quote=quote)


def test_page_html_marks_the_quote_on_its_page_and_escapes_the_rest():
    out = page_html(DOC, _cite("fees & costs <script>"))
    assert "<mark>fees &amp; costs &lt;script&gt;</mark>" in out
    assert "Second page: " in out and "x&lt;/script&gt; end." in out
    assert "Page one" not in out and "<script>" not in out


def test_page_html_marks_two_quotes_of_one_page_in_one_view():
    out = page_html(DOC, [_cite("end."), _cite("Second page"), _cite("page: fees")])
    assert out.count("Second page:") == 1  # the page once
    # overlapping quotes are one mark; each mark in text order
    assert "<mark>Second page: fees</mark>" in out and "<mark>end.</mark>" in out
    assert out.count("<mark>") == 2


def test_page_html_folds_long_text_before_the_quote():
    text = "\n".join(f"line {i:03d} of the page" for i in range(100))
    doc = Document(
        path="y", name="y", sha256="1", text=text, pages=[Page(number=1, start=0, end=len(text))]
    )
    start = text.index("line 090")
    out = page_html(doc, Citation(page=1, start=start, end=start + 8, quote="line 090"), before=100)
    assert "characters earlier on page 1 …]" in out and "line 000" not in out
    assert "line 085 of the page\n" in out and "<mark>line 090</mark>" in out


def test_page_html_refuses_to_highlight_a_quote_that_does_not_match():
    bad = Citation(page=2, start=30, end=40, quote="not there")
    assert "Cited text not found on page 2" in page_html(DOC, bad) and "<mark>" not in page_html(
        DOC, bad
    )


def test_select_findings_filters_and_sorts(sample_doc):
    fs = sample_report(sample_doc).findings
    assert [f.rule_id for f in select_findings(fs)] == [
        "termination",
        "governing-law",
        "audit-rights",
    ]
    assert [f.rule_id for f in select_findings(fs, severities=["low", "medium"], sort="title")] == [
        "audit-rights",
        "governing-law",
    ]
    assert [
        f.rule_id for f in select_findings(fs, categories=["Governing Law"], statuses=["deviation"])
    ] == ["governing-law"]
    assert [f.rule_id for f in select_findings(fs, sort="place in the contract")] == [
        "termination",
        "governing-law",
        "audit-rights",
    ]
    twice = fs[0].model_copy(update={"citations": fs[0].citations * 2})
    rows = finding_rows([twice, *fs[1:]], {"governing-law": "accept"})
    assert [(r["finding"], r["where"], r["decision"]) for r in rows] == [
        ("Governing law", "p.6", "accepted"),  # two citations on page 6: the page once
        ("Termination rights", "p.1", ""),
        ("Audit rights", "", ""),
    ]
    # lawyer's words only: no rule ids, agents or scores in the table
    assert set(rows[0]) == {"severity", "finding", "status", "where", "action", "decision"}


def test_stage_tracker_counts_runs_per_agent_in_graph_order():
    t = StageTracker()
    assert not t.add({"updates": ["ingest"]})
    for stage in ("ingest", "analyze_risk", "analyze_risk", "extract"):
        assert t.add(
            {"stage": stage, "subtask": "r1" if stage == "analyze_risk" else None, "seconds": 0.5}
        )
    assert [(r["stage"], r["runs"], r["seconds"]) for r in t.table()] == [
        ("ingest", 1, 0.5),
        ("extract", 1, 0.5),
        ("analyze_risk", 2, 1.0),
    ]
    assert t.fraction() == 8 / 10 and t.last == "extract"
    assert t.step == "Finding the clauses the playbook covers"
    assert all(STEP_WORDS[s] for s in STAGES)  # every stage has words for the progress bar


def test_split_metrics_and_batch_line():
    scalars, tables = split_metrics(
        {
            "aupr": 0.4,
            "docs": 3,
            "per_category": {"A": {"p": 1}, "B": {"p": 0.5}},
            "curve": [{"r": 0.1, "p": 0.9}],
            "counts": {"a": 1},
        }
    )
    assert scalars == {"aupr": 0.4, "docs": 3}
    assert tables["per_category"] == [{"name": "A", "p": 1}, {"name": "B", "p": 0.5}]
    assert tables["curve"] == [{"r": 0.1, "p": 0.9}] and tables["counts"] == [
        {"name": "a", "value": 1}
    ]
    p = SimpleNamespace(
        done=3, total=10, failed=1, current="c.pdf", rate_per_min=6.0, eta_seconds=70
    )
    assert batch_line(p) == "3/10 done · 1 failed · 6.0/min · ETA 1m10s · c.pdf"


def test_upload_names_are_sanitised_and_never_overwrite(tmp_path):
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\me\\Contract (v2).PDF") == "Contract (v2).PDF"
    assert safe_name("a\x00b\u202e.pdf") == "a_b_.pdf"
    assert safe_name("...") == "upload.pdf" and safe_name(".hidden.pdf") == "hidden.pdf"
    assert len(safe_name("x" * 500 + ".pdf")) == 120
    a, b = save_upload("k.pdf", b"1", tmp_path), save_upload("k.pdf", b"2", tmp_path)
    assert (a.name, b.name, a.read_bytes(), b.read_bytes()) == ("k.pdf", "k-2.pdf", b"1", b"2")
